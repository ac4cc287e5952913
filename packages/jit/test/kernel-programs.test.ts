/**
 * Kernel program types on both engines: XDP and `__sk_buff` contexts (served by the slow path),
 * packet head and tail adjustment mid-run (the JIT's cached bounds must follow), and tail calls
 * (the run stops after the helper, the VM starts the target). Each case runs on the interpreter
 * and on the JIT, with a budget and without, and the outcomes must be identical.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import {
  ContextErrno,
  type EbpfVm,
  EbpfVmNoData,
  EbpfVmSocketFilter,
  EbpfVmTc,
  EbpfVmXdp,
  type Helper,
  type ProgramHandle,
  type RunInput,
  VM_ACCESS_VIOLATION,
  VM_BUDGET_EXHAUSTED,
  VM_UNSUPPORTED,
} from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { createJit } from '../src/index.js';

type AnyVm = EbpfVm<never[]>;

/** What a run gives, in a form both engines must reproduce exactly. */
type Outcome =
  | {
      kind: 'ok';
      r0: bigint;
      insnCount: number;
      packet?: number[];
      tailCalls?: number;
      /** Context fields after the run (mark, cb0), for the context layouts. */
      fields?: (bigint | undefined)[];
    }
  | { kind: 'error'; code: number; pc: number | undefined; message: string };

function runOnce(vm: AnyVm, engine: 'interp' | 'jit', input: RunInput, budget?: number): Outcome {
  try {
    const r = vm.run(input, { engine, ...(budget === undefined ? {} : { budget }) });
    const fields = r.context ? ['mark', 'cb0'].map((f) => r.context?.field(f)) : undefined;
    return {
      kind: 'ok',
      r0: r.r0,
      insnCount: r.insnCount,
      ...(r.packet ? { packet: [...r.packet] } : {}),
      ...(r.tailCalls ? { tailCalls: r.tailCalls } : {}),
      ...(fields ? { fields } : {}),
    };
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    return { kind: 'error', code: e.code, pc: e.pc, message: e.message };
  }
}

