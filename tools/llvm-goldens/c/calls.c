// BPF-to-BPF calls and helper calls: a non-inlined subprogram called twice, a recursive-free
// chain of two subprograms, and helpers called by number.
typedef unsigned long long u64;
typedef unsigned int u32;

#define SEC(name) __attribute__((section(name), used))

static u64 (*ktime_get_ns)(void) = (void *)5;
static long (*trace)(const char *fmt, u32 size, ...) = (void *)6;

static __attribute__((noinline)) u64 mix(u64 a, u64 b) {
  a ^= b << 13;
  a *= 0x9e3779b97f4a7c15ULL;
  return a ^ (a >> 29);
}

static __attribute__((noinline)) u32 fold(u64 v) {
  return (u32)(mix(v, 17) >> 32) + (u32)v;
}

SEC("tc")
int caller(void *ctx) {
  u64 t = ktime_get_ns();
  u64 h = mix(t, 0x1234567890abcdefULL);
  char fmt[] = "h=%llu";
  trace(fmt, sizeof(fmt), h);
  return (int)fold(h);
}
