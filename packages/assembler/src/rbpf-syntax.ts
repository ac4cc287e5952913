/**
 * The rbpf syntax and its bpf_conformance form: `mnemonic operand, operand, ...`.
 *
 * Mnemonics come from the table: every row's `mnemonic` (`add64`, `jeq32`, `ldxsb`, `lddw`) and
 * its unique `name` (`lddw_map_fd`, `call_btf`), plus the aliases both tools use: bare 64-bit ALU
 * names (`add` is `add64`), `jeq64` for `jeq`, `swap16` for `bswap16`, `lock [fetch] op[32]` for
 * the atomics, `call local LABEL` and `call %rN` (callx). The operands a row takes follow from its
 * kind and source, so a new row of the table is accepted without touching this file.
 */
import { OPCODE_TABLE, type OpcodeRow, ROWS_BY_NAME } from '@ebpf/isa';
import { ASM_OPERAND_COUNT, ASM_OPERAND_KIND, ASM_UNKNOWN_MNEMONIC } from './asm-errors.js';
import { baseFields, type LabelTarget, type Statement } from './statement.js';
import {
  type Bounds,
  INT32,
  type NumberRef,
  RAW32,
  RAW64,
  type RegisterRef,
  type TokenCursor,
  toInt32,
} from './token-cursor.js';

type OperandKind = 'reg' | 'imm' | 'mem' | 'target' | 'imm64';

type Operand =
  | {
      readonly kind: 'reg';
      readonly reg: RegisterRef;
      readonly column: number;
      readonly text: string;
    }
  | {
      readonly kind: 'imm';
      readonly num: NumberRef;
      readonly column: number;
      readonly text: string;
    }
  | {
      readonly kind: 'mem';
      readonly reg: RegisterRef;
      readonly off: number;
      readonly column: number;
      readonly text: string;
    }
  | {
      readonly kind: 'label';
      readonly name: string;
      readonly column: number;
      readonly text: string;
    };

const REGISTER_OPTIONS = { allowPercent: true, allowW: false } as const;

/** The operands a row takes, in order, in this syntax. */
export function rbpfOperandShape(row: OpcodeRow): readonly OperandKind[] {
  switch (row.kind) {
    case 'alu':
      return ['reg', row.source === 'imm' ? 'imm' : 'reg'];
    case 'neg':
    case 'endian':
      return ['reg'];
    case 'movsx':
      return ['reg', 'reg'];
    case 'ja':
      return ['target'];
    case 'jcond':
      return ['reg', row.source === 'imm' ? 'imm' : 'reg', 'target'];
    case 'call':
      return [row.op === 'call_local' ? 'target' : 'imm'];
    case 'callx':
      return ['reg'];
    case 'exit':
      return [];
    case 'load':
      return ['reg', 'mem'];
    case 'store':
      return row.source === 'imm' ? ['mem', 'imm'] : ['mem', 'reg'];
    case 'atomic':
      return ['mem', 'reg'];
    case 'lddw':
      return ['reg', 'imm64'];
    case 'packet':
      return row.op === 'ldabs' ? ['imm'] : ['reg', 'imm'];
  }
}

function addTo(map: Map<string, OpcodeRow[]>, key: string, row: OpcodeRow): void {
  const list = map.get(key);
  if (!list) map.set(key, [row]);
  else if (!list.includes(row)) list.push(row);
}

/** Mnemonic (lower case) to the rows it may name, derived from the table. */
export const RBPF_MNEMONICS: ReadonlyMap<string, readonly OpcodeRow[]> = (() => {
  const map = new Map<string, OpcodeRow[]>();
  for (const row of OPCODE_TABLE) addTo(map, row.mnemonic, row);
  for (const row of OPCODE_TABLE) {
    if ((row.kind === 'alu' || row.kind === 'neg') && row.width === 64) addTo(map, row.op, row);
    if (row.kind === 'jcond' && row.width === 64) addTo(map, `${row.op}64`, row);
    if (row.op === 'bswap') addTo(map, `swap${row.bits}`, row);
    // `call LABEL` is a local call, as in LLVM; `call N` stays a helper call (first match wins).
    if (row.op === 'call_local') addTo(map, 'call', row);
  }
  for (const row of OPCODE_TABLE) addTo(map, row.name, row);
  return map;
})();

