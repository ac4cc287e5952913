import { decode, encode, type Insn, isEbpfError, Lddw, rowByName } from '@ebpf/isa';
import { describe, expect, test } from 'vitest';
import {
  BpfReloc,
  BtfKind,
  ELF_BAD_BTF,
  ELF_BAD_CALL,
  ELF_BAD_CODE,
  ELF_BAD_HEADER,
  ELF_BAD_MAP,
  ELF_BAD_RELOCATION,
  ELF_BAD_SECTION,
  ELF_BAD_STRING,
  ELF_BAD_SYMBOL,
  ELF_BTF_TOO_DEEP,
  ELF_DATA_TOO_LARGE,
  ELF_NOT_ELF,
  ELF_PROGRAM_TOO_LARGE,
  ELF_SECTION_OVERLAP,
  ELF_TRUNCATED,
  ELF_UNSUPPORTED,
  ElfError,
  type ElfErrorCode,
  loadBpfObject,
  parseElf,
  SectionType,
  SpecialSection,
  SymbolType,
} from '../src/index.js';
import { type BtfRecord, buildBtf, mapRecords } from './support/build-btf.js';
import { type BuiltElf, buildElf, type ElfSpec } from './support/build-elf.js';
import { readFixture } from './support/fixtures.js';

const insn = (name: string, fields: Partial<Insn> = {}): Insn => ({
  opcode: rowByName(name).opcode,
  dst: 0,
  src: 0,
  off: 0,
  imm: 0,
  ...fields,
});
const EXIT = insn('exit');
const LDDW = insn('lddw', { dst: 1, imm64: 0n });
const CALL_LOCAL = (imm: number) => insn('call_local', { src: 1, imm });

/** Runs `f`, expects an ElfError with `code`, and returns it. */
function expectElfError<C extends ElfErrorCode>(f: () => unknown, code: C): ElfError<C> {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  const error = caught as ElfError<C>;
  expect(error.codeName).toMatch(/^ELF_/);
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  expect(error.kind).toBe('load');
  expect(isEbpfError(error, code)).toBe(true);
  return error;
}

/** A valid object with one program `prog` in `xdp`. */
function simple(code: Insn[] = [EXIT], extra: Partial<ElfSpec> = {}): BuiltElf {
  const data = encode(code);
  return buildElf({
    sections: [
      { name: 'xdp', data },
      { name: 'license', flags: 3, data: new Uint8Array([0x47, 0x50, 0x4c, 0]) },
    ],
    symbols: [{ name: 'prog', section: 'xdp', size: data.length }],
    ...extra,
  });
}

function patch(built: BuiltElf, at: number, bytes: number[] | bigint, width = 8): Uint8Array {
  const out = built.bytes.slice();
  const view = new DataView(out.buffer);
  if (typeof bytes === 'bigint') {
    if (width === 8) view.setBigUint64(at, bytes, true);
    else if (width === 4) view.setUint32(at, Number(bytes), true);
    else view.setUint16(at, Number(bytes), true);
  } else out.set(bytes, at);
  return out;
}

/** File offset of field `field` (byte offset within the header) of section header `index`. */
const sh = (built: BuiltElf, name: string, field: number) =>
  built.sectionHeaderOffset + built.index.get(name)! * 64 + field;

