import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISASM_PROGRAM_LENGTH,
  DisasmError,
  disassemble,
  disassembleInsns,
  LLVM_UNKNOWN,
} from '../src/index.js';

describe('random bytes only ever give text, or a typed error for a bad length', () => {
  it('whole slots of random bytes always print, one entry per slot or lddw', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 24 })
          .chain((n) => fc.uint8Array({ minLength: n * 8, maxLength: n * 8 })),
        fc.constantFrom('rbpf', 'llvm'),
        fc.boolean(),
        (bytes, syntax, labels) => {
          const entries = disassembleInsns(bytes, { syntax, labels });
          // The entries tile the program: each starts where the previous one ended.
          let pc = 0;
          for (const e of entries) {
            expect(e.pc).toBe(pc);
            expect(typeof e.text).toBe('string');
            expect(e.text.length).toBeGreaterThan(0);
            if (e.form === undefined) {
              expect(e.problem).toBeTruthy();
              expect(e.text).toMatch(syntax === 'llvm' ? LLVM_UNKNOWN : /^\.8byte 0x[0-9a-f]{16}$/);
            }
            pc += e.slots;
          }
          expect(pc * 8).toBe(bytes.length);
          expect(typeof disassemble(bytes, { syntax, labels })).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random opcode bytes with plausible fields (mostly known forms) always print', () => {
    const slot = fc.tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xff }),
      fc.integer({ min: -0x8000, max: 0x7fff }),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    );
    fc.assert(
      fc.property(
        fc.array(slot, { maxLength: 16 }),
        fc.constantFrom('rbpf', 'llvm'),
        (slots, syntax) => {
          const bytes = new Uint8Array(slots.length * 8);
          const view = new DataView(bytes.buffer);
          slots.forEach(([op, regs, off, imm], i) => {
            view.setUint8(i * 8, op);
            view.setUint8(i * 8 + 1, regs);
            view.setInt16(i * 8 + 2, off, true);
            view.setInt32(i * 8 + 4, imm, true);
          });
          const entries = disassembleInsns(bytes, { syntax, labels: true });
          const text = disassemble(bytes, { syntax, labels: true });
          const lines = text === '' ? [] : text.split('\n');
          // One line per entry plus one per label, and each label names a slot that starts an entry.
          const labels = lines.filter((l) => /^L\d+:$/.test(l));
          expect(lines.length).toBe(entries.length + labels.length);
          const starts = new Set(entries.map((e) => e.pc));
          for (const l of labels) expect(starts.has(Number(l.slice(1, -1)))).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a length that is not a multiple of 8 is a DisasmError naming the length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).filter((b) => b.length % 8 !== 0),
        fc.constantFrom('rbpf', 'llvm'),
        (bytes, syntax) => {
          let error: unknown;
          try {
            disassemble(bytes, { syntax });
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DisasmError);
          expect(isEbpfError(error, DISASM_PROGRAM_LENGTH)).toBe(true);
          expect((error as DisasmError).context).toEqual({ byteLength: bytes.length });
          expect((error as DisasmError).message).toContain(`${bytes.length} bytes`);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('slots that are no instruction', () => {
  it('an unknown opcode prints as .8byte (rbpf) or <unknown> (LLVM) and the listing goes on', () => {
    const bytes = new Uint8Array([0xff, 1, 2, 3, 4, 5, 6, 7, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    expect(disassemble(bytes)).toBe('.8byte 0x07060504030201ff\nexit');
    expect(disassemble(bytes, { syntax: 'llvm' })).toBe('<unknown>\nexit');
    const [bad] = disassembleInsns(bytes);
    expect(bad.form).toBeUndefined();
    expect(bad.problem).toContain('unknown opcode 0xff');
  });

  it('a truncated lddw at the end prints as one unknown slot', () => {
    const bytes = new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0, 0x18, 1, 0, 0, 5, 0, 0, 0]);
    expect(disassemble(bytes)).toBe('exit\n.8byte 0x0000000500000118');
    expect(disassembleInsns(bytes)[1].problem).toContain('two instruction slots');
  });

  it('a lddw with a bad second slot prints its first slot as unknown, then decodes the second', () => {
    const bytes = new Uint8Array([0x18, 1, 0, 0, 5, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    expect(disassemble(bytes)).toBe('.8byte 0x0000000500000118\nexit');
  });

  it('registers above r11 are unknown to LLVM but printed by rbpf', () => {
    const bytes = new Uint8Array([0xb7, 0x0c, 0, 0, 1, 0, 0, 0]);
    expect(disassemble(bytes)).toBe('mov64 r12, 0x1');
    expect(disassemble(bytes, { syntax: 'llvm' })).toBe('<unknown>');
  });

  it('an empty program is an empty listing', () => {
    expect(disassemble(new Uint8Array(0))).toBe('');
    expect(disassembleInsns(new Uint8Array(0))).toEqual([]);
  });
});
