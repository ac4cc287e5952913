/**
 * Lowering of eBPF arithmetic, byte swaps, sign-extending moves and jump conditions to
 * WebAssembly. Registers are `i64` locals (local index = register number). 32-bit operations run
 * on `i32` and zero-extend their result. Division and modulo are guarded so that WebAssembly's
 * traps never fire and eBPF's results come out: x/0 = 0, x%0 = x (32-bit: zero-extended), signed
 * INT_MIN/-1 = INT_MIN and INT_MIN%-1 = 0.
 */
import type { OpcodeRow } from '@ebpf/isa';
import { Op, ValType } from './wasm-opcodes.js';
import type { WasmWriter } from './wasm-writer.js';

/** Scratch locals the ALU lowering may use. */
export interface AluScratch {
  /** An i32 local. */
  readonly a32: number;
  /** Another i32 local. */
  readonly b32: number;
}

const get = (w: WasmWriter, local: number) => {
  w.u8(Op.local_get);
  w.u32(local);
};
const set = (w: WasmWriter, local: number) => {
  w.u8(Op.local_set);
  w.u32(local);
};
const i64c = (w: WasmWriter, v: number) => {
  w.u8(Op.i64_const);
  w.s32(v);
};
const i32c = (w: WasmWriter, v: number) => {
  w.u8(Op.i32_const);
  w.s32(v);
};

const BIN64: Partial<Record<OpcodeRow['op'], number>> = {
  add: Op.i64_add,
  sub: Op.i64_sub,
  mul: Op.i64_mul,
  or: Op.i64_or,
  and: Op.i64_and,
  xor: Op.i64_xor,
  lsh: Op.i64_shl,
  rsh: Op.i64_shr_u,
  arsh: Op.i64_shr_s,
};
const BIN32: Partial<Record<OpcodeRow['op'], number>> = {
  add: Op.i32_add,
  sub: Op.i32_sub,
  mul: Op.i32_mul,
  or: Op.i32_or,
  and: Op.i32_and,
  xor: Op.i32_xor,
  lsh: Op.i32_shl,
  rsh: Op.i32_shr_u,
  arsh: Op.i32_shr_s,
};

/** Pushes the second operand as i64: the register, or the sign-extended immediate. */
function operand64(w: WasmWriter, row: OpcodeRow, src: number, imm: number): void {
  if (row.source === 'reg') get(w, src);
  else i64c(w, imm);
}

/** Pushes the second operand as i32. */
function operand32(w: WasmWriter, row: OpcodeRow, src: number, imm: number): void {
  if (row.source === 'reg') {
    get(w, src);
    w.u8(Op.i32_wrap_i64);
  } else i32c(w, imm);
}

/** Pushes the low 32 bits of register `r`. */
function low32(w: WasmWriter, r: number): void {
  get(w, r);
  w.u8(Op.i32_wrap_i64);
}

/** Writes an `if (result t) ... else ... end` with the given arms. */
function ifElse(w: WasmWriter, type: number, then: () => void, otherwise: () => void): void {
  w.u8x2(Op.if, type);
  then();
  w.u8(Op.else);
  otherwise();
  w.u8(Op.end);
}

/** Swaps the bytes of the i32 on the stack (uses scratch `a32`). */
function bswap32(w: WasmWriter, s: AluScratch): void {
  w.u8(Op.local_tee);
  w.u32(s.a32);
  i32c(w, 8);
  w.u8(Op.i32_rotl);
  i32c(w, 0x00ff00ff);
  w.u8(Op.i32_and);
  get(w, s.a32);
  i32c(w, 8);
  w.u8(Op.i32_rotr);
  i32c(w, 0xff00ff00 | 0);
  w.u8(Op.i32_and);
  w.u8(Op.i32_or);
}

/**
 * Writes the code of an `alu`, `neg`, `movsx` or `endian` instruction.
 *
 * @example
 * lowerAlu(w, rowByName('add64_imm'), 1, 0, 0, 5, scratch); // r1 += 5
 */
