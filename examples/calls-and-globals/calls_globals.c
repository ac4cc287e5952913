// SPDX-License-Identifier: MIT
//
// BPF-to-BPF calls and global data: an XDP program that validates IPv4 headers, hashes flows
// and rate-limits one service, with its logic in out-of-line functions (each a BPF-to-BPF call,
// some two levels deep) and its state in global variables instead of maps:
//
//   .rodata  configuration fixed at load time: `service_port`, `hash_seed`
//   .data    state with a start value: `service_tokens` (packets to the service still allowed)
//   .bss     state that starts at zero: `stats`, `last_flow_hash`
//
// Verdicts: an IPv4 packet whose header checksum is wrong is dropped; a TCP or UDP packet to
// `service_port` takes a token and is dropped when none is left; everything else passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u16 service_port = 8080;
const volatile __u32 hash_seed = 0x5eed1234;

__u32 service_tokens = 3;

struct packet_stats {
  __u64 packets;
  __u64 bad_checksum;
  __u64 to_service;
  __u64 rate_limited;
};
struct packet_stats stats;
__u32 last_flow_hash;

/* Ones' complement sum folded to 16 bits and inverted: 0 when a header's checksum is right. */
static __noinline __u16 fold_checksum(__u32 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

static __noinline int ipv4_checksum_ok(struct iphdr *ip) {
  __u16 *word = (__u16 *)ip;
  __u32 sum = 0;
  for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
    sum += word[i];
  return fold_checksum(sum) == 0;
}

static __always_inline __u32 rotate_left(__u32 x, int k) {
  return (x << k) | (x >> (32 - k));
}

/* One multiply-rotate step of the flow hash. */
static __noinline __u32 mix_word(__u32 h, __u32 word, __u32 multiplier, int rotation) {
  return rotate_left((h ^ word) * multiplier, rotation);
}

static __noinline __u32 hash_flow(__be32 saddr, __be32 daddr, __u32 ports, __u8 proto) {
  __u32 h = hash_seed;
  h = mix_word(h, saddr, 0x85ebca6b, 13);
  h = mix_word(h, daddr, 0xc2b2ae35, 17);
  h = mix_word(h, ports, 0x27d4eb2f, 11);
  h ^= h >> 15;
  return h ^ proto;
}

/* Takes one of the service's tokens; 0 when there is none left. */
static __noinline int take_token(void) {
  if (service_tokens == 0)
    return 0;
  service_tokens -= 1;
  return 1;
}

SEC("xdp")
int xdp_calls_globals(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  struct iphdr *ip = (void *)(eth + 1);

  stats.packets += 1;
  if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
    return XDP_PASS;
  if (!ipv4_checksum_ok(ip)) {
    stats.bad_checksum += 1;
    return XDP_DROP;
  }
  if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
    return XDP_PASS;

  /* TCP and UDP both start with the source and destination ports. */
  __u32 *ports = (void *)(ip + 1);
  if ((void *)(ports + 1) > data_end)
    return XDP_PASS;
  last_flow_hash = hash_flow(ip->saddr, ip->daddr, *ports, ip->protocol);

  __be16 dest = ((__be16 *)ports)[1];
  if (bpf_ntohs(dest) != service_port)
    return XDP_PASS;
  stats.to_service += 1;
  if (!take_token()) {
    stats.rate_limited += 1;
    return XDP_DROP;
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