describe('the ELF header', () => {
  test('a valid object built by the test writer loads', () => {
    const obj = loadBpfObject(simple().bytes);
    expect(obj.programs.map((p) => p.name)).toEqual(['prog']);
    expect(obj.license).toBe('GPL');
  });

  test('not ELF at all, or too short for the magic', () => {
    expectElfError(() => parseElf(new Uint8Array(0)), ELF_NOT_ELF);
    expectElfError(() => parseElf(new Uint8Array([0x7f, 0x45, 0x4c])), ELF_NOT_ELF);
    const e = expectElfError(
      () => parseElf(new Uint8Array([0x4d, 0x5a, 0x90, 0, 1, 2])),
      ELF_NOT_ELF,
    );
    expect(e.context.magic).toEqual([0x4d, 0x5a, 0x90, 0]);
  });

  test('truncated inside the header', () => {
    const e = expectElfError(() => parseElf(simple().bytes.subarray(0, 40)), ELF_TRUNCATED);
    expect(e.message).toContain('ELF header');
  });

  test.each([
    ['class', 4, [1]],
    ['data', 5, [2]],
    ['version', 6, [0]],
    ['type', 16, [2, 0]],
    ['machine', 18, [62, 0]],
  ] as const)('wrong %s', (field, at, bytes) => {
    const e = expectElfError(() => parseElf(patch(simple(), at, [...bytes])), ELF_UNSUPPORTED);
    expect(e.context.field).toBe(field);
  });

  test('section header entry size and string table index', () => {
    expectElfError(() => parseElf(patch(simple(), 58, [40, 0])), ELF_BAD_HEADER);
    const e = expectElfError(() => parseElf(patch(simple(), 62, [200, 0])), ELF_BAD_HEADER);
    expect(e.message).toContain('e_shstrndx');
  });

  test('huge section counts and offsets are refused before anything is allocated', () => {
    const built = simple();
    expectElfError(() => parseElf(patch(built, 60, [0xff, 0xff])), ELF_TRUNCATED);
    expectElfError(() => parseElf(patch(built, 40, 0xffff_ffff_ffff_ff00n)), ELF_TRUNCATED);
    expectElfError(() => parseElf(patch(built, 40, 8n)), ELF_BAD_HEADER);
    // Extended numbering: e_shnum = 0 sends the reader to section 0's size.
    const noCount = { ...built, bytes: patch(built, 60, [0, 0]) };
    const extended = patch(noCount, built.sectionHeaderOffset + 32, 0x1_0000_0000n);
    expectElfError(() => parseElf(extended), ELF_TRUNCATED);
  });

  test('a file cut anywhere fails cleanly', () => {
    const bytes = simple([LDDW, EXIT]).bytes;
    for (let n = 0; n < bytes.length; n += 7) {
      let result: unknown;
      try {
        result = loadBpfObject(bytes.subarray(0, n));
      } catch (e) {
        result = e;
      }
      expect(result).toBeInstanceOf(ElfError);
    }
  });
});

describe('section headers', () => {
  test('contents outside the file', () => {
    const built = simple();
    const e = expectElfError(
      () => parseElf(patch(built, sh(built, 'xdp', 24), 0x10_0000n)),
      ELF_TRUNCATED,
    );
    expect(e.message).toContain("'xdp'");
    expectElfError(
      () => parseElf(patch(built, sh(built, 'xdp', 32), 0x8000_0000_0000_0000n)),
      ELF_TRUNCATED,
    );
  });

  test('overlapping contents', () => {
    const built = simple();
    const licenseOffset = BigInt(built.offset.get('license')!);
    const e = expectElfError(
      () => parseElf(patch(built, sh(built, 'xdp', 24), licenseOffset)),
      ELF_SECTION_OVERLAP,
    );
    expect(e.message).toMatch(/'xdp'|'license'/);
    const header = expectElfError(
      () => parseElf(patch(built, sh(built, 'xdp', 24), 16n)),
      ELF_SECTION_OVERLAP,
    );
    expect(header.message).toContain('ELF header');
  });

  test('names outside the section name table', () => {
    const built = simple();
    const e = expectElfError(
      () => parseElf(patch(built, sh(built, 'xdp', 0), 0xfff0n, 4)),
      ELF_BAD_STRING,
    );
    expect(e.message).toContain('section names');
    const strtab = built.sectionHeaderOffset + (built.index.size + 0) * 64; // .shstrtab is last
    expectElfError(() => parseElf(patch(built, strtab + 4, 1n, 4)), ELF_BAD_SECTION);
  });

  test('a code section that is not whole instructions', () => {
    const built = simple([EXIT, EXIT]);
    const e = expectElfError(
      () => loadBpfObject(patch(built, sh(built, 'xdp', 32), 12n)),
      ELF_BAD_CODE,
    );
    expect(e.message).toContain("'xdp'");
  });

  test('a symbol table with the wrong entry size', () => {
    const built = simple();
    expectElfError(() => parseElf(patch(built, sh(built, '.symtab', 56), 16n)), ELF_BAD_SECTION);
  });
});

