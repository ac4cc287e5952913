import { assemble } from '@ebpf/assembler';
import {
  EbpfVmRaw,
  VM_ACCESS_VIOLATION,
  VM_BAD_JUMP,
  VM_BUDGET_EXHAUSTED,
  VM_CALL_DEPTH,
  VM_MISALIGNED_ATOMIC,
  VM_UNKNOWN_HELPER,
} from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { compile, createJit } from '../src/index.js';
import { createTestVm, type Outcome, runOn } from './support/differential.js';

/**
 * The harness: runs `asm` on the interpreter and on the JIT (with the budget, and without one
 * when the run ends within it) and checks that r0, the instruction count, the input memory
 * afterwards, and the error's code, instruction index and message all agree. Returns the
 * interpreter's outcome for the test to pin.
 */
function both(
  asm: string | Uint8Array,
  mem: Uint8Array = new Uint8Array(32),
  budget = 10_000,
  setup?: (vm: ReturnType<typeof createTestVm>) => void,
): Outcome {
  const bytes = typeof asm === 'string' ? assemble(asm) : asm;
  const vm = createTestVm(bytes);
  setup?.(vm);
  const interp = runOn(vm, 'interp', mem, budget);
  const jit = runOn(vm, 'jit', mem, budget);
  expect(jit).toEqual(interp);
  if (interp.kind === 'ok' || interp.code !== VM_BUDGET_EXHAUSTED) {
    expect(runOn(vm, 'jit', mem, undefined)).toEqual(interp);
  }
  return interp;
}

const ok = (o: Outcome) => {
  if (o.kind !== 'ok') throw new Error(`expected a normal exit, got ${o.message}`);
  return o;
};
const err = (o: Outcome) => {
  if (o.kind !== 'error') throw new Error(`expected an error, got r0 = ${o.r0}`);
  return o;
};

describe('both engines agree on memory faults', () => {
  it('a load past the end of the input faults at its instruction', () => {
    const o = err(both('mov %r0, 0\nldxw %r0, [%r1+30]\nexit'));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
  });
  it('a store through a null pointer faults', () => {
    const o = err(both('mov %r2, 0\nstw [%r2+4], 1\nexit'));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
  });
  it('a load before the start of a region faults (the offset wraps)', () => {
    const o = err(both('ldxb %r0, [%r1-1]\nexit'));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 0]);
  });
  it('a store to a read-only host region faults, a load from it works', () => {
    let address = 0n;
    const setup = (vm: ReturnType<typeof createTestVm>) => {
      address = vm.registerAllowedMemory(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), {
        writable: false,
      });
    };
    const read = (a: bigint) => `lddw %r2, ${a}\nldxdw %r0, [%r2]\nexit`;
    const write = (a: bigint) => `lddw %r2, ${a}\nstb [%r2+1], 9\nexit`;
    // Find the address the VM gives, then assemble with it.
    setup(createTestVm(new Uint8Array(8)));
    expect(ok(both(read(address), undefined, 100, setup)).r0).toBe(0x0807060504030201n);
    const o = err(both(write(address), undefined, 100, setup));
    expect([o.code, o.pc, o.message.includes('read-only')]).toEqual([VM_ACCESS_VIOLATION, 2, true]);
  });
  it('an access that straddles the end of the stack faults', () => {
    const o = err(both('ldxdw %r0, [%r10-4]\nexit'));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 0]);
  });
  it('stack pointers in other registers work, and reach the frames below', () => {
    const o = ok(
      both(`mov %r2, %r10
add %r2, -16
stdw [%r2], 7
ldxdw %r0, [%r10-16]
mov %r3, %r10
add %r3, -4000
stdw [%r3], 5
ldxdw %r4, [%r3]
add %r0, %r4
exit`),
    );
    expect(o.r0).toBe(12n);
  });
  it('a misaligned atomic faults after the bounds check', () => {
    const o = err(both('mov %r2, 1\nlock add [%r1+2], %r2\nexit'));
    expect([o.code, o.pc]).toEqual([VM_MISALIGNED_ATOMIC, 1]);
  });
  it('pointers into a region other than the predicted one are checked and translated', () => {
    // mbuff-style: r1 points to the input; a pointer to the stack goes through a register
    // that the block cannot see came from r10.
    const o = ok(
      both(`stdw [%r10-8], 42
mov %r2, %r10
ja +0
add %r2, -8
ldxdw %r0, [%r2]
stxdw [%r1], %r0
ldxdw %r3, [%r1]
add %r0, %r3
exit`),
    );
    expect(o.r0).toBe(84n);
  });
});

describe('both engines agree on atomics', () => {
  it('fetch, xchg and cmpxchg return the old values', () => {
    const o = ok(
      both(`stdw [%r10-8], 10
mov %r1, 5
lock fetch add [%r10-8], %r1
mov %r2, 3
lock xchg [%r10-8], %r2
mov %r0, 3
mov %r3, 99
lock cmpxchg [%r10-8], %r3
ldxdw %r4, [%r10-8]
add %r0, %r1
add %r0, %r2
add %r0, %r4
exit`),
    );
    // old 10 into r1; xchg gives 15 into r2; cmpxchg finds 3 == r0, stores 99, r0 = 3
    expect(o.r0).toBe(3n + 10n + 15n + 99n);
  });
});

