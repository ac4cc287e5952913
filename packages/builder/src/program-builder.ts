/**
 * The builder itself: a list of instructions whose operands are checked as they are added, and
 * labels that are resolved to PC-relative distances when the program is turned into instructions
 * or bytes.
 */
import {
  encode,
  FRAME_POINTER,
  type Insn,
  MAX_PROGRAM_INSNS,
  type OpcodeRow,
  type OpcodeSet,
  type OpcodeSetOptions,
  type OperandField,
  opcodes,
  ROWS_BY_NAME,
  writtenOperand,
} from '@ebpf/isa';
import {
  BUILDER_BAD_OPERAND,
  BUILDER_DUPLICATE_LABEL,
  BUILDER_FORM_NOT_ALLOWED,
  BUILDER_INVALID_LABEL,
  BUILDER_JUMP_RANGE,
  BUILDER_PROGRAM_TOO_LONG,
  BUILDER_UNDEFINED_LABEL,
  BUILDER_UNKNOWN_FORM,
  BUILDER_WRITES_FRAME_POINTER,
  BuildError,
} from './builder-errors.js';
import { checkImm32, checkImm64, checkOffset16, checkRelative32 } from './check-operand.js';
import { labelField } from './form-roles.js';
import type { InstructionMethods } from './instruction-methods.js';
import { METHOD_ROWS, type MethodParameter, methodParameters } from './method-signature.js';
import { checkRegister, isRegister, type Register } from './register.js';

/**
 * Operands of {@link ProgramBuilder.emit}, by instruction field. Give exactly the fields the form
 * uses (`row.uses`). For lddw forms `imm` is the whole 64-bit immediate; where the form holds a
 * PC-relative distance (jumps, local calls, lddw's code address) that field may be a label name.
 */
export interface EmitOperands {
  readonly dst?: Register;
  readonly src?: Register;
  readonly off?: number | string;
  readonly imm?: number | bigint | string;
}

const FIELDS: readonly OperandField[] = ['dst', 'src', 'off', 'imm'];
const INT16_MIN = -0x8000;
const INT16_MAX = 0x7fff;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/**
 * Options of a {@link ProgramBuilder}. Give `cpu` and/or `groups` (as for `opcodes` of
 * `@ebpf/isa`) to refuse forms a target does not have; by default every form is allowed.
 */
export interface ProgramBuilderOptions extends OpcodeSetOptions {}

/** One instruction as added: its fields, and the label its distance waits for, if any. */
interface PendingInsn {
  readonly row: OpcodeRow;
  readonly pc: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  readonly imm64: bigint | undefined;
  readonly label: string | undefined;
}

