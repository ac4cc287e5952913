/**
 * rbpf's disassembler format (its `disassembler.rs`): mnemonic first, `r` registers, immediates
 * as Rust's `{:#x}` prints them (two's complement for negatives), memory operands `[r2+0x5]` /
 * `[r2-0x5]`, jump offsets `+0x8` / `-0x3`.
 *
 * Forms rbpf lacks use the bpf_conformance spelling of the same syntax, which our assembler also
 * reads: `lock fetch add32 [r1+0x4], r2`, `call r2` (callx), `call local +0x3`, `movsx832 r0, r1`,
 * `ldxsb r1, [r2+0x5]`, `bswap16 r0`, `ja32 +0x5`, `sdiv64 r1, 0x3`. Forms no tool spells use the
 * ISA table's unique row name as mnemonic, which our assembler reads too: `call_btf 0x3` (helper
 * by BTF id) and `lddw_map_fd r1, 0x5` (lddw with a non-zero source register: `lddw_map_fd`,
 * `lddw_map_value_fd`, `lddw_var_addr`, `lddw_code_addr`, `lddw_map_idx`, `lddw_map_value_idx`).
 */
import { branchTarget, type DecodedInsn } from '@ebpf/isa';
import type { FormatContext } from './disasm-options.js';
import { formatHexOffset, formatHexU32, formatHexU64 } from './format-numbers.js';

function memory(base: number, off: number): string {
  return `[r${base}${formatHexOffset(off)}]`;
}

function target(insn: DecodedInsn, distance: number, ctx: FormatContext): string {
  const t = branchTarget(insn);
  const label = t === undefined ? undefined : ctx.labelAt?.(t);
  return label ?? formatHexOffset(distance);
}

/** Atomic mnemonics: `add`, `fetch add`, `xchg`, `cmpxchg`, with `32` for the 32-bit forms. */
function atomicText(insn: DecodedInsn): string {
  const { row } = insn;
  const op = row.op.replace(/^atomic_/, '').replace('fetch_', 'fetch ');
  const suffix = row.width === 32 ? '32' : '';
  return `lock ${op}${suffix} ${memory(insn.dst, insn.off)}, r${insn.src}`;
}

/** One instruction in rbpf syntax. */
export function formatRbpf(insn: DecodedInsn, ctx: FormatContext): string {
  const { row } = insn;
  const m = row.mnemonic;
  switch (row.kind) {
    case 'alu':
      return row.source === 'imm'
        ? `${m} r${insn.dst}, ${formatHexU32(insn.imm)}`
        : `${m} r${insn.dst}, r${insn.src}`;
    case 'movsx':
      return `${m} r${insn.dst}, r${insn.src}`;
    case 'neg':
    case 'endian':
      return `${m} r${insn.dst}`;
    case 'ja':
      return `${m} ${target(insn, row.uses.includes('imm') ? insn.imm : insn.off, ctx)}`;
    case 'jcond': {
      const second = row.source === 'imm' ? formatHexU32(insn.imm) : `r${insn.src}`;
      return `${m} r${insn.dst}, ${second}, ${target(insn, insn.off, ctx)}`;
    }
    case 'call':
      if (row.op === 'call_local') return `call local ${target(insn, insn.imm, ctx)}`;
      if (row.op === 'call_btf') return `${row.name} ${formatHexU32(insn.imm)}`;
      return `call ${formatHexU32(insn.imm)}`;
    case 'callx':
      return `call r${insn.dst}`;
    case 'exit':
      return 'exit';
    case 'load':
      return `${m} r${insn.dst}, ${memory(insn.src, insn.off)}`;
    case 'store':
      return row.source === 'imm'
        ? `${m} ${memory(insn.dst, insn.off)}, ${formatHexU32(insn.imm)}`
        : `${m} ${memory(insn.dst, insn.off)}, r${insn.src}`;
    case 'atomic':
      return atomicText(insn);
    case 'lddw':
      // Plain lddw prints as rbpf does; the other source kinds under their row name.
      return `${row.match.src === 0 ? m : row.name} r${insn.dst}, ${formatHexU64(insn.imm64 ?? BigInt(insn.imm))}`;
    case 'packet':
      return row.op === 'ldabs'
        ? `${m} ${formatHexU32(insn.imm)}`
        : `${m} r${insn.src}, ${formatHexU32(insn.imm)}`;
  }
}
