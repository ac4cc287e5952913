/**
 * Whole programs: bytes to one entry per instruction, and to text. Bad instructions never stop a
 * listing; they print as `.8byte 0x...` (rbpf syntax: the slot as a little-endian 64-bit value)
 * or `<unknown>` (LLVM syntax, as llvm-objdump prints them), one slot each, and the listing goes on
 * with the next slot.
 */
import {
  branchTarget,
  type DecodedInsn,
  decodeAt,
  INSN_SIZE,
  isEbpfError,
  readSlot,
} from '@ebpf/isa';
import { DISASM_PROGRAM_LENGTH, DisasmError } from './disasm-errors.js';
import type { DisasmOptions, FormatContext } from './disasm-options.js';
import { formatWith } from './format-insn.js';
import { LLVM_UNKNOWN } from './format-llvm.js';

/** One instruction of a listing, with its fields (like rbpf's `to_insn_vec` entries). */
export interface DisasmEntry {
  /** Index of the instruction's first slot. */
  readonly pc: number;
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  /** Signed 32-bit immediate (for `lddw`, the low half). */
  readonly imm: number;
  /** `lddw` only: the full 64-bit immediate, unsigned. */
  readonly imm64?: bigint;
  /** Slots the instruction takes (2 for `lddw`; 1 for a slot that did not decode). */
  readonly slots: 1 | 2;
  /** The table row's name (`add64_imm`), or `undefined` when the slot did not decode. */
  readonly form: string | undefined;
  /** The printed instruction. */
  readonly text: string;
  /** Label placed at this instruction (`labels: true` and some jump goes here). */
  readonly label?: string;
  /** Why the slot did not decode (the decoder's message), when it did not. */
  readonly problem?: string;
  /** The decoded instruction, when the slot decoded. */
  readonly insn?: DecodedInsn;
}

/** The text printed for a slot that is no instruction. */
export function formatUnknownSlot(
  bytes: Uint8Array,
  pc: number,
  options: DisasmOptions = {},
): string {
  if (options.syntax === 'llvm') return LLVM_UNKNOWN;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pc * INSN_SIZE, INSN_SIZE);
  return `.8byte 0x${view.getBigUint64(0, true).toString(16).padStart(16, '0')}`;
}

type Decoded = { insn: DecodedInsn } | { pc: number; problem: string };

function decodeAll(bytes: Uint8Array): Decoded[] {
  if (bytes.byteLength % INSN_SIZE !== 0) {
    throw new DisasmError(DISASM_PROGRAM_LENGTH, { byteLength: bytes.byteLength });
  }
  const slots = bytes.byteLength / INSN_SIZE;
  const out: Decoded[] = [];
  for (let pc = 0; pc < slots; ) {
    try {
      const insn = decodeAt(bytes, pc);
      out.push({ insn });
      pc += insn.row.slots;
    } catch (e) {
      if (!isEbpfError(e)) throw e;
      out.push({ pc, problem: e.message });
      pc += 1;
    }
  }
  return out;
}

function placeLabels(decoded: readonly Decoded[]): Map<number, string> {
  const starts = new Set<number>();
  for (const d of decoded) starts.add('insn' in d ? d.insn.pc : d.pc);
  const labels = new Map<number, string>();
  for (const d of decoded) {
    if (!('insn' in d)) continue;
    const t = branchTarget(d.insn);
    if (t !== undefined && starts.has(t)) labels.set(t, `L${t}`);
  }
  return labels;
}

/**
 * One entry per instruction (a `lddw` is one entry of two slots).
 *
 * @throws DisasmError (DISASM_PROGRAM_LENGTH) when the length is not a multiple of 8.
 * @example
 * disassembleInsns(bytes).map((e) => e.text); // ['lddw r0, 0x1122334455667788', 'exit']
 */
export function disassembleInsns(bytes: Uint8Array, options: DisasmOptions = {}): DisasmEntry[] {
  const decoded = decodeAll(bytes);
  const labels = options.labels ? placeLabels(decoded) : new Map<number, string>();
  const ctx: FormatContext = { options, labelAt: (pc) => labels.get(pc) };
  return decoded.map((d): DisasmEntry => {
    if ('insn' in d) {
      const { insn } = d;
      const label = labels.get(insn.pc);
      return {
        pc: insn.pc,
        opcode: insn.opcode,
        dst: insn.dst,
        src: insn.src,
        off: insn.off,
        imm: insn.imm,
        ...(insn.imm64 === undefined ? {} : { imm64: insn.imm64 }),
        slots: insn.row.slots,
        form: insn.row.name,
        text: formatWith(insn, ctx),
        ...(label === undefined ? {} : { label }),
        insn,
      };
    }
    const slot = readSlot(bytes, d.pc);
    const label = labels.get(d.pc);
    return {
      pc: d.pc,
      ...slot,
      slots: 1,
      form: undefined,
      text: formatUnknownSlot(bytes, d.pc, options),
      ...(label === undefined ? {} : { label }),
      problem: d.problem,
    };
  });
}

/**
 * The program as text, one instruction per line (no trailing newline); with `labels`, a `L<pc>:`
 * line before each jump target.
 *
 * @throws DisasmError (DISASM_PROGRAM_LENGTH) when the length is not a multiple of 8.
 * @example
 * disassemble(bytes);                     // 'add64 r1, 0x605\nexit'
 * disassemble(bytes, { syntax: 'llvm' }); // 'r1 += 0x605\nexit'
 */
export function disassemble(bytes: Uint8Array, options: DisasmOptions = {}): string {
  const lines: string[] = [];
  for (const entry of disassembleInsns(bytes, options)) {
    if (entry.label !== undefined) lines.push(`${entry.label}:`);
    lines.push(entry.text);
  }
  return lines.join('\n');
}
