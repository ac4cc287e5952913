/**
 * Test-side printers: the text of one row with given fields in each syntax, written from the
 * row's kind, op, width, size and bits (never from the assembler's own tables), so that the
 * table walk checks the assembler against an independent reading of the syntax.
 */
import type { Insn, OpcodeRow } from '@ebpf/isa';

export interface Fields {
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  readonly imm64?: bigint;
}

export interface TextStyle {
  /** Write immediates as raw 32-bit hex (`0xffffffff` for -1). */
  readonly hex: boolean;
  /** rbpf only: write registers as `%rN`. */
  readonly percent: boolean;
}

const signed = (n: number) => (n < 0 ? `${n}` : `+${n}`);
const memOff = (n: number) => (n < 0 ? `-${-n}` : `+${n}`);
const immText = (n: number, style: TextStyle) =>
  style.hex ? `0x${(n >>> 0).toString(16)}` : `${n}`;

/** The rbpf / bpf_conformance text of a row with the given fields. */
export function rbpfText(row: OpcodeRow, f: Fields, style: TextStyle): string {
  const r = (n: number) => `${style.percent ? '%' : ''}r${n}`;
  const imm = immText(f.imm, style);
  switch (row.kind) {
    case 'alu':
      return `${row.mnemonic} ${r(f.dst)}, ${row.source === 'imm' ? imm : r(f.src)}`;
    case 'neg':
    case 'endian':
      return `${row.mnemonic} ${r(f.dst)}`;
    case 'movsx':
      return `${row.mnemonic} ${r(f.dst)}, ${r(f.src)}`;
    case 'ja':
      return row.width === 64 ? `ja ${signed(f.off)}` : `ja32 ${signed(f.imm)}`;
    case 'jcond':
      return `${row.mnemonic} ${r(f.dst)}, ${row.source === 'imm' ? imm : r(f.src)}, ${signed(f.off)}`;
    case 'call':
      if (row.op === 'call_local') return `call local ${signed(f.imm)}`;
      return row.op === 'call' ? `call ${imm}` : `${row.name} ${imm}`;
    case 'callx':
      return `call ${r(f.dst)}`;
    case 'exit':
      return 'exit';
    case 'load':
      return `${row.mnemonic} ${r(f.dst)}, [${r(f.src)}${memOff(f.off)}]`;
    case 'store':
      return `${row.mnemonic} [${r(f.dst)}${memOff(f.off)}], ${row.source === 'imm' ? imm : r(f.src)}`;
    case 'atomic': {
      const m = /^atomic_(fetch_)?([a-z]+)$/.exec(row.op)!;
      return `lock ${m[1] ? 'fetch ' : ''}${m[2]}${row.width === 32 ? '32' : ''} [${r(f.dst)}${memOff(f.off)}], ${r(f.src)}`;
    }
    case 'lddw': {
      const v = style.hex ? `0x${f.imm64!.toString(16)}` : `${f.imm64}`;
      return `${row.match.src === 0 ? 'lddw' : row.name} ${r(f.dst)}, ${v}`;
    }
    case 'packet':
      return row.op === 'ldabs' ? `${row.mnemonic} ${imm}` : `${row.mnemonic} ${r(f.src)}, ${imm}`;
  }
}

const ALU_OPERATOR: Record<string, string> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: 's/=',
  mod: '%=',
  smod: 's%=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  arsh: 's>>=',
  xor: '^=',
  mov: '=',
};
const JUMP_OPERATOR: Record<string, string> = {
  jeq: '==',
  jne: '!=',
  jgt: '>',
  jge: '>=',
  jlt: '<',
  jle: '<=',
  jsgt: 's>',
  jsge: 's>=',
  jslt: 's<',
  jsle: 's<=',
  jset: '&',
};
const LOCK_OPERATOR: Record<string, string> = { add: '+=', or: '|=', and: '&=', xor: '^=' };

const addr = (base: number, off: number) => `r${base} ${off < 0 ? '-' : '+'} ${Math.abs(off)}`;

/** The LLVM text of a row with the given fields (our extensions where LLVM has none). */
export function llvmText(row: OpcodeRow, f: Fields, style: TextStyle): string {
  const R = row.width === 32 ? 'w' : 'r';
  const imm = immText(f.imm, style);
  const u = `u${row.size * 8}`;
  switch (row.kind) {
    case 'alu':
      return `${R}${f.dst} ${ALU_OPERATOR[row.op]} ${row.source === 'imm' ? imm : `${R}${f.src}`}`;
    case 'neg':
      return `${R}${f.dst} = -${R}${f.dst}`;
    case 'movsx':
      return `${R}${f.dst} = (s${row.bits})${R}${f.src}`;
    case 'endian':
      return `r${f.dst} = ${row.op}${row.bits} r${f.dst}`;
    case 'ja':
      return row.width === 64 ? `goto ${signed(f.off)}` : `gotol ${signed(f.imm)}`;
    case 'jcond':
      return `if ${R}${f.dst} ${JUMP_OPERATOR[row.op]} ${row.source === 'imm' ? imm : `${R}${f.src}`} goto ${signed(f.off)}`;
    case 'call':
      if (row.op === 'call_local') return `call local ${signed(f.imm)}`;
      return row.op === 'call' ? `call ${imm}` : `call_btf ${imm}`;
    case 'callx':
      return `callx r${f.dst}`;
    case 'exit':
      return 'exit';
    case 'load':
      return `r${f.dst} = *(${row.op === 'ldxs' ? 's' : 'u'}${row.size * 8} *)(${addr(f.src, f.off)})`;
    case 'store':
      return `*(${u} *)(${addr(f.dst, f.off)}) = ${row.source === 'imm' ? imm : `r${f.src}`}`;
    case 'atomic': {
      const m = /^atomic_(fetch_)?([a-z]+)$/.exec(row.op)!;
      const w = row.width;
      if (m[2] === 'xchg')
        return `${R}${f.src} = xchg${w === 64 ? '_64' : '32_32'}(${addr(f.dst, f.off)}, ${R}${f.src})`;
      if (m[2] === 'cmpxchg') {
        return `${R}0 = cmpxchg${w === 64 ? '_64' : '32_32'}(${addr(f.dst, f.off)}, ${R}0, ${R}${f.src})`;
      }
      if (m[1])
        return `${R}${f.src} = atomic_fetch_${m[2]}((u${w} *)(${addr(f.dst, f.off)}), ${R}${f.src})`;
      return `lock *(u${w} *)(${addr(f.dst, f.off)}) ${LOCK_OPERATOR[m[2]]} ${R}${f.src}`;
    }
    case 'lddw':
      if (row.match.src === 0)
        return `r${f.dst} = ${style.hex ? `0x${f.imm64!.toString(16)}` : f.imm64} ll`;
      return `ld_pseudo r${f.dst}, ${row.match.src}, ${imm}`;
    case 'packet':
      if (row.op === 'ldabs') return `r0 = *(${u} *)skb[${imm}]`;
      return f.imm === 0
        ? `r0 = *(${u} *)skb[r${f.src}]`
        : `r0 = *(${u} *)skb[r${f.src} ${f.imm < 0 ? '-' : '+'} ${Math.abs(f.imm)}]`;
  }
}

/** The instruction a row and fields encode. */
export function insnOf(row: OpcodeRow, f: Fields): Insn {
  return {
    opcode: row.opcode,
    dst: f.dst,
    src: f.src,
    off: f.off,
    imm: f.imm,
    ...(f.imm64 === undefined ? {} : { imm64: f.imm64 }),
  };
}
