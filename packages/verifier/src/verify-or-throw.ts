import type { Verifier, VerifierInput, VerifyResult } from './verifier.js';
import { VerifyError } from './verify-errors.js';

/**
 * Runs a verifier and throws a {@link VerifyError} carrying every problem when it refuses.
 *
 * @example
 * verifyOrThrow(structural, { bytes, host: {} }); // returns the result when accepted
 */
export function verifyOrThrow(verifier: Verifier, input: VerifierInput): VerifyResult {
  const result = verifier.verify(input);
  if (!result.ok) throw new VerifyError(verifier.name, result.problems);
  return result;
}
