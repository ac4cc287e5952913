// SPDX-License-Identifier: MIT
//
// Ring-buffer event producer: an XDP program that reports TCP connection events to user space
// through a BPF ring buffer, for a host-side consumer to read.
//
// - A connection attempt (SYN without ACK) is reported with bpf_ringbuf_reserve and
//   bpf_ringbuf_submit: the event is written in place, in the ring's own memory.
// - A connection end (FIN or RST) is reported with bpf_ringbuf_output: the event is built on
//   the stack and copied into the ring.
// - When the ring is full the event is lost and counted in `lost_events`, as a production
//   program would, so that user space knows its consumer fell behind.
//
// Every event carries a sequence number taken from `next_seq` with an atomic fetch-and-add, so
// the consumer can see gaps. The program never drops a packet (XDP_PASS).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum event_kind {
  EVENT_CONNECT = 1,
  EVENT_CLOSE = 2,
};

/* One record in the ring, 24 bytes. Addresses and ports in network byte order. */
struct conn_event {
  __u32 seq;
  __u8 kind;  /* enum event_kind */
  __u8 flags; /* the TCP flags byte */
  __u16 pkt_len;
  __be32 saddr;
  __be32 daddr;
  __be16 sport;
  __be16 dport;
  __u32 ifindex;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

/* Slot 0: the next sequence number; slot 1: events lost because the ring was full. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

static __always_inline __u64 *counter(__u32 slot) {
  return bpf_map_lookup_elem(&counters, &slot);
}

static __always_inline void fill_event(struct conn_event *e, __u32 seq, __u8 kind, __u8 flags,
                                       struct xdp_md *ctx, __u16 len, struct iphdr *ip,
                                       struct tcphdr *tcp) {
  e->seq = seq;
  e->kind = kind;
  e->flags = flags;
  e->pkt_len = len;
  e->saddr = ip->saddr;
  e->daddr = ip->daddr;
  e->sport = tcp->source;
  e->dport = tcp->dest;
  e->ifindex = ctx->ingress_ifindex;
}

SEC("xdp")
int report_connections(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);

  if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
      ip->protocol != IPPROTO_TCP || ip->ihl != 5)
    return XDP_PASS;
  struct tcphdr *tcp = (void *)(ip + 1);
  if ((void *)(tcp + 1) > data_end)
    return XDP_PASS;

  __u8 flags = ((__u8 *)tcp)[13];
  __u8 kind;
  if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
    kind = EVENT_CONNECT;
  else if (flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
    kind = EVENT_CLOSE;
  else
    return XDP_PASS;

  __u64 *next_seq = counter(0);
  __u64 *lost = counter(1);
  if (!next_seq || !lost)
    return XDP_PASS;
  __u32 seq = __sync_fetch_and_add(next_seq, 1);
  /* Subtract the pointers in 64 bits: the kernel refuses 32-bit arithmetic on pointers, which
   * clang would otherwise pick because only 16 bits of the difference are kept. */
  __u64 len = data_end - data;
  barrier_var(len);

  if (kind == EVENT_CONNECT) {
    struct conn_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
      __sync_fetch_and_add(lost, 1);
      return XDP_PASS;
    }
    fill_event(e, seq, kind, flags, ctx, len, ip, tcp);
    bpf_ringbuf_submit(e, 0);
  } else {
    struct conn_event e;
    fill_event(&e, seq, kind, flags, ctx, len, ip, tcp);
    if (bpf_ringbuf_output(&events, &e, sizeof(e), 0) < 0)
      __sync_fetch_and_add(lost, 1);
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
