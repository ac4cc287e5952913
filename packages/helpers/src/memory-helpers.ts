/**
 * Reading memory the program does not own: `bpf_probe_read` and its `_user`, `_kernel` and
 * `_str` variants, limited to the VM's address space. As in the kernel, a source that cannot be
 * read makes the call return -EFAULT with the destination zero-filled; a destination that
 * cannot be written is a program error (the kernel's verifier refuses it) and faults. Also
 * `bpf_strncmp`.
 */
import type { HelperPrototype } from '@ebpf/verifier';
import type { HelperContext } from '@ebpf/vm';
import {
  HelperErrno,
  negateErrno,
  readableLength,
  tryRead,
  tryReadCString,
  u32,
} from './guest-memory.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';

/** `dst` is written, not read (ARG_PTR_TO_UNINIT_MEM), so it is not checked as readable memory. */
const PROBE: HelperPrototype = { args: ['anything', 'scalar', 'anything'], ret: 'scalar' };

function probeRead(dst: bigint, size: bigint, src: bigint, ctx: HelperContext): bigint {
  const n = u32(size);
  if (n === 0) return 0n;
  const target = ctx.view(dst, n, 'store');
  const data = tryRead(ctx, src, n);
  if (!data) {
    target.fill(0);
    return negateErrno(HelperErrno.EFAULT);
  }
  target.set(data);
  return 0n;
}

function probeReadStr(dst: bigint, size: bigint, src: bigint, ctx: HelperContext): bigint {
  const n = u32(size);
  if (n === 0) return 0n;
  const target = ctx.view(dst, n, 'store');
  const found = tryReadCString(ctx, src, n - 1);
  if (!found) {
    target.fill(0);
    return negateErrno(HelperErrno.EFAULT);
  }
  target.set(found.bytes);
  target[found.bytes.length] = 0;
  return BigInt(found.bytes.length + 1);
}

function probe(name: string, str: boolean): HelperDefinition {
  return {
    name,
    signature: `long ${name}(void *dst, u32 size, const void *unsafe_ptr)`,
    prototype: PROBE,
    fn: (r1, r2, r3, _r4, _r5, ctx) => (str ? probeReadStr : probeRead)(r1, r2, r3, ctx),
  };
}

/** `strncmp` as the kernel's: -1, 0 or 1, comparing at most `n` bytes. */
function strncmp(s1: bigint, n: number, s2: bigint, ctx: HelperContext): bigint {
  if (n === 0) return 0n;
  const a = ctx.read(s1, n);
  const window = Math.min(n, readableLength(ctx, s2));
  const b = window > 0 ? ctx.view(s2, window) : new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    // Past the readable window the string did not end: fault there, as the program's load would.
    const c2 = i < window ? b[i] : ctx.read(s2 + BigInt(i), 1)[0];
    const c1 = a[i];
    if (c1 !== c2) return c1 < c2 ? BigInt.asUintN(64, -1n) : 1n;
    if (c1 === 0) break;
  }
  return 0n;
}

/** The probe-read helpers and `bpf_strncmp`. */
export function memoryHelpers(): [number, HelperDefinition][] {
  return [
    [KernelHelper.PROBE_READ, probe('bpf_probe_read', false)],
    [KernelHelper.PROBE_READ_USER, probe('bpf_probe_read_user', false)],
    [KernelHelper.PROBE_READ_KERNEL, probe('bpf_probe_read_kernel', false)],
    [KernelHelper.PROBE_READ_STR, probe('bpf_probe_read_str', true)],
    [KernelHelper.PROBE_READ_USER_STR, probe('bpf_probe_read_user_str', true)],
    [KernelHelper.PROBE_READ_KERNEL_STR, probe('bpf_probe_read_kernel_str', true)],
    [
      KernelHelper.STRNCMP,
      {
        name: 'bpf_strncmp',
        signature: 'long bpf_strncmp(const char *s1, u32 s1_sz, const char *s2)',
        prototype: { args: ['mem', 'const_size', 'anything'], ret: 'scalar' },
        fn: (r1, r2, r3, _r4, _r5, ctx) => strncmp(r1, u32(r2), r3, ctx),
      },
    ],
  ];
}
