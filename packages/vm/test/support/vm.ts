import { assemble } from '@ebpf/assembler';
import { CONFORMANCE_GROUPS } from '@ebpf/isa';
import { EbpfVmNoData, EbpfVmRaw, type VmOptions } from '../../src/index.js';

/** Every group and CPU version enabled, as the semantics tests want. */
export const ALL: VmOptions = { cpu: 'v4', groups: CONFORMANCE_GROUPS };

/** An `EbpfVmRaw` running the rbpf-syntax `text`. */
export function rawVm(text: string, options: VmOptions = {}): EbpfVmRaw {
  return new EbpfVmRaw(assemble(text), { ...ALL, ...options });
}

/** Runs `text` with no input and returns r0. */
export function r0Of(text: string, options: VmOptions = {}): bigint {
  return new EbpfVmNoData(assemble(text), { ...ALL, ...options }).executeProgram();
}

/** The error `fn` throws (fails the test when it throws nothing). */
export function errorOf(fn: () => unknown): {
  code?: number;
  pc?: number;
  context?: Record<string, unknown>;
  message: string;
  kind?: string;
} {
  try {
    fn();
  } catch (e) {
    return e as never;
  }
  throw new Error('expected an error, none was thrown');
}
