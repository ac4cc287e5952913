/**
 * The simulated CPUs that per-CPU maps keep one value for, and the CPU a program "runs on". The
 * VM has no notion of CPUs, so whoever runs a program (the helpers' context, a test) selects the
 * current CPU here before the run; per-CPU maps hand the program that CPU's value.
 */
import { MAP_BAD_ARGUMENT, MapError } from './map-errors.js';

/** The most CPUs a {@link CpuState} simulates (the kernel's `NR_CPUS` limit is 8192). */
export const MAX_CPUS = 8192;

/**
 * A CPU count and the current CPU, shared by every per-CPU map of a {@link MapSet}.
 *
 * @example
 * const cpus = new CpuState(4);
 * cpus.current = 2; // programs run from now on see CPU 2's values of per-CPU maps
 */
export class CpuState {
  /** How many CPUs per-CPU maps keep a value for (1 to {@link MAX_CPUS}). */
  readonly count: number;
  #current = 0;

  constructor(count = 1) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_CPUS) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: 'CPU count',
        problem: `${count} is not an integer from 1 to ${MAX_CPUS}`,
      });
    }
    this.count = count;
  }

  /** The CPU the running program is on, 0 to `count - 1` (default 0). */
  get current(): number {
    return this.#current;
  }

  set current(cpu: number) {
    this.#current = this.check(cpu);
  }

  /** Returns `cpu` when it names one of the CPUs; throws `MAP_BAD_ARGUMENT` otherwise. */
  check(cpu: number): number {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.count) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: 'CPU index',
        problem: `${cpu} is not an integer from 0 to ${this.count - 1}`,
      });
    }
    return cpu;
  }
}