/** Runs on both engines (with a budget and without) and returns the interpreter's outcome. */
function both(vm: AnyVm, input: RunInput = {}, budget = 10_000): Outcome {
  const interp = runOnce(vm, 'interp', input, budget);
  expect(runOnce(vm, 'jit', input, budget)).toEqual(interp);
  if (interp.kind === 'ok' || interp.code !== VM_BUDGET_EXHAUSTED) {
    expect(runOnce(vm, 'jit', input)).toEqual(interp);
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

/** Test stand-ins for bpf_xdp_adjust_head (44) and bpf_xdp_adjust_tail (65). */
const adjust =
  (op: 'adjustHead' | 'adjustTail'): Helper =>
  (ctx, delta, _r3, _r4, _r5, hc) => {
    const pc = hc.programContext;
    if (!pc || ctx !== pc.address) return -ContextErrno.EINVAL;
    return pc[op]?.(Number(BigInt.asIntN(32, delta))) ?? -ContextErrno.EINVAL;
  };

function xdp(text: string): AnyVm {
  const vm = new EbpfVmXdp(undefined, { jit: createJit({ warmUp: 'never' }) });
  vm.registerHelper(44, adjust('adjustHead'));
  vm.registerHelper(65, adjust('adjustTail'));
  vm.setProgram(assemble(text));
  return vm as unknown as AnyVm;
}

const frame = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

describe('program contexts on the JIT', () => {
  it('XDP: data/data_end give pointers, scalar fields come from the run input', () => {
    const vm = xdp(`
      ldxw r2, [r1+0]
      ldxw r3, [r1+4]
      ldxw r4, [r1+12]
      mov r5, r2
      add r5, 4
      jgt r5, r3, +3
      ldxw r0, [r2+0]
      add r0, r4
      exit
      mov r0, 1
      exit`);
    const o = ok(both(vm, { mem: frame(40), ctx: { ingress_ifindex: 7 } }));
    expect(o.r0).toBe(0x16_0f_08_01n + 7n);
    expect(ok(both(vm, { mem: frame(3) })).r0).toBe(1n);
  });

  it('the same context field twice through one register takes the slow path twice', () => {
    const vm = xdp(
      'ldxw r2, [r1+4]\nldxw r3, [r1+4]\nldxw r4, [r1+0]\nsub r3, r4\nmov r0, r3\nexit',
    );
    expect(ok(both(vm, { mem: frame(33) })).r0).toBe(33n);
  });

  it('an XDP context store and a misaligned context load fault at their instruction', () => {
    const store = err(both(xdp('mov r0, 0\nstw [r1+12], 5\nexit'), { mem: frame(20) }));
    expect([store.code, store.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
    const load = err(both(xdp('mov r0, 0\nldxb r0, [r1+1]\nexit'), { mem: frame(20) }));
    expect([load.code, load.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
    const past = err(both(xdp('ldxw r2, [r1+0]\nldxb r0, [r2+20]\nexit'), { mem: frame(20) }));
    expect([past.code, past.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
  });

  it('tc: __sk_buff loads and the stores tc allows (mark, cb[0]) land in the context', () => {
    const vm = new EbpfVmTc(
      assemble(`
        ldxw r2, [r1+0]
        stxw [r1+8], r2
        stw [r1+48], 0x1234
        ldxh r3, [r1+48]
        ldxw r4, [r1+76]
        ldxw r5, [r1+80]
        sub r5, r4
        add r5, r3
        mov r0, r5
        exit`),
      { jit: createJit({ warmUp: 'never' }) },
    ) as unknown as AnyVm;
    const o = ok(both(vm, { mem: frame(60) }));
    expect(o.r0).toBe(60n + 0x1234n);
    expect(o.fields).toEqual([60n, 0x1234n]);
  });

  it('socket filter: a store to mark is refused on both engines', () => {
    const vm = new EbpfVmSocketFilter(assemble('mov r0, 0\nstw [r1+8], 1\nexit'), {
      jit: createJit({ warmUp: 'never' }),
    }) as unknown as AnyVm;
    const o = err(both(vm, { mem: frame(20) }));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 1]);
  });
});

describe('packet adjustment on the JIT', () => {
  it('adjust_head: the reloaded data pointer moves', () => {
    const vm = xdp(`
      mov r6, r1
      mov r2, 14
      call 44
      jne r0, 0, +3
      ldxw r2, [r6+0]
      ldxb r0, [r2+0]
      exit
      mov r0, 255
      exit`);
    const input = frame(60);
    const o = ok(both(vm, { mem: input }));
    expect(o.r0).toBe(BigInt(input[14]));
    expect(o.packet).toEqual([...input.subarray(14)]);
  });

  it('adjust_tail: a pointer checked before shrinking faults after it (same block)', () => {
    const text = `
      mov r6, r1
      ldxw r7, [r6+0]
      ldxb r8, [r7+50]
      mov r1, r6
      mov r2, -20
      call 65
      ldxb r0, [r7+50]
      exit`;
    const o = err(both(xdp(text), { mem: frame(60) }));
    expect([o.code, o.pc]).toEqual([VM_ACCESS_VIOLATION, 6]);
  });

  it('adjust_tail inside a loop: the bounds read at entry are refreshed after the call', () => {
    // Walks the packet byte by byte, shrinking it by 4 bytes every 8 bytes, until a load faults.
    const text = `
      mov r6, r1
      ldxw r7, [r6+0]
      mov r8, 0
      mov r9, 0
    loop:
      ldxb r3, [r7+0]
      add r9, r3
      add r7, 1
      add r8, 1
      mov r4, r8
      and r4, 7
      jne r4, 0, loop
      mov r1, r6
      mov r2, -4
      call 65
      jeq r0, 0, loop
      mov r0, r9
      exit`;
    const o = err(both(xdp(text), { mem: frame(64) }));
    expect(o.code).toBe(VM_ACCESS_VIOLATION);
    // Growing the tail makes new bytes readable on both engines too.
    const grow = xdp(`
      mov r6, r1
      mov r2, 16
      call 65
      ldxw r2, [r6+0]
      ldxw r3, [r6+4]
      sub r3, r2
      ldxb r0, [r2+70]
      add r0, r3
      exit`);
    expect(ok(both(grow, { mem: frame(60) })).r0).toBe(76n);
  });
});

/** Helper 12, bpf_tail_call(ctx, table, index), over a plain array standing in for the map. */
function withTailCall(vm: AnyVm, table: (ProgramHandle | undefined)[]): AnyVm {
  vm.registerHelper(12, (_ctx, _map, index, _r4, _r5, hc) => {
    const target = table[Number(index & 0xffff_ffffn)];
    return target === undefined ? -ContextErrno.ENOENT : hc.tailCall(target);
  });
  return vm;
}

describe('tail calls on the JIT', () => {
  it('replace the program, keep the stack, and add up the counts', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(xdp('mov r0, 0\nexit'), table);
    table.push(
      vm.loadProgram(
        assemble(
          'ldxdw r0, [r10-8]\nldxw r2, [r1+4]\nldxw r3, [r1+0]\nsub r2, r3\nadd r0, r2\nexit',
        ),
      ),
    );
    vm.setProgram(assemble('stdw [r10-8], 1000\nmov r3, 0\ncall 12\nmov r0, 7\nexit'));
    const o = ok(both(vm, { mem: new Uint8Array(50) }));
    expect([o.r0, o.insnCount, o.tailCalls]).toEqual([1050n, 9, 1]);
    // Every budget around the chain's length stops at the same instruction on both engines.
    for (const budget of [2, 3, 4, 8, 9]) both(vm, { mem: new Uint8Array(50) }, budget);
  });

  it('a failed tail call returns an errno and the program goes on; chains stop at the limit', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmNoData(undefined, { jit: createJit() }) as never, table);
    const counter = vm.registerAllowedMemory(8);
    const self = vm.setProgram(
      assemble(`
        lddw r6, ${counter}
        ldxdw r0, [r6+0]
        add r0, 1
        stxdw [r6+0], r0
        mov r3, 0
        call 12
        ldxdw r0, [r6+0]
        exit`),
    );
    table.push(self);
    // The counter lives in host memory: reset it before each engine's runs.
    const bytes = new Uint8Array(8);
    const reset = () => vm.space.bytes.set(bytes, vm.space.region(Number(counter >> 32n))!.base);
    reset();
    const interp = runOnce(vm, 'interp', {});
    reset();
    expect(runOnce(vm, 'jit', {})).toEqual(interp);
    expect(ok(interp).tailCalls).toBe(33);
    const missing = withTailCall(
      new EbpfVmNoData(assemble('mov r3, 5\ncall 12\nexit'), { jit: createJit() }) as never,
      [],
    );
    expect(ok(both(missing)).r0).toBe(BigInt.asUintN(64, BigInt(-ContextErrno.ENOENT)));
  });

  it('are VM_UNSUPPORTED inside a local function, at the call', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(
      new EbpfVmNoData(undefined, { jit: createJit({ warmUp: 'never' }) }) as never,
      table,
    );
    table.push(vm.loadProgram(assemble('mov r0, 1\nexit')));
    vm.setProgram(assemble('call local fn\nexit\nfn:\nmov r3, 0\ncall 12\nexit'));
    const o = err(both(vm));
    expect([o.code, o.pc]).toEqual([VM_UNSUPPORTED, 3]);
  });
});
