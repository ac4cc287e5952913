/**
 * The LLVM syntax: what `llvm-objdump -d` prints and `llvm-mc -triple bpfel` reads.
 *
 *     r0 = 1          w1 += w2            r1 = 0x1234 ll         if r1 s> 3 goto +2
 *     r0 = -r0        r4 = (s16)r2        r0 = bswap64 r0        r0 = be16 r0
 *     r0 = *(u32 *)(r1 + 4)               *(u64 *)(r10 - 8) = r1
 *     r1 = *(s8 *)(r1 + 0)                r0 = *(u16 *)skb[4]    r0 = *(u8 *)skb[r1]
 *     lock *(u64 *)(r7 + 0) += r0         r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)
 *     r2 = xchg_64(r1 + 0, r2)            r0 = cmpxchg_64(r1 + 0, r0, r2)
 *     goto +1   gotol +1000   call 1   call LABEL   callx r2   exit   ld_pseudo r1, 1, 4
 *
 * Rows are found in the table by kind, operation, width, source and size, never listed here.
 * Where LLVM has no text for a form, the assembler accepts an extension: `call local N|LABEL`
 * (and `call_local`), `call_btf N`, and `skb[rN + imm]` for LD_IND with a non-zero immediate.
 * Operands LLVM ties together (`r1 = -r1`, `r2 = xchg_64(r1 + 0, r2)`) must agree.
 */
import { OPCODE_TABLE, type OpcodeRow, type RowKind, type RowOp } from '@ebpf/isa';
import { ASM_OPERAND_KIND, ASM_REGISTER_MISMATCH, ASM_UNKNOWN_MNEMONIC } from './asm-errors.js';
import { baseFields, type LabelTarget, type Statement } from './statement.js';
import {
  describeToken,
  INT32,
  looksLikeRegister,
  RAW32,
  RAW64,
  type RegisterRef,
  type TokenCursor,
  toInt32,
} from './token-cursor.js';
import type { Token } from './tokenize.js';

const REGISTER_OPTIONS = { allowPercent: false, allowW: true } as const;

/** An operator table as a Map, so that no inherited property can pass for an operator. */
function operatorMap(entries: Readonly<Record<string, RowOp>>): ReadonlyMap<string, RowOp> {
  return new Map(Object.entries(entries));
}

/** Compound assignment operators of the ALU rows. */
const ALU_OPERATORS: ReadonlyMap<string, RowOp> = operatorMap({
  '+=': 'add',
  '-=': 'sub',
  '*=': 'mul',
  '/=': 'div',
  's/=': 'sdiv',
  '%=': 'mod',
  's%=': 'smod',
  '|=': 'or',
  '&=': 'and',
  '<<=': 'lsh',
  '>>=': 'rsh',
  's>>=': 'arsh',
  '^=': 'xor',
});

/** Comparison operators of the conditional jumps. */
const JUMP_OPERATORS: ReadonlyMap<string, RowOp> = operatorMap({
  '==': 'jeq',
  '!=': 'jne',
  '>': 'jgt',
  '>=': 'jge',
  '<': 'jlt',
  '<=': 'jle',
  's>': 'jsgt',
  's>=': 'jsge',
  's<': 'jslt',
  's<=': 'jsle',
  '&': 'jset',
});

/** `lock *(uN *)(...) OP= reg` operators. */
const LOCK_OPERATORS: ReadonlyMap<string, RowOp> = operatorMap({
  '+=': 'atomic_add',
  '|=': 'atomic_or',
  '&=': 'atomic_and',
  '^=': 'atomic_xor',
});

interface RowQuery {
  readonly kind: RowKind;
  readonly op: RowOp;
  readonly width?: 32 | 64;
  readonly source?: OpcodeRow['source'];
  readonly size?: OpcodeRow['size'];
  readonly bits?: OpcodeRow['bits'];
}

const rowCache = new Map<string, OpcodeRow | undefined>();

