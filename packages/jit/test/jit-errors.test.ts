import { encode, isEbpfError, rowByName } from '@ebpf/isa';
import { noVerifier } from '@ebpf/verifier';
import { EbpfVmRaw } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { createJit, JIT_MODULE_REJECTED } from '../src/index.js';

describe('what the JIT cannot do', () => {
  it('a function too large for the WebAssembly engine is a typed JitError, not a crash', () => {
    const add = rowByName('add64_imm').opcode;
    const insns = Array.from({ length: 1_000_000 }, (_, i) => ({
      opcode: add,
      dst: i % 10,
      src: 0,
      off: 0,
      imm: i,
    }));
    insns[insns.length - 1] = { opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 };
    const vm = new EbpfVmRaw(encode(insns), { jit: createJit(), verifier: noVerifier });
    let caught: unknown;
    try {
      vm.run({}, { engine: 'jit' });
    } catch (e) {
      caught = e;
    }
    expect(isEbpfError(caught, JIT_MODULE_REJECTED)).toBe(true);
    if (isEbpfError(caught, JIT_MODULE_REJECTED)) {
      expect(caught.context.slots).toBe(1_000_000);
      expect(caught.message).toMatch(/maximum function size/);
    }
    // The interpreter still runs it.
    expect(vm.run({}, { engine: 'interp' }).insnCount).toBe(1_000_000);
  }, 60_000);
});
