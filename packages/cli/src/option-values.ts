/**
 * Checks of option values every command shares. `parseArgs` gives strings; these turn them into
 * the values a command wants, or a {@link UsageError} (exit code 2) that names the option.
 */
import { UsageError } from './usage-error.js';

/** The option's value when it is one of `choices`; `fallback` when the option is absent. */
export function chooseOption<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(value)}'`);
  }
  return value as T;
}

/** The option's value as a whole number of at least `min`, or `undefined` when it is absent. */
export function wholeNumberOption(name: string, value: unknown, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} wants a whole number >= ${min}, got '${String(value)}'`);
  }
  return n;
}
