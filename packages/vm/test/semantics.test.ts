import { assemble } from '@ebpf/assembler';
import { isEbpfError, MAX_CALL_DEPTH } from '@ebpf/isa';
import { noVerifier } from '@ebpf/verifier';
import { describe, expect, it } from 'vitest';
import {
  EbpfVmNoData,
  EbpfVmRaw,
  STACK_TOP_ADDRESS,
  VM_ACCESS_VIOLATION,
  VM_BAD_ARGUMENT,
  VM_BAD_JUMP,
  VM_BAD_REGISTER,
  VM_BUDGET_EXHAUSTED,
  VM_CALL_DEPTH,
  VM_HELPER_FAILED,
  VM_UNKNOWN_HELPER,
  VM_UNKNOWN_OPCODE,
  VM_UNRESOLVED_LDDW,
  VM_UNSUPPORTED,
} from '../src/index.js';
import { exit, ins, lddw, program } from './support/program.js';
import { ALL, errorOf, r0Of, rawVm } from './support/vm.js';

describe('ALU rules of RFC 9669', () => {
  it('32-bit results are zero-extended', () => {
    expect(r0Of('lddw r0, 0xffffffffffffffff\nadd32 r0, 1\nexit')).toBe(0n);
    expect(r0Of('lddw r0, 0xffffffff00000005\nmov32 r0, r0\nexit')).toBe(5n);
    expect(r0Of('mov32 r0, -1\nexit')).toBe(0xffff_ffffn);
  });
  it('immediates are sign-extended in 64-bit operations', () => {
    expect(r0Of('mov r0, -1\nexit')).toBe(0xffff_ffff_ffff_ffffn);
    expect(r0Of('mov r0, 0\nadd r0, -2\nexit')).toBe(0xffff_ffff_ffff_fffen);
  });
  it('division by zero gives 0, 32- and 64-bit, immediate and register', () => {
    expect(r0Of('mov r0, 7\ndiv r0, 0\nexit')).toBe(0n);
    expect(r0Of('mov r0, 7\nmov r1, 0\ndiv32 r0, r1\nexit')).toBe(0n);
    expect(r0Of('mov r0, 7\nmov r1, 0\nsdiv r0, r1\nexit')).toBe(0n);
  });
  it('modulo by zero leaves the dividend; the 32-bit form zeroes the upper half', () => {
    expect(r0Of('lddw r0, 0x1234567800000009\nmod r0, 0\nexit')).toBe(0x1234_5678_0000_0009n);
    expect(r0Of('lddw r0, 0x1234567800000009\nmov r1, 0\nmod32 r0, r1\nexit')).toBe(9n);
    expect(r0Of('lddw r0, 0x12345678fffffff7\nmov r1, 0\nsmod32 r0, r1\nexit')).toBe(0xffff_fff7n);
  });
  it('INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0, without trapping', () => {
    expect(r0Of('lddw r0, 0x8000000000000000\nsdiv r0, -1\nexit')).toBe(0x8000_0000_0000_0000n);
    expect(r0Of('lddw r0, 0x8000000000000000\nsmod r0, -1\nexit')).toBe(0n);
    expect(r0Of('mov32 r0, 0x80000000\nsdiv32 r0, -1\nexit')).toBe(0x8000_0000n);
    expect(r0Of('mov32 r0, 0x80000000\nsmod32 r0, -1\nexit')).toBe(0n);
  });
  it('signed division truncates toward zero', () => {
    expect(r0Of('mov r0, -7\nsdiv r0, 2\nexit')).toBe(BigInt.asUintN(64, -3n));
    expect(r0Of('mov r0, -7\nsmod r0, 2\nexit')).toBe(BigInt.asUintN(64, -1n));
  });
  it('shift counts are masked', () => {
    expect(r0Of('mov r0, 1\nmov r1, 65\nlsh r0, r1\nexit')).toBe(2n);
    expect(r0Of('mov r0, 1\nmov r1, 33\nlsh32 r0, r1\nexit')).toBe(2n);
    expect(r0Of('mov r0, -1\nmov r1, -1\nrsh r0, r1\nexit')).toBe(1n);
  });
  it('movsx sign-extends 8, 16 and 32 bits', () => {
    expect(r0Of('mov r1, 0x80\nmovsx864 r0, r1\nexit')).toBe(0xffff_ffff_ffff_ff80n);
    expect(r0Of('mov r1, 0x8000\nmovsx1632 r0, r1\nexit')).toBe(0xffff_8000n);
    expect(r0Of('mov32 r1, 0x80000000\nmovsx3264 r0, r1\nexit')).toBe(0xffff_ffff_8000_0000n);
  });
  it('le, be and bswap', () => {
    expect(r0Of('lddw r0, 0x1122334455667788\nle16 r0\nexit')).toBe(0x7788n);
    expect(r0Of('lddw r0, 0x1122334455667788\nle32 r0\nexit')).toBe(0x5566_7788n);
    expect(r0Of('lddw r0, 0x1122334455667788\nle64 r0\nexit')).toBe(0x1122_3344_5566_7788n);
    expect(r0Of('lddw r0, 0x1122334455667788\nbe16 r0\nexit')).toBe(0x8877n);
    expect(r0Of('lddw r0, 0x1122334455667788\nbe32 r0\nexit')).toBe(0x8877_6655n);
    expect(r0Of('lddw r0, 0x1122334455667788\nbe64 r0\nexit')).toBe(0x8877_6655_4433_2211n);
    expect(r0Of('lddw r0, 0x1122334455667788\nbswap16 r0\nexit')).toBe(0x8877n);
    expect(r0Of('lddw r0, 0x1122334455667788\nbswap64 r0\nexit')).toBe(0x8877_6655_4433_2211n);
  });
});