describe('both engines agree on calls', () => {
  it('local calls keep r6-r9 and give each frame its own stack', () => {
    const o = ok(
      both(`mov %r6, 7
stdw [%r10-8], 1
mov %r1, 20
call local f
ldxdw %r2, [%r10-8]
add %r0, %r2
add %r0, %r6
exit
f:
mov %r6, 1000
stdw [%r10-8], 500
ldxdw %r0, [%r10-8]
add %r0, %r1
exit`),
    );
    expect(o.r0).toBe(520n + 1n + 7n);
  });
  it('unbounded recursion stops at the call depth limit', () => {
    const o = err(both('f:\ncall local f\nexit'));
    expect([o.code, o.pc]).toEqual([VM_CALL_DEPTH, 0]);
  });
  it('callx calls the helper a register names; an unknown id faults at the call', () => {
    expect(ok(both('mov %r1, 9\nmov %r2, 5\ncall %r2\nexit')).r0).toBe(9n);
    const o = err(both('mov %r2, 6\ncall %r2\nexit'));
    expect([o.code, o.pc]).toEqual([VM_UNKNOWN_HELPER, 1]);
  });
  it("a helper's own access violation carries the call's instruction index", () => {
    const o = err(both('mov %r1, 0\ncall 7\nexit'));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
    expect(ok(both('mov %r2, 1\ncall 7\nexit', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).r0).toBe(
      37n,
    );
  });
});

describe('both engines agree on the instruction budget', () => {
  const loop = `mov %r0, 0
mov %r2, 0
l:
ldxb %r3, [%r1+1]
add %r0, %r3
add %r2, 1
stb [%r1], 7
jlt %r2, 10, l
exit`;
  for (const budget of [0, 1, 2, 3, 4, 5, 6, 7, 11, 25, 53, 54, 55]) {
    it(`stops at the same instruction with budget ${budget}`, () => {
      const o = both(loop, new Uint8Array([0, 3, 0, 0]), budget);
      if (budget >= 53) expect(ok(o).insnCount).toBe(53);
      else
        expect([err(o).code, err(o).message.includes(`${budget} exhausted`)]).toEqual([
          VM_BUDGET_EXHAUSTED,
          true,
        ]);
    });
  }
});

describe('both engines agree on packet loads', () => {
  const mem = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a]);
  it('reads in network byte order', () => {
    // ldabsw and ldindh have no text form in the rbpf syntax: encode them by hand.
    const prog = new Uint8Array([
      0x20,
      0,
      0,
      0,
      1,
      0,
      0,
      0, // ldabsw 1
      0xbf,
      0x06,
      0,
      0,
      0,
      0,
      0,
      0, // mov r6, r0
      0xb7,
      0x02,
      0,
      0,
      2,
      0,
      0,
      0, // mov r2, 2
      0x48,
      0x20,
      0,
      0,
      1,
      0,
      0,
      0, // ldindh r2 + 1
      0x0f,
      0x60,
      0,
      0,
      0,
      0,
      0,
      0, // add r0, r6
      0x95,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // exit
    ]);
    expect(ok(both(prog, mem)).r0).toBe(0x3456789an + 0x789an);
  });
  it('out of bounds ends the program with r0 = 0, even inside a local call', () => {
    const prog = new Uint8Array([
      0xb7,
      0,
      0,
      0,
      5,
      0,
      0,
      0, // mov r0, 5
      0x85,
      0x10,
      0,
      0,
      1,
      0,
      0,
      0, // call local +1
      0x95,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // exit
      0x30,
      0,
      0,
      0,
      9,
      0,
      0,
      0, // ldabsb 9 (out of bounds)
      0x95,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // exit
    ]);
    const o = ok(both(prog, mem));
    expect([o.r0, o.insnCount]).toEqual([0n, 3]);
  });
});

describe('warm-up', () => {
  it('warming a program up changes nothing it computes', () => {
    const asm = 'mov %r0, 0\nmov %r2, 100\nl:\nadd %r0, %r2\nsub %r2, 1\njne %r2, 0, l\nexit';
    const vm = new EbpfVmRaw(assemble(asm), { jit: createJit({ warmUp: 'always' }) });
    const viaJit = vm.run({}, { engine: 'jit' });
    expect(viaJit).toEqual(vm.run({}, { engine: 'interp' }));
    expect(viaJit.r0).toBe(5050n);
  });
});

describe('both engines agree on control flow', () => {
  it('an irreducible loop (two entries) runs through a dispatcher', () => {
    const asm = `mov %r0, 0
mov %r2, 0
jeq %r1, 0, b
a:
add %r0, 1
add %r2, 1
jgt %r2, 20, out
b:
add %r0, 2
jlt %r2, 10, a
add %r2, 3
ja a
out:
exit`;
    expect(compile(assemble(asm)).dispatchers).toBe(1);
    expect(ok(both(asm)).r0).toBe(ok(both(asm)).r0);
    const o = ok(both(asm));
    expect(o.insnCount).toBeGreaterThan(20);
  });
  it('running off the end faults at the slot past the end', () => {
    const o = err(both('mov %r0, 1'));
    expect([o.code, o.pc]).toEqual([VM_BAD_JUMP, 1]);
  });
  it('a jump into the second half of an lddw faults there', () => {
    const o = err(both('ja +1\nlddw %r0, 0x100000000\nexit'));
    expect([o.code, o.pc]).toEqual([VM_BAD_JUMP, 2]);
  });
  it('a jump far outside the program faults at the jump', () => {
    const o = err(both(new Uint8Array([0x05, 0, 100, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])));
    expect([o.code, o.pc]).toEqual([VM_BAD_JUMP, 0]);
  });
});
