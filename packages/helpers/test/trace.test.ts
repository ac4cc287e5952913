import { describe, expect, it } from 'vitest';
import { KernelHelper, kernelHelpers } from '../src/index.js';
import { createBench, cstr, neg, text } from './support/bench.js';

const u = (n: bigint | number) => BigInt.asUintN(64, BigInt(n));

function printk(format: string, ...args: (bigint | number)[]) {
  const lines: string[] = [];
  const b = createBench(kernelHelpers({ traceSink: (l) => lines.push(l) }));
  const str = b.region(cstr('héllo'.replace('é', 'e')));
  const ip = b.region(Uint8Array.from([192, 168, 7, 1]));
  const fmt = cstr(format);
  const at = b.region(fmt);
  const resolved = args.map((a) => (a === -1000 ? str : a === -2000 ? ip : a));
  const r0 = b.call(KernelHelper.TRACE_PRINTK, at, fmt.length, ...resolved.map(u));
  return { r0, lines };
}

describe('bpf_trace_printk formats as the kernel does', () => {
  const cases: [string, (bigint | number)[], string][] = [
    ['%d|%i|%u', [-1, -2, -1], '-1|-2|4294967295'],
    ['%ld|%lld|%lu', [-1, BigInt.asUintN(64, -5n), -1], '-1|-5|18446744073709551615'],
    ['%x|%lx|%llx', [0xdeadbeef, 0x1_0000_0000n, -1], 'deadbeef|100000000|ffffffffffffffff'],
    ['%X', [0xabc], 'ABC'],
    ['%x', [0x1_2345_6789n], '23456789'],
    ['[%s] %c%c', [-1000, 0x4f, 0x4b], '[hello] OK'],
    ['%p %px', [0, 0x1000], '(null) 0000000000001000'],
    ['%pI4 %pi4', [-2000, -2000], '192.168.7.1 192.168.007.001'],
    ['100%% sure', [], '100% sure'],
    ['tab\there\n', [], 'tab\there\n'],
  ];
  for (const [format, args, expected] of cases) {
    it(`${JSON.stringify(format)} → ${JSON.stringify(expected)}`, () => {
      const { r0, lines } = printk(format, ...args);
      expect(lines).toEqual([expected]);
      expect(r0).toBe(BigInt(expected.length));
    });
  }

  it('honours flags and width', () => {
    expect(printk('%5d|%-5d|%05d', 42, 42, 42).lines).toEqual(['   42|42   |00042']);
    expect(printk('%+d|% d|%3s', 7, 7, -1000).lines).toEqual(['+7| 7|hello']);
    expect(printk('%-8s|', -1000).lines).toEqual(['hello   |']);
  });

  it('refuses what the kernel refuses with -EINVAL and prints nothing', () => {
    for (const bad of ['%d %d %d %d', '%f', '%ls', '%pZ', '%.3d', 'caf\u00e9 %d']) {
      const { r0, lines } = printk(bad, 1, 2, 3);
      expect(r0, bad).toBe(neg(22));
      expect(lines).toEqual([]);
    }
    const b = createBench(kernelHelpers());
    const unterminated = b.region(cstr('abc', false));
    expect(b.call(KernelHelper.TRACE_PRINTK, unterminated, 3)).toBe(neg(22));
    expect(b.call(KernelHelper.TRACE_PRINTK, unterminated, 0)).toBe(neg(22));
  });

  it('prints an unreadable %s as empty', () => {
    expect(printk('<%s>', 0x3f_0000_0000n).lines).toEqual(['<>']);
  });
});

describe('bpf_snprintf', () => {
  function snprintf(format: string, size: number, args: bigint[]) {
    const b = createBench(kernelHelpers());
    const fmt = b.region(cstr(format), false);
    const data = new Uint8Array(args.length * 8);
    args.forEach((a, i) => {
      new DataView(data.buffer).setBigUint64(i * 8, a, true);
    });
    const dataAt = args.length ? b.region(data) : 0n;
    const out = b.region(new Uint8Array(32).fill(0xaa));
    const r0 = b.call(KernelHelper.SNPRINTF, out, size, fmt, dataAt, data.length);
    return { r0, out: b.bytes(out, 32) };
  }

  it('writes the string with its NUL and returns its length with the NUL', () => {
    const { r0, out } = snprintf('%d-%s', 32, [u(-3), 0n]);
    expect(r0).toBe(4n); // "-3-", "" for the %s of NULL, and the NUL
    expect(text(out.subarray(0, 4))).toBe('-3-\0');
    expect(out[4]).toBe(0xaa);
  });

  it('truncates to str_size, NUL-terminated, and still returns the full length', () => {
    const { r0, out } = snprintf('%llx', 5, [0x123456789n]);
    expect(r0).toBe(10n);
    expect(text(out.subarray(0, 5))).toBe('1234\0');
    expect(out[5]).toBe(0xaa);
    expect(snprintf('%llx', 0, [0x123456789n]).out[0]).toBe(0xaa);
  });

  it('checks data_len and the argument count', () => {
    const b = createBench(kernelHelpers());
    const fmt = b.region(cstr('%d'), false);
    const out = b.region(16);
    const data = b.region(16);
    expect(b.call(KernelHelper.SNPRINTF, out, 16, fmt, data, 7)).toBe(neg(22));
    expect(b.call(KernelHelper.SNPRINTF, out, 16, fmt, data, 13 * 8)).toBe(neg(22));
    expect(b.call(KernelHelper.SNPRINTF, out, 16, fmt, 0, 8)).toBe(neg(22));
    expect(b.call(KernelHelper.SNPRINTF, out, 16, fmt, data, 0)).toBe(neg(22));
    const unterminated = b.region(cstr('%d', false));
    expect(b.call(KernelHelper.SNPRINTF, out, 16, unterminated, data, 8)).toBe(neg(22));
    expect(b.call(KernelHelper.SNPRINTF, out, 16, fmt, data, 8)).toBe(2n);
  });
});
