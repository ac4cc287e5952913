/**
 * `bpf_trace_printk` (to the host's trace sink) and `bpf_snprintf` (into program memory), with
 * the kernel's format rules (see `format-printk.ts`).
 */
import { decodeText, formatPrintk } from './format-printk.js';
import { HelperErrno, negateErrno, readableLength, tryReadCString, u32 } from './guest-memory.js';
import type { HelperEnvironment } from './helper-environment.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';

/** `bpf_trace_printk`'s output buffer (`MAX_BPRINTF_BUF`): longer lines are cut to fit it. */
export const MAX_TRACE_LINE = 1024;
/** The most values `bpf_snprintf` formats (`MAX_BPRINTF_VARARGS`); `bpf_trace_printk` takes 3. */
export const MAX_SNPRINTF_ARGS = 12;

/** The trace helpers. */
export function traceHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  return [
    [
      KernelHelper.TRACE_PRINTK,
      {
        name: 'bpf_trace_printk',
        signature: 'long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)',
        // The three values after the format are not declared, as in the kernel: a program
        // passes only those its format uses.
        prototype: { args: ['mem', 'const_size'], ret: 'scalar' },
        fn: (r1, r2, r3, r4, r5, ctx) => {
          const size = u32(r2);
          if (size === 0) return negateErrno(HelperErrno.EINVAL);
          const fmt = ctx.read(r1, size);
          // The format must be NUL-terminated within fmt_size.
          if (fmt[size - 1] !== 0) return negateErrno(HelperErrno.EINVAL);
          const result = formatPrintk(ctx, fmt.subarray(0, fmt.indexOf(0)), [r3, r4, r5]);
          if (!result.ok) return negateErrno(HelperErrno.EINVAL);
          env.traceSink(decodeText(result.bytes.subarray(0, MAX_TRACE_LINE - 1)));
          return BigInt(result.bytes.length);
        },
      },
    ],
    [
      KernelHelper.SNPRINTF,
      {
        name: 'bpf_snprintf',
        signature:
          'long bpf_snprintf(char *str, u32 str_size, const char *fmt, u64 *data, u32 data_len)',
        prototype: {
          args: ['anything', 'scalar', 'anything', 'mem_or_null', 'mem_size'],
          ret: 'scalar',
        },
        fn: (r1, r2, r3, r4, r5, ctx) => {
          const size = u32(r2);
          const dataLen = u32(r5);
          if (dataLen % 8 !== 0 || dataLen > MAX_SNPRINTF_ARGS * 8 || (dataLen > 0 && r4 === 0n)) {
            return negateErrno(HelperErrno.EINVAL);
          }
          const fmt = tryReadCString(ctx, r3, readableLength(ctx, r3));
          if (!fmt?.terminated) return negateErrno(HelperErrno.EINVAL);
          const data = dataLen > 0 ? ctx.read(r4, dataLen) : new Uint8Array(0);
          const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
          const args: bigint[] = [];
          for (let i = 0; i < dataLen; i += 8) args.push(view.getBigUint64(i, true));
          const result = formatPrintk(ctx, fmt.bytes, args);
          if (!result.ok) return negateErrno(HelperErrno.EINVAL);
          if (size > 0) {
            const out = ctx.view(r1, size, 'store');
            const n = Math.min(result.bytes.length, size - 1);
            out.set(result.bytes.subarray(0, n));
            out[n] = 0;
          }
          return BigInt(result.bytes.length + 1);
        },
      },
    ],
  ];
}
