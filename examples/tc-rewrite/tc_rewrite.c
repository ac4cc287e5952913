// SPDX-License-Identifier: MIT
//
// tc (sched_cls) program that forwards IPv4 like a router and translates destinations like a
// load balancer, rewriting headers in place with the skb helpers and keeping every checksum
// right with the incremental checksum helpers:
//
//   1. TTL: a packet whose TTL is 1 or less is dropped (TC_ACT_SHOT); any other IPv4 packet has
//      its TTL decremented, the IPv4 header checksum patched with bpf_l3_csum_replace.
//   2. DNAT: a TCP or UDP packet whose (destination address, port, protocol) is in `nat_rules`
//      gets the rule's backend address and port. The IPv4 checksum covers the address; the TCP
//      or UDP checksum covers the address (through the pseudo-header) and the port, both patched
//      with bpf_l4_csum_replace. A UDP checksum of 0 ("none") stays 0 (BPF_F_MARK_MANGLED_0).
//
// Everything else passes unchanged (TC_ACT_OK).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* A frontend: where clients send their packets (network byte order). */
struct frontend {
  __be32 addr;
  __be16 port;
  __u8 proto;
  __u8 pad;
};

/* The backend a frontend is translated to, and how often that happened. */
struct backend {
  __be32 addr;
  __be16 port;
  __u16 pad;
  __u64 packets;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, struct frontend);
  __type(value, struct backend);
} nat_rules SEC(".maps");

#define IP_OFF ETH_HLEN
#define IP_TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define IP_DADDR_OFF (IP_OFF + offsetof(struct iphdr, daddr))

SEC("tc")
int tc_rewrite(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);

  if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
    return TC_ACT_OK;
  if (ip->ttl <= 1)
    return TC_ACT_SHOT;

  /* Read everything we need now: the store helpers invalidate packet pointers. */
  __u32 l4_off = IP_OFF + ip->ihl * 4;
  __u8 proto = ip->protocol;
  __be32 old_addr = ip->daddr;
  __be16 old_ttl_word = *(__be16 *)&ip->ttl; /* TTL and protocol: one checksummed word */
  __u8 new_ttl = ip->ttl - 1;
  __be16 new_ttl_word = bpf_htons(((__u16)new_ttl << 8) | proto);
  __be16 old_port = 0;
  int is_first_fragment = !(ip->frag_off & bpf_htons(0x1fff));

  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
    /* Both headers start with the source and destination ports. */
    struct udphdr *ports = data + l4_off;
    if ((void *)(ports + 1) <= data_end && is_first_fragment)
      old_port = ports->dest;
  }

  if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_ttl_word, new_ttl_word, sizeof(__u16)) < 0 ||
      bpf_skb_store_bytes(skb, IP_TTL_OFF, &new_ttl, sizeof(new_ttl), 0) < 0)
    return TC_ACT_SHOT;

  if (!old_port)
    return TC_ACT_OK;
  struct frontend key = {.addr = old_addr, .port = old_port, .proto = proto};
  struct backend *to = bpf_map_lookup_elem(&nat_rules, &key);
  if (!to)
    return TC_ACT_OK;

  __u32 l4_csum_off, l4_flags = 0;
  if (proto == IPPROTO_TCP) {
    l4_csum_off = l4_off + offsetof(struct tcphdr, check);
  } else {
    l4_csum_off = l4_off + offsetof(struct udphdr, check);
    l4_flags = BPF_F_MARK_MANGLED_0;
  }
  __be32 new_addr = to->addr;
  __be16 new_port = to->port;

  /* The address is in the IPv4 header and in the TCP/UDP pseudo-header. */
  if (bpf_l4_csum_replace(skb, l4_csum_off, old_addr, new_addr,
                          l4_flags | BPF_F_PSEUDO_HDR | sizeof(new_addr)) < 0 ||
      bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_addr, new_addr, sizeof(new_addr)) < 0 ||
      bpf_skb_store_bytes(skb, IP_DADDR_OFF, &new_addr, sizeof(new_addr), 0) < 0)
    return TC_ACT_SHOT;
  /* The port only in the TCP/UDP header. */
  if (bpf_l4_csum_replace(skb, l4_csum_off, old_port, new_port, l4_flags | sizeof(new_port)) < 0 ||
      bpf_skb_store_bytes(skb, l4_off + offsetof(struct udphdr, dest), &new_port,
                          sizeof(new_port), 0) < 0)
    return TC_ACT_SHOT;

  __sync_fetch_and_add(&to->packets, 1);
  return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
