/**
 * Choosing the program of an ELF object that `ebpf run`, `ebpf verify` and `ebpf disasm` work
 * on. Loading is `@ebpf/elf`'s `loadBpfObject` (the project's one ELF loader); this file only
 * applies `--section` and `--program` to its list of programs.
 */
import { type BpfObject, type BpfProgram, loadBpfObject } from '@ebpf/elf';
import { UsageError } from '../usage-error.js';
import { CLI_ELF_NO_PROGRAM, RunError } from './run-errors.js';

/** Whether `bytes` start with the ELF magic number `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

/** What `--section` and `--program` ask for. */
export interface ProgramChoice {
  readonly section?: string | undefined;
  readonly program?: string | undefined;
}

/** The object's name as libbpf takes it (the file name without directories and `.o`). */
export function objectNameOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.o$/, '') || 'object';
}

/** `xdp_firewall (section xdp)`, for messages that list programs. */
function describe(p: BpfProgram): string {
  return `${p.name} (section ${p.section})`;
}

/**
 * The program `choice` names in `object`: `--section` narrows to one section, `--program` picks
 * a function by name; a section (or object) with a single program needs neither.
 *
 * @throws RunError CLI_ELF_NO_PROGRAM when nothing matches; UsageError when several programs
 * remain and no `--program` chose one (the message lists them).
 * @example
 * selectProgram(loadBpfObject(bytes), 'fw.o', { section: 'xdp' }).name; // 'xdp_firewall'
 */
export function selectProgram(object: BpfObject, file: string, choice: ProgramChoice): BpfProgram {
  let candidates = [...object.programs];
  if (choice.section !== undefined) {
    candidates = candidates.filter((p) => p.section === choice.section);
    if (candidates.length === 0) {
      throw new RunError(CLI_ELF_NO_PROGRAM, { file, section: choice.section });
    }
  }
  if (choice.program !== undefined) {
    const found = candidates.find((p) => p.name === choice.program);
    if (!found) {
      const where = choice.section === undefined ? '' : ` in section '${choice.section}'`;
      throw new UsageError(
        `${file}: no program named '${choice.program}'${where}; the programs are: ${candidates.map(describe).join(', ')}`,
      );
    }
    return found;
  }
  if (candidates.length === 0) throw new RunError(CLI_ELF_NO_PROGRAM, { file, section: undefined });
  if (candidates.length > 1) {
    throw new UsageError(
      `${file}: ${candidates.length} programs (${candidates.map(describe).join(', ')}); choose one with --program NAME or --section NAME`,
    );
  }
  return candidates[0]!;
}

/**
 * Loads an ELF object and picks one program: the object (maps, data, every program) and the
 * chosen program, linked.
 *
 * @throws ElfError for a malformed object; see {@link selectProgram}.
 */
export function loadElfProgram(
  bytes: Uint8Array,
  file: string,
  choice: ProgramChoice,
): { object: BpfObject; program: BpfProgram } {
  const object = loadBpfObject(bytes, { name: objectNameOf(file) });
  return { object, program: selectProgram(object, file, choice) };
}
