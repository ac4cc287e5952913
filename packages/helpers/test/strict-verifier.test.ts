/**
 * The prototypes at work: the strict verifier accepts programs that call helpers the way their
 * prototypes say, and refuses the others before they run.
 */
import { assemble } from '@ebpf/assembler';
import { strict, VERIFY_HELPER_ARGUMENT } from '@ebpf/verifier';
import { EbpfVmNoData } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { installHelpers, kernelHelpers } from '../src/index.js';

function load(source: string) {
  const lines: string[] = [];
  const vm = new EbpfVmNoData(undefined, { verifier: strict() });
  installHelpers(vm, kernelHelpers({ traceSink: (l) => lines.push(l) }));
  vm.setProgram(assemble(source));
  return { vm, lines };
}

const problems = (f: () => unknown): number[] => {
  try {
    f();
  } catch (e) {
    return ((e as { context?: { problems?: { code: number }[] } }).context?.problems ?? []).map(
      (p) => p.code,
    );
  }
  return [];
};

describe('helper prototypes under the strict verifier', () => {
  it('accepts trace_printk with an initialised format on the stack, and runs it', () => {
    const { vm, lines } = load(`
      stw [r10-4], 0x000a6968
      mov r1, r10
      add r1, -4
      mov r2, 4
      call 6
      call 5
      mov r0, 0
      exit`);
    expect(vm.executeProgram()).toBe(0n);
    expect(lines).toEqual(['hi\n']);
  });

  it('refuses a format size that reads stack the program never wrote', () => {
    const codes = problems(() =>
      load(`
        stw [r10-4], 0x000a6968
        mov r1, r10
        add r1, -4
        mov r2, 12
        call 6
        exit`),
    );
    expect(codes.length).toBeGreaterThan(0);
  });

  it('refuses a map helper called on a number', () => {
    const codes = problems(() =>
      load('mov r1, 5\nmov r2, r10\nadd r2, -8\nstdw [r10-8], 0\ncall 1\nmov r0, 0\nexit'),
    );
    expect(codes).toContain(VERIFY_HELPER_ARGUMENT);
  });

  it('refuses a non-constant size where the prototype wants one', () => {
    const codes = problems(() =>
      load(`
        stw [r10-4], 0
        call 7
        mov r2, r0
        mov r1, r10
        add r1, -4
        call 6
        exit`),
    );
    expect(codes).toContain(VERIFY_HELPER_ARGUMENT);
  });
});
