import { type DecodedInsn, decode, isEbpfError } from '@ebpf/isa';
import { describe, expect, test } from 'vitest';
import {
  type BpfObject,
  type BpfProgram,
  ELF_PROGRAM_NOT_FOUND,
  findProgram,
  findSection,
  type LoadOptions,
  loadBpfObject,
} from '../src/index.js';
import { FIXTURES, type ListedRelocation, readFixture, readListing } from './support/fixtures.js';

const load = (name: string, options: LoadOptions = {}) => loadBpfObject(readFixture(name), options);

/** The ELF relocations (from llvm-readelf) that fall on each linked slot of a program. */
function listedRelocationsBySlot(name: string, program: BpfProgram): Map<number, ListedRelocation> {
  const listing = readListing(name);
  const out = new Map<number, ListedRelocation>();
  for (const f of program.functions) {
    for (const r of listing.relocations) {
      if (r.section !== `.rel${f.section}`) continue;
      const slot = (r.offset - f.sectionOffset) / 8;
      if (slot >= 0 && slot < f.length) out.set(f.start + slot, r);
    }
  }
  return out;
}

function functionAtSlot(program: BpfProgram, slot: number) {
  return program.functions.find((f) => slot >= f.start && slot < f.start + f.length);
}

/** Caller -> callee edges of a linked program, read back from its decoded calls and callbacks. */
function callGraph(program: BpfProgram): string[] {
  const edges = new Set<string>();
  for (const insn of decode(program.bytes)) {
    if (insn.row.name !== 'call_local' && insn.row.name !== 'lddw_code_addr') continue;
    const target = insn.pc + insn.imm + 1;
    const callee = program.functions.find((f) => f.start === target);
    const caller = functionAtSlot(program, insn.pc)!;
    edges.add(`${caller.name} ${insn.row.name === 'call_local' ? '->' : '&'} ${callee?.name}`);
  }
  return [...edges].sort();
}

describe.each(FIXTURES)('%s.o links as llvm-readelf says', (name) => {
  const obj = load(name);
  const elf = obj.elf;

  test('every program decodes and starts with its own function', () => {
    expect(obj.programs.length).toBeGreaterThan(0);
    for (const p of obj.programs) {
      expect(() => decode(p.bytes)).not.toThrow();
      expect(p.functions[0]).toMatchObject({ name: p.name, section: p.section, start: 0 });
      const total = p.functions.reduce((n, f) => n + f.length, 0);
      expect(p.bytes.length).toBe(total * 8);
    }
  });

  test('linked functions are their section bytes, except the patched fields', () => {
    for (const p of obj.programs) {
      const patched = new Set(p.relocations.map((r) => r.insn));
      for (const f of p.functions) {
        const section = findSection(elf, f.section)!;
        for (let i = 0; i < f.length; i++) {
          const original = section.data.subarray(
            f.sectionOffset + i * 8,
            f.sectionOffset + i * 8 + 8,
          );
          const linked = p.bytes.subarray((f.start + i) * 8, (f.start + i) * 8 + 8);
          const slot = f.start + i;
          const isSecondSlot = patched.has(slot - 1) && p.bytes[(slot - 1) * 8] === 0x18;
          if (patched.has(slot)) {
            expect(linked[0]).toBe(original[0]); // opcode
            expect(linked[1] & 0x0f).toBe(original[1] & 0x0f); // dst
            expect(linked.subarray(2, 4)).toEqual(original.subarray(2, 4)); // offset
          } else if (isSecondSlot) {
            expect(linked.subarray(0, 4)).toEqual(original.subarray(0, 4));
          } else {
            expect(linked).toEqual(original);
          }
        }
      }
    }
  });

  test('every lddw and call relocation became the documented patch', () => {
    for (const p of obj.programs) {
      const listed = listedRelocationsBySlot(name, p);
      const insns = new Map<number, DecodedInsn>(decode(p.bytes).map((i) => [i.pc, i]));
      const code = [...listed].filter(
        ([, r]) => r.type === 'R_BPF_64_64' || r.type === 'R_BPF_64_32',
      );
      expect(p.relocations.filter((r) => r.kind !== 'call' || listed.has(r.insn)).length).toBe(
        code.length,
      );
      for (const [slot, r] of code) {
        const insn = insns.get(slot)!;
        const record = p.relocations.find((x) => x.insn === slot)!;
        expect(record).toBeDefined();
        const high = Number((insn.imm64 ?? 0n) >> 32n);
        switch (record.kind) {
          case 'map':
            expect(insn.row.name).toBe('lddw_map_idx');
            expect(obj.maps[insn.imm].name).toBe(r.symbol);
            expect(record.mapIndex).toBe(insn.imm);
            expect(high).toBe(0);
            break;
          case 'data': {
            expect(insn.row.name).toBe('lddw_map_value_idx');
            // imm is the index of the section's internal map, as the kernel reads src 6.
            const map = obj.maps[insn.imm];
            expect(map).toMatchObject({ internal: true, type: 2, keySize: 4, maxEntries: 1 });
            expect(record.mapIndex).toBe(insn.imm);
            const data = obj.data[record.dataIndex];
            expect(map.dataIndex).toBe(record.dataIndex);
            expect(data.mapIndex).toBe(insn.imm);
            expect(map.valueSize).toBe(data.size);
            expect(high).toBe(record.offset);
            expect(high).toBeLessThanOrEqual(data.size);
            // The relocation names the variable itself or its section.
            const named = data.symbols.find((s) => s.name === r.symbol);
            if (named) expect(named.offset).toBe(record.offset);
            else expect(r.symbol).toBe(data.name);
            break;
          }
          case 'call':
            expect(insn.row.name).toBe('call_local');
            expect(insn.pc + insn.imm + 1).toBe(record.target);
            expect(p.functions.find((f) => f.start === record.target)?.name).toBe(record.function);
            break;
          case 'function':
            expect(insn.row.name).toBe('lddw_code_addr');
            expect(insn.pc + insn.imm + 1).toBe(record.target);
            expect(high).toBe(0);
            break;
          default:
            throw new Error(`unexpected relocation ${record.kind}`);
        }
      }
    }
  });

  test('calls land on the start of a linked function', () => {
    for (const p of obj.programs) {
      for (const insn of decode(p.bytes)) {
        if (insn.row.name !== 'call_local') continue;
        const target = insn.pc + insn.imm + 1;
        expect(p.functions.some((f) => f.start === target)).toBe(true);
      }
    }
  });
});

