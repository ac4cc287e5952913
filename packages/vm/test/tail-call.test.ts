/**
 * Tail calls: a helper asks the VM (`HelperContext.tailCall`) to replace the running program;
 * the engine stops after the helper and the VM starts the target with r1 = the context, the
 * stack kept, at most MAX_TAIL_CALLS in a chain; a failed tail call returns and the program goes
 * on.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError, MAX_TAIL_CALLS } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  ContextErrno,
  type EbpfVm,
  EbpfVmNoData,
  EbpfVmXdp,
  type ExecutionEngine,
  interpreter,
  type ProgramHandle,
  VM_BUDGET_EXHAUSTED,
  VM_UNSUPPORTED,
  XdpAction,
} from '../src/index.js';

/** Helper 12, bpf_tail_call(ctx, table, index), over a plain array standing in for the map. */
function withTailCall<V extends EbpfVm<never[]>>(vm: V, table: (ProgramHandle | undefined)[]): V {
  vm.registerHelper(12, (_ctx, _map, index, _r4, _r5, hc) => {
    const target = table[Number(index & 0xffff_ffffn)];
    return target === undefined ? -ContextErrno.ENOENT : hc.tailCall(target);
  });
  return vm;
}

describe('tail calls', () => {
  it('replace the program: r1 is the context, the stack is kept, r0 is the target’s', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmXdp(), table);
    table.push(
      vm.loadProgram(
        assemble(
          'ldxdw r0, [r10-8]\nldxw r2, [r1+4]\nldxw r3, [r1+0]\nsub r2, r3\nadd r0, r2\nexit',
        ),
      ),
    );
    vm.setProgram(assemble('stdw [r10-8], 1000\nmov r3, 0\ncall 12\nmov r0, 7\nexit'));
    const result = vm.run({ mem: new Uint8Array(50) });
    expect(result.r0).toBe(1050n);
    expect(result.tailCalls).toBe(1);
    expect(result.insnCount).toBe(3 + 6);
  });

  it('fall through on a missing entry with the error in r0', () => {
    const vm = withTailCall(new EbpfVmNoData(), []);
    vm.setProgram(assemble('mov r3, 5\ncall 12\nexit'));
    expect(vm.executeProgram()).toBe(BigInt.asUintN(64, BigInt(-ContextErrno.ENOENT)));
  });

  it(`stop after ${MAX_TAIL_CALLS} in a chain`, () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmNoData(), table);
    const counter = vm.registerAllowedMemory(8);
    // Count every entry, then tail-call itself; when the call fails, return the count.
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
    const result = vm.run();
    expect(result.r0).toBe(BigInt(MAX_TAIL_CALLS + 1));
    expect(result.tailCalls).toBe(MAX_TAIL_CALLS);
  });

  it('refuse a program of another type or of another VM', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmXdp(), table);
    table.push(vm.loadProgram(assemble('mov r0, 1\nexit'), { layout: 'sched_cls' }));
    table.push(new EbpfVmXdp(assemble('mov r0, 1\nexit')).mainProgram!);
    vm.setProgram(assemble('mov r3, 0\ncall 12\nmov r6, r0\nmov r3, 1\ncall 12\nadd r0, r6\nexit'));
    expect(vm.executeProgram(new Uint8Array(20))).toBe(
      BigInt.asUintN(64, BigInt(-2 * ContextErrno.EINVAL)),
    );
  });

  it('count the budget over the whole chain', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmNoData(), table);
    table.push(vm.loadProgram(assemble('mov r0, 1\nmov r0, 2\nmov r0, 3\nexit')));
    vm.setProgram(assemble('mov r3, 0\ncall 12\nexit'));
    expect(vm.run({}, { budget: 6 }).r0).toBe(3n);
    try {
      vm.run({}, { budget: 5 });
      expect.unreachable('no fault');
    } catch (e) {
      expect(isEbpfError(e, VM_BUDGET_EXHAUSTED)).toBe(true);
      if (isEbpfError(e, VM_BUDGET_EXHAUSTED))
        expect(e.context).toEqual({ budget: 5, insnCount: 5 });
    }
  });

  it('are refused from inside a local function', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmNoData(), table);
    table.push(vm.loadProgram(assemble('mov r0, 1\nexit')));
    vm.setProgram(assemble('call local fn\nexit\nfn:\nmov r3, 0\ncall 12\nexit'));
    expect(() => vm.executeProgram()).toThrow(
      expect.objectContaining({ code: VM_UNSUPPORTED, pc: 3 }),
    );
  });

  it('chain XDP programs that each see the same packet', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmXdp(), table);
    table.push(
      vm.loadProgram(
        assemble(`
          ldxw r2, [r1+0]
          ldxw r3, [r1+4]
          mov r4, r2
          add r4, 1
          jgt r4, r3, +3
          ldxb r0, [r2+0]
          jeq r0, 0xee, +2
          mov r0, ${XdpAction.PASS}
          exit
          mov r0, ${XdpAction.DROP}
          exit`),
      ),
    );
    vm.setProgram(assemble('mov r3, 0\ncall 12\nmov r0, 0\nexit'));
    expect(vm.executeProgram(Uint8Array.of(0xee, 1))).toBe(BigInt(XdpAction.DROP));
    expect(vm.executeProgram(Uint8Array.of(0x11, 1))).toBe(BigInt(XdpAction.PASS));
  });
});

describe('engines without the features', () => {
  /** The interpreter, minus its feature list: what an engine that lacks both looks like. */
  const bare: ExecutionEngine = {
    name: 'bare',
    compile(bytes, env) {
      const inner = interpreter.compile(bytes, env);
      return { engine: 'bare', run: (request) => inner.run(request) };
    },
  };

  it('refuse tail calls at the helper and contexts before the run', () => {
    const table: ProgramHandle[] = [];
    const vm = withTailCall(new EbpfVmNoData(undefined, { jit: bare }), table);
    table.push(vm.loadProgram(assemble('mov r0, 1\nexit')));
    vm.setProgram(assemble('mov r3, 0\ncall 12\nexit'));
    expect(vm.executeProgram()).toBe(1n);
    expect(() => vm.executeProgramJit()).toThrow(
      expect.objectContaining({ code: VM_UNSUPPORTED, pc: 1 }),
    );
    const xdp = new EbpfVmXdp(assemble('mov r0, 2\nexit'), { jit: bare });
    expect(xdp.executeProgram(new Uint8Array(14))).toBe(2n);
    expect(() => xdp.executeProgramJit(new Uint8Array(14))).toThrow(
      expect.objectContaining({ code: VM_UNSUPPORTED }),
    );
  });
});
