import { readFileSync } from 'node:fs';
import { EbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  type CapturedPacket,
  createProgressBar,
  formatReplaySummary,
  iterateCapture,
  readCapture,
  renderProgressBar,
  replay,
  replayResultToJson,
  XdpVerdict,
} from '../src/pcap/index.js';

const small = readCapture(
  new Uint8Array(readFileSync(new URL('../../../tools/fixtures/pcap/small.pcap', import.meta.url))),
);

/** A stand-in for the firewall program: drop untagged IPv4 TCP to port 23 or 8080. */
function firewall(packet: CapturedPacket): { verdict: number; instructions: number } {
  const d = packet.data;
  const ipv4Tcp = d.length >= 38 && d[12] === 0x08 && d[13] === 0x00 && d[23] === 6;
  const port = ipv4Tcp ? d[36]! * 256 + d[37]! : -1;
  return {
    verdict: port === 23 || port === 8080 ? XdpVerdict.DROP : XdpVerdict.PASS,
    instructions: 10,
  };
}

/** A clock that advances by `step` ms on every reading. */
function steppingClock(step: number) {
  let t = 0;
  return () => {
    const now = t;
    t += step;
    return now;
  };
}

describe('replay (XDP)', () => {
  it('counts verdicts by name and keeps each packet result', () => {
    const { summary, results } = replay(small, firewall);
    expect(summary.mode).toBe('xdp');
    expect(summary.packets).toBe(20);
    expect(summary.bytes).toBe(small.packets.reduce((n, p) => n + p.data.length, 0));
    expect([...summary.verdicts]).toEqual([
      ['ABORTED', 0],
      ['DROP', 4],
      ['PASS', 16],
      ['TX', 0],
      ['REDIRECT', 0],
    ]);
    expect(summary.instructions).toBe(200);
    expect(results.filter((r) => r.verdictName === 'DROP').map((r) => r.index)).toEqual([
      5, 6, 18, 19,
    ]);
    expect(results[5]).toEqual({
      index: 5,
      length: 60,
      verdict: 1n,
      verdictName: 'DROP',
      instructions: 10,
    });
  });

  it('names values outside enum xdp_action INVALID, reading r0 as unsigned 64-bit', () => {
    const verdicts = [4, 5n, -1, 2n ** 64n + 2n];
    const { results, summary } = replay(small.packets.slice(0, 4), (p) => ({
      verdict: verdicts[p.index]!,
    }));
    expect(results.map((r) => r.verdictName)).toEqual([
      'REDIRECT',
      'INVALID(5)',
      'INVALID(18446744073709551615)',
      'PASS',
    ]);
    expect(summary.verdicts.get('INVALID(5)')).toBe(1);
  });

  it('marks packets whose run throws an EbpfError and goes on; other exceptions propagate', () => {
    const code: number = 6001; // any run-time code: replay does not care which
    const fault = new EbpfError(
      'runtime',
      code,
      'VM_TEST_FAULT',
      'insn 3: out of bounds',
      {},
      { pc: 3 },
    );
    const { summary, results } = replay(small, (p) => {
      if (p.index % 5 === 0) throw fault;
      return { verdict: 2 };
    });
    expect(summary.errors).toBe(4);
    expect(summary.verdicts.get('ERROR')).toBe(4);
    expect(summary.verdicts.get('PASS')).toBe(16);
    expect(results[0]).toMatchObject({
      verdict: undefined,
      verdictName: 'ERROR',
      error: { code, codeName: 'VM_TEST_FAULT', message: 'insn 3: out of bounds' },
    });
    expect(() =>
      replay(small, () => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
  });

  it('computes elapsed time and rate from the clock it is given', () => {
    const { summary } = replay(small, firewall, { now: steppingClock(500) });
    expect(summary.elapsedNs).toBe(500_000_000);
    expect(summary.packetsPerSecond).toBe(40);
    expect(replay(small, firewall, { now: () => 7 }).summary.packetsPerSecond).toBeUndefined();
  });

  it('reports progress every N packets and at the end, with the total when it is known', () => {
    const calls: [number, number | undefined][] = [];
    replay(small, firewall, {
      progressEvery: 8,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls).toEqual([
      [8, 20],
      [16, 20],
      [20, 20],
    ]);
    const lazy: [number, number | undefined][] = [];
    const bytes = new Uint8Array(
      readFileSync(new URL('../../../tools/fixtures/pcap/small.pcap', import.meta.url)),
    );
    const { summary, results } = replay(iterateCapture(bytes), firewall, {
      progressEvery: 16,
      keepResults: false,
      onProgress: (done, total) => lazy.push([done, total]),
    });
    expect(lazy).toEqual([
      [16, undefined],
      [20, undefined],
    ]);
    expect(summary.verdicts.get('DROP')).toBe(4);
    expect(results).toEqual([]);
  });
});

describe('replay (socket filter)', () => {
  it('reads r0 as a 32-bit count of bytes to keep', () => {
    const packets = small.packets.slice(0, 5); // 60, 60, 60, 60 and 91 bytes
    const keep = [0, 0xffff, 20, 0x1_0000_0000 + 60, 91];
    const { summary, results } = replay(packets, (p) => ({ verdict: keep[p.index]! }), {
      mode: 'socket-filter',
    });
    expect(results.map((r) => [r.verdictName, r.keptBytes])).toEqual([
      ['DROP', 0],
      ['KEEP', 60],
      ['TRUNCATE', 20],
      ['KEEP', 60],
      ['KEEP', 91],
    ]);
    expect(summary.keptBytes).toBe(231);
    expect([...summary.verdicts]).toEqual([
      ['KEEP', 3],
      ['TRUNCATE', 1],
      ['DROP', 1],
    ]);
  });
});

describe('presenting a replay', () => {
  it('formats a summary with counts and shares of the verdicts seen', () => {
    const { summary } = replay(small, firewall, { now: steppingClock(1.25) });
    const text = formatReplaySummary(summary);
    expect(text).toBe(
      [
        `20 packets (${summary.bytes.toLocaleString('en-US')} bytes) in 1.25 ms, 16,000 packets/s`,
        '  XDP_DROP   4   20.0%',
        '  XDP_PASS  16   80.0%',
        '  200 instructions (10.0 per packet)',
        '',
      ].join('\n'),
    );
  });

  it('formats a socket-filter summary with the bytes kept, and no rate without a moving clock', () => {
    const { summary } = replay(small.packets.slice(0, 2), () => ({ verdict: 10 }), {
      mode: 'socket-filter',
      now: () => 0,
    });
    expect(formatReplaySummary(summary)).toBe(
      ['2 packets (120 bytes) in 0 ns', '  TRUNCATE  2  100.0%', '  kept 20 of 120 bytes', ''].join(
        '\n',
      ),
    );
  });

  it('turns a replay into JSON-safe values', () => {
    const result = replay(
      small.packets.slice(0, 2),
      (p) => ({ verdict: p.index === 0 ? 2 : 2n ** 63n }),
      {
        now: () => 0,
      },
    );
    const json = JSON.parse(JSON.stringify(replayResultToJson(result)));
    expect(json.summary.verdicts).toEqual({
      ABORTED: 0,
      DROP: 0,
      PASS: 1,
      TX: 0,
      REDIRECT: 0,
      'INVALID(9223372036854775808)': 1,
    });
    expect(json.packets.map((p: { verdict: unknown }) => p.verdict)).toEqual([
      2,
      '9223372036854775808',
    ]);
  });
});

describe('progress bar', () => {
  const sink = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (t: string) => void writes.push(t) } };
  };

  it('draws nothing when the stream is not a terminal', () => {
    const { writes, stream } = sink(false);
    const bar = createProgressBar(stream, { now: steppingClock(1000) });
    bar.update(5, 10);
    bar.finish();
    expect(bar.active).toBe(false);
    expect(writes).toEqual([]);
  });

  it('draws on a terminal at most once per interval and erases its line when finished', () => {
    const { writes, stream } = sink(true);
    let t = 0;
    const bar = createProgressBar(stream, { now: () => t, intervalMs: 100, width: 10 });
    bar.update(1, 10); // too early
    t = 150;
    bar.update(5, 10);
    t = 200;
    bar.update(6, 10); // throttled
    t = 260;
    bar.update(10, 10);
    bar.finish();
    expect(writes).toEqual([
      '\r\x1b[2K[#####-----]  50% 5/10 packets',
      '\r\x1b[2K[##########] 100% 10/10 packets',
      '\r\x1b[2K',
    ]);
  });

  it('leaves the line alone when a short run never drew', () => {
    const { writes, stream } = sink(true);
    const bar = createProgressBar(stream, { now: () => 0 });
    bar.update(20, 20);
    bar.finish();
    expect(writes).toEqual([]);
  });

  it('renders counts without a total, and clamps beyond it', () => {
    expect(renderProgressBar(12345, undefined)).toBe('12,345 packets');
    expect(renderProgressBar(15, 10, 4, 'frames')).toBe('[####] 100% 15/10 frames');
  });
});

