import { readFileSync } from 'node:fs';
import { INPUT_ADDRESS } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { runCommand } from '../src/commands/run.js';
import { ExitCode } from '../src/io.js';
import { fakeIo } from './fake-io.js';

const FIXTURE = new URL('../../../tools/fixtures/block-a-port/', import.meta.url);
const BLOCK_A_PORT_O = new Uint8Array(readFileSync(new URL('block-a-port.o', FIXTURE)));
const BLOCK_A_PORT_BIN = new Uint8Array(readFileSync(new URL('block-a-port.bin', FIXTURE)));

/** Bytecode from [opcode, regs (src << 4 | dst), off, imm] tuples. */
function bytecode(...insns: [number, number, number, number][]): Uint8Array {
  const bytes = new Uint8Array(insns.length * 8);
  const view = new DataView(bytes.buffer);
  insns.forEach(([op, regs, off, imm], i) => {
    view.setUint8(i * 8, op);
    view.setUint8(i * 8 + 1, regs);
    view.setInt16(i * 8 + 2, off, true);
    view.setInt32(i * 8 + 4, imm, true);
  });
  return bytes;
}

const EXIT: [number, number, number, number] = [0x95, 0, 0, 0];
/** r0 = 0 + 1 + 2 with 32-bit arithmetic (rbpf's README program): 3. */
const ADD = bytecode(
  [0xb4, 0x00, 0, 0],
  [0xb4, 0x01, 0, 2],
  [0x04, 0x00, 0, 1],
  [0x0c, 0x10, 0, 0],
  EXIT,
);
/** r0 = mem[2] + r2 (the input's length). */
const THIRD_BYTE_PLUS_LENGTH = bytecode([0x71, 0x10, 2, 0], [0x0f, 0x20, 0, 0], EXIT);
/** r0 = r1 + r2: 0 without an input. */
const R1_PLUS_R2 = bytecode([0xbf, 0x10, 0, 0], [0x0f, 0x20, 0, 0], EXIT);
/** mem[0] += 1; r0 = mem[0]: shows whether each run gets a fresh copy of the input. */
const BUMP_FIRST_BYTE = bytecode([0x71, 0x10, 0, 0], [0x07, 0x00, 0, 1], [0x73, 0x01, 0, 0], EXIT);
/** A loop of 2^64 rounds: r0 += 1 until it wraps to 0 (the verifier cannot tell it never ends). */
const FOREVER = bytecode([0xb7, 0x00, 0, 0], [0x07, 0x00, 0, 1], [0x55, 0x00, -2, 0], EXIT);

async function run(args: string[], files: Record<string, Uint8Array | string>) {
  const io = fakeIo(files);
  const code = await runCli(['run', ...args], io);
  return { code, out: io.out(), err: io.err(), io };
}