/** The one row a query describes, or `undefined`. */
function findRow(q: RowQuery): OpcodeRow | undefined {
  const key = `${q.kind}/${q.op}/${q.width}/${q.source}/${q.size}/${q.bits}`;
  if (rowCache.has(key)) return rowCache.get(key);
  const row = OPCODE_TABLE.find(
    (r) =>
      r.kind === q.kind &&
      r.op === q.op &&
      (q.width === undefined || r.width === q.width) &&
      (q.source === undefined || r.source === q.source) &&
      (q.size === undefined || r.size === q.size) &&
      (q.bits === undefined || r.bits === q.bits),
  );
  rowCache.set(key, row);
  return row;
}

/** A memory type `(u32 *)`: its size and signedness. */
interface MemType {
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  readonly token: Token;
}

/** A memory reference `(rN + off)`. */
interface Address {
  readonly base: RegisterRef;
  readonly off: number;
}

class LlvmLine {
  constructor(
    readonly cursor: TokenCursor,
    readonly column: number,
  ) {}

  statement(
    row: OpcodeRow | undefined,
    at: Token | undefined,
    fields: { dst?: number; src?: number; off?: number; imm?: number; imm64?: bigint },
    target?: LabelTarget,
  ): Statement {
    if (!row) {
      return this.cursor.fail(ASM_UNKNOWN_MNEMONIC, at, {
        mnemonic: this.cursor.source.trim(),
      });
    }
    this.cursor.expectEnd();
    const base = baseFields(row);
    return {
      row,
      dst: fields.dst ?? base.dst,
      src: fields.src ?? base.src,
      off: fields.off ?? base.off,
      imm: fields.imm ?? base.imm,
      ...(fields.imm64 === undefined ? {} : { imm64: fields.imm64 }),
      ...(target ? { target } : {}),
      column: this.column,
    };
  }

  register(): RegisterRef {
    return this.cursor.readRegister(REGISTER_OPTIONS);
  }

  /** A register of the given width (`r` for 64-bit, `w` for 32-bit). */
  registerOf(width: 'r' | 'w' | 'rw'): RegisterRef {
    const t = this.cursor.peek();
    const reg = this.register();
    if (width !== 'rw' && reg.width !== width) {
      this.cursor.fail(ASM_REGISTER_MISMATCH, t, {
        expected: `a ${width === 'r' ? '64-bit (r)' : '32-bit (w)'} register`,
        found: `'${reg.text}'`,
      });
    }
    return reg;
  }

  /** The register must be the same one as `tied` (LLVM's tied operands). */
  tiedTo(tied: RegisterRef, what: string): RegisterRef {
    const t = this.cursor.peek();
    const reg = this.register();
    if (reg.n !== tied.n || reg.width !== tied.width) {
      this.cursor.fail(ASM_REGISTER_MISMATCH, t, {
        expected: `${what} '${tied.text}'`,
        found: `'${reg.text}'`,
      });
    }
    return reg;
  }

  imm32(): number {
    return toInt32(this.cursor.checkImm(this.cursor.readNumber(), RAW32));
  }

  /** `(u8 *)`, `(s16 *)`... after the opening parenthesis has been read. */
  memType(): MemType {
    const token = this.cursor.peek();
    const m = token?.kind === 'word' ? /^([us])(8|16|32|64)$/.exec(token.text.toLowerCase()) : null;
    if (!token || !m)
      return this.cursor.failExpected('a memory type (u8, u16, u32, u64, s8, s16, s32)');
    this.cursor.next();
    this.cursor.expect('*');
    this.cursor.expect(')');
    return { size: (Number(m[2]) / 8) as MemType['size'], signed: m[1] === 's', token };
  }

  /** `rN + off` / `rN - off` (the parentheses are the caller's). */
  address(): Address {
    const base = this.registerOf('r');
    let off = 0;
    if (this.cursor.isNext('+') || this.cursor.isNext('-')) {
      const sign = this.cursor.next()!;
      const t = this.cursor.peek();
      if (t?.kind !== 'number') this.cursor.failExpected('an offset');
      const num = this.cursor.readNumber();
      off = this.cursor.checkOffset({
        ...num,
        value: sign.text === '-' ? -num.value : num.value,
        column: sign.column,
      });
    }
    return { base, off };
  }

  /** `(rN + off)` */
  parenAddress(): Address {
    this.cursor.expect('(');
    const a = this.address();
    this.cursor.expect(')');
    return a;
  }

