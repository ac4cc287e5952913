/**
 * The structural verifier: everything that can be checked from the bytes alone, without
 * following values. It is what rbpf's verifier checks, made right: every problem is reported
 * (not only the first), `exit` need not be the last instruction (every path must reach one), and
 * jumps may not land in the middle of an `lddw`.
 *
 * Two rules follow RFC 9669 rather than Linux by default, because the RFC defines the behaviour
 * and the conformance suite tests it: a shift by an immediate at or above the operand width
 * (the count is masked) and a division or modulo by an immediate zero (the result is 0, or the
 * dividend) are accepted. {@link createStructural} can refuse both, as the kernel does.
 */
import {
  checkReservedFields,
  compareCpu,
  type DecodedInsn,
  FRAME_POINTER,
  type OpcodeSet,
  opcodes,
  writtenOperand,
} from '@ebpf/isa';
import {
  branchTarget,
  fallsThrough,
  findSubprograms,
  isJump,
  successorsOf,
} from './control-flow.js';
import { type DecodedProgram, decodeProgram } from './decode-program.js';
import { createProblem, sortProblems } from './problem.js';
import type {
  HostDeclaration,
  Verifier,
  VerifierInput,
  VerifyProblem,
  VerifyResult,
} from './verifier.js';
import {
  VERIFY_BAD_REGISTER,
  VERIFY_CALL_OUT_OF_RANGE,
  VERIFY_DIV_BY_ZERO_IMM,
  VERIFY_FALLS_OFF_END,
  VERIFY_JUMP_ACROSS_SUBPROGRAM,
  VERIFY_JUMP_INTO_LDDW,
  VERIFY_JUMP_OUT_OF_RANGE,
  VERIFY_NO_EXIT,
  VERIFY_OPCODE_NOT_ENABLED,
  VERIFY_RESERVED_FIELD,
  VERIFY_SHIFT_RANGE,
  VERIFY_UNKNOWN_HELPER,
  VERIFY_WRITE_FRAME_POINTER,
} from './verify-errors.js';

/** Choices between RFC 9669 (the default) and the Linux kernel where they differ. */
export interface StructuralOptions {
  /** `'mask'` (RFC, default) accepts `lsh r1, 40` in 32-bit ops; `'reject'` refuses it like Linux. */
  readonly shiftImmediates?: 'mask' | 'reject';
  /** `'allow'` (RFC, default) accepts `div r1, 0`; `'reject'` refuses it like Linux. */
  readonly divisionByZeroImmediate?: 'allow' | 'reject';
}

/** The registers an instruction writes: its written operand, and r0 for cmpxchg and packet loads. */
export function writtenRegisters(insn: DecodedInsn): number[] {
  const operand = writtenOperand(insn.row);
  const written = operand === undefined ? [] : [insn[operand]];
  if (insn.row.op === 'atomic_cmpxchg' || insn.row.kind === 'packet') written.push(0);
  return written;
}

