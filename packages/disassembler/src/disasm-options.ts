import type { CpuVersion } from '@ebpf/isa';

/** The text syntaxes: rbpf's disassembler format, or LLVM's (`llvm-objdump -d`). */
export const DISASM_SYNTAXES = Object.freeze(['rbpf', 'llvm'] as const);
/** `'rbpf'` or `'llvm'`. */
export type DisasmSyntax = (typeof DISASM_SYNTAXES)[number];

/** How to print instructions. */
export interface DisasmOptions {
  /** Default `'rbpf'`. */
  readonly syntax?: DisasmSyntax;
  /**
   * Print jump and local-call targets as labels (`L12`, named after the target's slot index) and
   * put a `L12:` line before each target. Targets outside the program stay numeric.
   */
  readonly labels?: boolean;
  /**
   * LLVM syntax only: the `--mcpu` llvm-objdump would be given (default `'v4'`). Below v3 LLVM has
   * no 32-bit subregisters, so narrow loads and stores name `r` registers and the 32-bit atomics
   * that return a value are unknown to it (and it shows 32-bit fetch-add as a plain add).
   */
  readonly cpu?: CpuVersion;
}

/** What one call of a printer needs beyond the instruction: the options and the label of a slot. */
export interface FormatContext {
  readonly options: DisasmOptions;
  /** The label at slot `pc`, when labels are on and one was placed there. */
  readonly labelAt?: (pc: number) => string | undefined;
}
