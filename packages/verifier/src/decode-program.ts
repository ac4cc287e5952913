/**
 * Decoding for verifiers: unlike `decode` from `@ebpf/isa`, this goes on past a bad instruction
 * so that every problem in a program is reported, not only the first.
 */
import {
  type DecodedInsn,
  decodeAt,
  INSN_SIZE,
  ISA_LDDW_SECOND_SLOT,
  ISA_LDDW_TRUNCATED,
  isEbpfError,
  lookupRow,
  MAX_PROGRAM_INSNS,
  ROWS_BY_OPCODE,
  readSlot,
} from '@ebpf/isa';
import { createProblem } from './problem.js';
import type { VerifyProblem } from './verifier.js';
import {
  VERIFY_BAD_ENDIAN_WIDTH,
  VERIFY_EMPTY_PROGRAM,
  VERIFY_LDDW_SECOND_SLOT,
  VERIFY_LDDW_SUBTYPE,
  VERIFY_LDDW_TRUNCATED,
  VERIFY_PROGRAM_LENGTH,
  VERIFY_PROGRAM_TOO_LONG,
  VERIFY_UNKNOWN_OPCODE,
} from './verify-errors.js';

/** A program as verifiers see it. */
export interface DecodedProgram {
  /** Number of 8-byte slots. */
  readonly slots: number;
  /** Every instruction that decoded, in order. */
  readonly insns: readonly DecodedInsn[];
  /** The instruction starting at each slot (undefined for an lddw's second slot or a bad slot). */
  readonly at: readonly (DecodedInsn | undefined)[];
  /** Slots that are the second half of an `lddw`. */
  readonly secondSlot: Uint8Array;
  /** Problems found while decoding. */
  readonly problems: readonly VerifyProblem[];
}

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function slotText(bytes: Uint8Array, pc: number): string {
  return Array.from(bytes.subarray(pc * INSN_SIZE, pc * INSN_SIZE + INSN_SIZE), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join(' ');
}

/**
 * Decodes every slot it can; a bad slot becomes a problem and decoding resumes at the next one.
 *
 * @example
 * const { insns, problems } = decodeProgram(bytes);
 */
export function decodeProgram(bytes: Uint8Array): DecodedProgram {
  const problems: VerifyProblem[] = [];
  if (bytes.byteLength % INSN_SIZE !== 0) {
    problems.push(
      createProblem(
        VERIFY_PROGRAM_LENGTH,
        undefined,
        `program is ${bytes.byteLength} bytes long, not a whole number of 8-byte instructions`,
      ),
    );
  }
  const slots = Math.floor(bytes.byteLength / INSN_SIZE);
  if (slots === 0) {
    problems.push(createProblem(VERIFY_EMPTY_PROGRAM, undefined, 'program has no instructions'));
  }
  if (slots > MAX_PROGRAM_INSNS) {
    problems.push(
      createProblem(
        VERIFY_PROGRAM_TOO_LONG,
        undefined,
        `program has ${slots} instruction slots; at most ${MAX_PROGRAM_INSNS} are allowed`,
      ),
    );
    return { slots, insns: [], at: [], secondSlot: new Uint8Array(0), problems };
  }
  const whole = bytes.subarray(0, slots * INSN_SIZE);
  const insns: DecodedInsn[] = [];
  const at: (DecodedInsn | undefined)[] = new Array(slots).fill(undefined);
  const secondSlot = new Uint8Array(slots);
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  for (let pc = 0; pc < slots; ) {
    let insn: DecodedInsn | undefined;
    // Fast path for one-slot instructions: no intermediate objects.
    const at8 = pc * INSN_SIZE;
    const opcode = whole[at8];
    const regs = whole[at8 + 1];
    const off = view.getInt16(at8 + 2, true);
    const imm = view.getInt32(at8 + 4, true);
    const fast = lookupRow(opcode, regs >> 4, off, imm);
    if (fast && fast.slots === 1) {
      insn = { opcode, dst: regs & 0x0f, src: regs >> 4, off, imm, row: fast, pc };
      insns.push(insn);
      at[pc] = insn;
      pc += 1;
      continue;
    }
    try {
      insn = decodeAt(whole, pc);
    } catch (e) {
      const slot = readSlot(whole, pc);
      const text = slotText(whole, pc);
      if (isEbpfError(e, ISA_LDDW_TRUNCATED)) {
        problems.push(
          createProblem(
            VERIFY_LDDW_TRUNCATED,
            pc,
            'lddw needs two slots but the program ends after its first',
            { text },
          ),
        );
        break;
      }
      if (isEbpfError(e, ISA_LDDW_SECOND_SLOT)) {
        const row = lookupRow(slot.opcode, slot.src, slot.off, slot.imm)!;
        insn = { ...slot, row, pc, imm64: BigInt(slot.imm >>> 0) };
        problems.push(
          createProblem(
            VERIFY_LDDW_SECOND_SLOT,
            pc + 1,
            'the second slot of lddw must be all zero but for the upper 32 bits of the immediate',
            { text: slotText(whole, pc + 1) },
          ),
        );
      } else {
        const op = slot.opcode;
        const family = ROWS_BY_OPCODE[op][0]?.kind;
        if (family === 'lddw') {
          problems.push(
            createProblem(
              VERIFY_LDDW_SUBTYPE,
              pc,
              `lddw has no source subtype ${slot.src} (0-6 exist)`,
              { text },
            ),
          );
          // Still two slots: skip the upper half so it is not decoded as an instruction.
          if (pc + 1 < slots) secondSlot[pc + 1] = 1;
          pc += 2;
          continue;
        }
        if (family === 'endian') {
          problems.push(
            createProblem(
              VERIFY_BAD_ENDIAN_WIDTH,
              pc,
              `byte swap width must be 16, 32 or 64, not ${slot.imm}`,
              { text },
            ),
          );
        } else {
          problems.push(
            createProblem(
              VERIFY_UNKNOWN_OPCODE,
              pc,
              family !== undefined
                ? `opcode ${hex(op)} has no form with these fields (src ${slot.src}, offset ${slot.off}, imm ${slot.imm})`
                : `unknown opcode ${hex(op)}`,
              { text },
            ),
          );
        }
        pc += 1;
        continue;
      }
    }
    insns.push(insn);
    at[pc] = insn;
    if (insn.row.slots === 2) secondSlot[pc + 1] = 1;
    pc += insn.row.slots;
  }
  return { slots, insns, at, secondSlot, problems };
}