function checkInsn(
  insn: DecodedInsn,
  program: DecodedProgram,
  set: OpcodeSet,
  host: HostDeclaration,
  options: StructuralOptions,
  out: VerifyProblem[],
): void {
  const { row } = insn;
  if (!set.has(row)) {
    const why = [];
    if (!set.groups.has(row.group)) why.push(`group ${row.group} is not enabled`);
    if (compareCpu(set.cpu, row.cpu) < 0)
      why.push(`it needs CPU ${row.cpu} and the host allows ${set.cpu}`);
    out.push(
      createProblem(
        VERIFY_OPCODE_NOT_ENABLED,
        insn,
        `${row.name} is not allowed here: ${why.join('; ')}`,
      ),
    );
  }
  const reserved = checkReservedFields(insn);
  if (reserved) {
    const { field, value } = reserved.context as { field: string; value: number };
    out.push(
      createProblem(
        VERIFY_RESERVED_FIELD,
        insn,
        `field ${field} of ${row.name} is unused and must be 0, found ${value}`,
      ),
    );
  }
  for (const field of ['dst', 'src'] as const) {
    if (row.uses.includes(field) && insn[field] > FRAME_POINTER) {
      out.push(
        createProblem(
          VERIFY_BAD_REGISTER,
          insn,
          `${field} register r${insn[field]} does not exist (r0-r10)`,
        ),
      );
    }
  }
  if (writtenRegisters(insn).includes(FRAME_POINTER)) {
    out.push(
      createProblem(
        VERIFY_WRITE_FRAME_POINTER,
        insn,
        'r10 is the read-only frame pointer and cannot be written',
      ),
    );
  }
  if (row.kind === 'alu' && row.source === 'imm') {
    if (
      options.shiftImmediates === 'reject' &&
      (row.op === 'lsh' || row.op === 'rsh' || row.op === 'arsh') &&
      (insn.imm < 0 || insn.imm >= row.width)
    ) {
      out.push(
        createProblem(
          VERIFY_SHIFT_RANGE,
          insn,
          `shift by ${insn.imm} is outside 0-${row.width - 1} for a ${row.width}-bit operation`,
        ),
      );
    }
    if (
      options.divisionByZeroImmediate === 'reject' &&
      (row.op === 'div' || row.op === 'sdiv' || row.op === 'mod' || row.op === 'smod') &&
      insn.imm === 0
    ) {
      out.push(createProblem(VERIFY_DIV_BY_ZERO_IMM, insn, `${row.op} by the immediate 0`));
    }
  }
  if (row.op === 'call' && host.helpers && !host.helpers.has(insn.imm)) {
    out.push(createProblem(VERIFY_UNKNOWN_HELPER, insn, `helper ${insn.imm} is not registered`));
  }
  const target = branchTarget(insn);
  if (target !== undefined) {
    const isCall = row.op === 'call_local';
    if (target < 0 || target >= program.slots) {
      out.push(
        createProblem(
          isCall ? VERIFY_CALL_OUT_OF_RANGE : VERIFY_JUMP_OUT_OF_RANGE,
          insn,
          `${isCall ? 'call' : 'jump'} target ${target} is outside the program (0-${program.slots - 1})`,
        ),
      );
    } else if (program.secondSlot[target]) {
      out.push(
        createProblem(
          VERIFY_JUMP_INTO_LDDW,
          insn,
          `${isCall ? 'call' : 'jump'} target ${target} is the second half of an lddw`,
        ),
      );
    }
  }
}

/**
 * Control-flow rules over the whole program: jumps stay in their subprogram, no path falls off
 * the end of the program or of a subprogram, and an `exit` is reachable from every reachable
 * instruction.
 */