describe('symbols', () => {
  test('a section index out of range, a name outside the string table', () => {
    const built = simple();
    const symtab = built.offset.get('.symtab')!;
    const e = expectElfError(
      () => parseElf(patch(built, symtab + 24 + 6, 0x0900n, 2)),
      ELF_BAD_SYMBOL,
    );
    expect(e.message).toContain('.symtab');
    expectElfError(() => parseElf(patch(built, symtab + 24, 0xffffn, 4)), ELF_BAD_STRING);
    expectElfError(
      () => parseElf(patch(built, symtab + 24 + 6, BigInt(SpecialSection.XINDEX), 2)),
      ELF_BAD_SYMBOL,
    );
  });

  test('functions outside their section or not on instructions', () => {
    const built = simple([EXIT, EXIT]);
    const symtab = built.offset.get('.symtab')!;
    expectElfError(() => loadBpfObject(patch(built, symtab + 24 + 8, 4n)), ELF_BAD_SYMBOL);
    expectElfError(() => loadBpfObject(patch(built, symtab + 24 + 16, 64n)), ELF_BAD_SYMBOL);
  });
});

describe('relocations', () => {
  const withData = (code: Insn[], relocations: ElfSpec['relocations']) =>
    simple(code, {
      sections: [
        { name: 'xdp', data: encode(code) },
        { name: '.data', flags: 3, data: new Uint8Array(8) },
        { name: 'license', flags: 3, data: new Uint8Array([0x47, 0x50, 0x4c, 0]) },
      ],
      symbols: [
        {
          name: 'prog',
          section: 'xdp',
          size: code.length * 8 + 8 * code.filter((i) => i.imm64 !== undefined).length,
        },
        { name: 'counter', section: '.data', type: SymbolType.OBJECT, size: 8 },
        { name: 'LICENSE', section: 'license', type: SymbolType.OBJECT, size: 4 },
        { name: 'ext', section: SpecialSection.UNDEF, type: SymbolType.NOTYPE },
        { name: 'abs', section: SpecialSection.ABS, type: SymbolType.NOTYPE },
      ],
      relocations,
    });

  test('a data reference becomes src 6 with the offset in the second slot', () => {
    const obj = loadBpfObject(
      withData([{ ...LDDW, imm: 4, imm64: 4n }, EXIT], {
        xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'counter' }],
      }).bytes,
    );
    expect(obj.programs[0].relocations).toEqual([
      { kind: 'data', insn: 0, symbol: 'counter', dataIndex: 0, mapIndex: 0, offset: 4 },
    ]);
    const [insn] = decode(obj.programs[0].bytes);
    expect([insn.src, insn.imm, Number(insn.imm64! >> 32n)]).toEqual([Lddw.MAP_VALUE_IDX, 0, 4]);
    expect(obj.maps[0]).toMatchObject({ internal: true, section: '.data', valueSize: 8 });
  });

  test('a reference to an empty data section, which has no map, is refused', () => {
    const code = [LDDW, EXIT];
    const built = simple(code, {
      sections: [
        { name: 'xdp', data: encode(code) },
        { name: '.bss', type: SectionType.NOBITS, flags: 3, size: 0 },
        { name: 'license', flags: 3, data: new Uint8Array([0x47, 0x50, 0x4c, 0]) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 24 },
        { name: 'nothing', section: '.bss', type: SymbolType.OBJECT, size: 0 },
      ],
      relocations: { xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'nothing' }] },
    });
    const e = expectElfError(() => loadBpfObject(built.bytes), ELF_BAD_RELOCATION);
    expect(e.message).toContain("'.bss' is empty: no map holds it");
  });

  test('an undefined symbol is reported as an extern and left alone', () => {
    const built = withData([LDDW, insn('call', { imm: -1 }), EXIT], {
      xdp: [
        { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'ext' },
        { offset: 16, type: BpfReloc.R_BPF_64_32, symbol: 'ext' },
      ],
    });
    const [program] = loadBpfObject(built.bytes).programs;
    expect(program.relocations).toEqual([
      { kind: 'extern', insn: 0, symbol: 'ext', instruction: 'lddw' },
      { kind: 'extern', insn: 2, symbol: 'ext', instruction: 'call' },
    ]);
    expect(program.bytes).toEqual(encode([LDDW, insn('call', { imm: -1 }), EXIT]));
  });

  test.each([
    [
      'a symbol index out of range',
      { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 99 },
      ELF_BAD_RELOCATION,
      'symbol index 99',
    ],
    [
      'an offset outside the section',
      { offset: 64, type: BpfReloc.R_BPF_64_64, symbol: 'counter' },
      ELF_BAD_RELOCATION,
      'outside',
    ],
    [
      'an unknown type',
      { offset: 0, type: 77, symbol: 'counter' },
      ELF_BAD_RELOCATION,
      'unknown relocation type',
    ],
    [
      'a misaligned offset',
      { offset: 4, type: BpfReloc.R_BPF_64_ABS32, symbol: 'counter' },
      ELF_BAD_RELOCATION,
      'not at an instruction',
    ],
    [
      'a data type in code',
      { offset: 0, type: BpfReloc.R_BPF_64_ABS64, symbol: 'counter' },
      ELF_BAD_RELOCATION,
      'data relocation type',
    ],
    [
      'a reference to the license',
      { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'LICENSE' },
      ELF_BAD_RELOCATION,
      "'license'",
    ],
    [
      'an absolute symbol',
      { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'abs' },
      ELF_BAD_RELOCATION,
      'absolute',
    ],
    [
      'the second slot of an lddw',
      { offset: 8, type: BpfReloc.R_BPF_64_64, symbol: 'counter' },
      ELF_BAD_RELOCATION,
      'second slot',
    ],
  ] as const)('%s', (_name, relocation, code, text) => {
    const e = expectElfError(
      () => loadBpfObject(withData([LDDW, EXIT, EXIT], { xdp: [relocation] }).bytes),
      code,
    );
    expect(e.message).toContain(text);
    expect(e.message).toContain('.relxdp');
  });

  test('two relocations for one instruction', () => {
    const twice = { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'counter' } as const;
    const e = expectElfError(
      () => loadBpfObject(withData([LDDW, EXIT], { xdp: [twice, twice] }).bytes),
      ELF_BAD_RELOCATION,
    );
    expect(e.message).toContain("relocation 1 (type 1): at 'xdp'+0x0: a second relocation");
  });

  test('data offsets past the section', () => {
    const e = expectElfError(
      () =>
        loadBpfObject(
          withData([{ ...LDDW, imm: 9, imm64: 9n }, EXIT], {
            xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'counter' }],
          }).bytes,
        ),
      ELF_BAD_RELOCATION,
    );
    expect(e.message).toContain("outside '.data'");
  });

  test('relocation sections with a bad link or target', () => {
    const built = withData([LDDW, EXIT], {
      xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'counter' }],
    });
    expectElfError(
      () => parseElf(patch(built, sh(built, '.relxdp', 40), 1n, 4)),
      ELF_BAD_RELOCATION,
    );
    expectElfError(
      () => parseElf(patch(built, sh(built, '.relxdp', 44), 0xffffn, 4)),
      ELF_BAD_RELOCATION,
    );
  });
});