describe('jumps', () => {
  it('ja32 jumps by its 32-bit immediate', () => {
    expect(r0Of('mov r0, 1\nja32 +1\nmov r0, 2\nexit')).toBe(1n);
  });
  it('JMP32 compares the low halves only; JMP compares sign-extended immediates', () => {
    expect(r0Of('lddw r1, 0x100000005\nmov r0, 0\njeq32 r1, 5, +1\nexit\nmov r0, 1\nexit')).toBe(
      1n,
    );
    expect(r0Of('lddw r1, 0x100000005\nmov r0, 0\njeq r1, 5, +1\nexit\nmov r0, 1\nexit')).toBe(0n);
    expect(r0Of('mov r1, -1\nmov r0, 0\njeq r1, -1, +1\nexit\nmov r0, 1\nexit')).toBe(1n);
  });
  it('exit need not be the last instruction', () => {
    expect(r0Of('mov r0, 3\nja +1\nexit\nexit')).toBe(3n);
  });
});

describe('memory instructions', () => {
  it('ldxs sign-extends; ldx zero-extends', () => {
    const vm = rawVm('ldxsb r0, [r1]\nexit');
    expect(vm.executeProgram(new Uint8Array([0x80]))).toBe(0xffff_ffff_ffff_ff80n);
    expect(rawVm('ldxb r0, [r1]\nexit').executeProgram(new Uint8Array([0x80]))).toBe(0x80n);
    expect(rawVm('ldxsh r0, [r1]\nexit').executeProgram(new Uint8Array([0, 0x80]))).toBe(
      0xffff_ffff_ffff_8000n,
    );
    expect(rawVm('ldxsw r0, [r1]\nexit').executeProgram(new Uint8Array([0, 0, 0, 0x80]))).toBe(
      0xffff_ffff_8000_0000n,
    );
  });
  it('stores are little-endian and visible in the caller buffer after the run', () => {
    const mem = new Uint8Array(8);
    rawVm(
      'lddw r2, 0x0102030405060708\nstxdw [r1], r2\nsth [r1+2], 0x7fff\nmov r0, 0\nexit',
    ).executeProgram(mem);
    expect([...mem]).toEqual([8, 7, 0xff, 0x7f, 4, 3, 2, 1]);
  });
  it('the stack works at r10 and is zeroed between runs', () => {
    const vm = new EbpfVmNoData(assemble('ldxdw r0, [r10-8]\nstdw [r10-8], 77\nexit'), ALL);
    expect(vm.executeProgram()).toBe(0n);
    expect(vm.executeProgram()).toBe(0n);
    expect(r0Of('mov r0, r10\nexit')).toBe(STACK_TOP_ADDRESS);
  });
  it('atomics: add, or, and, xor, with and without fetch, xchg and cmpxchg', () => {
    const run = (body: string) =>
      r0Of(`lddw r1, 0x00000000000000f0\nstxdw [r10-8], r1\n${body}\nexit`);
    expect(run('mov r2, 0x0f\nlock add [r10-8], r2\nldxdw r0, [r10-8]')).toBe(0xffn);
    expect(run('mov r2, 0x0f\nlock fetch add [r10-8], r2\nmov r0, r2')).toBe(0xf0n);
    expect(run('mov r2, 0x3c\nlock and [r10-8], r2\nldxdw r0, [r10-8]')).toBe(0x30n);
    expect(run('mov r2, 0x3c\nlock fetch xor [r10-8], r2\nldxdw r0, [r10-8]')).toBe(0xccn);
    expect(run('mov r2, 0x0f\nlock or [r10-8], r2\nldxdw r0, [r10-8]')).toBe(0xffn);
    expect(run('mov r2, 5\nlock xchg [r10-8], r2\nldxdw r0, [r10-8]\nadd r0, r2')).toBe(0xf5n);
    expect(
      run(
        'mov r0, 0xf0\nmov r2, 9\nlock cmpxchg [r10-8], r2\nldxdw r3, [r10-8]\nlsh r3, 8\nor r0, r3',
      ),
    ).toBe(0x9f0n);
    expect(
      run(
        'mov r0, 1\nmov r2, 9\nlock cmpxchg [r10-8], r2\nldxdw r3, [r10-8]\nlsh r3, 8\nor r0, r3',
      ),
    ).toBe(0xf0f0n);
  });
  it('32-bit atomics zero-extend what they load', () => {
    expect(
      r0Of(
        'mov r1, -1\nstxdw [r10-8], r1\nmov r2, 1\nlock fetch add32 [r10-8], r2\nmov r0, r2\nexit',
      ),
    ).toBe(0xffff_ffffn);
    expect(
      r0Of(
        'mov r1, -1\nstxdw [r10-8], r1\nmov r0, -1\nmov r2, 0\nlock cmpxchg32 [r10-8], r2\nexit',
      ),
    ).toBe(0xffff_ffffn);
  });
});

