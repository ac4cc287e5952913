/** Test support: programs from ISA rows (no assembler needed), and a BigInt reference for ALU ops. */
import { encode, type Insn, type OpcodeRow, rowByName } from '@ebpf/isa';

/** One instruction of form `name`, with the form's discriminating fields filled in. */
export function ins(name: string, f: Partial<Omit<Insn, 'opcode'>> = {}): Insn {
  const row = rowByName(name);
  return insOf(row, f);
}

/** One instruction of `row`. */
export function insOf(row: OpcodeRow, f: Partial<Omit<Insn, 'opcode'>> = {}): Insn {
  return {
    opcode: row.opcode,
    dst: f.dst ?? 0,
    src: f.src ?? row.match.src ?? 0,
    off: f.off ?? row.match.off ?? 0,
    imm: f.imm ?? row.match.imm ?? 0,
    ...(row.slots === 2 ? { imm64: f.imm64 ?? 0n } : {}),
  };
}

/** `lddw rN, value`. */
export function lddw(dst: number, value: bigint): Insn {
  return ins('lddw', { dst, imm64: BigInt.asUintN(64, value) });
}

/** Encodes instructions into program bytes. */
export function program(...insns: Insn[]): Uint8Array {
  return encode(insns);
}

export const exit = (): Insn => ins('exit');
export const mov0 = (src: number): Insn => ins('mov64_reg', { dst: 0, src });

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u32 = (v: bigint) => BigInt.asUintN(32, v);
const s32 = (v: bigint) => BigInt.asIntN(32, v);

/**
 * The reference result of an ALU row (kind alu/neg/movsx/endian) applied to `a` (dst) and `b`
 * (the source register's value, or the immediate already sign-extended to 64 bits), written
 * straight from RFC 9669's text.
 */
export function referenceAlu(row: OpcodeRow, a: bigint, b: bigint): bigint {
  if (row.kind === 'movsx') {
    const v = BigInt.asIntN(row.bits, b);
    return row.width === 32 ? u32(v) : u64(v);
  }
  if (row.kind === 'endian') {
    const bytes = row.bits / 8;
    const v = BigInt.asUintN(row.bits, a);
    if (row.op === 'le') return v;
    let out = 0n;
    for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
    return out;
  }
  if (row.width === 64) {
    const sh = b & 63n;
    switch (row.op) {
      case 'add':
        return u64(a + b);
      case 'sub':
        return u64(a - b);
      case 'mul':
        return u64(a * b);
      case 'div':
        return b === 0n ? 0n : u64(a) / u64(b);
      case 'sdiv':
        return b === 0n ? 0n : u64(s64(a) / s64(b));
      case 'mod':
        return b === 0n ? a : u64(a) % u64(b);
      case 'smod':
        return b === 0n ? a : u64(s64(a) % s64(b));
      case 'or':
        return a | b;
      case 'and':
        return a & b;
      case 'xor':
        return a ^ b;
      case 'lsh':
        return u64(a << sh);
      case 'rsh':
        return u64(a) >> sh;
      case 'arsh':
        return u64(s64(a) >> sh);
      case 'mov':
        return u64(b);
      case 'neg':
        return u64(-a);
    }
  } else {
    const x = u32(a);
    const y = u32(b);
    const sh = y & 31n;
    switch (row.op) {
      case 'add':
        return u32(x + y);
      case 'sub':
        return u32(x - y);
      case 'mul':
        return u32(x * y);
      case 'div':
        return y === 0n ? 0n : x / y;
      case 'sdiv':
        return y === 0n ? 0n : u32(s32(x) / s32(y));
      case 'mod':
        return y === 0n ? x : x % y;
      case 'smod':
        return y === 0n ? x : u32(s32(x) % s32(y));
      case 'or':
        return x | y;
      case 'and':
        return x & y;
      case 'xor':
        return x ^ y;
      case 'lsh':
        return u32(x << sh);
      case 'rsh':
        return x >> sh;
      case 'arsh':
        return u32(s32(x) >> sh);
      case 'mov':
        return y;
      case 'neg':
        return u32(-x);
    }
  }
  throw new Error(`no reference for ${row.name}`);
}

/** The reference outcome of a conditional jump row comparing `a` with `b` (b sign-extended). */
export function referenceJump(row: OpcodeRow, a: bigint, b: bigint): boolean {
  const bits = row.width;
  const ua = BigInt.asUintN(bits, a);
  const ub = BigInt.asUintN(bits, b);
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  switch (row.op) {
    case 'jeq':
      return ua === ub;
    case 'jne':
      return ua !== ub;
    case 'jgt':
      return ua > ub;
    case 'jge':
      return ua >= ub;
    case 'jlt':
      return ua < ub;
    case 'jle':
      return ua <= ub;
    case 'jsgt':
      return sa > sb;
    case 'jsge':
      return sa >= sb;
    case 'jslt':
      return sa < sb;
    case 'jsle':
      return sa <= sb;
    case 'jset':
      return (ua & ub) !== 0n;
  }
  throw new Error(`no reference for ${row.name}`);
}

export { M64 };
