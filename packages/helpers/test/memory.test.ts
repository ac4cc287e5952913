import { isEbpfError } from '@ebpf/isa';
import { VM_ACCESS_VIOLATION } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelHelper, kernelHelpers } from '../src/index.js';
import { createBench, cstr, neg, text } from './support/bench.js';

const EFAULT = neg(14);

describe('bpf_probe_read and variants, limited to VM memory', () => {
  for (const id of [
    KernelHelper.PROBE_READ,
    KernelHelper.PROBE_READ_USER,
    KernelHelper.PROBE_READ_KERNEL,
  ]) {
    it(`helper ${id}: copies inside a region, -EFAULT and zeros past it`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 24 }),
          fc.integer({ min: 1, max: 16 }),
          (offset, size) => {
            const b = createBench(kernelHelpers());
            const src = b.region(Uint8Array.from({ length: 20 }, (_, i) => i + 1));
            const dst = b.region(new Uint8Array(16).fill(0xee));
            const r0 = b.call(id, dst, size, src + BigInt(offset));
            const got = b.bytes(dst, 16);
            if (offset + size <= 20) {
              expect(r0).toBe(0n);
              expect([...got.subarray(0, size)]).toEqual(
                Array.from({ length: size }, (_, i) => offset + i + 1),
              );
            } else {
              expect(r0).toBe(EFAULT);
              expect([...got.subarray(0, size)]).toEqual(new Array(size).fill(0));
            }
            expect([...got.subarray(size)]).toEqual(new Array(16 - size).fill(0xee));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('unmapped sources (null, region 0, regions past the table) give -EFAULT', () => {
    const b = createBench(kernelHelpers());
    const dst = b.region(8);
    for (const src of [0n, 16n, 0x3f_0000_0000n, 0xffff_ffff_ffff_fff0n]) {
      expect(b.call(KernelHelper.PROBE_READ, dst, 8, src)).toBe(EFAULT);
    }
    expect(b.call(KernelHelper.PROBE_READ, dst, 0, 0)).toBe(0n);
  });

  it('a destination outside memory is the VM access error', () => {
    const b = createBench(kernelHelpers());
    const src = b.region(8);
    const ro = b.region(8, false);
    for (const dst of [0n, ro]) {
      try {
        b.call(KernelHelper.PROBE_READ, dst, 8, src);
        expect.unreachable();
      } catch (e) {
        expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
        expect((e as { pc: number }).pc).toBe(7);
      }
    }
  });

  it('the _str variants copy up to the NUL or size - 1 bytes and return the length with NUL', () => {
    for (const id of [
      KernelHelper.PROBE_READ_STR,
      KernelHelper.PROBE_READ_USER_STR,
      KernelHelper.PROBE_READ_KERNEL_STR,
    ]) {
      const b = createBench(kernelHelpers());
      const src = b.region(cstr('hello'));
      const dst = b.region(new Uint8Array(10).fill(0xee));
      expect(b.call(id, dst, 10, src)).toBe(6n);
      expect(text(b.bytes(dst, 7))).toBe('hello\0\xee');
      expect(b.call(id, dst, 4, src)).toBe(4n);
      expect(text(b.bytes(dst, 5))).toBe('hel\0o');
      expect(b.call(id, dst, 1, src)).toBe(1n);
      expect(b.bytes(dst, 1)[0]).toBe(0);
      expect(b.call(id, dst, 0, src)).toBe(0n);
      // A string that runs off its region before the NUL: -EFAULT, the whole dst zeroed.
      const open = b.region(cstr('abc', false));
      b.space.write(dst, new Uint8Array(10).fill(0xee));
      expect(b.call(id, dst, 8, open)).toBe(EFAULT);
      expect([...b.bytes(dst, 10)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0xee, 0xee]);
      expect(b.call(id, dst, 8, 0n)).toBe(EFAULT);
    }
  });
});

describe('bpf_strncmp', () => {
  it('compares at most s1_sz bytes and returns -1, 0 or 1 as the kernel strncmp', () => {
    const b = createBench(kernelHelpers());
    const s2 = b.region(cstr('abcd'), false);
    const cmp = (s: string, n: number) =>
      BigInt.asIntN(64, b.call(KernelHelper.STRNCMP, b.region(cstr(s, false)), n, s2));
    expect(cmp('abcd\0', 5)).toBe(0n);
    expect(cmp('abcz', 4)).toBe(1n);
    expect(cmp('abca', 4)).toBe(-1n);
    expect(cmp('abzz', 2)).toBe(0n);
    expect(cmp('abcde', 5)).toBe(1n);
    expect(cmp('ab', 2)).toBe(0n);
    expect(cmp('x', 0)).toBe(0n);
  });
});