describe('calls', () => {
  const twoSections = (code: Insn[], text: Insn[], textSymbolSize: number) =>
    buildElf({
      sections: [
        { name: 'xdp', data: encode(code) },
        { name: '.text', data: encode(text) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: code.length * 8 },
        { name: 'sub', section: '.text', size: textSymbolSize, bind: 0 },
      ],
      relocations: {
        xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_32, symbol: 'sub' }],
      },
    }).bytes;

  test('a call into .text appends the subprogram and patches the offset', () => {
    const [program] = loadBpfObject(twoSections([CALL_LOCAL(-1), EXIT], [EXIT], 8)).programs;
    expect(program.functions.map((f) => [f.name, f.start])).toEqual([
      ['prog', 0],
      ['sub', 2],
    ]);
    expect(program.bytes.subarray(0, 8)).toEqual(encode([CALL_LOCAL(1)]));
  });

  test('a call past the section or into no function', () => {
    const past = expectElfError(
      () => loadBpfObject(twoSections([CALL_LOCAL(5), EXIT], [EXIT, EXIT], 8)),
      ELF_BAD_CALL,
    );
    expect(past.message).toContain("in program 'prog'");
    expectElfError(
      () => loadBpfObject(twoSections([CALL_LOCAL(0), EXIT], [EXIT, EXIT], 8)),
      ELF_BAD_CALL,
    );
    // An unrelocated local call out of its section.
    expectElfError(() => loadBpfObject(simple([CALL_LOCAL(-5), EXIT]).bytes), ELF_BAD_CALL);
  });

  test('mutual recursion links each function once', () => {
    const bytes = buildElf({
      sections: [
        { name: 'xdp', data: encode([CALL_LOCAL(-1), EXIT]) },
        { name: '.text', data: encode([CALL_LOCAL(1), EXIT, CALL_LOCAL(-3), EXIT]) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 16 },
        { name: 'ping', section: '.text', size: 16, bind: 0 },
        { name: 'pong', section: '.text', value: 16, size: 16, bind: 0 },
      ],
      relocations: { xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_32, symbol: 'ping' }] },
    }).bytes;
    const [program] = loadBpfObject(bytes).programs;
    expect(program.functions.map((f) => f.name)).toEqual(['prog', 'ping', 'pong']);
    expect(program.relocations).toEqual([
      { kind: 'call', insn: 0, function: 'ping', target: 2 },
      { kind: 'call', insn: 2, function: 'pong', target: 4 },
      { kind: 'call', insn: 4, function: 'ping', target: 2 },
    ]);
  });
});

