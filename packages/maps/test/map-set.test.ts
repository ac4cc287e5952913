import { assemble } from '@ebpf/assembler';
import { decode, encode, Lddw, OPCODE_TABLE, rowByName } from '@ebpf/isa';
import { AddressSpace, EbpfVmNoData, VM_ACCESS_VIOLATION } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  type ArrayMap,
  createMap,
  Errno,
  FIRST_MAP_FD,
  MAP_BAD_ARGUMENT,
  MAP_BAD_VALUE_REFERENCE,
  MAP_HANDLE_TAG,
  MAP_UNKNOWN_REFERENCE,
  MapFlag,
  MapSet,
  MapType,
} from '../src/index.js';
import { errorOf } from './support/maps.js';

const arr1 = { name: 'config', type: MapType.ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 };
const hash = { name: 'flows', type: MapType.HASH, keySize: 8, valueSize: 8, maxEntries: 8 };

function lddw(src: number, imm: number, upper = 0, dst = 1): Uint8Array {
  const imm64 = (BigInt(upper >>> 0) << 32n) | BigInt(imm >>> 0);
  const row = OPCODE_TABLE.find((r) => r.kind === 'lddw' && r.match.src === src)!;
  return encode([{ opcode: row.opcode, dst, src, off: 0, imm, imm64 }]);
}

describe('MapSet', () => {
  it('numbers maps by index from 0 and fd from 3, and hands out handles no region can match', () => {
    const set = new MapSet(new AddressSpace());
    const [a, h] = set.createAll([arr1, hash]);
    expect(set.indexOf(h)).toBe(1);
    expect(set.fdOf(a)).toBe(FIRST_MAP_FD);
    expect(set.byFd(4)).toBe(h);
    expect(set.at(0)).toBe(a);
    expect(set.byName('flows')).toBe(h);
    const handle = set.handleOf(h);
    expect(handle >> 32n).toBe(BigInt(MAP_HANDLE_TAG));
    expect(set.fromHandle(handle)).toBe(h);
    expect(set.fromHandle(4n)).toBeUndefined();
    expect(set.fromHandle(a.address)).toBeUndefined();
    expect([...set]).toEqual([a, h]);
    expect(() => set.space.read(handle, 1)).toThrow(/unmapped|region/);
  });

  it('rewrites lddw map references into plain lddw of handles and value addresses', () => {
    const set = new MapSet(new AddressSpace(), { firstFd: 10 });
    const [a, h] = set.createAll([arr1, hash]);
    const program = new Uint8Array([
      ...lddw(Lddw.MAP_IDX, 1),
      ...lddw(Lddw.MAP_FD, 10),
      ...lddw(Lddw.MAP_VALUE_IDX, 0, 12),
      ...lddw(Lddw.MAP_VALUE_FD, 10, 4),
      ...lddw(Lddw.IMM64, 5, 6),
      ...encode([{ opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 }]),
    ]);
    const out = decode(set.relocate(program));
    expect(out.map((i) => i.row.name)).toEqual(['lddw', 'lddw', 'lddw', 'lddw', 'lddw', 'exit']);
    expect(out.map((i) => i.imm64)).toEqual([
      set.handleOf(h),
      set.handleOf(a),
      (a as ArrayMap).address + 12n,
      (a as ArrayMap).address + 4n,
      (6n << 32n) | 5n,
      undefined,
    ]);
    expect(program[1] >> 4).toBe(Lddw.MAP_IDX); // the input is left alone
  });

  it("src 6 is always the kernel's map value by index, never a data-section index", () => {
    const set = new MapSet(new AddressSpace());
    const [a] = set.createAll([arr1, hash]);
    const out = decode(set.relocate(new Uint8Array([...lddw(Lddw.MAP_VALUE_IDX, 0, 8)])));
    expect(out[0].imm64).toBe((a as ArrayMap).address + 8n);
    // Index 1 is the hash map, which has no direct value, whatever a loader might have meant.
    const e = errorOf(() => set.relocate(new Uint8Array([...lddw(Lddw.MAP_VALUE_IDX, 1, 8)])));
    expect(e.code).toBe(MAP_BAD_VALUE_REFERENCE);
  });

  it('names the instruction of a reference it cannot resolve', () => {
    const set = new MapSet(new AddressSpace());
    set.createAll([arr1, hash]);
    const exit = encode([{ opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 }]);
    const unknown = errorOf(() =>
      set.relocate(new Uint8Array([...exit, ...lddw(Lddw.MAP_IDX, 7)])),
    );
    expect(unknown.code).toBe(MAP_UNKNOWN_REFERENCE);
    expect(unknown.pc).toBe(1);
    expect(unknown.message).toMatch(/^insn 1: .*index 7.*known: 0, 1/);
    const badFd = errorOf(() => set.relocate(lddw(Lddw.MAP_FD, 2)));
    expect(badFd.context).toMatchObject({ by: 'fd', value: 2, known: [3, 4] });
    const hashValue = errorOf(() => set.relocate(lddw(Lddw.MAP_VALUE_IDX, 1, 0)));
    expect(hashValue.code).toBe(MAP_BAD_VALUE_REFERENCE);
    const pastValue = errorOf(() => set.relocate(lddw(Lddw.MAP_VALUE_IDX, 0, 16)));
    expect(pastValue.code).toBe(MAP_BAD_VALUE_REFERENCE);
  });

  it('walks every form of the ISA table: only the map forms of lddw change', () => {
    const set = new MapSet(new AddressSpace());
    const [a] = set.createAll([arr1]);
    const mapForms = new Set<number>([
      Lddw.MAP_FD,
      Lddw.MAP_IDX,
      Lddw.MAP_VALUE_FD,
      Lddw.MAP_VALUE_IDX,
    ]);
    let changed = 0;
    for (const row of OPCODE_TABLE) {
      const src = row.match.src ?? 0;
      const imm =
        row.kind === 'lddw'
          ? src === Lddw.MAP_FD || src === Lddw.MAP_VALUE_FD
            ? 3
            : 0
          : (row.match.imm ?? 0);
      const bytes = encode([
        {
          opcode: row.opcode,
          dst: 0,
          src,
          off: row.match.off ?? 0,
          imm,
          imm64: row.kind === 'lddw' ? BigInt(imm) : undefined,
        },
      ]);
      const out = set.relocate(bytes);
      const [insn] = decode(out);
      if (row.kind === 'lddw' && mapForms.has(src)) {
        changed++;
        expect(insn.row.name, row.name).toBe('lddw');
        const expected = src === Lddw.MAP_FD || src === Lddw.MAP_IDX ? set.handleOf(a) : a.address;
        expect(insn.imm64, row.name).toBe(expected);
      } else {
        expect(out, row.name).toEqual(bytes);
      }
    }
    expect(changed).toBe(4);
  });

  it('declares its maps for the verifier by index or fd', () => {
    const set = new MapSet(new AddressSpace());
    set.createAll([arr1, hash]);
    expect(set.declarations().get(1)).toEqual({
      name: 'flows',
      keySize: 8,
      valueSize: 8,
      readOnly: false,
    });
    set.create({ ...arr1, name: 'ro', flags: MapFlag.RDONLY_PROG });
    expect(set.declarations().get(2)?.readOnly).toBe(true);
    expect([...set.declarations('fd').keys()]).toEqual([3, 4, 5]);
  });

  it('shares one CPU state with its per-CPU maps and refuses foreign maps', () => {
    const vm = new EbpfVmNoData();
    const set = new MapSet(vm, { cpus: 4 });
    const pcpu = set.create({ ...arr1, type: MapType.PERCPU_ARRAY });
    expect(pcpu.cpus).toBe(set.cpus);
    expect(errorOf(() => (set.cpus.current = 4)).code).toBe(MAP_BAD_ARGUMENT);
    const foreign = createMap(arr1, new AddressSpace());
    expect(errorOf(() => set.add(foreign)).code).toBe(MAP_BAD_ARGUMENT);
    expect(errorOf(() => set.add(pcpu)).code).toBe(MAP_BAD_ARGUMENT);
    const ro = set.create({ ...arr1, name: 'ro', flags: MapFlag.RDONLY_PROG });
    expect(vm.space.region(ro.region!)!.writable).toBe(false);
  });
});

