/**
 * Error codes of `@ebpf/jit` (range 7000-7999) and its error class, {@link JitError}. Run-time
 * faults of compiled code are the VM's own `VmError`s, so that both engines fail alike; these
 * codes are only for what the JIT itself cannot do. Never remove, change or reorder codes.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** The WebAssembly engine refused the compiled module (most likely a limit, e.g. on function size). */
export const JIT_MODULE_REJECTED = 7001;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [JIT_MODULE_REJECTED]: {
      /** The module's size in bytes. */
      readonly bytes: number;
      /** The instruction slots of the program. */
      readonly slots: number;
      /** What the WebAssembly engine said. */
      readonly reason: string;
    };
  }
}

/** Every code of this package. */
export type JitErrorCode = typeof JIT_MODULE_REJECTED;

const names: Record<JitErrorCode, string> = {
  [JIT_MODULE_REJECTED]: 'JIT_MODULE_REJECTED',
};

const messages: { [C in JitErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [JIT_MODULE_REJECTED]: (c) =>
    `the WebAssembly engine refused the ${c.bytes}-byte module compiled from ${c.slots} instruction slots: ${c.reason} (run this program on the interpreter)`,
};

/**
 * Something the JIT cannot do for a program (it loads fine on the interpreter).
 *
 * @example
 * try { vm.jitCompile(); } catch (e) {
 *   if (isEbpfError(e, JIT_MODULE_REJECTED)) vm.setEngine('interp');
 * }
 */
export class JitError<C extends JitErrorCode = JitErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, cause?: unknown) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('load', code, names[code], format(context), context, { cause });
  }
}