  /** A jump target: a label, or a number that goes into `field`. */
  target(field: 'off' | 'imm'): { value: number; target?: LabelTarget } {
    const t = this.cursor.peek();
    if (t?.kind === 'word' && !looksLikeRegister(t.text)) {
      this.cursor.next();
      return { value: 0, target: { label: t.text, column: t.column, field } };
    }
    if (!this.cursor.isNumberNext()) {
      return this.cursor.fail(ASM_OPERAND_KIND, t, {
        expected: 'a jump target (label or +/-offset)',
        found: describeToken(t),
      });
    }
    const num = this.cursor.readNumber();
    if (field === 'off') return { value: this.cursor.checkOffset(num) };
    return { value: toInt32(this.cursor.checkImm(num, INT32)) };
  }

  /** A register or immediate second operand of an ALU or jump row, matching `first`'s width. */
  regOrImm(
    first: RegisterRef,
  ): { source: 'reg'; reg: RegisterRef } | { source: 'imm'; imm: number } {
    if (this.cursor.isRegisterNext()) {
      return { source: 'reg', reg: this.registerOf(first.width) };
    }
    if (!this.cursor.isNumberNext()) {
      const t = this.cursor.peek();
      return this.cursor.fail(ASM_OPERAND_KIND, t, {
        expected: 'a register or an immediate',
        found: describeToken(t),
      });
    }
    return { source: 'imm', imm: this.imm32() };
  }
}

function widthOf(reg: RegisterRef): 32 | 64 {
  return reg.width === 'w' ? 32 : 64;
}

function parseCall(line: LlvmLine, head: Token, local: boolean): Statement {
  const { cursor } = line;
  const t = cursor.peek();
  const isLabel = t?.kind === 'word' && !looksLikeRegister(t.text);
  if (local || isLabel) {
    const { value, target } = line.target('imm');
    return line.statement(
      findRow({ kind: 'call', op: 'call_local' }),
      head,
      { imm: value },
      target,
    );
  }
  return line.statement(findRow({ kind: 'call', op: 'call' }), head, { imm: line.imm32() });
}

function parseIf(line: LlvmLine, head: Token): Statement {
  const { cursor } = line;
  const left = line.register();
  const opToken = cursor.next();
  const op = opToken ? JUMP_OPERATORS.get(opToken.text) : undefined;
  if (!op) {
    return cursor.fail(ASM_OPERAND_KIND, opToken, {
      expected: 'a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)',
      found: describeToken(opToken),
    });
  }
  const right = line.regOrImm(left);
  cursor.expect('goto');
  const { value, target } = line.target('off');
  const row = findRow({ kind: 'jcond', op, width: widthOf(left), source: right.source });
  return line.statement(
    row,
    head,
    right.source === 'reg'
      ? { dst: left.n, src: right.reg.n, off: value }
      : { dst: left.n, imm: right.imm, off: value },
    target,
  );
}

function parseLock(line: LlvmLine, head: Token): Statement {
  const { cursor } = line;
  cursor.expect('*');
  cursor.expect('(');
  const type = line.memType();
  const addr = line.parenAddress();
  const opToken = cursor.next();
  const op = opToken ? LOCK_OPERATORS.get(opToken.text) : undefined;
  if (!op) {
    return cursor.fail(ASM_OPERAND_KIND, opToken, {
      expected: 'an atomic operator (+=, |=, &=, ^=)',
      found: describeToken(opToken),
    });
  }
  const width = type.size * 8;
  if (type.signed || (width !== 32 && width !== 64)) {
    return cursor.fail(ASM_OPERAND_KIND, type.token, {
      expected: 'u32 or u64',
      found: `'${type.token.text}'`,
    });
  }
  const src = line.registerOf(width === 64 ? 'r' : 'rw');
  const row = findRow({ kind: 'atomic', op, width: width as 32 | 64 });
  return line.statement(row, head, { dst: addr.base.n, src: src.n, off: addr.off });
}