describe('lddw', () => {
  it('loads a 64-bit immediate and counts once', () => {
    const vm = new EbpfVmNoData(assemble('lddw r0, 0x1122334455667788\nexit'), ALL);
    expect(vm.executeProgram()).toBe(0x1122_3344_5566_7788n);
    expect(vm.lastInsnCount).toBe(2);
  });
  it('other subtypes fail with a typed error unless resolved', () => {
    const bytes = program(ins('lddw_map_fd', { dst: 1, imm64: 3n }), exit());
    const e = errorOf(() => new EbpfVmNoData(bytes, { verifier: noVerifier }).executeProgram());
    expect(e.code).toBe(VM_UNRESOLVED_LDDW);
    expect(e.pc).toBe(0);
    expect(e.context?.src).toBe(1);
  });
});

describe('legacy packet loads (LD_ABS / LD_IND)', () => {
  const packet = new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
  it('read the packet in network byte order into r0', () => {
    expect(rawVm('mov r6, r1\nldabsh 1\nexit').executeProgram(packet)).toBe(0x2233n);
    expect(rawVm('mov r6, r1\nldabsw 2\nexit').executeProgram(packet)).toBe(0x3344_5566n);
    expect(rawVm('mov r6, r1\nmov r2, 3\nldindb r2, 2\nexit').executeProgram(packet)).toBe(0x66n);
  });
  it('out of bounds ends the program with r0 = 0', () => {
    const vm = rawVm('mov r6, r1\nmov r0, 9\nldabsw 3\nmov r0, 7\nexit');
    expect(vm.executeProgram(packet)).toBe(0n);
    expect(vm.lastInsnCount).toBe(3);
    expect(
      rawVm('mov r6, r1\nmov r2, -1\nldindb r2, 0\nmov r0, 7\nexit').executeProgram(packet),
    ).toBe(0n);
  });
});

