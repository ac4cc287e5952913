// Loops and 32-bit arithmetic: a bounded sum, a checksum over a stack array, and integer
// division and remainder (signed division only where the CPU version has it).
typedef unsigned int u32;
typedef unsigned long long u64;

#define SEC(name) __attribute__((section(name), used))

SEC("socket")
int sum_loop(void *ctx) {
  volatile u32 n = 100;
  u32 acc = 0;
  for (u32 i = 1; i <= n; i++) {
    acc += i * 3;
    acc ^= acc >> 7;
  }
  return acc;
}

SEC("socket")
int checksum(void *ctx) {
  volatile unsigned char buf[32];
  for (int i = 0; i < 32; i++) buf[i] = (unsigned char)(i * 7 + 1);
  u32 a = 1, b = 0;
  for (int i = 0; i < 32; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (int)((b << 16) | a);
}

SEC("socket")
long divide(void *ctx) {
  volatile long long x = -1000, y = 7;
  volatile u32 p = 12345, q = 10;
  long long r = (long long)(p / q) + (long long)(p % q);
#if __BPF_CPU_VERSION__ >= 4
  r += x / y + x % y;
  volatile signed char c = -5;
  volatile short s = -300;
  r += c + s;
#endif
  return (long)r;
}