function parsePseudo(line: LlvmLine, head: Token): Statement {
  const { cursor } = line;
  const dst = line.registerOf('r');
  cursor.expect(',');
  const srcNum = cursor.readNumber();
  const lddws = OPCODE_TABLE.filter((r) => r.kind === 'lddw');
  const row = lddws.find((r) => BigInt(r.match.src ?? -1) === srcNum.value);
  if (!row) {
    const srcs = lddws.map((r) => r.match.src ?? 0);
    const min = BigInt(Math.min(...srcs));
    const max = BigInt(Math.max(...srcs));
    cursor.checkImm(srcNum, { min, max });
  }
  cursor.expect(',');
  const imm = line.imm32();
  return line.statement(row, head, { dst: dst.n, imm, imm64: BigInt(imm >>> 0) });
}

function parseStore(line: LlvmLine, head: Token): Statement {
  const { cursor } = line;
  cursor.expect('*');
  cursor.expect('(');
  const type = line.memType();
  if (type.signed) {
    return cursor.fail(ASM_OPERAND_KIND, type.token, {
      expected: 'an unsigned type',
      found: `'${type.token.text}'`,
    });
  }
  const addr = line.parenAddress();
  cursor.expect('=');
  if (cursor.isRegisterNext()) {
    const src = line.registerOf(type.size === 8 ? 'r' : 'rw');
    const row = findRow({ kind: 'store', op: 'stx', size: type.size });
    return line.statement(row, head, { dst: addr.base.n, src: src.n, off: addr.off });
  }
  const row = findRow({ kind: 'store', op: 'st', size: type.size });
  return line.statement(row, head, { dst: addr.base.n, off: addr.off, imm: line.imm32() });
}

/** `rD = *(...)`: a load from memory or from the packet (`skb[...]`). */
function parseLoad(line: LlvmLine, head: Token, dst: RegisterRef): Statement {
  const { cursor } = line;
  cursor.expect('(');
  const type = line.memType();
  if (cursor.isNext('skb')) {
    cursor.next();
    cursor.expect('[');
    if (dst.n !== 0 || dst.width !== 'r') {
      cursor.fail(ASM_REGISTER_MISMATCH, head, {
        expected: "'r0' (packet loads write r0)",
        found: `'${dst.text}'`,
      });
    }
    if (type.signed || type.size === 8) {
      cursor.fail(ASM_OPERAND_KIND, type.token, {
        expected: 'u8, u16 or u32',
        found: `'${type.token.text}'`,
      });
    }
    if (cursor.isRegisterNext()) {
      const src = line.registerOf('r');
      let imm = 0;
      if (cursor.isNext('+') || cursor.isNext('-')) imm = line.imm32();
      cursor.expect(']');
      const row = findRow({ kind: 'packet', op: 'ldind', size: type.size });
      return line.statement(row, head, { src: src.n, imm });
    }
    const imm = line.imm32();
    cursor.expect(']');
    return line.statement(findRow({ kind: 'packet', op: 'ldabs', size: type.size }), head, { imm });
  }
  const addr = line.parenAddress();
  if (dst.width === 'w' && (type.signed || type.size === 8)) {
    cursor.fail(ASM_REGISTER_MISMATCH, head, {
      expected: 'a 64-bit (r) destination',
      found: `'${dst.text}'`,
    });
  }
  const row = findRow({ kind: 'load', op: type.signed ? 'ldxs' : 'ldx', size: type.size });
  if (!row) {
    return cursor.fail(ASM_OPERAND_KIND, type.token, {
      expected: 'a loadable type',
      found: `'${type.token.text}'`,
    });
  }
  return line.statement(row, head, { dst: dst.n, src: addr.base.n, off: addr.off });
}