function describeOperand(op: Operand): string {
  switch (op.kind) {
    case 'reg':
      return `register '${op.text}'`;
    case 'imm':
      return `immediate '${op.text}'`;
    case 'mem':
      return `memory operand '${op.text}'`;
    case 'label':
      return `label '${op.text}'`;
  }
}

function describeKind(kind: OperandKind): string {
  switch (kind) {
    case 'reg':
      return 'a register';
    case 'imm':
    case 'imm64':
      return 'an immediate';
    case 'mem':
      return 'a memory operand [rN+offset]';
    case 'target':
      return 'a jump target (label or +/-offset)';
  }
}

function fits(kind: OperandKind, op: Operand): boolean {
  switch (kind) {
    case 'reg':
      return op.kind === 'reg';
    case 'imm':
    case 'imm64':
      return op.kind === 'imm';
    case 'mem':
      return op.kind === 'mem';
    case 'target':
      return op.kind === 'imm' || op.kind === 'label';
  }
}

function readOperand(cursor: TokenCursor): Operand {
  const t = cursor.peek();
  if (t === undefined) return cursor.failExpected('an operand');
  const start = t.column;
  const textTo = (endColumn: number) => cursor.source.slice(start - 1, endColumn - 1);
  const nextColumn = () => cursor.peek()?.column ?? cursor.endColumn;
  if (t.text === '[') {
    cursor.next();
    const reg = cursor.readRegister(REGISTER_OPTIONS);
    let off = 0;
    if (cursor.isNext('+') || cursor.isNext('-')) off = cursor.checkOffset(cursor.readNumber());
    cursor.expect(']');
    return { kind: 'mem', reg, off, column: start, text: textTo(nextColumn()) };
  }
  if (cursor.isRegisterNext()) {
    const reg = cursor.readRegister(REGISTER_OPTIONS);
    return { kind: 'reg', reg, column: start, text: reg.text };
  }
  if (cursor.isNumberNext()) {
    const num = cursor.readNumber();
    return { kind: 'imm', num, column: start, text: textTo(nextColumn()) };
  }
  if (t.kind === 'word') {
    cursor.next();
    return { kind: 'label', name: t.text, column: start, text: t.text };
  }
  return cursor.failExpected('an operand');
}

function readOperands(cursor: TokenCursor): Operand[] {
  const out: Operand[] = [];
  if (cursor.atEnd()) return out;
  out.push(readOperand(cursor));
  while (!cursor.atEnd()) {
    cursor.expect(',');
    out.push(readOperand(cursor));
  }
  return out;
}

/** Picks the lock-prefixed atomic row: `lock [fetch] add|or|and|xor|xchg|cmpxchg[32]`. */
function readAtomicMnemonic(cursor: TokenCursor): { rows: OpcodeRow[]; text: string } {
  const fetch = cursor.accept('fetch');
  const t = cursor.peek();
  const m = t?.kind === 'word' ? /^([a-z]+?)(32|64)?$/.exec(t.text.toLowerCase()) : null;
  const row = m
    ? ROWS_BY_NAME.get(`atomic_${fetch ? 'fetch_' : ''}${m[1]}${m[2] ?? '64'}`)
    : undefined;
  if (!row) {
    return cursor.fail(ASM_UNKNOWN_MNEMONIC, t, {
      mnemonic: `lock ${fetch ? 'fetch ' : ''}${t?.text ?? ''}`.trim(),
    });
  }
  cursor.next();
  return { rows: [row], text: `lock ${fetch ? 'fetch ' : ''}${t!.text}` };
}