describe('replay through the real engines (the wiring `ebpf run --pcap` will use)', () => {
  // r1 = the frame, r2 = its length: pass unless an untagged IPv4 TCP segment to port 23 or 8080.
  const program = `
    r0 = 2
    if r2 < 38 goto out
    r3 = *(u16 *)(r1 + 12)
    if r3 != 0x0008 goto out
    r3 = *(u8 *)(r1 + 23)
    if r3 != 6 goto out
    r3 = *(u16 *)(r1 + 36)
    if r3 == 0x1700 goto drop
    if r3 == 0x901f goto drop
    goto out
  drop:
    r0 = 1
  out:
    exit
  `;
  for (const engine of ['interp', 'jit'] as const) {
    it(`gives the firewall's verdicts on small.pcap (${engine})`, async () => {
      const { assemble } = await import('@ebpf/assembler');
      const { prepareRun } = await import('../src/commands/run-engine.js');
      const prepared = prepareRun(assemble(program, { syntax: 'llvm' }), { engine });
      const { summary, results } = replay(small, (packet) => {
        const r = prepared.run(packet.data.slice());
        return { verdict: r.r0, instructions: r.insnCount };
      });
      expect(summary.verdicts.get('DROP')).toBe(4);
      expect(summary.verdicts.get('PASS')).toBe(16);
      expect(results.filter((r) => r.verdictName === 'DROP').map((r) => r.index)).toEqual([
        5, 6, 18, 19,
      ]);
      expect(summary.instructions).toBeGreaterThan(20);
    });
  }
});