/** `rD = name(...)`: the atomic fetch, xchg and cmpxchg forms and the byte swaps. */
function parseNamedRhs(line: LlvmLine, head: Token, dst: RegisterRef, name: Token): Statement {
  const { cursor } = line;
  const word = name.text.toLowerCase();
  const swap = /^(bswap|be|le)(16|32|64)$/.exec(word);
  if (swap) {
    cursor.next();
    if (dst.width !== 'r') {
      cursor.fail(ASM_REGISTER_MISMATCH, head, {
        expected: 'a 64-bit (r) register',
        found: `'${dst.text}'`,
      });
    }
    line.tiedTo(dst, 'the destination');
    const row = findRow({
      kind: 'endian',
      op: swap[1] as RowOp,
      bits: Number(swap[2]) as 16 | 32 | 64,
    });
    return line.statement(row, name, { dst: dst.n });
  }
  const fetch = /^atomic_fetch_(add|or|and|xor)$/.exec(word);
  if (fetch) {
    cursor.next();
    cursor.expect('(');
    cursor.expect('(');
    const type = line.memType();
    const width = type.size * 8;
    if (type.signed || (width !== 32 && width !== 64)) {
      cursor.fail(ASM_OPERAND_KIND, type.token, {
        expected: 'u32 or u64',
        found: `'${type.token.text}'`,
      });
    }
    if (dst.width !== (width === 64 ? 'r' : 'w')) {
      cursor.fail(ASM_REGISTER_MISMATCH, head, {
        expected: `a ${width === 64 ? '64-bit (r)' : '32-bit (w)'} register`,
        found: `'${dst.text}'`,
      });
    }
    const addr = line.parenAddress();
    cursor.expect(',');
    line.tiedTo(dst, 'the destination');
    cursor.expect(')');
    const row = findRow({
      kind: 'atomic',
      op: `atomic_fetch_${fetch[1]}` as RowOp,
      width: width as 32 | 64,
    });
    return line.statement(row, name, { dst: addr.base.n, src: dst.n, off: addr.off });
  }
  const xchg = /^(xchg|cmpxchg)(?:_64|32_32)$/.exec(word);
  if (xchg) {
    cursor.next();
    const width = word.endsWith('_64') ? 64 : 32;
    const regWidth = width === 64 ? 'r' : 'w';
    if (dst.width !== regWidth) {
      cursor.fail(ASM_REGISTER_MISMATCH, head, {
        expected: `a ${width === 64 ? '64-bit (r)' : '32-bit (w)'} register`,
        found: `'${dst.text}'`,
      });
    }
    cursor.expect('(');
    const addr = line.address();
    cursor.expect(',');
    let src: RegisterRef;
    if (xchg[1] === 'cmpxchg') {
      if (dst.n !== 0) {
        cursor.fail(ASM_REGISTER_MISMATCH, head, {
          expected: `'${regWidth}0' (cmpxchg writes r0)`,
          found: `'${dst.text}'`,
        });
      }
      line.tiedTo(dst, 'the destination');
      cursor.expect(',');
      src = line.registerOf(regWidth);
    } else {
      src = line.tiedTo(dst, 'the destination');
    }
    cursor.expect(')');
    const row = findRow({ kind: 'atomic', op: `atomic_${xchg[1]}` as RowOp, width });
    return line.statement(row, name, { dst: addr.base.n, src: src.n, off: addr.off });
  }
  return cursor.fail(ASM_UNKNOWN_MNEMONIC, name, { mnemonic: name.text });
}

