// SPDX-License-Identifier: MIT
//
// Per-CPU packet counter: count packets and bytes per traffic class in a per-CPU array, so that
// CPUs never contend for a cache line and need no atomic instructions; user space sums the
// CPUs' slots when it reads. A second, shared array records how many packets each CPU saw,
// updated atomically, so a reader can check the per-CPU slots against it. Every packet passes.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Traffic classes, the keys of `class_stats`. */
enum traffic_class {
  CLASS_IPV4 = 0,
  CLASS_IPV6 = 1,
  CLASS_ARP = 2,
  CLASS_OTHER = 3,
  CLASS_COUNT = 4,
};

struct class_stats {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, CLASS_COUNT);
  __type(key, __u32);
  __type(value, struct class_stats);
} class_stats SEC(".maps");

#define MAX_CPUS 8

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_CPUS);
  __type(key, __u32); /* CPU number */
  __type(value, __u64);
} packets_per_cpu SEC(".maps");

static __always_inline __u32 classify(void *data, void *data_end) {
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end)
    return CLASS_OTHER;
  switch (eth->h_proto) {
  case bpf_htons(ETH_P_IP):
    return CLASS_IPV4;
  case bpf_htons(ETH_P_IPV6):
    return CLASS_IPV6;
  case bpf_htons(ETH_P_ARP):
    return CLASS_ARP;
  default:
    return CLASS_OTHER;
  }
}

SEC("xdp")
int count_packets(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;

  __u32 class = classify(data, data_end);
  struct class_stats *stats = bpf_map_lookup_elem(&class_stats, &class);
  if (stats) {
    /* This CPU's own slot: plain increments are safe. */
    stats->packets += 1;
    stats->bytes += data_end - data;
  }

  __u32 cpu = bpf_get_smp_processor_id();
  __u64 *seen = bpf_map_lookup_elem(&packets_per_cpu, &cpu);
  if (seen)
    __sync_fetch_and_add(seen, 1);
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
