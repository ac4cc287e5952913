/**
 * The one error base of the toolkit. Every package throws `EbpfError`s (or subclasses) with a
 * stable numeric `code` from its own reserved range, the instruction index `pc` where there is
 * one, and a typed `context`. Messages are for people; programs branch on `code`.
 *
 * Never remove, change or reorder codes: add new ones at the end of a package's range.
 */

/** The reserved code range of each package, inclusive. */
export const ERROR_CODE_RANGES = Object.freeze({
  isa: [1000, 1999],
  assembler: [2000, 2999],
  disassembler: [3000, 3999],
  builder: [4000, 4999],
  verifier: [5000, 5999],
  vm: [6000, 6999],
  jit: [7000, 7999],
  elf: [8000, 8999],
  maps: [9000, 9999],
  helpers: [10000, 10999],
  cli: [11000, 11999],
} as const);

/**
 * Context types by error code. Each package adds its codes to this interface by declaration
 * merging (`declare module '@ebpf/isa' { interface EbpfErrorContexts { ... } }`), so that
 * `isEbpfError(e, CODE)` narrows `e.context` to that code's shape.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each package.
export interface EbpfErrorContexts {}

/** Every code some package has declared. */
export type EbpfErrorCode = keyof EbpfErrorContexts & number;

/** The context type of one code, or a plain record for codes not declared in this build. */
export type EbpfErrorContextOf<C extends number> = C extends keyof EbpfErrorContexts
  ? EbpfErrorContexts[C]
  : Readonly<Record<string, unknown>>;

/** What an error is about, so callers can tell bad input from a faulting program. */
export type EbpfErrorKind =
  | 'decode'
  | 'assemble'
  | 'build'
  | 'verify'
  | 'runtime'
  | 'load'
  | 'usage';

export interface EbpfErrorOptions {
  /** Instruction index (in 8-byte slots) the error is about. */
  readonly pc?: number;
  readonly cause?: unknown;
}

/**
 * Base class of every error the toolkit throws on purpose.
 *
 * @example
 * try { decode(bytes); } catch (e) {
 *   if (isEbpfError(e, ISA_UNKNOWN_OPCODE)) console.log(e.pc, e.context.opcode);
 * }
 */
export class EbpfError<C extends number = number> extends Error {
  /** Stable numeric code from the owning package's range. */
  readonly code: C;
  /** Stable symbolic name of the code, such as `ISA_UNKNOWN_OPCODE`. */
  readonly codeName: string;
  readonly kind: EbpfErrorKind;
  /** Instruction index in 8-byte slots, when the error is about one instruction. */
  readonly pc: number | undefined;
  readonly context: EbpfErrorContextOf<C>;

  constructor(
    kind: EbpfErrorKind,
    code: C,
    codeName: string,
    message: string,
    context: EbpfErrorContextOf<C>,
    options: EbpfErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.codeName = codeName;
    this.pc = options.pc;
    this.context = context;
  }

  /** A plain, JSON-safe description (bigints become decimal strings). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      code: this.code,
      codeName: this.codeName,
      message: this.message,
      ...(this.pc === undefined ? {} : { pc: this.pc }),
      context: JSON.parse(
        JSON.stringify(this.context, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
      ),
    };
  }
}

/**
 * Whether `e` is an `EbpfError`, optionally with the given code (narrowing its context).
 * Recognises errors from other copies of the package too, by shape.
 */
export function isEbpfError<C extends number = number>(e: unknown, code?: C): e is EbpfError<C> {
  if (e instanceof EbpfError) return code === undefined || e.code === code;
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as { code?: unknown; codeName?: unknown; context?: unknown };
  return (
    typeof candidate.code === 'number' &&
    typeof candidate.codeName === 'string' &&
    typeof candidate.context === 'object' &&
    (code === undefined || candidate.code === code)
  );
}

/** Formats an instruction index for messages: `insn 12`. */
export function describePc(pc: number | undefined): string {
  return pc === undefined ? '' : `insn ${pc}: `;
}
