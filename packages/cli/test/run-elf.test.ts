import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { CLI_MAP_SET_INVALID, CLI_PROGRAM_NOT_PACKET } from '../src/commands/run-errors.js';
import { encodeMapBytes, parseMapSetting } from '../src/commands/run-map-set.js';
import { ExitCode } from '../src/io.js';
import { readCapture } from '../src/pcap/index.js';
import { fakeIo } from './fake-io.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, ROOT)));

const FILES = {
  'fw.o': read('tools/fixtures/elf/xdp-firewall.o'),
  'fw2.o': read('examples/xdp-firewall/xdp_firewall.o'),
  'two.o': read('tools/fixtures/elf/two-programs.o'),
  'tc.o': read('tools/fixtures/elf/tc-program.o'),
  'sock.o': read('tools/fixtures/elf/legacy-maps.o'),
  'percpu.o': read('tools/fixtures/elf/percpu-counter.o'),
  'small.pcap': read('tools/fixtures/pcap/small.pcap'),
  'small.pcapng': read('tools/fixtures/pcap/small.pcapng'),
  'truncated.pcap': read('tools/fixtures/pcap/truncated.pcap'),
};

async function run(...args: string[]) {
  const io = fakeIo(FILES);
  const code = await runCli(['run', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const BLOCK = ['--map-set', 'blocked_ports:23', '--map-set', 'blocked_ports:8080u16'];
const ENGINES = ['interp', 'jit'] as const;

describe('ebpf run on ELF objects', () => {
  it('a section with one program needs no flag; --section and --program pick one of several', async () => {
    // xdp_first returns XDP_PASS (2), xdp_second XDP_DROP + 1 (2): tell them apart by the map.
    const first = await run('two.o', '--program', 'xdp_first', '--json', '--dump-maps');
    expect(first.code).toBe(ExitCode.OK);
    const a = JSON.parse(first.out);
    expect(a).toMatchObject({ r0: '0x2', program: 'xdp_first', section: 'xdp', type: 'xdp' });
    expect(a.maps[0].entries).toEqual([{ key: '00000000', value: '0100000000000000' }]);
    const second = JSON.parse((await run('two.o', '--program', 'xdp_second', '--json')).out);
    expect(second).toMatchObject({ r0: '0x2', program: 'xdp_second' });
    const probe = await run('two.o', '--section', 'kprobe/do_sys_open');
    expect(probe).toMatchObject({ code: ExitCode.OK, out: '0x1\n' });
    expect((await run('fw.o')).out).toBe('0x2\n'); // an empty packet passes
  });

  it('several programs and no choice is a usage error that lists them', async () => {
    for (const args of [['two.o'], ['two.o', '--section', 'xdp']]) {
      const r = await run(...args);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.err).toContain('xdp_first (section xdp), xdp_second (section xdp)');
    }
    const unknown = await run('two.o', '--program', 'nope');
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.err).toContain("no program named 'nope'");
  });

  it('a section that is not there is a typed error (exit 1)', async () => {
    const r = await run('fw.o', '--section', 'tc');
    expect(r.code).toBe(ExitCode.INPUT);
    expect(r.err).toBe(
      "ebpf: error: CLI_ELF_NO_PROGRAM: fw.o: no executable section named 'tc' with code in this ELF object\n",
    );
  });

  for (const engine of ENGINES) {
    for (const capture of ['small.pcap', 'small.pcapng']) {
      it(`replays ${capture} through the firewall on ${engine}: packets 5, 6, 18 and 19 drop`, async () => {
        const r = await run('fw.o', '--pcap', capture, '--engine', engine, ...BLOCK, '--json');
        expect(r.code).toBe(ExitCode.OK);
        const obj = JSON.parse(r.out);
        expect(obj.summary).toMatchObject({ mode: 'xdp', packets: 20, errors: 0 });
        expect(obj.summary.verdicts).toMatchObject({ DROP: 4, PASS: 16 });
        expect(
          obj.packets.filter((p: { verdictName: string }) => p.verdictName === 'DROP'),
        ).toMatchObject([{ index: 5 }, { index: 6 }, { index: 18 }, { index: 19 }]);
        expect(obj.packets[5]).toMatchObject({ verdict: 1, length: 60 });
        expect(obj.engine).toBe(engine);
      });
    }
  }

  it('the examples firewall (VLAN and IPv6 too) drops 6 and counts packets and bytes per port', async () => {
    const r = await run('fw2.o', '--pcap', 'small.pcap', ...BLOCK, '--dump-maps');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(
      /^xdp_firewall \(xdp\) on interp: 20 packets \(1,385 bytes\) in .*packets\/s\n/,
    );
    expect(r.out).toMatch(/^ {2}XDP_DROP {3}6 {3}30\.0%$/m);
    expect(r.out).toMatch(/^ {2}XDP_PASS {2}14 {3}70\.0%$/m);
    // Port 23: packets 5, 12, 16, 19 (60 + 74 + 60 + 60 bytes); 8080: packets 6 and 18 (60 + 97).
    expect(r.out).toContain(
      'map blocked_ports (hash, key 2 B, value 16 B, 2 of 256 entries)\n' +
        '  17 00: 04 00 00 00 00 00 00 00 fe 00 00 00 00 00 00 00\n' +
        '  90 1f: 02 00 00 00 00 00 00 00 9d 00 00 00 00 00 00 00\n',
    );
    expect(r.out).toContain(
      'map verdicts (array, key 4 B, value 8 B, 5 of 5 entries)\n' +
        '  01 00 00 00: 06 00 00 00 00 00 00 00\n' +
        '  02 00 00 00: 0e 00 00 00 00 00 00 00\n' +
        '  (3 all-zero elements not shown)\n',
    );
  });

  it('without --map-set nothing is blocked; hex keys in memory order block the same port', async () => {
    const open = JSON.parse((await run('fw.o', '--pcap', 'small.pcap', '--json')).out);
    expect(open.summary.verdicts).toMatchObject({ DROP: 0, PASS: 20 });
    const hex = await run(
      'fw.o',
      '--pcap',
      'small.pcap',
      '--map-set',
      'blocked_ports:0x1700=0x0500000000000000',
      '--dump-maps',
    );
    expect(hex.out).toMatch(/XDP_DROP {3}2 /);
    // The program added its 2 drops to the 5 the host stored.
    expect(hex.out).toContain('  17 00: 07 00 00 00 00 00 00 00\n');
  });

  it('socket filters and tc classifiers replay too, and --map-set reaches internal .rodata maps', async () => {
    const sock = await run('sock.o', '--pcap', 'small.pcapng', '--json');
    expect(JSON.parse(sock.out).summary).toMatchObject({ mode: 'socket-filter', keptBytes: 0 });
    const tc = JSON.parse((await run('tc.o', '--pcap', 'small.pcap', '--json')).out);
    expect(tc.summary.verdicts).toMatchObject({ TC_ACT_OK: 20, TC_ACT_SHOT: 0 });
    // max_len (const volatile, .rodata) = 64: the 8 frames longer than 64 bytes (4, 7, 11-14, 17, 18) get TC_ACT_SHOT.
    const knob = await run(
      'tc.o',
      '--pcap',
      'small.pcap',
      '--map-set',
      '.rodata:0=64',
      '--dump-maps',
    );
    expect(knob.out).toMatch(/^ {2}TC_ACT_SHOT {3}8 /m);
    expect(knob.out).toContain(
      'map tc.rodata (array, key 4 B, value 4 B, 1 of 1 entries)\n  00 00 00 00: 40 00 00 00\n',
    );
  });

  it('--dump-maps lists per-CPU values per CPU', async () => {
    const r = await run('percpu.o', '--dump-maps', '--map-set', 'counters:0=7');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(
      /map counters \(percpu_array, key 4 B, value 8 B, \d+ of \d+ entries\)\n {2}00 00 00 00:\n {4}cpu 0: 0[78] 00 00 00 00 00 00 00\n/,
    );
  });

  it('refuses --pcap for a program that takes no packet, and a bad capture, with typed errors', async () => {
    const probe = await run('two.o', '--section', 'kprobe/do_sys_open', '--pcap', 'small.pcap');
    expect(probe.code).toBe(ExitCode.INPUT);
    expect(probe.err).toMatch(
      /^ebpf: error: CLI_PROGRAM_NOT_PACKET: program 'probe_open' is of type 'kprobe'/,
    );
    expect(CLI_PROGRAM_NOT_PACKET).toBe(11107);
    const bad = await run('fw.o', '--pcap', 'fw.o');
    expect(bad.code).toBe(ExitCode.INPUT);
    expect(bad.err).toMatch(/^ebpf: error: CAPTURE_[A-Z_]+: /);
    const cut = await run('fw.o', '--pcap', 'small.pcap', '--pcap', 'truncated.pcap', '--json');
    expect(cut.code).toBe(ExitCode.OK); // the last --pcap wins; cut frames are still frames
    expect(JSON.parse(cut.out).summary.packets).toBe(10);
  });

  it('runs an XDP program once on a --mem frame, and counts budget faults per packet as ERROR', async () => {
    const frame = readCapture(FILES['small.pcap']).packets[5]!.data.slice(); // TCP to port 23
    for (const engine of ENGINES) {
      const io = fakeIo({ ...FILES, 'frame.bin': frame });
      await runCli(['run', 'fw.o', '--mem', 'frame.bin', '--engine', engine, ...BLOCK], io);
      expect([engine, io.out()]).toEqual([engine, '0x1\n']);
      const r = await run(
        'fw.o',
        '--pcap',
        'small.pcap',
        '--budget',
        '5',
        '--engine',
        engine,
        '--json',
      );
      const obj = JSON.parse(r.out);
      expect(obj.summary).toMatchObject({ errors: 20, verdicts: { ERROR: 20 } });
      expect(obj.packets[0].error.codeName).toBe('VM_BUDGET_EXHAUSTED');
    }
  });

  it('bad --map-set: syntax is a usage error, sizes and unknown maps are typed errors', async () => {
    for (const spec of [
      'blocked_ports',
      'blocked_ports:',
      ':23',
      'blocked_ports:23=',
      'blocked_ports:0x1',
      'blocked_ports:1,2',
      'blocked_ports:-1',
      'blocked_ports:23u12',
    ]) {
      const r = await run('fw.o', '--map-set', spec);
      expect([spec, r.code]).toEqual([spec, ExitCode.USAGE]);
      expect(r.err).toContain(`--map-set '${spec}'`);
    }
    const big = await run('fw.o', '--map-set', 'blocked_ports:70000');
    expect(big.code).toBe(ExitCode.INPUT);
    expect(big.err).toBe(
      "ebpf: error: CLI_MAP_SET_INVALID: --map-set 'blocked_ports:70000': 70000 does not fit in 2 bytes\n",
    );
    const long = await run('fw.o', '--map-set', 'blocked_ports:23u32');
    expect(long.err).toContain("the key is 4 bytes; the map's keys are 2");
    const nomap = await run('fw.o', '--map-set', 'nope:1');
    expect(nomap.code).toBe(ExitCode.INPUT);
    expect(nomap.err).toMatch(/^ebpf: error: INSTANCE_NOT_FOUND: .*nope/);
    const raw = await run('fw.o', '--pcap', 'small.pcap', '--mem', 'small.pcap');
    expect(raw.code).toBe(ExitCode.USAGE);
  });

  it('encodes keys and values: hex in memory order, suffixed decimals little-endian, parts concatenated', () => {
    expect(encodeMapBytes('s', '0x1700', 2)).toEqual(new Uint8Array([0x17, 0]));
    expect(encodeMapBytes('s', '23', 2)).toEqual(new Uint8Array([0x17, 0]));
    expect(encodeMapBytes('s', '1u8,0x02,772u16', 4)).toEqual(new Uint8Array([1, 2, 4, 3]));
    expect(encodeMapBytes('s', '18446744073709551615', 8)).toEqual(new Uint8Array(8).fill(0xff));
    expect(() => encodeMapBytes('s', '256u8', 1)).toThrow(/does not fit in 1 byte/);
    expect(parseMapSetting('.rodata:0=0x01020304')).toMatchObject({
      map: '.rodata',
      key: '0',
      value: '0x01020304',
    });
    expect(CLI_MAP_SET_INVALID).toBe(11106);
  });
});
