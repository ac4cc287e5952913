/**
 * A program as the JIT sees it: one entry per 8-byte slot, decoded leniently, with the same
 * reading as the VM's interpreter. Slots that cannot run (no such form, a register beyond r10, a
 * jump or call out of the program, an unresolved `lddw`, a call by BTF id) are kept and marked
 * with a trap, because an unverified program must fault at run time exactly where and when the
 * interpreter faults, not earlier.
 */
import { FRAME_POINTER, INSN_SIZE, lookupRow, type OpcodeRow, readSlot } from '@ebpf/isa';

/** Why a slot cannot run. */
export const Trap = Object.freeze({
  NONE: 0,
  /** No form of the table (or an `lddw` without its second slot): VM_UNKNOWN_OPCODE. */
  UNKNOWN_OPCODE: 1,
  /** An operand register beyond r10: VM_BAD_REGISTER (`trapArg` = the register). */
  BAD_REGISTER: 2,
  /** A jump or local call outside the program: VM_BAD_JUMP (`trapArg` = the target). */
  BAD_TARGET: 3,
  /** `lddw` with a map/variable/code subtype: VM_UNRESOLVED_LDDW (`trapArg` = src). */
  UNRESOLVED_LDDW: 4,
  /** `call` by BTF id: VM_UNSUPPORTED. */
  UNSUPPORTED: 5,
} as const);

/** The decoded slots of one program, in parallel arrays indexed by slot (pc). */
export interface ProgramModel {
  /** Number of slots. */
  readonly length: number;
  /** The form at each slot, or `undefined` for no instruction (and for `lddw` second halves). */
  readonly rows: readonly (OpcodeRow | undefined)[];
  readonly opcode: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int16Array;
  readonly imm: Int32Array;
  /** For `lddw`: the upper 32 bits of the immediate (the next slot's imm). */
  readonly immHi: Int32Array;
  /** 1 where the slot is the second half of an `lddw`. */
  readonly tail: Uint8Array;
  /** A {@link Trap} code per slot. */
  readonly trap: Uint8Array;
  /** The trap's detail (register, target, subtype). */
  readonly trapArg: Int32Array;
}

/** The slot a jump at `pc` goes to (ja32 takes its offset from the immediate). */
function relativeTarget(row: OpcodeRow, pc: number, off: number, imm: number): number {
  const rel = row.op === 'call_local' || (row.kind === 'ja' && row.width === 32) ? imm : off;
  return pc + 1 + rel;
}

/**
 * Decodes every slot of `bytes` without throwing.
 *
 * @example
 * const m = modelProgram(bytes);
 * m.rows[0]?.name; // 'mov64_imm'
 */
export function modelProgram(bytes: Uint8Array): ProgramModel {
  const length = Math.floor(bytes.byteLength / INSN_SIZE);
  const rows: (OpcodeRow | undefined)[] = new Array(length).fill(undefined);
  const opcode = new Uint8Array(length);
  const dst = new Uint8Array(length);
  const src = new Uint8Array(length);
  const off = new Int16Array(length);
  const imm = new Int32Array(length);
  const immHi = new Int32Array(length);
  const tail = new Uint8Array(length);
  const trap = new Uint8Array(length);
  const trapArg = new Int32Array(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pc = 0; pc < length; pc++) {
    const at = pc * INSN_SIZE;
    opcode[pc] = view.getUint8(at);
    const regs = view.getUint8(at + 1);
    dst[pc] = regs & 0x0f;
    src[pc] = regs >> 4;
    off[pc] = view.getInt16(at + 2, true);
    imm[pc] = view.getInt32(at + 4, true);
  }
  for (let pc = 0; pc < length; pc++) {
    if (tail[pc] === 1) continue;
    const row = lookupRow(opcode[pc], src[pc], off[pc], imm[pc]);
    if (row === undefined) {
      trap[pc] = Trap.UNKNOWN_OPCODE;
      continue;
    }
    rows[pc] = row;
    const badDst = row.uses.includes('dst') && dst[pc] > FRAME_POINTER;
    const badSrc = row.uses.includes('src') && src[pc] > FRAME_POINTER;
    if (badDst || badSrc) {
      trap[pc] = Trap.BAD_REGISTER;
      trapArg[pc] = badDst ? dst[pc] : src[pc];
      continue;
    }
    if (row.kind === 'lddw') {
      if (pc + 1 >= length) {
        trap[pc] = Trap.UNKNOWN_OPCODE;
        continue;
      }
      immHi[pc] = readSlot(bytes, pc + 1).imm;
      tail[pc + 1] = 1;
      if (row.match.src !== 0) {
        trap[pc] = Trap.UNRESOLVED_LDDW;
        trapArg[pc] = src[pc];
      }
    } else if (row.kind === 'ja' || row.kind === 'jcond' || row.op === 'call_local') {
      const target = relativeTarget(row, pc, off[pc], imm[pc]);
      if (target < 0 || target > length) {
        trap[pc] = Trap.BAD_TARGET;
        trapArg[pc] = target;
      }
    } else if (row.op === 'call_btf') {
      trap[pc] = Trap.UNSUPPORTED;
    }
  }
  return { length, rows, opcode, dst, src, off, imm, immHi, tail, trap, trapArg };
}

/** Slots the instruction at `pc` takes (2 for a runnable or unresolved `lddw`). */
export function slotsAt(model: ProgramModel, pc: number): number {
  return pc + 1 < model.length && model.tail[pc + 1] === 1 ? 2 : 1;
}

/** The slot a jump or local call at `pc` goes to. */
export function targetAt(model: ProgramModel, pc: number): number {
  return relativeTarget(model.rows[pc]!, pc, model.off[pc], model.imm[pc]);
}