/**
 * Builds an eBPF program from typed, chainable calls: one method per instruction form of the ISA
 * table (see {@link InstructionMethods}), `label` to name a position, `emit` to add a form by its
 * table name, and `toInsns` / `toBytes` to finish.
 *
 * Operands are checked when an instruction is added (registers, ranges, writes to r10); labels
 * are resolved when the program is finished, so jumps may lead forwards or backwards.
 *
 * @example
 * import { ProgramBuilder, r0, r1, r2 } from '@ebpf/builder';
 *
 * const bytes = new ProgramBuilder()
 *   .mov64(r0, 0)
 *   .ldxw(r1, r2, 4)
 *   .jeq(r1, 0x605, 'out')
 *   .mov64(r0, 1)
 *   .label('out')
 *   .exit()
 *   .toBytes(); // 40 bytes: mov64, ldxw, jeq (offset +1), mov64, exit
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the typed methods are installed on the prototype from the ISA table; the interface declares them.
export class ProgramBuilder {
  readonly #insns: PendingInsn[] = [];
  readonly #labels = new Map<string, number>();
  #slots = 0;
  readonly #allowed: OpcodeSet | undefined;

  /**
   * @example
   * new ProgramBuilder({ cpu: 'v3' }).sdiv64('r1', 2); // throws BUILDER_FORM_NOT_ALLOWED
   */
  constructor(options: ProgramBuilderOptions = {}) {
    this.#allowed =
      options.cpu === undefined && options.groups === undefined ? undefined : opcodes(options);
  }

  static {
    for (const [name, rows] of METHOD_ROWS) {
      if (name in ProgramBuilder.prototype) {
        throw new Error(`instruction method ${name} clashes with a ProgramBuilder member`);
      }
      const params = methodParameters(rows[0]);
      Object.defineProperty(ProgramBuilder.prototype, name, {
        value: function (this: ProgramBuilder, ...args: unknown[]): ProgramBuilder {
          return this.#emitTyped(name, rows, params, args);
        },
        configurable: true,
        writable: true,
        enumerable: false,
      });
    }
  }

  /** The slot index the next instruction will take (lddw takes two slots). */
  get pc(): number {
    return this.#slots;
  }

  /**
   * Names the position of the next instruction, for jumps, local calls and code addresses.
   *
   * @throws BuildError BUILDER_DUPLICATE_LABEL when the name is taken, BUILDER_INVALID_LABEL
   * when it is empty, not a string, or a register name.
   */
  label(name: string): this {
    checkLabelName(name, this.#slots);
    const first = this.#labels.get(name);
    if (first !== undefined) {
      throw new BuildError(BUILDER_DUPLICATE_LABEL, { label: name, first }, this.#slots);
    }
    this.#labels.set(name, this.#slots);
    return this;
  }

  /**
   * Adds the form named `name` in the instruction table (`add64_imm`, `lddw_map_value_fd`), with
   * its operands by field: the way to emit a form chosen at run time.
   *
   * @example
   * new ProgramBuilder().emit('jeq_imm', { dst: 'r1', imm: 4, off: 'out' }).label('out');
   */
  emit(name: string, operands: EmitOperands = {}): this {
    const row = ROWS_BY_NAME.get(name);
    if (!row) throw new BuildError(BUILDER_UNKNOWN_FORM, { name: String(name) }, this.#slots);
    if (typeof operands !== 'object' || operands === null) {
      throw new BuildError(
        BUILDER_BAD_OPERAND,
        { form: row.name, operand: 'operands', problem: 'type', value: operands },
        this.#slots,
      );
    }
    for (const key of Object.keys(operands)) {
      if (!(FIELDS as readonly string[]).includes(key)) {
        const value = (operands as Record<string, unknown>)[key];
        throw new BuildError(
          BUILDER_BAD_OPERAND,
          { form: row.name, operand: key, problem: 'unused', value },
          this.#slots,
        );
      }
    }
    return this.#push(row, operands as Readonly<Record<string, unknown>>);
  }

  /**
   * The program as instructions, labels resolved: what `encode` of `@ebpf/isa` takes. lddw
   * instructions carry their 64-bit immediate in `imm64` (unsigned) and its low half in `imm`.
   *
   * @throws BuildError BUILDER_UNDEFINED_LABEL, BUILDER_JUMP_RANGE.
   */
  toInsns(): Insn[] {
    return this.#insns.map((p) => this.#resolve(p));
  }

  /** The program as bytes (8 per slot, little-endian), labels resolved. */
  toBytes(): Uint8Array {
    return encode(this.toInsns());
  }

  #resolve(p: PendingInsn): Insn {
    let { off, imm, imm64 } = p;
    if (p.label !== undefined) {
      const target = this.#labels.get(p.label);
      if (target === undefined) {
        throw new BuildError(BUILDER_UNDEFINED_LABEL, { form: p.row.name, label: p.label }, p.pc);
      }
      const distance = target - (p.pc + 1);
      const field = labelField(p.row) === 'off' ? 'off' : 'imm';
      const [min, max] = field === 'off' ? [INT16_MIN, INT16_MAX] : [INT32_MIN, INT32_MAX];
      if (distance < min || distance > max) {
        throw new BuildError(
          BUILDER_JUMP_RANGE,
          { form: p.row.name, label: p.label, target, distance, field },
          p.pc,
        );
      }
      if (field === 'off') off = distance;
      else {
        imm = distance;
        if (p.row.slots === 2) imm64 = BigInt(distance >>> 0);
      }
    }
    const insn = { opcode: p.row.opcode, dst: p.dst, src: p.src, off, imm };
    return imm64 === undefined ? insn : { ...insn, imm64 };
  }

  #emitTyped(
    method: string,
    rows: readonly OpcodeRow[],
    params: readonly MethodParameter[],
    args: readonly unknown[],
  ): this {
    const pc = this.#slots;
    if (args.length !== params.length) {
      throw new BuildError(
        BUILDER_BAD_OPERAND,
        { form: method, operand: `(${params.join(', ')})`, problem: 'arity', value: args.length },
        pc,
      );
    }
    const sourceAt = params.indexOf('source');
    const row =
      sourceAt < 0
        ? rows[0]
        : rows.find((r) => r.source === (typeof args[sourceAt] === 'string' ? 'reg' : 'imm'))!;
    const operands: Record<string, unknown> = {};
    params.forEach((param, i) => {
      if (param === 'source') operands[row.source === 'reg' ? 'src' : 'imm'] = args[i];
      else if (param !== 'nextImm') operands[param] = args[i];
    });
    const nextAt = params.indexOf('nextImm');
    if (nextAt >= 0) {
      // A map-value lddw: an id in the low half, a value offset in the high half.
      const low = checkImm32(args[params.indexOf('imm')], row.name, 'imm', pc);
      const high = checkImm32(args[nextAt], row.name, 'nextImm', pc);
      operands.imm = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    }
    return this.#push(row, operands);
  }

  #push(row: OpcodeRow, operands: Readonly<Record<string, unknown>>): this {
    const pc = this.#slots;
    const form = row.name;
    const allowed = this.#allowed;
    if (allowed !== undefined && !allowed.has(row)) {
      throw new BuildError(
        BUILDER_FORM_NOT_ALLOWED,
        { form, cpu: allowed.cpu, formCpu: row.cpu, group: row.group },
        pc,
      );
    }
    if (pc + row.slots > MAX_PROGRAM_INSNS) {
      throw new BuildError(
        BUILDER_PROGRAM_TOO_LONG,
        { slots: pc + row.slots, max: MAX_PROGRAM_INSNS },
        pc,
      );
    }
    for (const field of FIELDS) {
      const used = row.uses.includes(field);
      const value = operands[field];
      if (used === (value === undefined)) {
        throw new BuildError(
          BUILDER_BAD_OPERAND,
          { form, operand: field, problem: used ? 'missing' : 'unused', value },
          pc,
        );
      }
    }
    const dst = row.uses.includes('dst') ? checkRegister(operands.dst, form, 'dst', pc) : 0;
    let src: number = row.uses.includes('src') ? checkRegister(operands.src, form, 'src', pc) : 0;
    const written = writtenOperand(row);
    if (written !== undefined && (written === 'dst' ? dst : src) === FRAME_POINTER) {
      throw new BuildError(BUILDER_WRITES_FRAME_POINTER, { form, operand: written }, pc);
    }
    const branch = labelField(row);
    let off = 0;
    let imm = 0;
    let imm64: bigint | undefined;
    let label: string | undefined;
    if (row.uses.includes('off')) {
      if (branch === 'off' && typeof operands.off === 'string')
        label = checkLabelName(operands.off, pc);
      else off = checkOffset16(operands.off, form, pc);
    }
    if (row.uses.includes('imm')) {
      const value = operands.imm;
      if (branch === 'imm' && typeof value === 'string') label = checkLabelName(value, pc);
      else if (branch === 'imm') imm = checkRelative32(value, form, pc);
      else if (row.slots === 2) {
        imm64 = checkImm64(value, form, pc);
        imm = Number(BigInt.asIntN(32, imm64));
      } else imm = checkImm32(value, form, 'imm', pc);
      if (row.slots === 2 && imm64 === undefined) imm64 = BigInt(imm >>> 0);
    }
    // The discriminating field (sdiv's offset, an atomic's operation, lddw's and call's subtype).
    src = row.match.src ?? src;
    off = row.match.off ?? off;
    imm = row.match.imm ?? imm;
    this.#insns.push({ row, pc, dst, src, off, imm, imm64, label });
    this.#slots += row.slots;
    return this;
  }
}

export interface ProgramBuilder extends InstructionMethods<ProgramBuilder> {}

/**
 * A label name: a non-empty string that is not a register name (`jeq(r1, r2, 'r3')` is far more
 * likely a slip than a label called r3).
 */
function checkLabelName(value: unknown, pc: number): string {
  if (typeof value !== 'string' || value.length === 0 || isRegister(value)) {
    throw new BuildError(BUILDER_INVALID_LABEL, { value }, pc);
  }
  return value;
}
