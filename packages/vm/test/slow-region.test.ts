/** Slow regions (host-served, table length 0) and the input region's reserved capacity. */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  AddressSpace,
  EbpfVmNoData,
  engineImports,
  REGION_INPUT,
  REGION_MBUFF,
  type SlowRegion,
  VM_ACCESS_VIOLATION,
  VM_BAD_ARGUMENT,
} from '../src/index.js';

/** A slow region that answers loads with offset * 3 + size and records stores. */
function recorder(): SlowRegion & { stores: [number, number, bigint][] } {
  const stores: [number, number, bigint][] = [];
  return {
    name: 'rec',
    length: 16,
    stores,
    load: (offset, size, signed) =>
      offset < 16 ? BigInt(offset * 3 + size + (signed ? 100 : 0)) : undefined,
    store: (offset, size, value) => {
      if (offset >= 8) return false;
      stores.push([offset, size, value]);
      return true;
    },
  };
}

describe('slow regions', () => {
  it('serve every load and store the table refuses, on a host region too', () => {
    const vm = new EbpfVmNoData();
    const address = vm.registerAllowedMemory(4, { name: 'plain' });
    const index = Number(address >> 32n);
    const rec = recorder();
    vm.space.mapSlowRegion(index, rec);
    expect(vm.space.table[index * 4 + 1]).toBe(0);
    vm.setProgram(
      assemble(`
        lddw r1, ${address}
        ldxh r0, [r1+5]
        ldxsb r2, [r1+1]
        add r0, r2
        stxdw [r1+2], r0
        exit`),
    );
    expect(vm.executeProgram()).toBe(BigInt(5 * 3 + 2 + (1 * 3 + 1 + 100)));
    expect(rec.stores).toEqual([[2, 8, 121n]]);
  });

  it('fault with the access and reason when the handler refuses', () => {
    const space = new AddressSpace();
    space.layoutRun(0, 0);
    space.mapSlowRegion(REGION_MBUFF, recorder());
    for (const run of [
      () => space.slowLoad(REGION_MBUFF, 20, 4, false, 7),
      () => space.slowStore(REGION_MBUFF, 9, 1, 0n, 7),
    ]) {
      try {
        run();
        expect.unreachable('no fault');
      } catch (e) {
        expect(isEbpfError(e, VM_ACCESS_VIOLATION) && [e.context.reason, e.pc]).toEqual([
          'not-allowed',
          7,
        ]);
      }
    }
    // Without a handler the fault path is the ordinary fault.
    expect(() => space.slowLoad(9, 0, 1, false, 1)).toThrow(
      expect.objectContaining({
        code: VM_ACCESS_VIOLATION,
        context: expect.objectContaining({ reason: 'unmapped' }),
      }),
    );
    // The next layout unmaps it.
    space.layoutRun(0, 8);
    expect(space.slowRegion(REGION_MBUFF)).toBeUndefined();
    expect(space.region(REGION_MBUFF)?.length).toBe(8);
  });

  it('cannot be mapped on the stack, the input or a missing region, nor while running', () => {
    const space = new AddressSpace();
    for (const index of [0, 1, REGION_INPUT, 4, 99]) {
      expect(() => space.mapSlowRegion(index, recorder())).toThrow(
        expect.objectContaining({ code: VM_BAD_ARGUMENT }),
      );
    }
    space.running = true;
    expect(() => space.mapSlowRegion(REGION_MBUFF, recorder())).toThrow(
      expect.objectContaining({ code: VM_BAD_ARGUMENT }),
    );
  });
});

describe('input capacity', () => {
  it('bounds setInputLength and must cover the input', () => {
    const space = new AddressSpace();
    space.layoutRun(10, 0, 30);
    expect(space.inputCapacity).toBe(30);
    space.setInputLength(30);
    expect(space.region(REGION_INPUT)?.length).toBe(30);
    for (const bad of [31, -1, 1.5]) {
      expect(() => space.setInputLength(bad)).toThrow(
        expect.objectContaining({ code: VM_BAD_ARGUMENT }),
      );
    }
    expect(() => space.layoutRun(10, 0, 9)).toThrow(
      expect.objectContaining({ code: VM_BAD_ARGUMENT }),
    );
  });
});

describe('engineImports', () => {
  it('exposes the fault paths and the tail-call flag as import functions', () => {
    const vm = new EbpfVmNoData();
    vm.space.layoutRun(0, 0);
    vm.space.mapSlowRegion(REGION_MBUFF, recorder());
    const imports = engineImports({ space: vm.space, helpers: vm.helpers });
    expect(imports.slowLoad(REGION_MBUFF, 4, 2, 1, 0)).toBe(114n);
    imports.slowStore(REGION_MBUFF, 1, 4, -1n, 0);
    expect(() => imports.slowStore(REGION_MBUFF, 12, 4, 0n, 3)).toThrow(
      expect.objectContaining({ code: VM_ACCESS_VIOLATION, pc: 3 }),
    );
    expect(imports.tailCallPending()).toBe(0);
    vm.helpers.tailCallPending = true;
    expect(imports.tailCallPending()).toBe(1);
  });
});