export function lowerAlu(
  w: WasmWriter,
  row: OpcodeRow,
  dst: number,
  src: number,
  off: number,
  imm: number,
  s: AluScratch,
): void {
  void off;
  const op = row.op;
  if (row.kind === 'neg') {
    if (row.width === 64) {
      i64c(w, 0);
      get(w, dst);
      w.u8(Op.i64_sub);
    } else {
      i32c(w, 0);
      low32(w, dst);
      w.u8(Op.i32_sub);
      w.u8(Op.i64_extend_i32_u);
    }
    set(w, dst);
    return;
  }
  if (row.kind === 'movsx') {
    get(w, src);
    if (row.width === 64) {
      w.u8(
        row.bits === 8 ? Op.i64_extend8_s : row.bits === 16 ? Op.i64_extend16_s : Op.i64_extend32_s,
      );
    } else {
      w.u8(Op.i32_wrap_i64);
      w.u8(row.bits === 8 ? Op.i32_extend8_s : Op.i32_extend16_s);
      w.u8(Op.i64_extend_i32_u);
    }
    set(w, dst);
    return;
  }
  if (row.kind === 'endian') {
    lowerEndian(w, row, dst, s);
    return;
  }
  if (row.width === 64) {
    const bin = BIN64[op];
    if (bin !== undefined) {
      get(w, dst);
      operand64(w, row, src, imm);
      w.u8(bin);
      set(w, dst);
      return;
    }
    if (op === 'mov') {
      operand64(w, row, src, imm);
      set(w, dst);
      return;
    }
    lowerDivMod64(w, row, dst, src, imm);
    return;
  }
  const bin = BIN32[op];
  if (bin !== undefined) {
    low32(w, dst);
    operand32(w, row, src, imm);
    w.u8(bin);
    w.u8(Op.i64_extend_i32_u);
    set(w, dst);
    return;
  }
  if (op === 'mov') {
    if (row.source === 'reg') {
      low32(w, src);
      w.u8(Op.i64_extend_i32_u);
    } else {
      w.u8(Op.i64_const);
      w.s64(imm, 0);
    }
    set(w, dst);
    return;
  }
  lowerDivMod32(w, row, dst, src, imm, s);
}

function lowerDivMod64(w: WasmWriter, row: OpcodeRow, dst: number, src: number, imm: number): void {
  const op = row.op;
  const divide = op === 'div' || op === 'sdiv';
  const signed = op === 'sdiv' || op === 'smod';
  const wasmOp =
    op === 'div'
      ? Op.i64_div_u
      : op === 'sdiv'
        ? Op.i64_div_s
        : op === 'mod'
          ? Op.i64_rem_u
          : Op.i64_rem_s;
  if (row.source === 'imm') {
    if (imm === 0) {
      if (divide) {
        i64c(w, 0);
        set(w, dst);
      }
      return; // x % 0 = x
    }
    if (signed && imm === -1) {
      if (divide) {
        i64c(w, 0);
        get(w, dst);
        w.u8(Op.i64_sub);
      } else {
        i64c(w, 0);
      }
      set(w, dst);
      return;
    }
    get(w, dst);
    i64c(w, imm);
    w.u8(wasmOp);
    set(w, dst);
    return;
  }
  get(w, src);
  w.u8(Op.i64_eqz);
  ifElse(
    w,
    ValType.i64,
    () => (divide ? i64c(w, 0) : get(w, dst)),
    () => {
      if (signed && divide) {
        // INT_MIN / -1 traps in WebAssembly; eBPF gives INT_MIN, which is 0 - x.
        get(w, src);
        i64c(w, -1);
        w.u8(Op.i64_eq);
        ifElse(
          w,
          ValType.i64,
          () => {
            i64c(w, 0);
            get(w, dst);
            w.u8(Op.i64_sub);
          },
          () => {
            get(w, dst);
            get(w, src);
            w.u8(wasmOp);
          },
        );
      } else {
        // rem_s does not trap on INT_MIN % -1 (it gives 0, as eBPF does).
        get(w, dst);
        get(w, src);
        w.u8(wasmOp);
      }
    },
  );
  set(w, dst);
}