const mapSummary = (obj: BpfObject) =>
  obj.maps.map(({ name, type, typeName, keySize, valueSize, maxEntries, flags, source }) => ({
    name,
    type,
    typeName,
    keySize,
    valueSize,
    maxEntries,
    flags,
    source,
  }));

describe('what the C sources declare', () => {
  test.each(['xdp-firewall', 'xdp-firewall.v1', 'xdp-firewall.v4'])(
    '%s: a hash map of u16 ports to u64 counters, no preallocation',
    (name) => {
      const obj = load(name);
      expect(obj.license).toBe('Dual MIT/GPL');
      expect(mapSummary(obj)).toEqual([
        {
          name: 'blocked_ports',
          type: 1,
          typeName: 'hash',
          keySize: 2,
          valueSize: 8,
          maxEntries: 1024,
          flags: 1,
          source: 'btf',
        },
      ]);
      expect(obj.data).toEqual([]);
      expect(obj.programs.map((p) => [p.name, p.section, p.type])).toEqual([
        ['xdp_firewall', 'xdp', 'xdp'],
      ]);
      expect(obj.programs[0].relocations).toEqual([
        expect.objectContaining({ kind: 'map', symbol: 'blocked_ports', mapIndex: 0 }),
      ]);
    },
  );

  test('the -mcpu levels give different code for the same source', () => {
    const names = (name: string) => decode(load(name).programs[0].bytes).map((i) => i.row.name);
    expect(names('xdp-firewall.v4')).toContain('bswap16');
    expect(names('xdp-firewall')).not.toContain('bswap16');
    const jmp32 = (n: string) => n.startsWith('j') && n.includes('32_');
    expect(names('xdp-firewall').some(jmp32)).toBe(true);
    expect(names('xdp-firewall.v1').some(jmp32)).toBe(false);
  });

  test('percpu-counter: per-CPU array with sizes given as numbers, and a struct value', () => {
    const obj = load('percpu-counter');
    expect(mapSummary(obj)).toEqual([
      {
        name: 'counters',
        type: 6,
        typeName: 'percpu_array',
        keySize: 4,
        valueSize: 8,
        maxEntries: 2,
        flags: 0,
        source: 'btf',
      },
      {
        name: 'last_seen',
        type: 2,
        typeName: 'array',
        keySize: 4,
        valueSize: 16,
        maxEntries: 1,
        flags: 0,
        source: 'btf',
      },
    ]);
    expect(obj.maps[0].keyTypeId).toBeUndefined();
    expect(obj.maps[1].keyTypeId).toBeGreaterThan(0);
    const [p] = obj.programs;
    expect([p.name, p.type, p.attachTo]).toEqual([
      'count_writes',
      'tracepoint',
      'syscalls/sys_enter_write',
    ]);
    expect(p.relocations.map((r) => (r.kind === 'map' ? r.symbol : r.kind))).toEqual([
      'counters',
      'last_seen',
      'counters',
    ]);
    expect(obj.license).toBe('GPL');
  });

  test('legacy-maps: struct bpf_map_def maps without BTF, and a kernel version', () => {
    const obj = load('legacy-maps');
    expect(findSection(obj.elf, '.BTF')).toBeUndefined();
    expect(obj.btf).toBeUndefined();
    expect(mapSummary(obj)).toEqual([
      {
        name: 'proto_count',
        type: 2,
        typeName: 'array',
        keySize: 4,
        valueSize: 8,
        maxEntries: 256,
        flags: 0,
        source: 'legacy',
      },
      {
        name: 'seen_sizes',
        type: 9,
        typeName: 'lru_hash',
        keySize: 4,
        valueSize: 4,
        maxEntries: 4096,
        flags: 0,
        source: 'legacy',
      },
    ]);
    expect(obj.maps.map((m) => m.offset)).toEqual([0, 20]);
    expect(obj.kernelVersion).toBe(0x050a00);
    expect(obj.programs.map((p) => [p.name, p.section, p.type])).toEqual([
      ['count_protocols', 'socket', 'socket_filter'],
    ]);
  });

  test('calls-and-globals: subprograms appended once each, global data by index', () => {
    const obj = load('calls-and-globals');
    const [p] = obj.programs;
    expect(p.name).toBe('weigh_packet');
    expect(p.functions.map((f) => f.name)).toEqual(['weigh_packet', 'mix', 'step', 'weight_of']);
    expect(callGraph(p)).toEqual([
      'mix -> weight_of',
      'step -> mix',
      'weigh_packet & step',
      'weigh_packet -> mix',
      'weigh_packet -> weight_of',
    ]);
    const byName = new Map(obj.data.map((d) => [d.name, d]));
    const u32s = (b: Uint8Array) => Array.from(new Uint32Array(b.slice().buffer));
    expect(byName.get('.rodata')).toMatchObject({ kind: 'rodata', readOnly: true, size: 4 });
    expect(u32s(byName.get('.rodata')!.bytes)).toEqual([10]); // scale
    expect(byName.get('.data')).toMatchObject({ kind: 'data', readOnly: false, size: 8 });
    expect(u32s(byName.get('.data')!.bytes)).toEqual([7, 0]); // calls = 7
    expect(byName.get('.bss')).toMatchObject({ kind: 'bss', readOnly: false, size: 32 });
    expect(byName.get('.bss')!.bytes).toEqual(new Uint8Array(32));
    expect(byName.get('.bss')!.symbols).toEqual([{ name: 'scratch', offset: 0, size: 32 }]);
    const weights = obj.data.find((d) => d.symbols.some((s) => s.name === 'weights'))!;
    expect(weights.readOnly).toBe(true);
    expect(u32s(weights.bytes)).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
    // Each global the code uses is referenced by an lddw with src 6 and its data index.
    const dataRefs = p.relocations.flatMap((r) =>
      r.kind === 'data' ? [`${obj.data[r.dataIndex].name}+${r.offset}`] : [],
    );
    expect(dataRefs.sort()).toEqual(['.bss+0', '.data+0', '.rodata+0', `${weights.name}+0`].sort());
  });

  test('two-programs: two programs in one section, each with its own copy of bump', () => {
    const obj = load('two-programs');
    expect(obj.programs.map((p) => [p.name, p.section, p.type, p.attachTo])).toEqual([
      ['xdp_first', 'xdp', 'xdp', undefined],
      ['xdp_second', 'xdp', 'xdp', undefined],
      ['probe_open', 'kprobe/do_sys_open', 'kprobe', 'do_sys_open'],
    ]);
    for (const p of obj.programs) {
      expect(p.functions.map((f) => f.name)).toEqual([p.name, 'bump']);
      expect(callGraph(p)).toEqual([`${p.name} -> bump`]);
    }
    expect(obj.programs[1].sectionOffset).toBe(64);
    expect(findProgram(obj, 'xdp_second')).toBe(obj.programs[1]);
    expect(findProgram(obj, 'kprobe/do_sys_open')).toBe(obj.programs[2]);
    for (const missing of ['xdp', 'nope']) {
      let caught: unknown;
      try {
        findProgram(obj, missing);
      } catch (e) {
        caught = e;
      }
      expect(isEbpfError(caught, ELF_PROGRAM_NOT_FOUND)).toBe(true);
      expect((caught as Error).message).toContain('xdp_first, xdp_second, probe_open');
    }
  });

  test('tc-program: a classifier reading two read-only tables', () => {
    const obj = load('tc-program');
    expect(obj.programs.map((p) => [p.name, p.section, p.type])).toEqual([
      ['classify', 'tc', 'sched_cls'],
    ]);
    // No declared maps: the two read-only data sections are its only maps, as libbpf makes them.
    expect(obj.maps.map((m) => [m.name, m.typeName, m.valueSize, m.flags])).toEqual([
      ['.rodata', 'array', 4, 0x480], // BPF_F_RDONLY_PROG | BPF_F_MMAPABLE (global max_len)
      ['.rodata.cst16', 'array', 16, 0x80], // only a static table: not mmapable
    ]);
    expect(load('tc-program', { name: 'tc-program' }).maps[0].name).toBe('tc_progr.rodata');
    expect(obj.data.map((d) => [d.kind, d.readOnly, d.mapIndex])).toEqual([
      ['rodata', true, 0],
      ['rodata', true, 1],
    ]);
    const maxLen = obj.data.find((d) => d.symbols.some((s) => s.name === 'max_len'))!;
    expect(new DataView(maxLen.bytes.buffer).getUint32(0, true)).toBe(1500);
  });
});
