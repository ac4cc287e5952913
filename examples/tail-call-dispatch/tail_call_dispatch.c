// SPDX-License-Identifier: MIT
//
// Tail-call dispatcher: the XDP entry program `xdp_dispatch` parses Ethernet and IPv4 and jumps,
// with bpf_tail_call, to the handler for the packet's protocol, found in the program array
// `handlers`. The handlers are separate programs that user space installs (or leaves out):
//
//   slot 0  handle_tcp   counts the packet, passes it (XDP_PASS)
//   slot 1  handle_udp   drops UDP to port 9 ("discard"), passes the rest
//   slot 2  handle_icmp  drops ICMP echo requests (pings), passes the rest
//
// A tail call that finds no program returns to the caller, which counts a miss and passes the
// packet. Each program counts its runs in `runs` (indexed by RUN_*), so user space can see which
// programs a packet went through.
//
// `xdp_chain` shows the kernel's limit on chains of tail calls: it counts itself in `runs` and
// tail-calls slot 3, where user space installs `xdp_chain` itself. The 34th run's tail call
// fails (the limit is 33 tail calls after the first program), and that run returns XDP_PASS.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum handler_slot {
  SLOT_TCP = 0,
  SLOT_UDP = 1,
  SLOT_ICMP = 2,
  SLOT_CHAIN = 3,
  SLOT_COUNT = 4,
};

enum run_counter {
  RUN_DISPATCH = 0,
  RUN_TCP = 1,
  RUN_UDP = 2,
  RUN_ICMP = 3,
  RUN_MISSED = 4, /* a tail call found no program */
  RUN_CHAIN = 5,
  RUN_COUNT = 6,
};

/* The start of an ICMP header (linux/icmp.h would pull in the C library's headers). */
struct icmp_start {
  __u8 type;
  __u8 code;
  __sum16 checksum;
};
#define ICMP_ECHO_REQUEST 8

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, SLOT_COUNT);
  __type(key, __u32);
  __type(value, __u32);
} handlers SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, RUN_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} runs SEC(".maps");

static __always_inline void count_run(__u32 which) {
  __u64 *n = bpf_map_lookup_elem(&runs, &which);
  if (n)
    __sync_fetch_and_add(n, 1);
}

/* The IPv4 header of an Ethernet frame, or NULL. */
static __always_inline struct iphdr *ipv4_header(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
    return 0;
  return ip;
}

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx) {
  count_run(RUN_DISPATCH);
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip)
    return XDP_PASS;

  switch (ip->protocol) {
  case IPPROTO_TCP:
    bpf_tail_call(ctx, &handlers, SLOT_TCP);
    break;
  case IPPROTO_UDP:
    bpf_tail_call(ctx, &handlers, SLOT_UDP);
    break;
  case IPPROTO_ICMP:
    bpf_tail_call(ctx, &handlers, SLOT_ICMP);
    break;
  default:
    return XDP_PASS;
  }
  /* Only reached when the slot was empty. */
  count_run(RUN_MISSED);
  return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx) {
  count_run(RUN_TCP);
  return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx) {
  count_run(RUN_UDP);
  void *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip)
    return XDP_ABORTED; /* the dispatcher checked this: reaching here is a bug */
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > data_end)
    return XDP_PASS;
  return udp->dest == bpf_htons(9) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int handle_icmp(struct xdp_md *ctx) {
  count_run(RUN_ICMP);
  void *data_end = (void *)(long)ctx->data_end;
  struct iphdr *ip = ipv4_header(ctx);
  if (!ip)
    return XDP_ABORTED;
  struct icmp_start *icmp = (void *)(ip + 1);
  if ((void *)(icmp + 1) > data_end)
    return XDP_PASS;
  return icmp->type == ICMP_ECHO_REQUEST ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_chain(struct xdp_md *ctx) {
  count_run(RUN_CHAIN);
  bpf_tail_call(ctx, &handlers, SLOT_CHAIN);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