function checkFlow(program: DecodedProgram, out: VerifyProblem[]): void {
  const subs = findSubprograms(program);
  const { slots, at } = program;
  const reached = new Uint8Array(slots);
  // terminal: exits, and instructions whose path already got a problem (no double reports).
  const terminal = new Uint8Array(slots);
  // Up to two successors per instruction inside its subprogram (-1: none).
  const succ = new Int32Array(slots * 2).fill(-1);
  const stack = new Int32Array(slots + subs.entries.length);
  let top = 0;
  for (const e of subs.entries) {
    reached[e] = 1;
    stack[top++] = e;
  }
  while (top > 0) {
    const pc = stack[--top];
    const insn = at[pc];
    if (!insn) {
      terminal[pc] = 1;
      continue;
    }
    const sub = subs.of[pc];
    const end = subs.end(sub);
    if (insn.row.kind === 'exit') terminal[pc] = 1;
    if (isJump(insn)) {
      const t = branchTarget(insn)!;
      if (t < 0 || t >= slots || program.secondSlot[t]) terminal[pc] = 1;
      else if (subs.of[t] !== sub) {
        out.push(
          createProblem(
            VERIFY_JUMP_ACROSS_SUBPROGRAM,
            insn,
            `jump from subprogram at ${subs.entries[sub]} into the one at ${subs.entries[subs.of[t]]}`,
          ),
        );
        terminal[pc] = 1;
      }
    }
    if (fallsThrough(insn) && insn.pc + insn.row.slots >= end) {
      out.push(
        createProblem(
          VERIFY_FALLS_OFF_END,
          insn,
          end === slots
            ? 'execution can run past the last instruction without an exit'
            : `execution can run past the end of the subprogram at ${subs.entries[sub]} into the next one`,
        ),
      );
      terminal[pc] = 1;
    }
    let k = 0;
    for (const s of successorsOf(insn, slots)) {
      if (subs.of[s] !== sub) continue;
      succ[pc * 2 + k++] = s;
      if (!reached[s]) {
        reached[s] = 1;
        stack[top++] = s;
      }
    }
  }
  // Predecessor lists in one array (compressed rows), for the backward walk.
  const predStart = new Int32Array(slots + 1);
  for (let i = 0; i < succ.length; i++) if (succ[i] >= 0) predStart[succ[i] + 1]++;
  for (let i = 0; i < slots; i++) predStart[i + 1] += predStart[i];
  const preds = new Int32Array(predStart[slots]);
  const fill = predStart.slice(0, slots);
  for (let i = 0; i < succ.length; i++) if (succ[i] >= 0) preds[fill[succ[i]]++] = i >> 1;
  // Backwards from the terminals: what can reach an exit (or an already reported dead end).
  const exits = new Uint8Array(slots);
  for (let pc = 0; pc < slots; pc++) {
    if (reached[pc] && terminal[pc]) {
      exits[pc] = 1;
      stack[top++] = pc;
    }
  }
  while (top > 0) {
    const pc = stack[--top];
    for (let i = predStart[pc]; i < predStart[pc + 1]; i++) {
      const p = preds[i];
      if (!exits[p]) {
        exits[p] = 1;
        stack[top++] = p;
      }
    }
  }
  // One report per subprogram, at the jump that closes the trap (or its first instruction).
  const closes = (pc: number) => isJump(at[pc]!) && branchTarget(at[pc]!)! <= pc;
  const trapOf = new Map<number, number>();
  for (let pc = 0; pc < slots; pc++) {
    if (!reached[pc] || exits[pc] || !at[pc]) continue;
    const sub = subs.of[pc];
    const prior = trapOf.get(sub);
    if (prior === undefined || (closes(pc) && !closes(prior))) trapOf.set(sub, pc);
  }
  for (const pc of trapOf.values()) {
    out.push(
      createProblem(
        VERIFY_NO_EXIT,
        at[pc],
        'no exit can be reached from here: the program loops forever',
      ),
    );
  }
}

/**
 * Structural checks of a decoded program; the problems in program order. `strict` runs these
 * first.
 */
export function checkStructure(
  program: DecodedProgram,
  host: HostDeclaration,
  options: StructuralOptions = {},
): VerifyProblem[] {
  const out: VerifyProblem[] = [...program.problems];
  const set = opcodes({ cpu: host.cpu, groups: host.groups });
  for (const insn of program.insns) checkInsn(insn, program, set, host, options, out);
  if (program.slots > 0 && program.insns.length > 0) checkFlow(program, out);
  return sortProblems(out);
}

/**
 * A structural verifier with a choice of RFC or kernel behaviour on the two rules where they
 * differ.
 *
 * @example
 * const kernelLike = createStructural({ shiftImmediates: 'reject', divisionByZeroImmediate: 'reject' });
 */
export function createStructural(options: StructuralOptions = {}): Verifier {
  return Object.freeze({
    name: 'structural',
    verify({ bytes, host }: VerifierInput): VerifyResult {
      const problems = checkStructure(decodeProgram(bytes), host, options);
      return { ok: problems.length === 0, problems };
    },
  });
}

/**
 * The default verifier: structural checks only (see the module comment). Accepts every program
 * of the bpf_conformance suite.
 *
 * @example
 * const result = structural.verify({ bytes, host: { cpu: 'v3' } });
 * if (!result.ok) for (const p of result.problems) console.log(p.pc, p.message);
 */
export const structural: Verifier = createStructural();
