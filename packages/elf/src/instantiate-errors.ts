/**
 * Error codes of `instantiate` (range 8100-8199 of `@ebpf/elf`, apart from the object loader's
 * 8001-...), and its error class. Never remove, change or reorder codes.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** A program, map or data section asked for by name does not exist in the instance. */
export const INSTANCE_NOT_FOUND = 8101;
/** A map used as a program array is of another type. */
export const INSTANCE_NOT_PROGRAM_ARRAY = 8102;
/** A bad option or argument of `instantiate` or of an instance method. */
export const INSTANCE_BAD_ARGUMENT = 8103;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [INSTANCE_NOT_FOUND]: {
      readonly what: 'program' | 'map' | 'data section';
      readonly name: string;
      readonly available: readonly string[];
    };
    [INSTANCE_NOT_PROGRAM_ARRAY]: { readonly map: string; readonly typeName: string };
    [INSTANCE_BAD_ARGUMENT]: { readonly argument: string; readonly problem: string };
  }
}

/** Every code of `instantiate`. */
export type InstanceErrorCode =
  | typeof INSTANCE_NOT_FOUND
  | typeof INSTANCE_NOT_PROGRAM_ARRAY
  | typeof INSTANCE_BAD_ARGUMENT;

const names: Record<InstanceErrorCode, string> = {
  [INSTANCE_NOT_FOUND]: 'INSTANCE_NOT_FOUND',
  [INSTANCE_NOT_PROGRAM_ARRAY]: 'INSTANCE_NOT_PROGRAM_ARRAY',
  [INSTANCE_BAD_ARGUMENT]: 'INSTANCE_BAD_ARGUMENT',
};

const messages: { [C in InstanceErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [INSTANCE_NOT_FOUND]: (c) =>
    `no ${c.what} named '${c.name}' (${c.what}s: ${c.available.length === 0 ? 'none' : c.available.join(', ')})`,
  [INSTANCE_NOT_PROGRAM_ARRAY]: (c) => `map '${c.map}' is a ${c.typeName} map, not a prog_array`,
  [INSTANCE_BAD_ARGUMENT]: (c) => `bad ${c.argument}: ${c.problem}`,
};

/**
 * A misuse of an instance: a name that names nothing, a map of the wrong type, a bad option.
 *
 * @example
 * try { instance.program('nope'); } catch (e) {
 *   if (isEbpfError(e, INSTANCE_NOT_FOUND)) console.log(e.context.available);
 * }
 */
export class InstanceError<C extends InstanceErrorCode = InstanceErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('usage', code, names[code], format(context), context);
  }
}
