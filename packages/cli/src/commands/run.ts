import type { Command } from '../command.js';
import { type CliIo, ExitCode } from '../io.js';
import { chooseOption, wholeNumberOption } from '../option-values.js';
import {
  createProgressBar,
  formatReplaySummary,
  readCapture,
  replayResultToJson,
} from '../pcap/index.js';
import { UsageError } from '../usage-error.js';
import { dumpMaps, formatMapDumps, mapDumpsToJson } from './run-dump-maps.js';
import { instantiateForRun, replayCapture, runOnce } from './run-elf.js';
import { isElf, loadElfProgram } from './run-elf-object.js';
import { ENGINES, type EngineName, prepareRun } from './run-engine.js';
import { parseMapSetting } from './run-map-set.js';
import { loadProgramBytes, SYNTAXES, type Syntax } from './run-program-file.js';

const SYNOPSIS =
  'ebpf run FILE [--section NAME] [--program NAME] [--pcap FILE] [--mem FILE] [--engine interp|jit] [--budget N] [--repeat N] [--map-set MAP:KEY[=VALUE]]... [--dump-maps] [--syntax rbpf|llvm] [--json]';

const USAGE = `${SYNOPSIS}

Runs a program and prints r0 in hex. FILE is an ELF object (clang -target bpf), assembly text
(a .s/.asm name, or text content) or raw bytecode.

ELF objects are loaded with their maps, global data (.rodata/.data/.bss) and the kernel helpers;
each program gets the context its section names (xdp: struct xdp_md; socket: a socket filter's
__sk_buff; tc/classifier/action: tc's __sk_buff; others: the --mem bytes as context).
Raw programs get r1 = a copy of the --mem input (0 without one), r2 = its length, and helper 5
(the identity).

  --section NAME       the ELF section of the program to run
  --program NAME       the program (function name), when the section or object has several
  --pcap FILE          replay every packet of a pcap or pcapng capture (Ethernet) through an
                       XDP, socket-filter or tc program and print a verdict summary
  --mem FILE           the input: the packet of a context program, else r1's buffer
  --engine interp|jit  the interpreter (default) or the WebAssembly JIT
  --budget N           stop with an error after N instructions per run (default: no limit)
  --repeat N           run N times, each on a fresh copy of the input (not with --pcap)
  --map-set MAP:KEY[=VALUE]
                       store VALUE (default all zeros) under KEY in map MAP before running;
                       repeatable. KEY and VALUE are comma-separated parts, each 0x + hex bytes
                       in memory order (0x1700), or a decimal number with a width suffix u8,
                       u16, u32 or u64 (23u16), little-endian; a lone decimal number fills the
                       whole key or value size: --map-set blocked_ports:23=1
  --dump-maps          print every map (internal .rodata/.data/.bss maps too) after the run,
                       keys and values as hex bytes in memory order, per-CPU values per CPU
  --syntax rbpf|llvm   the assembly syntax (default: LLVM's if the text has '=' or 'goto')
  --json               print one JSON object: {r0, engine, insnCount, runs, medianNs, minNs}
                       (and compileNs with the JIT for raw programs); with --pcap the summary
                       and one entry per packet; with --dump-maps the maps`;

const stringOption = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Everything `ebpf run` read from its command line. */
interface RunRequest {
  readonly file: string;
  readonly engine: EngineName;
  readonly syntax: Syntax | undefined;
  readonly budget: number | undefined;
  readonly repeat: number;
  readonly section: string | undefined;
  readonly program: string | undefined;
  readonly memPath: string | undefined;
  readonly pcapPath: string | undefined;
  readonly mapSets: readonly string[];
  readonly dumpMaps: boolean;
  readonly json: boolean;
}

function readRequest(values: Record<string, unknown>, positionals: readonly string[]): RunRequest {
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError(`missing the program FILE\nUsage: ${SYNOPSIS}`);
  if (extra.length > 0)
    throw new UsageError(`unexpected argument '${extra[0]}'\nUsage: ${SYNOPSIS}`);
  const mapSets = Array.isArray(values['map-set']) ? (values['map-set'] as string[]) : [];
  const request: RunRequest = {
    file,
    engine: chooseOption('engine', values.engine, ENGINES, 'interp'),
    syntax:
      values.syntax === undefined
        ? undefined
        : chooseOption('syntax', values.syntax, SYNTAXES, 'rbpf'),
    budget: wholeNumberOption('budget', values.budget, 1),
    repeat: wholeNumberOption('repeat', values.repeat, 1) ?? 1,
    section: stringOption(values.section),
    program: stringOption(values.program),
    memPath: stringOption(values.mem),
    pcapPath: stringOption(values.pcap),
    mapSets,
    dumpMaps: values['dump-maps'] === true,
    json: values.json === true,
  };
  if (request.pcapPath !== undefined && request.memPath !== undefined) {
    throw new UsageError('--pcap and --mem exclude each other: the capture gives the packets');
  }
  if (request.pcapPath !== undefined && values.repeat !== undefined) {
    throw new UsageError('--repeat does not apply to --pcap (every packet runs once)');
  }
  return request;
}

/** The time of `fn` in nanoseconds, with its result. */
function timed<T>(fn: () => T): { value: T; ns: number } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { value, ns: Number(process.hrtime.bigint() - start) };
}