/** Statements that start with a register: `rD op= ...` and `rD = ...`. */
function parseAssignment(line: LlvmLine, head: Token): Statement {
  const { cursor } = line;
  const dst = line.register();
  const width = widthOf(dst);
  const opToken = cursor.next();
  if (opToken === undefined) return cursor.failExpected('an assignment operator');
  const aluOp = ALU_OPERATORS.get(opToken.text);
  if (aluOp) {
    const right = line.regOrImm(dst);
    const row = findRow({ kind: 'alu', op: aluOp, width, source: right.source });
    return line.statement(
      row,
      head,
      right.source === 'reg' ? { dst: dst.n, src: right.reg.n } : { dst: dst.n, imm: right.imm },
    );
  }
  if (opToken.text !== '=') {
    return cursor.fail(ASM_OPERAND_KIND, opToken, {
      expected: 'an assignment operator',
      found: describeToken(opToken),
    });
  }
  const next = cursor.peek();
  if (next?.text === '-' && cursor.peek(1)?.kind === 'word') {
    cursor.next();
    line.tiedTo(dst, 'the destination');
    return line.statement(findRow({ kind: 'neg', op: 'neg', width }), head, { dst: dst.n });
  }
  if (next?.text === '*') {
    cursor.next();
    return parseLoad(line, head, dst);
  }
  if (next?.text === '(') {
    cursor.next();
    const t = cursor.peek();
    const m = t?.kind === 'word' ? /^s(8|16|32)$/.exec(t.text.toLowerCase()) : null;
    if (!t || !m) return cursor.failExpected('a sign-extension type (s8, s16, s32)');
    cursor.next();
    cursor.expect(')');
    const src = line.registerOf(dst.width);
    const row = findRow({ kind: 'movsx', op: 'movsx', width, bits: Number(m[1]) as 8 | 16 | 32 });
    if (!row) {
      return cursor.fail(ASM_OPERAND_KIND, t, {
        expected: 's8 or s16 for a 32-bit move',
        found: `'${t.text}'`,
      });
    }
    return line.statement(row, head, { dst: dst.n, src: src.n });
  }
  if (cursor.isRegisterNext()) {
    const src = line.registerOf(dst.width);
    return line.statement(findRow({ kind: 'alu', op: 'mov', width, source: 'reg' }), head, {
      dst: dst.n,
      src: src.n,
    });
  }
  if (next?.kind === 'word') return parseNamedRhs(line, head, dst, next);
  if (!cursor.isNumberNext()) {
    return cursor.fail(ASM_OPERAND_KIND, next, {
      expected: 'a register, an immediate or an expression',
      found: describeToken(next),
    });
  }
  const num = cursor.readNumber();
  if (cursor.isNext('ll')) {
    const llToken = cursor.next();
    if (dst.width !== 'r') {
      cursor.fail(ASM_REGISTER_MISMATCH, llToken, {
        expected: 'a 64-bit (r) register for ll',
        found: `'${dst.text}'`,
      });
    }
    const imm64 = BigInt.asUintN(64, cursor.checkImm(num, RAW64));
    return line.statement(findRow({ kind: 'lddw', op: 'lddw' }), head, {
      dst: dst.n,
      imm: toInt32(imm64),
      imm64,
    });
  }
  const imm = toInt32(cursor.checkImm(num, RAW32));
  return line.statement(findRow({ kind: 'alu', op: 'mov', width, source: 'imm' }), head, {
    dst: dst.n,
    imm,
  });
}

/**
 * Parses the instruction on one line (labels already taken off).
 *
 * @example
 * parseLlvmStatement(new TokenCursor(tokenizeLine('r0 = 1', 1), 1, 'r0 = 1')).row.name; // 'mov64_imm'
 */
export function parseLlvmStatement(cursor: TokenCursor): Statement {
  const head = cursor.peek()!;
  const line = new LlvmLine(cursor, head.column);
  if (head.kind === 'word' && looksLikeRegister(head.text)) return parseAssignment(line, head);
  if (head.text === '*') return parseStore(line, head);
  if (head.kind !== 'word') return cursor.fail(ASM_UNKNOWN_MNEMONIC, head, { mnemonic: head.text });
  cursor.next();
  switch (head.text.toLowerCase()) {
    case 'exit':
      return line.statement(findRow({ kind: 'exit', op: 'exit' }), head, {});
    case 'call':
      return parseCall(line, head, cursor.accept('local'));
    case 'call_local':
      return parseCall(line, head, true);
    case 'call_btf':
      return line.statement(findRow({ kind: 'call', op: 'call_btf' }), head, { imm: line.imm32() });
    case 'callx':
      return line.statement(findRow({ kind: 'callx', op: 'callx' }), head, {
        dst: line.registerOf('r').n,
      });
    case 'goto': {
      const { value, target } = line.target('off');
      return line.statement(
        findRow({ kind: 'ja', op: 'ja', width: 64 }),
        head,
        { off: value },
        target,
      );
    }
    case 'gotol': {
      const { value, target } = line.target('imm');
      return line.statement(
        findRow({ kind: 'ja', op: 'ja', width: 32 }),
        head,
        { imm: value },
        target,
      );
    }
    case 'if':
      return parseIf(line, head);
    case 'lock':
      return parseLock(line, head);
    case 'ld_pseudo':
      return parsePseudo(line, head);
    default:
      return cursor.fail(ASM_UNKNOWN_MNEMONIC, head, { mnemonic: head.text });
  }
}
