/**
 * Program contexts: what r1 points to when a kernel program type runs (`struct xdp_md`,
 * `struct __sk_buff`), the verdict codes those programs return, and the operations helpers
 * perform on a run's context (`bpf_xdp_adjust_head` and friends), reached through
 * `HelperContext.programContext`.
 *
 * The context is a **slow region** (see `SlowRegion` in address-space.ts): region 3 with length
 * 0 in the region table, so the engines' fast bounds checks fail for it and their fault path asks
 * the context to serve the access. A 4-byte load of a pointer field (`data`, `data_end`,
 * `data_meta`) gives the full 64-bit virtual address, as the kernel's rewrite of those loads
 * does; other fields read and write (where the kernel allows it) from a small backing store.
 */

/** XDP verdicts (`enum xdp_action`). */
export const XdpAction = Object.freeze({
  ABORTED: 0,
  DROP: 1,
  PASS: 2,
  TX: 3,
  REDIRECT: 4,
} as const);

/** tc verdicts (`TC_ACT_*` of `linux/pkt_cls.h`). */
export const TcAction = Object.freeze({
  UNSPEC: -1,
  OK: 0,
  RECLASSIFY: 1,
  SHOT: 2,
  PIPE: 3,
  STOLEN: 4,
  QUEUED: 5,
  REPEAT: 6,
  REDIRECT: 7,
  TRAP: 8,
} as const);

/** The errno values the context operations return (negated), as the kernel's helpers do. */
export const ContextErrno = Object.freeze({
  ENOENT: 2,
  E2BIG: 7,
  EACCES: 13,
  EINVAL: 22,
  EOPNOTSUPP: 95,
} as const);

/** The program types with a context layout in this VM. */
export type ContextType = 'xdp' | 'socket_filter' | 'sched_cls';

/** Whether `name` (a layout name) is a {@link ContextType}. */
export function isContextType(name: string): name is ContextType {
  return name === 'xdp' || name === 'socket_filter' || name === 'sched_cls';
}

/** The context of the current run, as helpers see it. */
export interface ProgramContext {
  /** The program type the context belongs to. */
  readonly type: ContextType;
  /** The context's virtual address (what r1 held on entry). */
  readonly address: bigint;
  /** Virtual address of the first packet byte. */
  readonly data: bigint;
  /** Virtual address one past the last packet byte. */
  readonly dataEnd: bigint;
  /** Virtual address of the metadata in front of the packet (equals `data` when there is none). */
  readonly dataMeta: bigint;
  /**
   * `bpf_xdp_adjust_head`: moves the packet start by `delta` bytes (negative grows the packet
   * into the headroom). Returns 0, or a negative errno when it would leave the buffer. Only XDP.
   */
  adjustHead?(delta: number): number;
  /** `bpf_xdp_adjust_tail`: moves the packet end by `delta` bytes (new bytes are zero). Only XDP. */
  adjustTail?(delta: number): number;
  /** `bpf_xdp_adjust_meta`: moves the metadata start by `delta` bytes. Only XDP. */
  adjustMeta?(delta: number): number;
  /** A context field's current value by its kernel name (`'mark'`, `'cb'` is `'cb0'`...`'cb4'`). */
  field(name: string): bigint | undefined;
}
