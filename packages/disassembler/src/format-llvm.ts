/**
 * LLVM's BPF assembly, as `llvm-objdump-19 -d` prints it: `r0 = 0x1`, `w1 += w2`,
 * `if r1 > 0x3 goto +0x2`, `r1 = *(u32 *)(r2 - 0x8)`, `r1 = 0x1234 ll`. Immediates and offsets
 * are signed hexadecimal; registers are `r` for 64-bit and `w` for 32-bit operations.
 *
 * Where llvm-objdump shows no instruction this prints `<unknown>` as it does: registers above
 * r11, and (below `cpu: 'v3'`) the 32-bit atomics other than add. llvm-objdump's ` <sym+off>`
 * annotation after jump targets is not part of the instruction text and is not printed.
 *
 * LLVM's syntax drops a few fields, so these forms do not survive text and back: the immediate of
 * `ld_ind` (`skb[r1]`), the upper 32 bits of `lddw` with a non-zero source (`ld_pseudo`), and the
 * source register of calls (`call 0x3` for helpers, local calls and BTF helpers alike; with
 * labels on, a local call to a slot in the program prints as `call L5`, which LLVM reads back as
 * a local call).
 */
import { branchTarget, compareCpu, type DecodedInsn, type RowOp } from '@ebpf/isa';
import type { FormatContext } from './disasm-options.js';
import { formatHexOffset, formatHexSigned, formatHexU32 } from './format-numbers.js';

/** What llvm-objdump prints for an instruction it cannot decode. */
export const LLVM_UNKNOWN = '<unknown>';

const ALU_OPERATORS: Partial<Record<RowOp, string>> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: 's/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  smod: 's%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
};

const JUMP_OPERATORS: Partial<Record<RowOp, string>> = {
  jeq: '==',
  jgt: '>',
  jge: '>=',
  jset: '&',
  jne: '!=',
  jsgt: 's>',
  jsge: 's>=',
  jlt: '<',
  jle: '<=',
  jslt: 's<',
  jsle: 's<=',
};

const ATOMIC_OPERATORS: Partial<Record<RowOp, string>> = {
  atomic_add: '+=',
  atomic_or: '|=',
  atomic_and: '&=',
  atomic_xor: '^=',
};

/** The registers LLVM's BPF target knows: r0-r11. */
const LLVM_MAX_REGISTER = 11;

function reg(n: number, width: 32 | 64): string {
  return `${width === 32 ? 'w' : 'r'}${n}`;
}

function memory(size: number, signed: boolean, base: number, off: number): string {
  const sign = off < 0 ? '-' : '+';
  return `*(${signed ? 's' : 'u'}${size * 8} *)(r${base} ${sign} 0x${Math.abs(off).toString(16)})`;
}

function target(insn: DecodedInsn, distance: number, ctx: FormatContext): string {
  const t = branchTarget(insn);
  const label = t === undefined ? undefined : ctx.labelAt?.(t);
  return label ?? formatHexOffset(distance);
}

function usesBadRegister(insn: DecodedInsn): boolean {
  const { uses } = insn.row;
  return (
    (uses.includes('dst') && insn.dst > LLVM_MAX_REGISTER) ||
    (uses.includes('src') && insn.src > LLVM_MAX_REGISTER)
  );
}

function atomicText(insn: DecodedInsn, alu32: boolean): string {
  const { row } = insn;
  const w = row.width === 32 && alu32 ? 32 : 64;
  const src = reg(insn.src, w);
  const sign = insn.off < 0 ? '-' : '+';
  const addr = `r${insn.dst} ${sign} 0x${Math.abs(insn.off).toString(16)}`;
  if (row.width === 32 && !alu32) {
    // Without 32-bit subregisters llvm-objdump knows only the legacy 32-bit add (XADDW), and it
    // also shows the fetching add that way; every other 32-bit atomic is unknown to it.
    if (row.op !== 'atomic_add' && row.op !== 'atomic_fetch_add') return LLVM_UNKNOWN;
    return `lock ${memory(row.size, false, insn.dst, insn.off)} += ${src}`;
  }
  const simple = ATOMIC_OPERATORS[row.op];
  if (simple) return `lock ${memory(row.size, false, insn.dst, insn.off)} ${simple} ${src}`;
  const bits = row.width === 32 ? '32' : '64';
  switch (row.op) {
    case 'atomic_xchg':
      return `${src} = xchg${row.width === 32 ? '32_32' : '_64'}(${addr}, ${src})`;
    case 'atomic_cmpxchg':
      return `${reg(0, w)} = cmpxchg${row.width === 32 ? '32_32' : '_64'}(${addr}, ${reg(0, w)}, ${src})`;
    default:
      return `${src} = ${row.op}((u${bits} *)(${addr}), ${src})`;
  }
}

/** One instruction in LLVM syntax. */
export function formatLlvm(insn: DecodedInsn, ctx: FormatContext): string {
  if (usesBadRegister(insn)) return LLVM_UNKNOWN;
  const { row } = insn;
  const alu32 = compareCpu(ctx.options.cpu ?? 'v4', 'v3') >= 0;
  const dst = reg(insn.dst, row.width);
  switch (row.kind) {
    case 'alu': {
      const second = row.source === 'imm' ? formatHexSigned(insn.imm) : reg(insn.src, row.width);
      return `${dst} ${ALU_OPERATORS[row.op]} ${second}`;
    }
    case 'neg':
      return `${dst} = -${dst}`;
    case 'movsx':
      return `${dst} = (s${row.bits})${reg(insn.src, row.width)}`;
    case 'endian':
      return `r${insn.dst} = ${row.mnemonic} r${insn.dst}`;
    case 'ja':
      return row.uses.includes('imm')
        ? `gotol ${target(insn, insn.imm, ctx)}`
        : `goto ${target(insn, insn.off, ctx)}`;
    case 'jcond': {
      const second = row.source === 'imm' ? formatHexSigned(insn.imm) : reg(insn.src, row.width);
      return `if ${dst} ${JUMP_OPERATORS[row.op]} ${second} goto ${target(insn, insn.off, ctx)}`;
    }
    case 'call': {
      const t = row.op === 'call_local' ? branchTarget(insn) : undefined;
      const label = t === undefined ? undefined : ctx.labelAt?.(t);
      return `call ${label ?? formatHexSigned(insn.imm)}`;
    }
    case 'callx':
      return `callx r${insn.dst}`;
    case 'exit':
      return 'exit';
    case 'load': {
      const w = row.size < 8 && row.op === 'ldx' && alu32 ? 32 : 64;
      return `${reg(insn.dst, w)} = ${memory(row.size, row.op === 'ldxs', insn.src, insn.off)}`;
    }
    case 'store': {
      const place = memory(row.size, false, insn.dst, insn.off);
      if (row.source === 'imm') return `${place} = ${formatHexSigned(insn.imm)}`;
      return `${place} = ${reg(insn.src, row.size < 8 && alu32 ? 32 : 64)}`;
    }
    case 'atomic':
      return atomicText(insn, alu32);
    case 'lddw':
      if (row.match.src !== 0) {
        return `ld_pseudo\tr${insn.dst}, ${formatHexU32(insn.src)}, ${formatHexU32(insn.imm)}`;
      }
      return `r${insn.dst} = ${formatHexSigned(BigInt.asIntN(64, insn.imm64 ?? BigInt(insn.imm)))} ll`;
    case 'packet': {
      const where = row.op === 'ldabs' ? formatHexSigned(insn.imm) : `r${insn.src}`;
      return `r0 = *(u${row.size * 8} *)skb[${where}]`;
    }
  }
}