describe('maps and BTF', () => {
  const mapObject = (btf: Uint8Array | undefined, mapsSize = 24) =>
    buildElf({
      sections: [
        { name: 'xdp', data: encode([LDDW, EXIT]) },
        { name: '.maps', flags: 3, data: new Uint8Array(mapsSize) },
        ...(btf ? [{ name: '.BTF', type: SectionType.PROGBITS, flags: 0, data: btf }] : []),
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 24 },
        { name: 'my_map', section: '.maps', type: SymbolType.OBJECT, size: mapsSize },
      ],
      relocations: { xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'my_map' }] },
    }).bytes;

  test('a hand-made BTF-defined map loads', () => {
    const obj = loadBpfObject(
      mapObject(buildBtf(mapRecords('my_map', { type: 2, max_entries: 9 }, { key: true }))),
    );
    expect(obj.maps).toEqual([
      expect.objectContaining({ name: 'my_map', type: 2, keySize: 4, valueSize: 0, maxEntries: 9 }),
    ]);
    expect(obj.programs[0].relocations).toEqual([
      { kind: 'map', insn: 0, symbol: 'my_map', mapIndex: 0 },
    ]);
  });

  test('.maps without .BTF', () => {
    const e = expectElfError(() => loadBpfObject(mapObject(undefined)), ELF_BAD_MAP);
    expect(e.message).toContain('my_map');
  });

  test('a map without a type, or with a key size that disagrees with its key type', () => {
    expectElfError(
      () => loadBpfObject(mapObject(buildBtf(mapRecords('my_map', { max_entries: 1 })))),
      ELF_BAD_MAP,
    );
    const e = expectElfError(
      () =>
        loadBpfObject(
          mapObject(buildBtf(mapRecords('my_map', { type: 1, key_size: 8 }, { key: true }))),
        ),
      ELF_BAD_MAP,
    );
    expect(e.message).toContain('key_size 8');
  });

  test('bad magic, big-endian, bad lengths, unknown kinds, records cut short', () => {
    const good = buildBtf(mapRecords('my_map', { type: 2 }));
    const with_ = (at: number, bytes: number[]) => {
      const b = good.slice();
      b.set(bytes, at);
      return mapObject(b);
    };
    expectElfError(() => loadBpfObject(with_(0, [0, 0])), ELF_BAD_BTF);
    expect(
      expectElfError(() => loadBpfObject(with_(0, [0xeb, 0x9f])), ELF_BAD_BTF).message,
    ).toContain('big-endian');
    expectElfError(() => loadBpfObject(with_(12, [0xff, 0xff, 0xff, 0x7f])), ELF_BAD_BTF);
    expectElfError(() => loadBpfObject(with_(20, [0xff, 0xff, 0xff, 0xff])), ELF_BAD_BTF);
    expectElfError(() => loadBpfObject(with_(24 + 7, [30])), ELF_BAD_BTF); // kind 30 of type 1
    // A huge vlen on the struct: its members would run past the type section.
    const huge = mapRecords('my_map', { type: 2 }).map((r) =>
      r.kind === BtfKind.STRUCT ? { ...r, vlen: 0xffff } : r,
    );
    const e = expectElfError(() => loadBpfObject(mapObject(buildBtf(huge))), ELF_BAD_BTF);
    expect(e.message).toMatch(/record needs \d+ bytes/);
    expectElfError(() => loadBpfObject(mapObject(good.subarray(0, 10))), ELF_BAD_BTF);
  });

  test('cyclic and over-deep type chains', () => {
    // The map variable's type is a typedef cycle: 1 -> 2 -> 1.
    const cyclic = buildBtf([
      { kind: BtfKind.TYPEDEF, name: 'a', sizeOrType: 2 },
      { kind: BtfKind.TYPEDEF, name: 'b', sizeOrType: 1 },
      { kind: BtfKind.VAR, name: 'my_map', sizeOrType: 1, extra: [1] },
      { kind: BtfKind.DATASEC, name: '.maps', vlen: 1, sizeOrType: 24, extra: [3, 0, 24] },
    ]);
    const e = expectElfError(() => loadBpfObject(mapObject(cyclic)), ELF_BTF_TOO_DEEP);
    expect(e.message).toContain('.BTF');
    // A key of nested arrays deeper than the limit.
    const records = mapRecords('my_map', { type: 2 }, { key: true });
    const deep: BtfRecord[] = [{ kind: BtfKind.INT, name: 'int', sizeOrType: 4, extra: [32] }];
    for (let i = 0; i < 40; i++)
      deep.push({ kind: BtfKind.ARRAY, name: '', sizeOrType: 0, extra: [deep.length, 1, 2] });
    const shift = deep.length - 1;
    const moved = records.slice(1).map((r) => ({
      ...r,
      sizeOrType:
        r.kind === BtfKind.PTR && r.sizeOrType === 1
          ? deep.length
          : r.kind === BtfKind.PTR || r.kind === BtfKind.VAR
            ? r.sizeOrType + shift
            : r.sizeOrType,
      extra:
        r.kind === BtfKind.ARRAY
          ? [1, 1, r.extra![2]]
          : r.kind === BtfKind.STRUCT
            ? r.extra!.map((w, i) => (i % 3 === 1 ? (w as number) + shift : w))
            : r.kind === BtfKind.DATASEC
              ? [(r.extra![0] as number) + shift, 0, r.extra![2]]
              : r.extra,
    }));
    expectElfError(() => loadBpfObject(mapObject(buildBtf([...deep, ...moved]))), ELF_BTF_TOO_DEEP);
  });

  test('a type id past the end of the type section', () => {
    const records = mapRecords('my_map', { type: 2 });
    const broken = records.map((r) => (r.kind === BtfKind.VAR ? { ...r, sizeOrType: 999 } : r));
    expect(
      expectElfError(() => loadBpfObject(mapObject(buildBtf(broken))), ELF_BAD_BTF).message,
    ).toContain('type 999');
  });

  test('a legacy map definition too short or past the section', () => {
    const legacy = (size: number, symbolSize: number) =>
      buildElf({
        sections: [
          { name: 'xdp', data: encode([EXIT]) },
          { name: 'maps', flags: 3, data: new Uint8Array(size) },
        ],
        symbols: [
          { name: 'prog', section: 'xdp', size: 8 },
          { name: 'old', section: 'maps', type: SymbolType.OBJECT, size: symbolSize },
        ],
      }).bytes;
    expect(loadBpfObject(legacy(20, 20)).maps).toHaveLength(1);
    expectElfError(() => loadBpfObject(legacy(12, 12)), ELF_BAD_MAP);
    expectElfError(() => loadBpfObject(legacy(16, 20)), ELF_BAD_MAP);
    // Found by fuzzing: a `maps` section whose type says it has no contents.
    const built = buildElf({
      sections: [
        { name: 'xdp', data: encode([EXIT]) },
        { name: 'maps', flags: 3, data: new Uint8Array(20) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 8 },
        { name: 'old', section: 'maps', type: SymbolType.OBJECT, size: 20 },
      ],
    });
    const e = expectElfError(
      () => loadBpfObject(patch(built, sh(built, 'maps', 4), 0n, 4)),
      ELF_BAD_MAP,
    );
    expect(e.message).toContain('no contents');
  });
});