/** Runs a raw or assembled program as the conformance suite does. */
async function runRaw(req: RunRequest, bytes: Uint8Array, io: CliIo): Promise<ExitCode> {
  for (const [flag, given] of [
    ['--pcap', req.pcapPath !== undefined],
    ['--map-set', req.mapSets.length > 0],
    ['--dump-maps', req.dumpMaps],
    ['--program', req.program !== undefined],
    ['--section', req.section !== undefined],
  ] as const) {
    if (given) throw new UsageError(`${flag} needs an ELF object; ${req.file} is not one`);
  }
  const { code } = loadProgramBytes(req.file, bytes, {
    ...(req.syntax === undefined ? {} : { syntax: req.syntax }),
  });
  const mem = req.memPath === undefined ? undefined : await io.readFile(req.memPath);
  const runner = prepareRun(code, {
    engine: req.engine,
    ...(req.budget === undefined ? {} : { budget: req.budget }),
  });
  let last: { r0: bigint; insnCount: number } | undefined;
  const times: number[] = [];
  for (let i = 0; i < req.repeat; i++) {
    const input = mem === undefined ? undefined : mem.slice();
    const { value, ns } = timed(() => runner.run(input));
    last = value;
    times.push(ns);
  }
  const result = last!;
  const r0 = `0x${result.r0.toString(16)}`;
  if (req.json) {
    io.stdout.write(
      `${JSON.stringify({
        r0,
        engine: req.engine,
        insnCount: result.insnCount,
        runs: req.repeat,
        medianNs: median(times),
        minNs: times.reduce((a, b) => Math.min(a, b)),
        ...(runner.compileNs === undefined ? {} : { compileNs: runner.compileNs }),
      })}\n`,
    );
  } else {
    io.stdout.write(`${r0}\n`);
  }
  return ExitCode.OK;
}

/** Runs a program of an ELF object once, or over a capture. */
async function runElf(req: RunRequest, bytes: Uint8Array, io: CliIo): Promise<ExitCode> {
  const mapSettings = req.mapSets.map(parseMapSetting);
  const { object, program } = loadElfProgram(bytes, req.file, req);
  const capture =
    req.pcapPath === undefined ? undefined : readCapture(await io.readFile(req.pcapPath));
  const mem = req.memPath === undefined ? undefined : await io.readFile(req.memPath);
  const instance = instantiateForRun(object, {
    engine: req.engine,
    budget: req.budget,
    mapSettings,
  });
  const prog = instance.program(program.name);
  const about = { program: prog.name, section: prog.section, type: prog.type };

  if (capture !== undefined) {
    const bar = createProgressBar(io.stderr);
    const result = replayCapture(prog, capture, {
      keepResults: req.json,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    const maps = req.dumpMaps ? dumpMaps(instance.maps) : undefined;
    if (req.json) {
      io.stdout.write(
        `${JSON.stringify({
          ...about,
          engine: req.engine,
          ...replayResultToJson(result),
          ...(maps ? { maps: mapDumpsToJson(maps) } : {}),
        })}\n`,
      );
    } else {
      io.stdout.write(
        `${prog.name} (${prog.type}) on ${req.engine}: ${formatReplaySummary(result.summary)}`,
      );
      if (maps) io.stdout.write(formatMapDumps(maps));
    }
    return ExitCode.OK;
  }

  let last: { r0: bigint; insnCount: number } | undefined;
  const times: number[] = [];
  for (let i = 0; i < req.repeat; i++) {
    const input = mem === undefined ? undefined : mem.slice();
    const { value, ns } = timed(() => runOnce(prog, input));
    last = value;
    times.push(ns);
  }
  const result = last!;
  const r0 = `0x${result.r0.toString(16)}`;
  const maps = req.dumpMaps ? dumpMaps(instance.maps) : undefined;
  if (req.json) {
    io.stdout.write(
      `${JSON.stringify({
        r0,
        engine: req.engine,
        insnCount: result.insnCount,
        runs: req.repeat,
        medianNs: median(times),
        minNs: times.reduce((a, b) => Math.min(a, b)),
        ...about,
        ...(maps ? { maps: mapDumpsToJson(maps) } : {}),
      })}\n`,
    );
  } else {
    io.stdout.write(`${r0}\n`);
    if (maps) io.stdout.write(formatMapDumps(maps));
  }
  return ExitCode.OK;
}

/**
 * `ebpf run`: loads a program (an ELF object through `@ebpf/elf`, assembly text or raw bytecode)
 * and runs it once, `--repeat` times, or on every packet of a `--pcap` capture, printing r0 (or
 * the verdict summary), with `--map-set` to seed maps and `--dump-maps` to show them after.
 */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a program (ELF object, text or bytecode), once or over a packet capture',
  usage: USAGE,
  options: {
    section: { type: 'string' },
    program: { type: 'string' },
    pcap: { type: 'string' },
    mem: { type: 'string' },
    engine: { type: 'string' },
    budget: { type: 'string' },
    repeat: { type: 'string' },
    'map-set': { type: 'string', multiple: true },
    'dump-maps': { type: 'boolean', default: false },
    syntax: { type: 'string' },
  },
  async run(args, io) {
    const req = readRequest(args.values, args.positionals);
    const bytes = await io.readFile(req.file);
    return isElf(bytes) ? runElf(req, bytes, io) : runRaw(req, bytes, io);
  },
};