describe('ebpf run', () => {
  it('runs raw bytecode and prints r0 in hex', async () => {
    expect(await run(['add.bin'], { 'add.bin': ADD })).toMatchObject({
      code: ExitCode.OK,
      out: '0x3\n',
      err: '',
    });
  });

  it('passes the input as r1 and its length as r2 (--mem)', async () => {
    const mem = new Uint8Array([0xaa, 0xbb, 0x11, 0xcc, 0xdd]);
    const r = await run(['p.bin', '--mem', 'm.bin'], {
      'p.bin': THIRD_BYTE_PLUS_LENGTH,
      'm.bin': mem,
    });
    expect(r.out).toBe(`0x${(0x11 + 5).toString(16)}\n`);
  });

  it('sets r1 = 0 and r2 = 0 without an input, and a load through r1 then faults (exit 1)', async () => {
    expect((await run(['p.bin'], { 'p.bin': R1_PLUS_R2 })).out).toBe('0x0\n');
    const r = await run(['p.bin'], { 'p.bin': THIRD_BYTE_PLUS_LENGTH });
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^ebpf: error: VM_ACCESS_VIOLATION: insn 0: .*\n$/);
  });

  it('assembles text, by extension or by content, in either syntax (given or guessed)', async () => {
    const rbpf = 'mov32 r0, 0\nmov32 r1, 2\nadd32 r0, 1\nadd32 r0, r1\nexit\n';
    expect((await run(['add.asm'], { 'add.asm': rbpf })).out).toBe('0x3\n');
    expect((await run(['add'], { add: rbpf })).out).toBe('0x3\n');
    const llvm = 'w0 = 0\nw1 = 2\nw0 += 1\nw0 += w1\nexit\n';
    expect((await run(['add.s', '--syntax', 'llvm'], { 'add.s': llvm })).out).toBe('0x3\n');
    // Without --syntax, LLVM's is recognised by its '=' signs.
    expect((await run(['add.s'], { 'add.s': llvm })).out).toBe('0x3\n');
    expect((await run(['add.s', '--syntax', 'rbpf'], { 'add.s': llvm })).code).toBe(ExitCode.INPUT);
  });

  it('reports bad assembly with its line and exit code 1', async () => {
    const r = await run(['bad.asm'], { 'bad.asm': 'mov r0, 1\nfrobnicate r0\nexit\n' });
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.err).toMatch(/^ebpf: error: ASM_[A-Z_]+: .*2/);
  });

  it("runs block-a-port's bytecode (rbpf's layout: packet pointers in the buffer at 0x40/0x50)", async () => {
    // The filter reads packet start/end from r1 + 0x40 / 0x50: lay out such a buffer, then the packet.
    const packet = new Uint8Array(54);
    packet.set([0x08, 0x00], 12); // IPv4
    packet[23] = 6; // TCP
    packet.set([0x99, 0x99], 36); // destination port 0x9999
    const mem = new Uint8Array(0x60 + packet.length);
    const view = new DataView(mem.buffer);
    view.setBigUint64(0x40, INPUT_ADDRESS + 0x60n, true);
    view.setBigUint64(0x50, INPUT_ADDRESS + 0x60n + BigInt(packet.length), true);
    mem.set(packet, 0x60);
    const r = await run(['block.bin', '--mem', 'mem'], { 'block.bin': BLOCK_A_PORT_BIN, mem });
    expect(r).toMatchObject({ code: ExitCode.OK, out: '0xffffffff\n' });
    mem[0x60 + 37] = 0x98;
    expect(
      (await run(['block.bin', '--mem', 'mem'], { 'block.bin': BLOCK_A_PORT_BIN, mem })).out,
    ).toBe('0x0\n');
  });

  it('runs the .o as what its section says, a tc classifier: the rbpf-style loads at 0x40 fault', async () => {
    // In struct __sk_buff, 0x40 is cb[4]: an 8-byte load there is not allowed, as in the kernel.
    const r = await run(['block.o', '--mem', 'mem'], {
      'block.o': BLOCK_A_PORT_O,
      mem: new Uint8Array(60),
    });
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.err).toMatch(/^ebpf: error: VM_ACCESS_VIOLATION: insn \d+: /);
  });

  it('refuses an ELF section that is not there, with a typed error (exit 1)', async () => {
    const r = await run(['block.o', '--section', 'xdp'], { 'block.o': BLOCK_A_PORT_O });
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.err).toBe(
      "ebpf: error: CLI_ELF_NO_PROGRAM: block.o: no executable section named 'xdp' with code in this ELF object\n",
    );
  });

  it('refuses bytecode that does not decode or verify (exit 1, one line)', async () => {
    const short = await run(['p.bin'], { 'p.bin': ADD.subarray(0, 7) });
    expect(short.code).toBe(ExitCode.INPUT);
    expect(short.err).toMatch(/^ebpf: error: ISA_PROGRAM_LENGTH: .*\n$/);
    const noExit = await run(['p.bin'], { 'p.bin': ADD.subarray(0, 32) });
    expect(noExit.code).toBe(ExitCode.INPUT);
    expect(noExit.err.split('\n')).toHaveLength(2);
  });

  it('stops a run at --budget instructions with a typed error', async () => {
    const r = await run(['loop.bin', '--budget', '100'], { 'loop.bin': FOREVER });
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.err).toMatch(/^ebpf: error: VM_BUDGET_EXHAUSTED: /);
    expect(r.err).toContain('100');
  });

  it('--json gives r0, engine, instruction count, runs and timings', async () => {
    const r = await run(['add.bin', '--json', '--repeat', '3'], { 'add.bin': ADD });
    expect(r.code).toBe(ExitCode.OK);
    const obj = JSON.parse(r.out);
    expect(obj).toMatchObject({ r0: '0x3', engine: 'interp', insnCount: 5, runs: 3 });
    expect(Object.keys(obj).sort()).toEqual([
      'engine',
      'insnCount',
      'medianNs',
      'minNs',
      'r0',
      'runs',
    ]);
    expect(typeof obj.medianNs).toBe('number');
    expect(obj.minNs).toBeLessThanOrEqual(obj.medianNs);
  });

  it('--repeat gives every run a fresh copy of the input and leaves the file alone', async () => {
    const mem = new Uint8Array([41]);
    const r = await run(['bump.bin', '--mem', 'm', '--repeat', '4', '--json'], {
      'bump.bin': BUMP_FIRST_BYTE,
      m: mem,
    });
    expect(JSON.parse(r.out)).toMatchObject({ r0: '0x2a', runs: 4 });
    expect(mem).toEqual(new Uint8Array([41]));
  });

  it('--engine jit gives the same r0 and instruction count as the interpreter, and a compile time', async () => {
    const mem = new Uint8Array([0xaa, 0xbb, 0x11, 0xcc, 0xdd]);
    const files = { 'p.bin': THIRD_BYTE_PLUS_LENGTH, m: mem };
    const jit = JSON.parse(
      (await run(['p.bin', '--mem', 'm', '--engine', 'jit', '--json'], files)).out,
    );
    const interp = JSON.parse((await run(['p.bin', '--mem', 'm', '--json'], files)).out);
    expect(jit).toMatchObject({ r0: '0x16', engine: 'jit', insnCount: 3, runs: 1 });
    expect(interp).toMatchObject({ r0: '0x16', engine: 'interp', insnCount: 3, runs: 1 });
    expect(typeof jit.compileNs).toBe('number');
    expect(interp.compileNs).toBeUndefined();
  });

  it('--engine jit faults and runs out of budget with the same typed errors as the interpreter', async () => {
    for (const engine of ['interp', 'jit']) {
      const fault = await run(['p.bin', '--engine', engine], { 'p.bin': THIRD_BYTE_PLUS_LENGTH });
      expect(fault.err).toMatch(/^ebpf: error: VM_ACCESS_VIOLATION: insn 0: /);
      const loop = await run(['l.bin', '--engine', engine, '--budget', '50'], { 'l.bin': FOREVER });
      expect(loop.err).toMatch(/^ebpf: error: VM_BUDGET_EXHAUSTED: /);
    }
  });

  it('rejects bad options with exit code 2', async () => {
    const files = { 'add.bin': ADD };
    for (const args of [
      [],
      ['add.bin', 'extra'],
      ['add.bin', '--budget', '0'],
      ['add.bin', '--budget', 'lots'],
      ['add.bin', '--repeat', '-1'],
      ['add.bin', '--engine', 'ubpf'],
      ['add.bin', '--syntax', 'gas'],
    ]) {
      const r = await run(args, files);
      expect([args, r.code]).toEqual([args, ExitCode.USAGE]);
      expect(r.err).toMatch(/^ebpf: error: /);
    }
  });

  it('--help describes every option the command takes', async () => {
    const r = await run(['--help'], {});
    expect(r.code).toBe(ExitCode.OK);
    for (const name of [...Object.keys(runCommand.options), 'json']) {
      expect(r.out).toMatch(new RegExp(`^ {2}--${name} `, 'm'));
    }
  });

  it('says which file is missing (exit 1)', async () => {
    const r = await run(['nope.bin'], {});
    expect(r).toMatchObject({ code: ExitCode.INPUT, err: 'ebpf: error: nope.bin: no such file\n' });
  });

  it('never crashes on random bytecode, on either engine: r0 or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 96 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.constantFrom('interp', 'jit'),
        async (prog, mem, engine) => {
          const r = await run(['p.bin', '--mem', 'm', '--budget', '1000', '--engine', engine], {
            'p.bin': prog,
            m: mem,
          });
          if (r.code === ExitCode.OK) expect(r.out).toMatch(/^0x[0-9a-f]+\n$/);
          else {
            expect(r.code).toBe(ExitCode.INPUT);
            // One error, named by its code (an assembler error adds its excerpt and caret lines).
            expect(r.err).toMatch(/^ebpf: error: [A-Z0-9_]+: /);
            expect(r.err.match(/ebpf: error:/g)).toHaveLength(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
