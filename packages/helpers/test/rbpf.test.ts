import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { createJit } from '@ebpf/jit';
import { EbpfVmNoData, EbpfVmRaw, VM_ACCESS_VIOLATION } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  createSteppingClock,
  installHelpers,
  RbpfHelper,
  rbpfHelpers,
  rbpfRand,
} from '../src/index.js';
import { createBench, cstr } from './support/bench.js';
import { ENGINES } from './support/engines.js';

describe("rbpf's helpers at rbpf's ids", () => {
  it('gather_bytes (0) in a program, on both engines', () => {
    for (const engine of ENGINES) {
      const vm = new EbpfVmNoData(undefined, { jit: createJit(), engine });
      installHelpers(vm, rbpfHelpers());
      vm.setProgram(
        assemble('mov r1, 1\nmov r2, 2\nmov r3, 3\nmov r4, 4\nmov r5, 5\ncall 0\nexit'),
      );
      expect(vm.executeProgram()).toBe(0x01_0203_0405n);
    }
  });

  it('memfrob (1) on packet memory, as in rbpf’s test, on both engines', () => {
    for (const engine of ENGINES) {
      const vm = new EbpfVmRaw(undefined, { jit: createJit(), engine });
      installHelpers(vm, rbpfHelpers());
      vm.setProgram(
        assemble('mov r6, r1\nadd r1, 2\nmov r2, 4\ncall 1\nldxdw r0, [r6]\nbe64 r0\nexit'),
      );
      expect(vm.executeProgram(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).toBe(
        0x0102_292e_2f2c_0708n,
      );
    }
  });

  it('memfrob twice restores, and faults outside memory', () => {
    const b = createBench(rbpfHelpers());
    const at = b.region(cstr('secret', false));
    b.call(RbpfHelper.MEMFROB, at, 6);
    expect([...b.bytes(at, 6)]).not.toEqual([...cstr('secret', false)]);
    b.call(RbpfHelper.MEMFROB, at, 6);
    expect([...b.bytes(at, 6)]).toEqual([...cstr('secret', false)]);
    expect(() => b.call(RbpfHelper.MEMFROB, at, 7)).toThrowError(
      expect.objectContaining({ code: VM_ACCESS_VIOLATION }),
    );
    expect(() => b.call(RbpfHelper.MEMFROB, at, 2n ** 40n)).toThrowError(
      expect.objectContaining({ code: VM_ACCESS_VIOLATION }),
    );
  });

  it('sqrti (3) floors the square root', () => {
    const b = createBench(rbpfHelpers());
    expect(b.call(RbpfHelper.SQRTI, 9)).toBe(3n);
    expect(b.call(RbpfHelper.SQRTI, 10)).toBe(3n);
    expect(b.call(RbpfHelper.SQRTI, 2n ** 64n - 1n)).toBe(4294967296n);
  });

  it('strcmp (4): 0 when equal, the byte difference otherwise, u64::MAX for null', () => {
    const b = createBench(rbpfHelpers());
    const foo = b.region(cstr('This is a string.'));
    const bar = b.region(cstr('This is another sting.'));
    expect(b.call(RbpfHelper.STRCMP, foo, foo)).toBe(0n);
    expect(b.call(RbpfHelper.STRCMP, foo, bar)).toBe(BigInt(Math.abs(0x20 - 0x6e)));
    expect(b.call(RbpfHelper.STRCMP, 0, bar)).toBe(2n ** 64n - 1n);
    const open = b.region(cstr('abc', false));
    const same = b.region(cstr('abc', false));
    try {
      b.call(RbpfHelper.STRCMP, open, same);
      expect.unreachable();
    } catch (e) {
      expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
    }
  });

  it('bpf_time_getns (5) and bpf_trace_printf (6) use the host clock and sink', () => {
    const lines: string[] = [];
    const b = createBench(
      rbpfHelpers({
        clock: createSteppingClock({ startNs: 77n }),
        traceSink: (l) => lines.push(l),
      }),
    );
    expect(b.call(RbpfHelper.TIME_GETNS)).toBe(77n);
    const r0 = b.call(RbpfHelper.TRACE_PRINTF, 0, 0, 1, 15, 32);
    expect(lines).toEqual(['bpf_trace_printf: 0x1, 0xf, 0x20\n']);
    expect(r0).toBe(BigInt('bpf_trace_printf: 0x1, 0xf, 0x20\n'.length));
  });

  it('rand gives values in [min, max], reproducibly', () => {
    const set = rbpfHelpers().with(0x10, rbpfRand());
    const b = createBench(set);
    const draws = Array.from({ length: 40 }, () => b.call(0x10, 3, 6));
    for (const d of draws) expect(d >= 3n && d <= 6n).toBe(true);
    expect(new Set(draws).size).toBe(4);
    const again = createBench(rbpfHelpers().with(0x10, rbpfRand()));
    expect(Array.from({ length: 40 }, () => again.call(0x10, 3, 6))).toEqual(draws);
  });
});
