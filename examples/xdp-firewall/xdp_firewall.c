// SPDX-License-Identifier: MIT
//
// XDP firewall: drop TCP and UDP packets whose destination port is listed in the hash map
// `blocked_ports`, over IPv4 (with header options) and IPv6, with or without one 802.1Q VLAN
// tag. Every drop is counted in the port's map value; `verdicts` counts the verdicts given.
// Truncated or unparsable packets are passed on: a firewall in front of the stack should not
// decide what the stack itself will reject.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* What a blocked port has cost its senders so far. */
struct port_hits {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, __u16); /* destination port, host byte order */
  __type(value, struct port_hits);
} blocked_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, XDP_REDIRECT + 1);
  __type(key, __u32); /* XDP verdict */
  __type(value, __u64);
} verdicts SEC(".maps");

/* 802.1Q tag that may sit between the Ethernet header and the payload. */
struct vlan_hdr {
  __be16 tci;
  __be16 encapsulated_proto;
};

static __always_inline int count_verdict(__u32 verdict) {
  __u64 *n = bpf_map_lookup_elem(&verdicts, &verdict);
  if (n)
    __sync_fetch_and_add(n, 1);
  return verdict;
}

/* Returns the L4 protocol and sets *l4 to its header, or returns -1 when there is none. */
static __always_inline int find_transport(void *data, void *data_end, void **l4) {
  struct ethhdr *eth = data;
  void *cursor = eth + 1;
  if (cursor > data_end)
    return -1;

  __be16 proto = eth->h_proto;
  if (proto == bpf_htons(ETH_P_8021Q)) {
    struct vlan_hdr *vlan = cursor;
    if ((void *)(vlan + 1) > data_end)
      return -1;
    proto = vlan->encapsulated_proto;
    cursor = vlan + 1;
  }

  if (proto == bpf_htons(ETH_P_IP)) {
    struct iphdr *ip = cursor;
    if ((void *)(ip + 1) > data_end || ip->ihl < 5)
      return -1;
    /* Only the first fragment carries the ports. */
    if (ip->frag_off & bpf_htons(0x1fff))
      return -1;
    *l4 = cursor + ip->ihl * 4;
    return ip->protocol;
  }
  if (proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr *ip6 = cursor;
    if ((void *)(ip6 + 1) > data_end)
      return -1;
    *l4 = ip6 + 1; /* extension headers are not followed */
    return ip6->nexthdr;
  }
  return -1;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  void *l4 = 0;
  __be16 dest;

  int proto = find_transport(data, data_end, &l4);
  if (proto == IPPROTO_TCP) {
    struct tcphdr *tcp = l4;
    if ((void *)(tcp + 1) > data_end)
      return count_verdict(XDP_PASS);
    dest = tcp->dest;
  } else if (proto == IPPROTO_UDP) {
    struct udphdr *udp = l4;
    if ((void *)(udp + 1) > data_end)
      return count_verdict(XDP_PASS);
    dest = udp->dest;
  } else {
    return count_verdict(XDP_PASS);
  }

  __u16 port = bpf_ntohs(dest);
  struct port_hits *hits = bpf_map_lookup_elem(&blocked_ports, &port);
  if (!hits)
    return count_verdict(XDP_PASS);
  __sync_fetch_and_add(&hits->packets, 1);
  __sync_fetch_and_add(&hits->bytes, data_end - data);
  return count_verdict(XDP_DROP);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