describe('calls', () => {
  it('helpers get r1-r5 and set r0; r6-r9 survive', () => {
    const vm = rawVm(
      'mov r1, 1\nmov r2, 2\nmov r3, 3\nmov r4, 4\nmov r5, 5\nmov r6, 60\ncall 9\nadd r0, r6\nexit',
    );
    vm.registerHelper(9, (a, b, c, d, e) => a * 10000n + b * 1000n + c * 100n + d * 10n + e);
    expect(vm.executeProgram()).toBe(12345n + 60n);
  });
  it('after a helper call or a packet load, r1-r5 keep their values (our choice; the ISA says clobbered)', () => {
    const vm = rawVm('mov r6, r1\nmov r5, 5\ncall 3\nldabsb 0\nadd r0, r5\nexit');
    vm.registerHelper(3, () => 100n);
    expect(vm.executeProgram(new Uint8Array([7]))).toBe(12n);
  });
  it('a helper reads and writes memory through its context, checked', () => {
    const vm = rawVm('mov r2, 4\ncall 1\nexit');
    vm.registerHelper(1, (addr, len, _c, _d, _e, ctx) => {
      const bytes = ctx.read(addr, Number(len));
      ctx.write(
        addr,
        bytes.map((b) => b + 1),
      );
      return bytes.reduce((s, b) => s + b, 0);
    });
    const mem = new Uint8Array([1, 2, 3, 4]);
    expect(vm.executeProgram(mem)).toBe(10n);
    expect([...mem]).toEqual([2, 3, 4, 5]);
    const bad = rawVm('mov r2, 5\ncall 1\nexit');
    bad.registerHelper(1, (addr, len, _c, _d, _e, ctx) => ctx.read(addr, Number(len)).length);
    expect(errorOf(() => bad.executeProgram(new Uint8Array(4))).code).toBe(VM_ACCESS_VIOLATION);
  });
  it('a helper can hand the program a pointer into a region it registered', () => {
    const vm = rawVm('call 2\nldxb r0, [r0+1]\nexit');
    const table = vm.registerAllowedMemory(new Uint8Array([5, 6, 7]), {
      name: 'table',
      writable: false,
    });
    vm.registerHelper(2, () => table);
    expect(vm.executeProgram()).toBe(6n);
  });
  it('an unknown helper, a throwing helper and a bad return value give typed errors', () => {
    expect(errorOf(() => rawVm('call 77\nexit').executeProgram()).code).toBe(VM_UNKNOWN_HELPER);
    const vm = rawVm('call 1\nexit');
    vm.registerHelper(1, () => {
      throw new Error('boom');
    });
    const e = errorOf(() => vm.executeProgram());
    expect(e.code).toBe(VM_HELPER_FAILED);
    expect(e.message).toContain('boom');
    vm.registerHelper(1, () => 1.5);
    expect(errorOf(() => vm.executeProgram()).code).toBe(VM_HELPER_FAILED);
  });
  it('a helper cannot map memory or re-enter the VM while the program runs', () => {
    const vm = rawVm('call 1\nexit');
    vm.registerHelper(1, () => vm.registerAllowedMemory(1 << 20));
    const e = errorOf(() => vm.executeProgram());
    expect(e.code).toBe(VM_BAD_ARGUMENT);
    expect(e.message).toMatch(/while a program runs/);
    vm.registerHelper(1, () => vm.executeProgram());
    expect(errorOf(() => vm.executeProgram()).code).toBe(VM_BAD_ARGUMENT);
    vm.registerHelper(1, () => 3n);
    expect(vm.executeProgram()).toBe(3n);
  });
  it('callx calls the helper whose id the register holds', () => {
    const vm = rawVm('mov r1, 40\nmov r2, 5\ncallx r2\nadd r0, 2\nexit');
    vm.registerHelper(5, (a) => a);
    expect(vm.executeProgram()).toBe(42n);
  });
  it('local calls pass r1-r5, preserve r6-r9 and get a fresh 512-byte frame', () => {
    const text = [
      'mov r6, 6',
      'stdw [r10-8], 11',
      'mov r1, 30',
      'call local f',
      'ldxdw r1, [r10-8]',
      'add r0, r1',
      'add r0, r6',
      'exit',
      'f:',
      'mov r6, 0',
      'stdw [r10-8], 99',
      'mov r0, r10',
      'sub r0, 0',
      'mov r0, r1',
      'exit',
    ].join('\n');
    expect(r0Of(text)).toBe(30n + 11n + 6n);
    expect(r0Of('call local f\nexit\nf:\nmov r0, r10\nexit')).toBe(STACK_TOP_ADDRESS - 512n);
  });
  it('the call depth is limited, with a clear error', () => {
    const deep = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(`f${i}:`, `call local f${i + 1}`, 'exit');
      lines.push(`f${n}:`, 'mov r0, 1', 'exit');
      return lines.join('\n');
    };
    expect(r0Of(deep(MAX_CALL_DEPTH - 1))).toBe(1n);
    const e = errorOf(() => r0Of(deep(MAX_CALL_DEPTH)));
    expect(e.code).toBe(VM_CALL_DEPTH);
    expect(e.context).toEqual({ depth: MAX_CALL_DEPTH + 1, max: MAX_CALL_DEPTH });
  });
  it('call by BTF id is reported as unsupported', () => {
    const bytes = program(ins('call_btf', { imm: 1 }), exit());
    expect(
      errorOf(() => new EbpfVmNoData(bytes, { verifier: noVerifier }).executeProgram()).code,
    ).toBe(VM_UNSUPPORTED);
  });
});

