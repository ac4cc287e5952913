/**
 * Hostile input: mutated fixture objects (bit flips, truncations, overwrites of header, section
 * header, symbol, relocation and BTF fields with boundary values) must give an object or an
 * ElfError, never another exception, a hang or an outsized allocation.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type BpfObject,
  BpfReloc,
  ElfError,
  loadBpfObject,
  parseElf,
  SectionType,
  SymbolType,
} from '../src/index.js';
import { buildElf } from './support/build-elf.js';
import { FIXTURES, readFixture } from './support/fixtures.js';

interface Region {
  readonly start: number;
  readonly length: number;
}

const fixtures = FIXTURES.map((name) => {
  const bytes = readFixture(name);
  const elf = parseElf(bytes);
  const of = (type: number) =>
    elf.sections.filter((s) => s.type === type).map((s) => ({ start: s.offset, length: s.size }));
  // The structures a loader trusts most: where a wrong number does the most damage.
  const regions: Region[] = [
    { start: 0, length: 64 },
    { start: elf.header.sectionHeaderOffset, length: elf.header.sectionCount * 64 },
    ...of(SectionType.SYMTAB),
    ...of(SectionType.REL),
    ...elf.sections
      .filter((s) => s.name === '.BTF' || s.name === '.maps' || s.name === 'maps')
      .map((s) => ({ start: s.offset, length: s.size })),
  ].filter((r) => r.length > 0);
  return { name, bytes, regions };
});

const BOUNDARY = [
  0n,
  1n,
  7n,
  8n,
  0x7fn,
  0x80n,
  0xffn,
  0xffffn,
  0x7fff_ffffn,
  0x8000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  0x8000_0000_0000_0000n,
  0xffff_ffff_ffff_ffffn,
];
const value = fc.oneof(fc.constantFrom(...BOUNDARY), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

/** Loads `bytes` and checks the outcome is one of the two allowed ones. */
function loadsOrRefuses(bytes: Uint8Array): 'loaded' | 'refused' {
  let obj: BpfObject;
  try {
    obj = loadBpfObject(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    expect(e.code).toBeGreaterThanOrEqual(8000);
    expect(e.code).toBeLessThan(9000);
    expect(e.kind).toBe('load');
    expect(e.message.length).toBeGreaterThan(10);
    return 'refused';
  }
  // Nothing bigger than the file came out of it, except zero-filled .bss within its limit.
  for (const p of obj.programs) {
    expect(p.bytes.length % 8).toBe(0);
    expect(p.bytes.length).toBeLessThanOrEqual(bytes.length);
  }
  for (const d of obj.data) {
    if (d.kind !== 'bss') expect(d.size).toBeLessThanOrEqual(bytes.length);
    expect(d.bytes.length).toBe(d.size);
  }
  return 'loaded';
}

/** A guard for a loaded machine (the suite runs in well under a second each), not a timing check. */
const FUZZ_TIMEOUT = 60_000;

describe('mutated fixtures load or fail with an ElfError', () => {
  const outcomes = { loaded: 0, refused: 0 };

  test(
    'random bit flips anywhere',
    () => {
      fc.assert(
        fc.property(
          fc.nat(fixtures.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.nat(7)), { minLength: 1, maxLength: 8 }),
          (which, flips) => {
            const bytes = fixtures[which].bytes.slice();
            for (const [at, bit] of flips) bytes[at % bytes.length] ^= 1 << bit;
            outcomes[loadsOrRefuses(bytes)]++;
          },
        ),
        { numRuns: 1500 },
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'truncation at every length class',
    () => {
      fc.assert(
        fc.property(fc.nat(fixtures.length - 1), fc.nat(), (which, cut) => {
          const bytes = fixtures[which].bytes;
          outcomes[loadsOrRefuses(bytes.subarray(0, cut % bytes.length))]++;
        }),
        { numRuns: 500 },
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'boundary values written over header, section header, symbol, relocation and BTF fields',
    () => {
      fc.assert(
        fc.property(
          fc.nat(fixtures.length - 1),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(1, 2, 4, 8), value), {
            minLength: 1,
            maxLength: 4,
          }),
          (which, edits) => {
            const { bytes: original, regions } = fixtures[which];
            const bytes = original.slice();
            const view = new DataView(bytes.buffer);
            for (const [r, pos, width, v] of edits) {
              const region = regions[r % regions.length];
              // Align the write to its width inside the region, as fields are.
              const at = region.start + Math.floor((pos % region.length) / width) * width;
              if (at + width > bytes.length) continue;
              if (width === 8) view.setBigUint64(at, v, true);
              else if (width === 4) view.setUint32(at, Number(v & 0xffff_ffffn), true);
              else if (width === 2) view.setUint16(at, Number(v & 0xffffn), true);
              else view.setUint8(at, Number(v & 0xffn));
            }
            outcomes[loadsOrRefuses(bytes)]++;
          },
        ),
        { numRuns: 2000 },
      );
    },
    FUZZ_TIMEOUT,
  );

  test(
    'random code, symbols and relocations in a well-formed file',
    () => {
      const slot = fc.tuple(
        fc.constantFrom(0x18, 0x85, 0x95, 0xb7, 0x00, 0x8d, 0xff),
        fc.nat(0xff),
        fc.integer({ min: -4, max: 4 }),
        fc.integer({ min: -6, max: 40 }),
      );
      const sections = ['xdp', '.text', '.data', '.maps', 'maps', 'license'] as const;
      fc.assert(
        fc.property(
          fc.array(slot, { minLength: 1, maxLength: 12 }),
          fc.array(slot, { minLength: 0, maxLength: 12 }),
          fc.array(
            fc.record({
              section: fc.constantFrom(...sections, 0, 0xfff1),
              value: fc.constantFrom(0, 4, 8, 16, 20, 64),
              size: fc.constantFrom(0, 8, 16, 20, 24, 96),
              type: fc.constantFrom(
                SymbolType.FUNC,
                SymbolType.OBJECT,
                SymbolType.SECTION,
                SymbolType.NOTYPE,
              ),
              bind: fc.nat(2),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          fc.array(
            fc.record({
              in: fc.constantFrom('xdp', '.text'),
              offset: fc.constantFrom(0, 8, 16, 24, 32, 12, 80),
              type: fc.constantFrom(...Object.values(BpfReloc)),
              symbol: fc.nat(6),
            }),
            { maxLength: 6 },
          ),
          (prog, text, symbols, relocations) => {
            const code = (slots: typeof prog) => {
              const out = new Uint8Array(slots.length * 8);
              const view = new DataView(out.buffer);
              slots.forEach(([op, regs, off, imm], i) => {
                out[i * 8] = op;
                out[i * 8 + 1] = regs;
                view.setInt16(i * 8 + 2, off, true);
                view.setInt32(i * 8 + 4, imm, true);
              });
              return out;
            };
            const named = symbols.map((s, i) => ({ ...s, name: `s${i}` }));
            const groups: Record<string, { offset: number; type: number; symbol: number }[]> = {};
            for (const r of relocations) {
              groups[r.in] ??= [];
              groups[r.in].push({
                offset: r.offset,
                type: r.type,
                symbol: r.symbol % (named.length + 1),
              });
            }
            const built = buildElf({
              sections: [
                { name: 'xdp', data: code(prog) },
                { name: '.text', data: code(text) },
                { name: '.data', flags: 3, data: new Uint8Array(24) },
                { name: '.maps', flags: 3, data: new Uint8Array(24) },
                { name: 'maps', flags: 3, data: new Uint8Array(40) },
                { name: 'license', flags: 3, data: new Uint8Array([0x47, 0x50, 0x4c, 0]) },
              ],
              symbols: [{ name: 'entry', section: 'xdp', size: prog.length * 8 }, ...named],
              relocations: Object.fromEntries(
                Object.entries(groups).map(([k, v]) => [
                  k,
                  v.map((r) => ({ ...r, symbol: r.symbol + 1 })),
                ]),
              ),
            });
            outcomes[loadsOrRefuses(built.bytes)]++;
          },
        ),
        { numRuns: 1000 },
      );
    },
    FUZZ_TIMEOUT,
  );

  test('both outcomes happened: the mutations reach past the first check', () => {
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.loaded).toBeGreaterThan(100);
  });
});