describe('global data', () => {
  test('each non-empty section is an internal map after the declared ones, named as libbpf does', () => {
    const code = [LDDW, LDDW, EXIT];
    const built = buildElf({
      sections: [
        { name: 'xdp', data: encode(code) },
        {
          name: 'maps',
          flags: 3,
          data: Uint8Array.of(2, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0),
        },
        { name: '.rodata', flags: 2, data: Uint8Array.of(1, 2, 3, 4) },
        { name: '.data.my-knobs', flags: 3, data: Uint8Array.of(9, 9) },
        { name: '.bss', type: SectionType.NOBITS, flags: 3, size: 0 },
        { name: '.bss.big', type: SectionType.NOBITS, flags: 3, size: 12 },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 40 },
        { name: 'table', section: 'maps', type: SymbolType.OBJECT, size: 20 },
        { name: 'knob', section: '.rodata', type: SymbolType.OBJECT, size: 4 },
        { name: 'scratch', section: '.bss.big', type: SymbolType.OBJECT, size: 12 },
      ],
      relocations: {
        xdp: [
          { offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'table' },
          { offset: 16, type: BpfReloc.R_BPF_64_64, symbol: 'scratch' },
        ],
      },
    });
    const obj = loadBpfObject(built.bytes, { name: 'my object file' });
    expect(obj.maps.map((m) => [m.name, m.source, m.valueSize, m.flags, m.internal])).toEqual([
      ['table', 'legacy', 8, 0, undefined],
      ['my_objec.rodata', 'internal', 4, 0x80, true], // BPF_F_RDONLY_PROG; no BTF, no MMAPABLE
      ['.data.my_knobs', 'internal', 2, 0, true], // two dots: no prefix; '-' sanitised
      ['.bss.big', 'internal', 12, 0, true], // the empty .bss has no map
    ]);
    expect(obj.maps.slice(1).map((m) => [m.type, m.keySize, m.maxEntries, m.dataIndex])).toEqual([
      [2, 4, 1, 0],
      [2, 4, 1, 1],
      [2, 4, 1, 3],
    ]);
    expect(obj.maps[1].initialValue).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(obj.maps[3].initialValue).toBeUndefined(); // .bss starts zeroed
    expect(obj.data.map((d) => d.mapIndex)).toEqual([1, 2, undefined, 3]);
    const [table, scratch] = decode(obj.programs[0].bytes);
    expect([table.src, table.imm]).toEqual([Lddw.MAP_IDX, 0]);
    expect([scratch.src, scratch.imm, scratch.imm64! >> 32n]).toEqual([Lddw.MAP_VALUE_IDX, 3, 0n]);
  });

  test('a .bss beyond the limit is refused, not allocated', () => {
    const bss = (size: number) =>
      buildElf({
        sections: [
          { name: 'xdp', data: encode([EXIT]) },
          { name: '.bss', type: SectionType.NOBITS, flags: 3, size },
        ],
        symbols: [{ name: 'prog', section: 'xdp', size: 8 }],
      }).bytes;
    expect(loadBpfObject(bss(64)).data[0]).toMatchObject({
      name: '.bss',
      size: 64,
      readOnly: false,
    });
    const e = expectElfError(() => loadBpfObject(bss(2 ** 40)), ELF_DATA_TOO_LARGE);
    expect(e.message).toContain("'.bss'");
    expectElfError(() => loadBpfObject(bss(4096), { maxBssSize: 1024 }), ELF_DATA_TOO_LARGE);
  });

  test('the limit applies to all zero-filled sections together', () => {
    const sections = Array.from({ length: 20 }, (_, i) => ({
      name: `.bss.s${i}`,
      type: SectionType.NOBITS,
      flags: 3,
      size: 1024,
    }));
    const bytes = buildElf({
      sections: [{ name: 'xdp', data: encode([EXIT]) }, ...sections],
      symbols: [{ name: 'prog', section: 'xdp', size: 8 }],
    }).bytes;
    expect(loadBpfObject(bytes, { maxBssSize: 20 * 1024 }).data).toHaveLength(20);
    const e = expectElfError(
      () => loadBpfObject(bytes, { maxBssSize: 19 * 1024 }),
      ELF_DATA_TOO_LARGE,
    );
    expect(e.message).toContain('.bss.s19');
  });
});

