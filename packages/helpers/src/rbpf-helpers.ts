/**
 * rbpf's own helpers, at the ids rbpf and uBPF use for them: `gather_bytes` 0, `memfrob` 1,
 * `sqrti` 3, `strcmp` 4 (the ids of uBPF's test harness, which rbpf's tests keep), and
 * `bpf_time_getns` 5 and `bpf_trace_printf` 6 (rbpf's `BPF_KTIME_GETNS_IDX` and
 * `BPF_TRACE_PRINTK_IDX`). These ids collide with the kernel's, so this is a separate set.
 * rbpf's `rand` has no id there; {@link rbpfRand} is its definition, to add where wanted.
 *
 * Unlike rbpf, memory the helpers touch is checked: a bad pointer faults with the VM's error.
 */
import type { HelperContext } from '@ebpf/vm';
import { readableLength } from './guest-memory.js';
import { HELPERS_BAD_OPTION, HelperError } from './helper-errors.js';
import { type HelperDefinition, HelperSet } from './helper-set.js';
import { createSteppingClock, type HostClock } from './host-clock.js';
import { createSeededRandom, type RandomSource } from './seeded-random.js';

/** rbpf's helper ids. */
export const RbpfHelper = Object.freeze({
  GATHER_BYTES: 0,
  MEMFROB: 1,
  SQRTI: 3,
  STRCMP: 4,
  TIME_GETNS: 5,
  TRACE_PRINTF: 6,
} as const);

/** Options of {@link rbpfHelpers}. */
export interface RbpfHelperOptions {
  /** The clock of `bpf_time_getns` (default: a stepping clock). */
  readonly clock?: HostClock;
  /** Where `bpf_trace_printf` lines go (default: nowhere). */
  readonly traceSink?: (line: string) => void;
}

const ANY5 = ['anything', 'anything', 'anything', 'anything', 'anything'] as const;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** rbpf's C-like `strcmp`: the absolute difference of the first differing bytes, or 0. */
function strcmp(a: bigint, b: bigint, ctx: HelperContext): bigint {
  if (a === 0n || b === 0n) return U64_MAX;
  for (let i = 0n; ; ) {
    // Compare the parts both strings have readable, in place; a read past that faults.
    const window = Math.min(readableLength(ctx, a + i), readableLength(ctx, b + i));
    const n = Math.max(window, 1);
    const x = window > 0 ? ctx.view(a + i, n) : ctx.read(a + i, 1);
    const y = window > 0 ? ctx.view(b + i, n) : ctx.read(b + i, 1);
    for (let k = 0; k < n; k++) {
      if (x[k] !== y[k] || x[k] === 0) return BigInt(Math.abs(x[k] - y[k]));
    }
    i += BigInt(n);
  }
}

/** rbpf's `rand(min, max)`: a random u64, in [min, max] when min < max. */
export function rbpfRand(random: RandomSource = createSeededRandom(0)): HelperDefinition {
  return {
    name: 'rand',
    signature: 'u64 rand(u64 min, u64 max)',
    prototype: { args: ['anything', 'anything'], ret: 'scalar' },
    fn: (min, max) => {
      const n = (BigInt(random() >>> 0) << 32n) | BigInt(random() >>> 0);
      return min < max ? (n % (max + 1n - min)) + min : n;
    },
  };
}

/**
 * rbpf's helper set.
 *
 * @example
 * const vm = new EbpfVmNoData(assemble('mov r1, 1\nmov r2, 2\nmov r3, 3\nmov r4, 4\nmov r5, 5\ncall 0\nexit'));
 * installHelpers(vm, rbpfHelpers());
 * vm.executeProgram(); // 0x0102030405n
 */
export function rbpfHelpers(options: RbpfHelperOptions = {}): HelperSet {
  const clock = options.clock ?? createSteppingClock();
  const sink = options.traceSink ?? (() => undefined);
  if (typeof sink !== 'function') {
    throw new HelperError(HELPERS_BAD_OPTION, { option: 'traceSink', problem: 'not a function' });
  }
  const defs: [number, HelperDefinition][] = [
    [
      RbpfHelper.GATHER_BYTES,
      {
        name: 'gather_bytes',
        signature: 'u64 gather_bytes(u64 a, u64 b, u64 c, u64 d, u64 e)',
        prototype: { args: ANY5, ret: 'scalar' },
        fn: (a, b, c, d, e) => (a << 32n) | (b << 24n) | (c << 16n) | (d << 8n) | e,
      },
    ],
    [
      RbpfHelper.MEMFROB,
      {
        name: 'memfrob',
        signature: 'u64 memfrob(void *s, u64 n)',
        prototype: { args: ['anything', 'anything'], ret: 'scalar' },
        fn: (ptr, len, _r3, _r4, _r5, ctx) => {
          if (len === 0n) return 0n;
          // A length past 4 GiB cannot fit any region; let the VM's check say so.
          const view = ctx.view(ptr, len > 0xffff_ffffn ? 2 ** 32 : Number(len), 'store');
          for (let i = 0; i < view.length; i++) view[i] ^= 42;
          return 0n;
        },
      },
    ],
    [
      RbpfHelper.SQRTI,
      {
        name: 'sqrti',
        signature: 'u64 sqrti(u64 x)',
        prototype: { args: ['anything'], ret: 'scalar' },
        fn: (x) => BigInt(Math.floor(Math.sqrt(Number(x)))),
      },
    ],
    [
      RbpfHelper.STRCMP,
      {
        name: 'strcmp',
        signature: 'u64 strcmp(const char *a, const char *b)',
        prototype: { args: ['anything', 'anything'], ret: 'scalar' },
        fn: (a, b, _r3, _r4, _r5, ctx) => strcmp(a, b, ctx),
      },
    ],
    [
      RbpfHelper.TIME_GETNS,
      {
        name: 'bpf_time_getns',
        signature: 'u64 bpf_time_getns(void)',
        prototype: { args: [], ret: 'scalar' },
        fn: () => clock.monotonicNs(),
      },
    ],
    [
      RbpfHelper.TRACE_PRINTF,
      {
        name: 'bpf_trace_printf',
        signature: 'u64 bpf_trace_printf(u64 unused, u64 unused, u64 a, u64 b, u64 c)',
        prototype: { args: ANY5, ret: 'scalar' },
        fn: (_r1, _r2, a, b, c) => {
          const line = `bpf_trace_printf: 0x${a.toString(16)}, 0x${b.toString(16)}, 0x${c.toString(16)}\n`;
          sink(line);
          return BigInt(line.length);
        },
      },
    ],
  ];
  return new HelperSet(defs);
}
