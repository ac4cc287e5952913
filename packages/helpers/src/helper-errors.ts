/**
 * Error codes of `@ebpf/helpers` (range 10000-10999) and its one error class,
 * {@link HelperError}. Host-side misuse (bad options, bad set edits) is kind `'usage'`; a program
 * calling a helper in a way the kernel's verifier would have refused (a map helper on something
 * that is no map, a tail call where the VM offers none) is kind `'runtime'` and carries the
 * calling instruction's index. Never remove, change or reorder codes.
 */
import { describePc, EbpfError, type EbpfErrorContextOf, type EbpfErrorKind } from '@ebpf/isa';

/** An environment option has a value the helpers cannot use. */
export const HELPERS_BAD_OPTION = 10001;
/** A helper set edit names a bad id or gives an entry without a function or prototype. */
export const HELPERS_BAD_ENTRY = 10002;
/** `only(...)` names a helper the set does not hold. */
export const HELPERS_UNKNOWN_NAME = 10003;
/** A map helper got something that is no map of the right type (or no map set was given). */
export const HELPERS_NOT_A_MAP = 10004;
/** A helper needs a VM facility (tail calls, an XDP buffer, packet data) this VM does not offer. */
export const HELPERS_NO_HOOK = 10005;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [HELPERS_BAD_OPTION]: { readonly option: string; readonly problem: string };
    [HELPERS_BAD_ENTRY]: { readonly id: number | string; readonly problem: string };
    [HELPERS_UNKNOWN_NAME]: { readonly name: string | number; readonly known: readonly string[] };
    [HELPERS_NOT_A_MAP]: {
      readonly helper: string;
      readonly handle: bigint;
      /** What the helper needs: `'map'`, `'ringbuf'`, `'prog_array'`, `'ringbuf record'`. */
      readonly expected: string;
      readonly problem: string;
    };
    [HELPERS_NO_HOOK]: { readonly helper: string; readonly hook: string };
  }
}

/** Every code of this package. */
export type HelperErrorCode =
  | typeof HELPERS_BAD_OPTION
  | typeof HELPERS_BAD_ENTRY
  | typeof HELPERS_UNKNOWN_NAME
  | typeof HELPERS_NOT_A_MAP
  | typeof HELPERS_NO_HOOK;

const names: Record<HelperErrorCode, string> = {
  [HELPERS_BAD_OPTION]: 'HELPERS_BAD_OPTION',
  [HELPERS_BAD_ENTRY]: 'HELPERS_BAD_ENTRY',
  [HELPERS_UNKNOWN_NAME]: 'HELPERS_UNKNOWN_NAME',
  [HELPERS_NOT_A_MAP]: 'HELPERS_NOT_A_MAP',
  [HELPERS_NO_HOOK]: 'HELPERS_NO_HOOK',
};

const kinds: Record<HelperErrorCode, EbpfErrorKind> = {
  [HELPERS_BAD_OPTION]: 'usage',
  [HELPERS_BAD_ENTRY]: 'usage',
  [HELPERS_UNKNOWN_NAME]: 'usage',
  [HELPERS_NOT_A_MAP]: 'runtime',
  [HELPERS_NO_HOOK]: 'runtime',
};

const messages: { [C in HelperErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [HELPERS_BAD_OPTION]: (c) => `bad helper option ${c.option}: ${c.problem}`,
  [HELPERS_BAD_ENTRY]: (c) => `bad helper entry ${String(c.id)}: ${c.problem}`,
  [HELPERS_UNKNOWN_NAME]: (c) =>
    `no helper ${String(c.name)} in this set (it has: ${c.known.join(', ') || 'none'})`,
  [HELPERS_NOT_A_MAP]: (c) =>
    `${c.helper}: 0x${c.handle.toString(16)} is not a ${c.expected}: ${c.problem}`,
  [HELPERS_NO_HOOK]: (c) => `${c.helper} needs ${c.hook}, which this VM does not offer`,
};

/**
 * An error of `@ebpf/helpers`. `pc` is the calling instruction for run-time errors.
 *
 * @example
 * try { vm.executeProgram(); } catch (e) {
 *   if (isEbpfError(e, HELPERS_NOT_A_MAP)) console.log(e.pc, e.context.helper);
 * }
 */
export class HelperError<C extends HelperErrorCode = HelperErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super(kinds[code], code, names[code], `${describePc(pc)}${format(context)}`, context, { pc });
  }
}