describe('initial contents and BPF_F_RDONLY_PROG (what libbpf does for .rodata)', () => {
  const rodata = {
    name: '.rodata',
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: 12,
    maxEntries: 1,
    flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE,
    initialValue: Uint8Array.of(1, 2, 3, 4, 5),
  };
  /** A program that loads the u32 at offset 4 of map 0's value, after `store` if given. */
  function program(store: string): Uint8Array {
    return new Uint8Array([
      ...lddw(Lddw.MAP_VALUE_IDX, 0, 4),
      ...assemble(`${store}\nldxw r0, [r1+0]\nexit`),
    ]);
  }

  it('starts with the initial bytes, zero after them; programs read, the host writes', () => {
    const vm = new EbpfVmNoData();
    const set = new MapSet(vm);
    const map = set.create(rodata) as ArrayMap;
    expect([...map.lookup(new Uint8Array(4))!]).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0]);
    vm.setProgram(set.relocate(program('mov r2, 0')));
    expect(vm.executeProgram()).toBe(5n);
    const next = Uint8Array.of(0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0);
    expect(map.update(new Uint8Array(4), next)).toBe(0);
    expect(vm.executeProgram()).toBe(0x12345678n);
  });

  it('faults on a program store into the value and refuses program updates with -EPERM', () => {
    const vm = new EbpfVmNoData();
    const set = new MapSet(vm);
    const map = set.create(rodata);
    vm.setProgram(set.relocate(program('stw [r1+0], 9')));
    const e = errorOf(() => vm.executeProgram());
    expect(e.code).toBe(VM_ACCESS_VIOLATION);
    expect(e.context).toMatchObject({ reason: 'read-only' });
    expect(e.pc).toBe(2);
    // bpf_map_update_elem from a program: -EPERM before the key or value is even read.
    expect(map.updateElem(map.address, map.address, 0)).toBe(-Errno.EPERM);
  });

  it('refuses an initial value on other map types, too long, or not bytes', () => {
    const bad = [
      { ...hash, initialValue: new Uint8Array(1) },
      { ...arr1, type: MapType.PERCPU_ARRAY, initialValue: new Uint8Array(1) },
      { ...arr1, initialValue: new Uint8Array(17) },
      { ...arr1, initialValue: [1, 2] as unknown as Uint8Array },
    ];
    for (const def of bad) {
      const e = errorOf(() => new MapSet(new AddressSpace()).create(def));
      expect(e.code, JSON.stringify(def.type)).toBe(MAP_BAD_ARGUMENT);
      expect(e.message).toMatch(/initialValue of map '(flows|config)'/);
    }
    // The bytes are copied: changing the definition's array later changes no map.
    const initialValue = Uint8Array.of(7);
    const map = new MapSet(new AddressSpace()).create({ ...arr1, initialValue }) as ArrayMap;
    initialValue[0] = 8;
    expect(map.lookup(new Uint8Array(4))![0]).toBe(7);
  });
});
