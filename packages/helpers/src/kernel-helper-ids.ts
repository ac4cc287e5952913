/**
 * The kernel's helper ids (`enum bpf_func_id`, the order of `___BPF_FUNC_MAPPER` in
 * `include/uapi/linux/bpf.h`) of the helpers this package implements.
 */
export const KernelHelper = Object.freeze({
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  PROBE_READ: 4,
  KTIME_GET_NS: 5,
  TRACE_PRINTK: 6,
  GET_PRANDOM_U32: 7,
  GET_SMP_PROCESSOR_ID: 8,
  SKB_STORE_BYTES: 9,
  L3_CSUM_REPLACE: 10,
  L4_CSUM_REPLACE: 11,
  TAIL_CALL: 12,
  GET_CURRENT_PID_TGID: 14,
  GET_CURRENT_UID_GID: 15,
  GET_CURRENT_COMM: 16,
  SKB_LOAD_BYTES: 26,
  CSUM_DIFF: 28,
  GET_NUMA_NODE_ID: 42,
  XDP_ADJUST_HEAD: 44,
  PROBE_READ_STR: 45,
  XDP_ADJUST_META: 54,
  XDP_ADJUST_TAIL: 65,
  MAP_PUSH_ELEM: 87,
  MAP_POP_ELEM: 88,
  MAP_PEEK_ELEM: 89,
  PROBE_READ_USER: 112,
  PROBE_READ_KERNEL: 113,
  PROBE_READ_USER_STR: 114,
  PROBE_READ_KERNEL_STR: 115,
  JIFFIES64: 118,
  KTIME_GET_BOOT_NS: 125,
  RINGBUF_OUTPUT: 130,
  RINGBUF_RESERVE: 131,
  RINGBUF_SUBMIT: 132,
  RINGBUF_DISCARD: 133,
  RINGBUF_QUERY: 134,
  KTIME_GET_COARSE_NS: 160,
  SNPRINTF: 165,
  STRNCMP: 182,
  XDP_GET_BUFF_LEN: 188,
  XDP_LOAD_BYTES: 189,
  XDP_STORE_BYTES: 190,
  KTIME_GET_TAI_NS: 208,
} as const);

/** A kernel helper id this package implements. */
export type KernelHelperId = (typeof KernelHelper)[keyof typeof KernelHelper];

/** Flags of `bpf_l3_csum_replace`/`bpf_l4_csum_replace` (`BPF_F_*`). */
export const CsumFlag = Object.freeze({
  /** The low four bits: the size of the changed field (0, 2 or 4). */
  HDR_FIELD_MASK: 0xf,
  PSEUDO_HDR: 1 << 4,
  MARK_MANGLED_0: 1 << 5,
  MARK_ENFORCE: 1 << 6,
  IPV6: 1 << 7,
} as const);

/** Flags of `bpf_skb_store_bytes` (`BPF_F_RECOMPUTE_CSUM`, `BPF_F_INVALIDATE_HASH`). */
export const StoreBytesFlag = Object.freeze({ RECOMPUTE_CSUM: 1, INVALIDATE_HASH: 2 } as const);

/** What `bpf_l4_csum_replace` writes for a checksum that comes out 0 (`CSUM_MANGLED_0`). */
export const CSUM_MANGLED_0 = 0xffff;