function pickRow(
  cursor: TokenCursor,
  mnemonic: string,
  rows: readonly OpcodeRow[],
  ops: readonly Operand[],
): OpcodeRow {
  const sameCount = rows.filter((r) => rbpfOperandShape(r).length === ops.length);
  if (sameCount.length === 0) {
    const expected = rbpfOperandShape(rows[0]).length;
    const extra = ops[expected];
    const at =
      extra === undefined
        ? undefined
        : { kind: 'word' as const, text: extra.text, value: 0n, column: extra.column };
    return cursor.fail(ASM_OPERAND_COUNT, at, {
      mnemonic,
      expected,
      found: ops.length,
    });
  }
  const row = sameCount.find((r) => rbpfOperandShape(r).every((k, i) => fits(k, ops[i])));
  if (row) return row;
  const shape = rbpfOperandShape(sameCount[0]);
  const i = shape.findIndex((k, j) => !fits(k, ops[j]));
  const expected = sameCount
    .map((r) => describeKind(rbpfOperandShape(r)[i]))
    .filter((d, j, all) => all.indexOf(d) === j)
    .join(' or ');
  return cursor.fail(
    ASM_OPERAND_KIND,
    { kind: 'word', text: ops[i].text, value: 0n, column: ops[i].column },
    { expected, found: describeOperand(ops[i]) },
  );
}

function immBounds(num: NumberRef): Bounds {
  return num.hex ? RAW32 : INT32;
}

/**
 * Parses the instruction on one line (labels already taken off).
 *
 * @example
 * parseRbpfStatement(new TokenCursor(tokenizeLine('add64 r1, 0x605', 1), 1, 'add64 r1, 0x605'));
 */
export function parseRbpfStatement(cursor: TokenCursor): Statement {
  const head = cursor.next()!;
  const column = head.column;
  if (head.kind !== 'word') {
    return cursor.fail(ASM_UNKNOWN_MNEMONIC, head, { mnemonic: head.text });
  }
  let mnemonic = head.text.toLowerCase();
  let rows: readonly OpcodeRow[] | undefined;
  if (mnemonic === 'lock') {
    const atomic = readAtomicMnemonic(cursor);
    rows = atomic.rows;
    mnemonic = atomic.text;
  } else if (mnemonic === 'call' && cursor.isNext('local') && cursor.peek(1) !== undefined) {
    cursor.next();
    rows = [ROWS_BY_NAME.get('call_local')!];
    mnemonic = 'call local';
  } else if (mnemonic === 'call' && cursor.isRegisterNext()) {
    rows = OPCODE_TABLE.filter((r) => r.kind === 'callx');
  } else {
    rows = RBPF_MNEMONICS.get(mnemonic);
  }
  if (!rows || rows.length === 0) {
    return cursor.fail(ASM_UNKNOWN_MNEMONIC, head, { mnemonic: head.text });
  }
  const ops = readOperands(cursor);
  const row = pickRow(cursor, mnemonic, rows, ops);
  const fields = baseFields(row);
  let imm64: bigint | undefined;
  let target: LabelTarget | undefined;
  const shape = rbpfOperandShape(row);
  const immField =
    (row.kind === 'jcond' || row.kind === 'ja') && row.uses.includes('off') ? 'off' : 'imm';
  shape.forEach((kind, i) => {
    const op = ops[i];
    if (op.kind === 'reg') {
      // The one register of callx goes into dst; ldind's into src; the rest by position.
      if (row.kind === 'packet' || i === 1) fields.src = op.reg.n;
      else fields.dst = op.reg.n;
    } else if (op.kind === 'mem') {
      if (i === 0) fields.dst = op.reg.n;
      else fields.src = op.reg.n;
      fields.off = op.off;
    } else if (op.kind === 'label') {
      target = { label: op.name, column: op.column, field: immField };
    } else if (kind === 'imm64') {
      const value = cursor.checkImm(op.num, RAW64);
      imm64 = BigInt.asUintN(64, value);
      fields.imm = toInt32(imm64);
    } else if (kind === 'target') {
      if (immField === 'off') fields.off = cursor.checkOffset(op.num);
      else fields.imm = toInt32(cursor.checkImm(op.num, INT32));
    } else {
      fields.imm = toInt32(cursor.checkImm(op.num, immBounds(op.num)));
    }
  });
  return {
    row,
    ...fields,
    ...(imm64 === undefined ? {} : { imm64 }),
    ...(target ? { target } : {}),
    column,
  };
}