function lowerDivMod32(
  w: WasmWriter,
  row: OpcodeRow,
  dst: number,
  src: number,
  imm: number,
  s: AluScratch,
): void {
  const op = row.op;
  const divide = op === 'div' || op === 'sdiv';
  const signed = op === 'sdiv' || op === 'smod';
  const wasmOp =
    op === 'div'
      ? Op.i32_div_u
      : op === 'sdiv'
        ? Op.i32_div_s
        : op === 'mod'
          ? Op.i32_rem_u
          : Op.i32_rem_s;
  if (row.source === 'imm') {
    if (imm === 0) {
      if (divide) i64c(w, 0);
      else {
        low32(w, dst);
        w.u8(Op.i64_extend_i32_u);
      }
      set(w, dst);
      return;
    }
    if (signed && imm === -1) {
      if (divide) {
        i32c(w, 0);
        low32(w, dst);
        w.u8(Op.i32_sub);
        w.u8(Op.i64_extend_i32_u);
      } else i64c(w, 0);
      set(w, dst);
      return;
    }
    low32(w, dst);
    i32c(w, imm);
    w.u8(wasmOp);
    w.u8(Op.i64_extend_i32_u);
    set(w, dst);
    return;
  }
  low32(w, src);
  w.u8(Op.local_tee);
  w.u32(s.b32);
  w.u8(Op.i32_eqz);
  ifElse(
    w,
    ValType.i32,
    () => (divide ? i32c(w, 0) : low32(w, dst)),
    () => {
      if (signed && divide) {
        get(w, s.b32);
        i32c(w, -1);
        w.u8(Op.i32_eq);
        ifElse(
          w,
          ValType.i32,
          () => {
            i32c(w, 0);
            low32(w, dst);
            w.u8(Op.i32_sub);
          },
          () => {
            low32(w, dst);
            get(w, s.b32);
            w.u8(wasmOp);
          },
        );
      } else {
        low32(w, dst);
        get(w, s.b32);
        w.u8(wasmOp);
      }
    },
  );
  w.u8(Op.i64_extend_i32_u);
  set(w, dst);
}

function lowerEndian(w: WasmWriter, row: OpcodeRow, dst: number, s: AluScratch): void {
  const bits = row.bits;
  if (row.op === 'le') {
    // The VM is little-endian: to-little-endian only truncates.
    if (bits === 64) return;
    get(w, dst);
    w.u8(Op.i64_const);
    w.s64(bits === 16 ? 0xffff : 0xffff_ffff, 0);
    w.u8(Op.i64_and);
    set(w, dst);
    return;
  }
  if (bits === 16) {
    low32(w, dst);
    w.u8(Op.local_tee);
    w.u32(s.a32);
    i32c(w, 8);
    w.u8(Op.i32_shr_u);
    i32c(w, 0xff);
    w.u8(Op.i32_and);
    get(w, s.a32);
    i32c(w, 0xff);
    w.u8(Op.i32_and);
    i32c(w, 8);
    w.u8(Op.i32_shl);
    w.u8(Op.i32_or);
    w.u8(Op.i64_extend_i32_u);
  } else if (bits === 32) {
    low32(w, dst);
    bswap32(w, s);
    w.u8(Op.i64_extend_i32_u);
  } else {
    low32(w, dst);
    bswap32(w, s);
    w.u8(Op.i64_extend_i32_u);
    i64c(w, 32);
    w.u8(Op.i64_shl);
    get(w, dst);
    i64c(w, 32);
    w.u8(Op.i64_shr_u);
    w.u8(Op.i32_wrap_i64);
    bswap32(w, s);
    w.u8(Op.i64_extend_i32_u);
    w.u8(Op.i64_or);
  }
  set(w, dst);
}

const CMP64: Partial<Record<OpcodeRow['op'], number>> = {
  jeq: Op.i64_eq,
  jne: Op.i64_ne,
  jgt: Op.i64_gt_u,
  jge: Op.i64_ge_u,
  jlt: Op.i64_lt_u,
  jle: Op.i64_le_u,
  jsgt: Op.i64_gt_s,
  jsge: Op.i64_ge_s,
  jslt: Op.i64_lt_s,
  jsle: Op.i64_le_s,
};
const CMP32: Partial<Record<OpcodeRow['op'], number>> = {
  jeq: Op.i32_eq,
  jne: Op.i32_ne,
  jgt: Op.i32_gt_u,
  jge: Op.i32_ge_u,
  jlt: Op.i32_lt_u,
  jle: Op.i32_le_u,
  jsgt: Op.i32_gt_s,
  jsge: Op.i32_ge_s,
  jslt: Op.i32_lt_s,
  jsle: Op.i32_le_s,
};

/**
 * Pushes the i32 condition of a conditional jump (1 when taken). JMP immediates are
 * sign-extended to 64 bits; JMP32 compares the low 32 bits.
 */
export function lowerCondition(
  w: WasmWriter,
  row: OpcodeRow,
  dst: number,
  src: number,
  imm: number,
): void {
  if (row.width === 64) {
    get(w, dst);
    operand64(w, row, src, imm);
    if (row.op === 'jset') {
      w.u8(Op.i64_and);
      w.u8(Op.i64_eqz);
      w.u8(Op.i32_eqz);
    } else w.u8(CMP64[row.op]!);
  } else {
    low32(w, dst);
    operand32(w, row, src, imm);
    if (row.op === 'jset') {
      w.u8(Op.i32_and);
      w.u8(Op.i32_eqz);
      w.u8(Op.i32_eqz);
    } else w.u8(CMP32[row.op]!);
  }
}