describe('output bounded by the input', () => {
  test('linked programs over the object allowance', () => {
    const bytes = readFixture('two-programs');
    expect(loadBpfObject(bytes, { maxLinkedSlots: 59 }).programs).toHaveLength(3);
    const e = expectElfError(
      () => loadBpfObject(bytes, { maxLinkedSlots: 58 }),
      ELF_PROGRAM_TOO_LARGE,
    );
    expect(e.context).toMatchObject({ program: 'probe_open', limit: 'object', max: 16 });
  });

  test('many programs sharing one big subprogram cannot make the output quadratic', () => {
    // 1100 programs each calling a 4000-slot function: 4.4 Mi slots if each got its copy.
    const programs = 1100;
    const text = encode([...Array.from({ length: 3999 }, () => insn('mov64_imm')), EXIT]);
    const entry = encode([CALL_LOCAL(-1), EXIT]);
    const code = new Uint8Array(programs * entry.length);
    for (let i = 0; i < programs; i++) code.set(entry, i * entry.length);
    const bytes = buildElf({
      sections: [
        { name: 'xdp', data: code },
        { name: '.text', data: text },
      ],
      symbols: [
        { name: 'big', section: '.text', size: text.length, bind: 0 },
        ...Array.from({ length: programs }, (_, i) => ({
          name: `p${i}`,
          section: 'xdp',
          value: i * 16,
          size: 16,
        })),
      ],
      relocations: {
        xdp: Array.from({ length: programs }, (_, i) => ({
          offset: i * 16,
          type: BpfReloc.R_BPF_64_32,
          symbol: 'big',
        })),
      },
    }).bytes;
    const e = expectElfError(() => loadBpfObject(bytes), ELF_PROGRAM_TOO_LARGE);
    expect(e.context.limit).toBe('object');
  });

  test('more legacy maps than a function call takes arguments', () => {
    const count = 150_000;
    const bytes = buildElf({
      sections: [
        { name: 'xdp', data: encode([EXIT]) },
        { name: 'maps', flags: 3, data: new Uint8Array(count * 16) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 8 },
        ...Array.from({ length: count }, (_, i) => ({
          name: 'm',
          section: 'maps',
          type: SymbolType.OBJECT,
          value: i * 16,
          size: 16,
        })),
      ],
    }).bytes;
    const obj = loadBpfObject(bytes);
    expect(obj.maps).toHaveLength(count);
    expect(obj.maps[count - 1].offset).toBe((count - 1) * 16);
  }, 60_000);

  test('many map variables of one struct type are read once', () => {
    const count = 3000;
    const fields = Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));
    const records = mapRecords('my_map', { type: 2, ...fields });
    const datasec = records[records.length - 1];
    const varId = records.length - 1;
    const secinfos = Array.from({ length: count }, () => [varId, 0, 8]).flat();
    records[records.length - 1] = { ...datasec, vlen: count, extra: secinfos };
    const bytes = buildElf({
      sections: [
        { name: 'xdp', data: encode([EXIT]) },
        { name: '.maps', flags: 3, data: new Uint8Array(8) },
        { name: '.BTF', flags: 0, data: buildBtf(records) },
      ],
      symbols: [
        { name: 'prog', section: 'xdp', size: 8 },
        { name: 'my_map', section: '.maps', type: SymbolType.OBJECT, size: 8 },
      ],
    }).bytes;
    const obj = loadBpfObject(bytes);
    expect(obj.maps).toHaveLength(count);
    expect(obj.maps[count - 1]).toMatchObject({ index: count - 1, name: 'my_map', type: 2 });
  });
});