describe('what a custom verifier lets through fails with a typed error', () => {
  const run = (bytes: Uint8Array) =>
    errorOf(() => new EbpfVmNoData(bytes, { verifier: noVerifier }).executeProgram());
  it('unknown opcodes', () => {
    const bytes = new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    const e = run(bytes);
    expect(e.code).toBe(VM_UNKNOWN_OPCODE);
    expect(e.context?.opcode).toBe(0xff);
    expect(e.kind).toBe('runtime');
  });
  it('registers beyond r10', () => {
    const e = run(program(ins('mov64_imm', { dst: 12, imm: 1 }), exit()));
    expect(e.code).toBe(VM_BAD_REGISTER);
    expect(e.context?.register).toBe(12);
  });
  it('jumps outside the program, into an lddw, and running off the end', () => {
    expect(run(program(ins('ja', { off: 5 }), exit())).context?.reason).toBe('outside');
    expect(run(program(ins('ja', { off: 1 }), lddw(0, 1n), exit())).context?.reason).toBe(
      'lddw-tail',
    );
    const e = run(program(ins('mov64_imm', { dst: 0, imm: 1 })));
    expect(e.code).toBe(VM_BAD_JUMP);
    expect(e.context?.reason).toBe('fell-off');
  });
});

describe('budget', () => {
  it('a run within its budget succeeds and reports its count', () => {
    const vm = new EbpfVmNoData(assemble('mov r0, 0\nadd r0, 1\njlt r0, 10, -2\nexit'), ALL);
    const r = vm.run({}, { budget: 22 });
    expect(r).toEqual({ r0: 10n, insnCount: 22 });
  });
  it('counts exactly across long runs, with and without a budget', () => {
    // 3 instructions per iteration: the run spans several of the interpreter's slices.
    const vm = new EbpfVmNoData(assemble('mov r0, 0\nadd r0, 1\njlt r0, 100000, -2\nexit'), ALL);
    expect(vm.run()).toEqual({ r0: 100000n, insnCount: 2 + 2 * 100000 });
    expect(vm.run({}, { budget: 2 + 2 * 100000 }).r0).toBe(100000n);
    const e = errorOf(() => vm.run({}, { budget: 150001 }));
    expect(e.code).toBe(VM_BUDGET_EXHAUSTED);
    expect(e.context).toEqual({ budget: 150001, insnCount: 150001 });
    expect(e.pc).toBe(1); // the instruction that would have run next
  });
  it('exhausting it gives a typed error with the count', () => {
    const vm = new EbpfVmNoData(assemble('ja -1\nexit'), {
      ...ALL,
      verifier: noVerifier,
      budget: 1000,
    });
    const e = errorOf(() => vm.executeProgram());
    expect(isEbpfError(e, VM_BUDGET_EXHAUSTED)).toBe(true);
    expect(e.context).toEqual({ budget: 1000, insnCount: 1000 });
    expect(errorOf(() => vm.run({}, { budget: 21 })).context?.insnCount).toBe(21);
  });
});

describe('VM kinds', () => {
  it('EbpfVmRaw passes the packet in r1; run() can set r2', () => {
    const vm = rawVm('ldxb r0, [r1+1]\nadd r0, r2\nexit');
    expect(vm.run({ mem: new Uint8Array([0, 40]) }, { args: [undefined, 2] }).r0).toBe(42n);
    expect(vm.executeProgram(new Uint8Array([0, 40]))).toBe(40n);
  });
  it('an EbpfVmRaw is usable again after a fault', () => {
    const vm = new EbpfVmRaw(assemble('ldxb r0, [r1+1]\nexit'), ALL);
    expect(() => vm.executeProgram(new Uint8Array(1))).toThrow();
    expect(vm.executeProgram(new Uint8Array([1, 2]))).toBe(2n);
  });
  it('the VM verifies with structural by default, and setVerifier re-verifies', () => {
    const bytes = program(ins('mov64_imm', { dst: 10, imm: 0 }), exit());
    expect(() => new EbpfVmNoData(bytes)).toThrow(/r10|frame pointer/i);
    const vm = new EbpfVmNoData(bytes, { verifier: noVerifier });
    expect(() =>
      vm.setVerifier({ name: 'never', verify: () => ({ ok: false, problems: [] }) }),
    ).toThrow();
  });
});
