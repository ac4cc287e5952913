import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  AddressSpace,
  EbpfVmFixedMbuff,
  EbpfVmMbuff,
  EbpfVmRaw,
  FIRST_HOST_REGION,
  INPUT_ADDRESS,
  MAX_REGIONS,
  MBUFF_ADDRESS,
  REGION_ENTRY_SIZE,
  REGION_INPUT,
  REGION_STACK,
  regionAddress,
  STACK_SIZE,
  STACK_TOP_ADDRESS,
  VM_ACCESS_VIOLATION,
  VM_MISALIGNED_ATOMIC,
} from '../src/index.js';
import { ALL, errorOf } from './support/vm.js';

/** A VM whose program does an access of `size` bytes at `addr` (in r1), a load or a store. */
function access(kind: 'load' | 'store' | 'atomic', size: 1 | 2 | 4 | 8): EbpfVmRaw {
  const suffix = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' }[size];
  const body =
    kind === 'load'
      ? `ldx${suffix} r0, [r2]`
      : kind === 'store'
        ? `stx${suffix} [r2], r0`
        : `lock add${size === 4 ? '32' : ''} [r2], r0`;
  const vm = new EbpfVmRaw(assemble(`mov r0, 0\n${body}\nexit`), ALL);
  vm.registerAllowedMemory(24, { name: 'host' });
  return vm;
}

function tryAt(vm: EbpfVmRaw, address: bigint, mem = new Uint8Array(16)) {
  try {
    vm.run({ mem }, { args: [undefined, address] });
    return undefined;
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    return e;
  }
}

describe('address space layout', () => {
  it('puts the region table at offset 0 of one WebAssembly.Memory', () => {
    const space = new AddressSpace();
    const wasm = (
      globalThis as unknown as { WebAssembly: { Memory: abstract new (...a: never[]) => unknown } }
    ).WebAssembly;
    expect(space.memory).toBeInstanceOf(wasm.Memory);
    const stack = space.region(REGION_STACK)!;
    expect(space.table[REGION_STACK * (REGION_ENTRY_SIZE / 4) + 1]).toBe(STACK_SIZE);
    expect(space.table[REGION_STACK * 4]).toBe(stack.base);
    expect(space.region(0)).toBeUndefined();
  });
  it('grows the memory for large inputs and keeps regions consistent', () => {
    const vm = new EbpfVmRaw(assemble('mov r2, 0x1fffff\nadd r1, r2\nldxb r0, [r1]\nexit'), ALL);
    const mem = new Uint8Array(0x200000);
    mem[0x1fffff] = 9;
    expect(vm.executeProgram(mem)).toBe(9n);
  });
  it('addresses are region << 32 | offset', () => {
    expect(regionAddress(2, 5)).toBe(0x2_0000_0005n);
    expect(INPUT_ADDRESS).toBe(regionAddress(REGION_INPUT));
    expect(STACK_TOP_ADDRESS).toBe(regionAddress(REGION_STACK, STACK_SIZE));
  });
});

describe('every access is checked over its whole width', () => {
  const cases: [string, bigint, number][] = [
    ['input', INPUT_ADDRESS, 16],
    ['stack', regionAddress(REGION_STACK), STACK_SIZE],
    ['host', regionAddress(FIRST_HOST_REGION), 24],
  ];
  for (const kind of ['load', 'store', 'atomic'] as const) {
    for (const size of kind === 'atomic' ? ([4, 8] as const) : ([1, 2, 4, 8] as const)) {
      for (const [name, start, length] of cases) {
        it(`${kind} of ${size} bytes: inside, before, after and straddling the ${name} region`, () => {
          const vm = access(kind, size);
          const L = BigInt(length);
          const S = BigInt(size);
          expect(tryAt(vm, start)).toBeUndefined();
          expect(tryAt(vm, start + L - S)).toBeUndefined();
          for (const bad of [
            start - 1n,
            start - S,
            start + L,
            start + L - S + 1n,
            start + L + 100n,
          ]) {
            const e = tryAt(vm, bad);
            const code =
              kind === 'atomic' && (bad & (S - 1n)) !== 0n && bad >= start && bad + S <= start + L
                ? VM_MISALIGNED_ATOMIC
                : VM_ACCESS_VIOLATION;
            expect(e?.code, `address ${bad.toString(16)}`).toBe(code);
            expect(e?.pc).toBe(1);
          }
        });
      }
    }
  }
  it('names the instruction, address, size, direction and the regions', () => {
    const e = tryAt(access('store', 4), INPUT_ADDRESS + 14n);
    expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
    if (!isEbpfError(e, VM_ACCESS_VIOLATION)) return;
    expect(e.context.address).toBe(INPUT_ADDRESS + 14n);
    expect(e.context.size).toBe(4);
    expect(e.context.access).toBe('store');
    expect(e.context.region).toBe('input');
    expect(e.context.reason).toBe('out-of-bounds');
    expect(e.context.regions.map((r) => r.name)).toEqual(['stack', 'input', 'mbuff', 'host']);
    expect(e.message).toMatch(/^insn 1: store of 4 bytes at 0x20000000e/);
    expect(e.kind).toBe('runtime');
  });
  it('null, unmapped regions and huge region numbers fault', () => {
    const vm = access('load', 1);
    for (const a of [
      0n,
      8n,
      regionAddress(9),
      regionAddress(MAX_REGIONS),
      0xffff_ffff_ffff_ffffn,
    ]) {
      const e = tryAt(vm, a);
      expect(e?.code).toBe(VM_ACCESS_VIOLATION);
      expect(e?.context).toMatchObject({ reason: 'unmapped' });
    }
  });
  it('an offset that wraps below a region does not reach the previous one', () => {
    const vm = new EbpfVmRaw(assemble('ldxb r0, [r1-1]\nexit'), ALL);
    const e = errorOf(() => vm.executeProgram(new Uint8Array(4)));
    expect(e.code).toBe(VM_ACCESS_VIOLATION);
    expect(e.context?.address).toBe(INPUT_ADDRESS - 1n);
  });
  it('stores to a read-only region fault; loads from it work', () => {
    const vm = new EbpfVmRaw(assemble('ldxb r0, [r2]\nstb [r2], 1\nexit'), ALL);
    const ro = vm.registerAllowedMemory(new Uint8Array([7, 8]), {
      name: 'rodata',
      writable: false,
    });
    const e = errorOf(() => vm.run({}, { args: [undefined, ro] }));
    expect(e.code).toBe(VM_ACCESS_VIOLATION);
    expect(e.pc).toBe(1);
    expect(e.context).toMatchObject({ reason: 'read-only', region: 'rodata' });
    const rw = vm.registerAllowedMemory(2, { name: 'scratch' });
    expect(vm.run({}, { args: [undefined, rw] }).r0).toBe(0n);
    expect(vm.regionBytes(Number(rw >> 32n))[0]).toBe(1);
  });
  it('misaligned atomics fault; misaligned plain accesses work', () => {
    const e = errorOf(() =>
      new EbpfVmRaw(assemble('mov r0, 1\nlock add [r1+4], r0\nexit'), ALL).executeProgram(
        new Uint8Array(16),
      ),
    );
    expect(e.code).toBe(VM_MISALIGNED_ATOMIC);
    expect(e.context).toEqual({ address: INPUT_ADDRESS + 4n, size: 8 });
    const mem = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new EbpfVmRaw(assemble('ldxdw r0, [r1+1]\nexit'), ALL).executeProgram(mem)).toBe(
      0x0807_0605_0403_0201n,
    );
  });
});

