// Packet parsing with bounds checks: Ethernet, IPv4, then TCP or UDP, reading data/data_end
// from the XDP context. Drops TCP traffic to port 23, counts bytes otherwise.
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

#define SEC(name) __attribute__((section(name), used))

struct xdp_md {
  u32 data;
  u32 data_end;
  u32 data_meta;
  u32 ingress_ifindex;
  u32 rx_queue_index;
  u32 egress_ifindex;
};

struct ethhdr {
  u8 dst[6];
  u8 src[6];
  u16 proto;
};

struct iphdr {
  u8 ihl_version;
  u8 tos;
  u16 tot_len;
  u16 id;
  u16 frag_off;
  u8 ttl;
  u8 protocol;
  u16 check;
  u32 saddr;
  u32 daddr;
};

struct ports {
  u16 source;
  u16 dest;
};

SEC("xdp")
int parse(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end) return 1;
  if (eth->proto != __builtin_bswap16(0x0800)) return 2;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end) return 1;
  u32 hlen = (ip->ihl_version & 0x0f) * 4;
  if (hlen < sizeof(*ip)) return 1;
  struct ports *l4 = (void *)ip + hlen;
  if ((void *)(l4 + 1) > end) return 1;
  if (ip->protocol == 6 && l4->dest == __builtin_bswap16(23)) return 1;
  if (ip->protocol == 17 && __builtin_bswap16(l4->source) < 1024) return 3;
  return 2;
}
