/**
 * Packet access by offset (`bpf_skb_load_bytes`, `bpf_skb_store_bytes`, `bpf_xdp_load_bytes`,
 * `bpf_xdp_store_bytes`, `bpf_xdp_get_buff_len`) and moving the XDP buffer's edges
 * (`bpf_xdp_adjust_head`, `_tail`, `_meta`) through the VM's hooks (see `runtime-hooks.ts`).
 */
import { HelperErrno, negateErrno, s32, u32 } from './guest-memory.js';
import type { HelperEnvironment } from './helper-environment.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper, StoreBytesFlag } from './kernel-helper-ids.js';
import { adjustXdpBuffer, findPacket, type XdpEdge } from './runtime-hooks.js';

const INT_MAX = 0x7fff_ffff;

/** The packet helpers. */
export function packetHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const adjust = (edge: XdpEdge, id: number): [number, HelperDefinition] => {
    const name = `bpf_xdp_adjust_${edge}`;
    return [
      id,
      {
        name,
        signature: `long ${name}(struct xdp_buff *xdp_md, int delta)`,
        prototype: { args: ['ctx', 'scalar'], ret: 'scalar' },
        fn: (_r1, r2, _r3, _r4, _r5, ctx) =>
          BigInt.asUintN(64, BigInt(adjustXdpBuffer(ctx, env.hooks, name, edge, s32(r2)))),
      },
    ];
  };
  return [
    [
      KernelHelper.SKB_LOAD_BYTES,
      {
        name: 'bpf_skb_load_bytes',
        signature: 'long bpf_skb_load_bytes(const void *skb, u32 offset, void *to, u32 len)',
        prototype: { args: ['ctx', 'anything', 'anything', 'const_size'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, _r5, ctx) => {
          const off = u32(r2);
          const len = u32(r4);
          if (len === 0) return 0n;
          const target = ctx.view(r3, len, 'store');
          const packet = findPacket(ctx, env.hooks);
          if (off > INT_MAX || off + len > packet.length) {
            target.fill(0);
            return negateErrno(HelperErrno.EFAULT);
          }
          target.set(ctx.read(packet.address + BigInt(off), len));
          return 0n;
        },
      },
    ],
    [
      KernelHelper.SKB_STORE_BYTES,
      {
        name: 'bpf_skb_store_bytes',
        signature:
          'long bpf_skb_store_bytes(struct sk_buff *skb, u32 offset, const void *from, u32 len, u64 flags)',
        prototype: { args: ['ctx', 'anything', 'mem', 'const_size', 'anything'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, r5, ctx) => {
          const known = BigInt(StoreBytesFlag.RECOMPUTE_CSUM | StoreBytesFlag.INVALIDATE_HASH);
          if ((r5 & ~known) !== 0n) return negateErrno(HelperErrno.EINVAL);
          const off = u32(r2);
          const len = u32(r4);
          const packet = findPacket(ctx, env.hooks);
          if (off > INT_MAX || off + len > packet.length) return negateErrno(HelperErrno.EFAULT);
          if (len > 0) ctx.write(packet.address + BigInt(off), ctx.read(r3, len));
          return 0n;
        },
      },
    ],
    [
      KernelHelper.XDP_GET_BUFF_LEN,
      {
        name: 'bpf_xdp_get_buff_len',
        signature: 'u64 bpf_xdp_get_buff_len(struct xdp_buff *xdp_md)',
        prototype: { args: ['ctx'], ret: 'scalar' },
        fn: (_r1, _r2, _r3, _r4, _r5, ctx) => BigInt(findPacket(ctx, env.hooks).length),
      },
    ],
    [
      KernelHelper.XDP_LOAD_BYTES,
      {
        name: 'bpf_xdp_load_bytes',
        signature:
          'long bpf_xdp_load_bytes(struct xdp_buff *xdp_md, u32 offset, void *buf, u32 len)',
        prototype: { args: ['ctx', 'anything', 'anything', 'const_size'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, _r5, ctx) => {
          const off = u32(r2);
          const len = u32(r4);
          if (off > 0xffff || len > 0xffff) return negateErrno(HelperErrno.EFAULT);
          const packet = findPacket(ctx, env.hooks);
          if (off + len > packet.length) return negateErrno(HelperErrno.EINVAL);
          if (len > 0) ctx.write(r3, ctx.read(packet.address + BigInt(off), len));
          return 0n;
        },
      },
    ],
    [
      KernelHelper.XDP_STORE_BYTES,
      {
        name: 'bpf_xdp_store_bytes',
        signature:
          'long bpf_xdp_store_bytes(struct xdp_buff *xdp_md, u32 offset, void *buf, u32 len)',
        prototype: { args: ['ctx', 'anything', 'mem', 'const_size'], ret: 'scalar' },
        fn: (_r1, r2, r3, r4, _r5, ctx) => {
          const off = u32(r2);
          const len = u32(r4);
          if (off > 0xffff || len > 0xffff) return negateErrno(HelperErrno.EFAULT);
          const packet = findPacket(ctx, env.hooks);
          if (off + len > packet.length) return negateErrno(HelperErrno.EINVAL);
          if (len > 0) ctx.write(packet.address + BigInt(off), ctx.read(r3, len));
          return 0n;
        },
      },
    ],
    adjust('head', KernelHelper.XDP_ADJUST_HEAD),
    adjust('tail', KernelHelper.XDP_ADJUST_TAIL),
    adjust('meta', KernelHelper.XDP_ADJUST_META),
  ];
}
