/**
 * Checksum helpers on packet data: `bpf_csum_diff` (a partial sum of what changed),
 * `bpf_l3_csum_replace` and `bpf_l4_csum_replace` (incremental updates of a checksum field, RFC
 * 1624), with the kernel's argument checks and flags. The simulated skb has no checksum offload
 * unless `checksumOffload: 'partial'` is set (see `KernelHelperOptions`).
 */
import type { HelperContext } from '@ebpf/vm';
import {
  csumAdd,
  csumFold,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceByDiff,
  csumSub,
} from './checksum.js';
import { HelperErrno, negateErrno, u32 } from './guest-memory.js';
import type { HelperEnvironment } from './helper-environment.js';
import type { HelperDefinition } from './helper-set.js';
import { CSUM_MANGLED_0, CsumFlag, KernelHelper } from './kernel-helper-ids.js';
import { findPacket } from './runtime-hooks.js';

/** The most bytes `bpf_csum_diff` takes in all (the kernel's per-CPU scratch of 512 bytes). */
export const MAX_CSUM_DIFF = 512;

/** The checksum field at packet offset `offset` as a live 2-byte view, or an errno. */
function checksumField(
  env: HelperEnvironment,
  ctx: HelperContext,
  offset: bigint,
): Uint8Array | bigint {
  const off = u32(offset);
  if (off > 0xffff || (off & 1) !== 0) return negateErrno(HelperErrno.EFAULT);
  const packet = findPacket(ctx, env.hooks);
  if (off + 2 > packet.length) return negateErrno(HelperErrno.EFAULT);
  return ctx.view(packet.address + BigInt(off), 2, 'store');
}

function csumDiff(ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) {
  const fromSize = u32(r2);
  const toSize = u32(r4);
  if ((fromSize | toSize) % 4 !== 0 || fromSize + toSize > MAX_CSUM_DIFF) {
    return negateErrno(HelperErrno.EINVAL);
  }
  const diff = new Uint8Array(fromSize + toSize);
  if (fromSize > 0) diff.set(ctx.read(r1, fromSize).map((b) => ~b & 0xff));
  if (toSize > 0) diff.set(ctx.read(r3, toSize), fromSize);
  return BigInt(csumPartial(diff, u32(r5)));
}

/** The checksum helpers. */
export function checksumHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const partial = env.checksumOffload === 'partial';
  return [
    [
      KernelHelper.CSUM_DIFF,
      {
        name: 'bpf_csum_diff',
        signature:
          's64 bpf_csum_diff(__be32 *from, u32 from_size, __be32 *to, u32 to_size, __wsum seed)',
        prototype: {
          args: ['mem_or_null', 'mem_size', 'mem_or_null', 'mem_size', 'anything'],
          ret: 'scalar',
        },
        fn: (r1, r2, r3, r4, r5, ctx) => csumDiff(ctx, r1, r2, r3, r4, r5),
      },
    ],
    [
      KernelHelper.L3_CSUM_REPLACE,
      {
        name: 'bpf_l3_csum_replace',
        signature:
          'long bpf_l3_csum_replace(struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 size)',
        prototype: { args: ['ctx', 'anything', 'anything', 'anything', 'anything'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, r5, ctx) => {
          if ((r5 & ~BigInt(CsumFlag.HDR_FIELD_MASK)) !== 0n)
            return negateErrno(HelperErrno.EINVAL);
          const field = checksumField(env, ctx, r2);
          if (typeof field === 'bigint') return field;
          const sum = field[0] | (field[1] << 8);
          let next: number;
          switch (Number(r5 & 0xfn)) {
            case 0:
              if (r3 !== 0n) return negateErrno(HelperErrno.EINVAL);
              next = csumReplaceByDiff(sum, u32(r4));
              break;
            case 2:
              next = csumReplace2(sum, Number(r3 & 0xffffn), Number(r4 & 0xffffn));
              break;
            case 4:
              next = csumReplace4(sum, u32(r3), u32(r4));
              break;
            default:
              return negateErrno(HelperErrno.EINVAL);
          }
          field[0] = next & 0xff;
          field[1] = next >>> 8;
          return 0n;
        },
      },
    ],
    [
      KernelHelper.L4_CSUM_REPLACE,
      {
        name: 'bpf_l4_csum_replace',
        signature:
          'long bpf_l4_csum_replace(struct sk_buff *skb, u32 offset, u64 from, u64 to, u64 flags)',
        prototype: { args: ['ctx', 'anything', 'anything', 'anything', 'anything'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, r5, ctx) => {
          const allowed =
            CsumFlag.HDR_FIELD_MASK |
            CsumFlag.PSEUDO_HDR |
            CsumFlag.MARK_MANGLED_0 |
            CsumFlag.MARK_ENFORCE |
            CsumFlag.IPV6;
          if ((r5 & ~BigInt(allowed)) !== 0n) return negateErrno(HelperErrno.EINVAL);
          const flags = Number(r5);
          const pseudo = (flags & CsumFlag.PSEUDO_HDR) !== 0;
          const mangled0 = (flags & CsumFlag.MARK_MANGLED_0) !== 0;
          const enforce = (flags & CsumFlag.MARK_ENFORCE) !== 0;
          const field = checksumField(env, ctx, r2);
          if (typeof field === 'bigint') return field;
          const sum = field[0] | (field[1] << 8);
          if (mangled0 && !enforce && sum === 0) return 0n;
          let next = sum;
          const size = flags & CsumFlag.HDR_FIELD_MASK;
          if (size === 0 && r3 !== 0n) return negateErrno(HelperErrno.EINVAL);
          if (size !== 0 && size !== 2 && size !== 4) return negateErrno(HelperErrno.EINVAL);
          const mask = size === 2 ? 0xffffn : 0xffff_ffffn;
          const from = Number(r3 & mask);
          const to = Number(r4 & mask);
          if (!partial) {
            next = size === 0 ? csumReplaceByDiff(sum, to) : csumReplace4(sum, from, to);
          } else if (pseudo) {
            // CHECKSUM_PARTIAL: the field holds the uninverted pseudo-header sum.
            next =
              size === 0
                ? ~csumFold(csumAdd(to, sum)) & 0xffff
                : ~csumFold(csumAdd(csumSub(sum, from), to)) & 0xffff;
          }
          if (mangled0 && next === 0) next = CSUM_MANGLED_0;
          field[0] = next & 0xff;
          field[1] = next >>> 8;
          return 0n;
        },
      },
    ],
  ];
}
