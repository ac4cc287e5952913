/**
 * What some helpers need from the VM beyond memory: the current packet (skb and XDP helpers),
 * moving the XDP buffer's edges (`bpf_xdp_adjust_head/tail/meta`) and replacing the running
 * program (`bpf_tail_call`). The VM offers them on the helper context (`programContext` with
 * `data`, `dataEnd`, `adjustHead`, `adjustTail`, `adjustMeta`; `tailCall(target)`, which also
 * enforces `MAX_TAIL_CALLS`); a host can also pass its own as options, which win.
 *
 * Without a program context, the packet is the whole input region (what r1 points to in the
 * raw and mbuff VM kinds), and the XDP helpers throw `HELPERS_NO_HOOK`.
 */
import { type HelperContext, REGION_INPUT } from '@ebpf/vm';
import { HELPERS_NO_HOOK, HelperError } from './helper-errors.js';

/** Packet data: the virtual address of its first byte and its length. */
export interface PacketData {
  readonly address: bigint;
  readonly length: number;
}

/** Which edge of an XDP buffer an adjustment moves. */
export type XdpEdge = 'head' | 'tail' | 'meta';

/** VM facilities as functions of the helper context, for hosts that wire their own. */
export interface RuntimeHooks {
  /** The packet of the current run. */
  readonly packet?: (ctx: HelperContext) => PacketData;
  /** Moves an XDP buffer edge by `delta` bytes; 0 or a negative errno. */
  readonly adjustXdp?: (ctx: HelperContext, edge: XdpEdge, delta: number) => number;
  /** Schedules `program` to replace the running one when the helper returns; 0 or a negative errno. */
  readonly tailCall?: (ctx: HelperContext, program: unknown) => number;
}

/** The packet of this run: the hook's, the program context's, else the whole input region. */
export function findPacket(ctx: HelperContext, hooks: RuntimeHooks): PacketData {
  if (hooks.packet) return hooks.packet(ctx);
  const pc = ctx.programContext;
  if (pc) {
    const length = pc.dataEnd - pc.data;
    return { address: pc.data, length: length > 0n ? Number(length) : 0 };
  }
  const input = ctx.space.region(REGION_INPUT);
  return { address: ctx.addressOf(REGION_INPUT, 0), length: input?.length ?? 0 };
}

/** Adjusts an XDP buffer edge through the hook or the program context. */
export function adjustXdpBuffer(
  ctx: HelperContext,
  hooks: RuntimeHooks,
  helper: string,
  edge: XdpEdge,
  delta: number,
): number {
  if (hooks.adjustXdp) return hooks.adjustXdp(ctx, edge, delta);
  const pc = ctx.programContext;
  const op = edge === 'head' ? pc?.adjustHead : edge === 'tail' ? pc?.adjustTail : pc?.adjustMeta;
  if (pc && op) return op.call(pc, delta);
  throw new HelperError(
    HELPERS_NO_HOOK,
    { helper, hook: 'an XDP program context (adjustHead/adjustTail/adjustMeta)' },
    ctx.pc,
  );
}

/** Asks for a tail call to `program` through the hook or the helper context. */
export function requestTailCall(ctx: HelperContext, hooks: RuntimeHooks, program: unknown): number {
  if (hooks.tailCall) return hooks.tailCall(ctx, program);
  if (typeof ctx.tailCall === 'function') return ctx.tailCall(program);
  throw new HelperError(
    HELPERS_NO_HOOK,
    { helper: 'bpf_tail_call', hook: 'tail calls (HelperContext.tailCall)' },
    ctx.pc,
  );
}
