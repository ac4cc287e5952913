/**
 * Error codes of `ebpf run` (block 11100-11199 of the CLI's range 11000-11999). Never remove,
 * change or reorder codes. 11101, 11102, 11104 and 11105 belonged to the first, minimal ELF
 * reader and are no longer thrown: `@ebpf/elf` reports malformed objects with its own codes, and
 * several programs without a choice is now a usage error (exit 2) that lists them.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

export const CLI_ELF_MALFORMED = 11101;
export const CLI_ELF_UNSUPPORTED = 11102;
export const CLI_ELF_NO_PROGRAM = 11103;
export const CLI_ELF_SEVERAL_PROGRAMS = 11104;
export const CLI_ELF_NEEDS_RELOCATION = 11105;
export const CLI_MAP_SET_INVALID = 11106;
export const CLI_PROGRAM_NOT_PACKET = 11107;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [CLI_ELF_MALFORMED]: { readonly file: string; readonly reason: string };
    [CLI_ELF_UNSUPPORTED]: { readonly file: string; readonly reason: string };
    [CLI_ELF_NO_PROGRAM]: { readonly file: string; readonly section: string | undefined };
    [CLI_ELF_SEVERAL_PROGRAMS]: { readonly file: string; readonly sections: readonly string[] };
    [CLI_ELF_NEEDS_RELOCATION]: {
      readonly file: string;
      readonly section: string;
      readonly relocations: number;
    };
    [CLI_MAP_SET_INVALID]: { readonly spec: string; readonly reason: string };
    [CLI_PROGRAM_NOT_PACKET]: { readonly program: string; readonly type: string };
  }
}

export type RunErrorCode =
  | typeof CLI_ELF_MALFORMED
  | typeof CLI_ELF_UNSUPPORTED
  | typeof CLI_ELF_NO_PROGRAM
  | typeof CLI_ELF_SEVERAL_PROGRAMS
  | typeof CLI_ELF_NEEDS_RELOCATION
  | typeof CLI_MAP_SET_INVALID
  | typeof CLI_PROGRAM_NOT_PACKET;

const names: Record<RunErrorCode, string> = {
  [CLI_ELF_MALFORMED]: 'CLI_ELF_MALFORMED',
  [CLI_ELF_UNSUPPORTED]: 'CLI_ELF_UNSUPPORTED',
  [CLI_ELF_NO_PROGRAM]: 'CLI_ELF_NO_PROGRAM',
  [CLI_ELF_SEVERAL_PROGRAMS]: 'CLI_ELF_SEVERAL_PROGRAMS',
  [CLI_ELF_NEEDS_RELOCATION]: 'CLI_ELF_NEEDS_RELOCATION',
  [CLI_MAP_SET_INVALID]: 'CLI_MAP_SET_INVALID',
  [CLI_PROGRAM_NOT_PACKET]: 'CLI_PROGRAM_NOT_PACKET',
};

const messages: { [C in RunErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [CLI_ELF_MALFORMED]: (c) => `${c.file}: not a well-formed ELF object: ${c.reason}`,
  [CLI_ELF_UNSUPPORTED]: (c) => `${c.file}: unsupported ELF object: ${c.reason}`,
  [CLI_ELF_NO_PROGRAM]: (c) =>
    c.section === undefined
      ? `${c.file}: no executable section with code in this ELF object`
      : `${c.file}: no executable section named '${c.section}' with code in this ELF object`,
  [CLI_ELF_SEVERAL_PROGRAMS]: (c) =>
    `${c.file}: several program sections (${c.sections.join(', ')}); choose one with --section`,
  [CLI_ELF_NEEDS_RELOCATION]: (c) =>
    `${c.file}: section '${c.section}' has ${c.relocations} relocation(s) (maps, global data or calls); ` +
    'loading such objects needs the ELF loader, which is not there yet',
  [CLI_MAP_SET_INVALID]: (c) => `--map-set '${c.spec}': ${c.reason}`,
  [CLI_PROGRAM_NOT_PACKET]: (c) =>
    `program '${c.program}' is of type '${c.type}'; --pcap needs an xdp, socket filter or tc program`,
};

/** A program file `ebpf run` cannot load. Kind 'load', exit code 1. */
export class RunError<C extends RunErrorCode = RunErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('load', code, names[code], format(context), context);
  }
}
