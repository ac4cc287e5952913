// Atomic read-modify-write on a stack counter and through a pointer: add (with and without using
// the result), or/and/xor, exchange and compare-exchange, 64- and 32-bit. Versions before v3 have
// only the add that does not return a value.
typedef unsigned long long u64;
typedef unsigned int u32;

#define SEC(name) __attribute__((section(name), used))

SEC("socket")
long counters(u64 *p) {
  u64 c = 0;
  u32 d = 0;
  __sync_fetch_and_add(p, 1);
  __sync_fetch_and_add(&c, 5);
  __sync_fetch_and_add((u32 *)p + 1, 3);
#if __BPF_CPU_VERSION__ >= 3
  u64 old = __sync_fetch_and_add(p, 2);
  old += __sync_fetch_and_or(p, 0x10);
  old += __sync_fetch_and_and(p, ~0x10ULL);
  old += __sync_fetch_and_xor(p, 0xff);
  __sync_fetch_and_or(p, 0x20);
  old += __sync_lock_test_and_set(p, 7);
  old += __sync_val_compare_and_swap(p, 7, 9);
  u32 o32 = __sync_fetch_and_add((u32 *)p, 1);
  o32 += __sync_fetch_and_xor((u32 *)p, 3);
  o32 += __sync_val_compare_and_swap((u32 *)p, 4, 5);
  __sync_fetch_and_and((u32 *)p, 0xff);
  return (long)(old + o32 + c + d);
#else
  return (long)(c + d);
#endif
}