describe('input layouts', () => {
  it('EbpfVmMbuff: r1 points to the caller-filled metadata buffer', () => {
    const mem = new Uint8Array([0xaa, 0xbb, 0xcc]);
    const mbuff = new Uint8Array(16);
    const view = new DataView(mbuff.buffer);
    view.setBigUint64(0, INPUT_ADDRESS, true);
    view.setBigUint64(8, INPUT_ADDRESS + 3n, true);
    const vm = new EbpfVmMbuff(
      assemble(
        'ldxdw r2, [r1]\nldxdw r3, [r1+8]\nsub r3, r2\nldxb r0, [r2+2]\nlsh r0, 8\nor r0, r3\nexit',
      ),
      ALL,
    );
    expect(vm.executeProgram(mem, mbuff)).toBe(0xcc03n);
    expect(vm.run({ mem, mbuff }).r0).toBe(0xcc03n);
    expect(new EbpfVmMbuff(assemble('mov r0, r1\nexit'), ALL).executeProgram(mem, mbuff)).toBe(
      MBUFF_ADDRESS,
    );
  });
  it('accesses to the metadata buffer are checked against its length', () => {
    const vm = new EbpfVmMbuff(assemble('ldxdw r0, [r2]\nexit'), ALL);
    const mbuff = new Uint8Array(16);
    const at = (a: bigint) => () =>
      vm.run({ mem: new Uint8Array(4), mbuff }, { args: [undefined, a] });
    expect(at(MBUFF_ADDRESS + 8n)().r0).toBe(0n);
    for (const bad of [MBUFF_ADDRESS - 1n, MBUFF_ADDRESS + 9n, MBUFF_ADDRESS + 16n]) {
      const e = errorOf(at(bad));
      expect(e.code).toBe(VM_ACCESS_VIOLATION);
      expect(e.context?.address).toBe(bad);
    }
  });
  it('EbpfVmFixedMbuff: the VM writes data and data_end at the given offsets every run', () => {
    const vm = new EbpfVmFixedMbuff(
      assemble(
        'ldxdw r2, [r1+0x40]\nldxdw r3, [r1+0x50]\nmov r0, r3\nsub r0, r2\nldxb r4, [r2]\nadd r0, r4\nexit',
      ),
      0x40,
      0x50,
      ALL,
    );
    expect(vm.executeProgram(new Uint8Array([100, 0, 0, 0, 0]))).toBe(105n);
    expect(vm.executeProgram(new Uint8Array([1, 2]))).toBe(3n);
  });
  it('an in-place input survives a metadata buffer of another length', () => {
    const vm = new EbpfVmMbuff(assemble('ldxb r0, [r1+8]\nexit'), ALL);
    const mbuff = new Uint8Array(16);
    mbuff[8] = 0x55;
    vm.executeProgram(new Uint8Array(2), new Uint8Array(24));
    const buf = vm.inputBuffer(2);
    buf.set([4, 5]);
    expect(vm.executeProgram(buf, mbuff)).toBe(0x55n);
    expect(vm.space.regionBytes(2)).toEqual(new Uint8Array([4, 5]));
  });
  it('a filled-in-place input buffer needs no copy', () => {
    const vm = new EbpfVmRaw(assemble('ldxb r0, [r1+2]\nstb [r1], 9\nexit'), ALL);
    vm.executeProgram(new Uint8Array(3));
    const buf = vm.inputBuffer(3);
    buf.set([1, 2, 3]);
    expect(vm.executeProgram(buf)).toBe(3n);
    expect(buf[0]).toBe(9);
  });
});
