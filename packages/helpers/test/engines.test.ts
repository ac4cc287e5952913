/**
 * Helpers called by programs (assembled with @ebpf/assembler) on the interpreter and on the JIT:
 * every observable result must be the same on both, and what the kernel's helpers give.
 */
import { isEbpfError } from '@ebpf/isa';
import { createTypedMap, MapType, type RingBufferMap, u32, u64 } from '@ebpf/maps';
import { VM_ACCESS_VIOLATION } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { HELPERS_NOT_A_MAP } from '../src/index.js';
import { cstr } from './support/bench.js';
import { createWorld, ENGINES } from './support/engines.js';
import {
  buildFrame,
  IP,
  IP_CSUM,
  IP_SRC,
  L4,
  l4ChecksumOffset,
  l4Verifies,
  verifies,
} from './support/packets.js';

/** Runs `f` on both engines and checks they agree; returns the interpreter's result. */
function onBoth<T>(f: (engine: 'interp' | 'jit') => T): T {
  const [interp, jit] = ENGINES.map((e) => f(e as 'interp' | 'jit'));
  expect(jit).toEqual(interp);
  return interp;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

describe('map helpers in programs', () => {
  it('bpf_map_lookup_elem gives a value pointer the program increments in place', () => {
    const result = onBoth((engine) => {
      const w = createWorld(
        engine,
        `stw [r10-4], 0
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         call 1
         jeq r0, 0, +3
         mov r1, 5
         lock add [r0], r1
         ldxdw r0, [r0]
         exit`,
        { maps: [{ name: 'c', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 }] },
      );
      const r0s = [w.run(), w.run(), w.run()];
      return { r0s, stored: createTypedMap(w.created[0], { key: u32, value: u64 }).get(0) };
    });
    expect(result).toEqual({ r0s: [5n, 10n, 15n], stored: 15n });
  });

  it('update, lookup, delete on a hash map, with the kernel flags and errors', () => {
    const result = onBoth((engine) => {
      const w = createWorld(
        engine,
        `stw [r10-4], 7
         stdw [r10-16], 1234
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         mov r3, r10
         add r3, -16
         mov r4, 1
         call 2
         mov r6, r0
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         mov r3, r10
         add r3, -16
         mov r4, 1
         call 2
         mov r7, r0
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         call 1
         ldxdw r8, [r0]
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         call 3
         mov r9, r0
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -4
         call 1
         lsh r6, 48
         lsh r7, 32
         or r6, r7
         or r6, r8
         lsh r9, 16
         or r6, r9
         or r6, r0
         mov r0, r6
         exit`,
        { maps: [{ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 }] },
      );
      return { r0: hex(w.run()) };
    });
    // First NOEXIST insert 0 (bits 48+), second -EEXIST (-17, shifted up 32), lookup 1234
    // (0x4d2), delete 0 (bits 16+), lookup after delete 0.
    expect(result.r0).toBe(hex(BigInt.asUintN(64, -17n << 32n) | 0x4d2n));
  });

  it('queue push and pop, and the kernel errors of an empty queue', () => {
    const result = onBoth((engine) => {
      const w = createWorld(
        engine,
        `stdw [r10-8], 11
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -8
         mov r3, 0
         call 87
         stdw [r10-8], 22
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -8
         mov r3, 0
         call 87
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -16
         call 88
         ldxdw r6, [r10-16]
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -16
         call 89
         ldxdw r7, [r10-16]
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -16
         call 88
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -16
         call 88
         lsh r6, 16
         lsh r7, 8
         or r6, r7
         lsh r0, 32
         or r0, r6
         exit`,
        { maps: [{ name: 'q', type: MapType.QUEUE, keySize: 0, valueSize: 8, maxEntries: 4 }] },
      );
      return hex(w.run());
    });
    // pop 11, peek 22, pop 22, pop on empty: -ENOENT (0xfffffffe in the upper half).
    expect(result).toBe(hex((0xffff_fffen << 32n) | (11n << 16n) | (22n << 8n)));
  });

  it('ring buffer output, reserve + submit and discard reach the consumer in order', () => {
    const result = onBoth((engine) => {
      const w = createWorld(
        engine,
        `stdw [r10-8], 0x1111
         lddw_map_idx r1, 0
         mov r2, r10
         add r2, -8
         mov r3, 8
         mov r4, 0
         call 130
         mov r6, r0
         lddw_map_idx r1, 0
         mov r2, 8
         mov r3, 0
         call 131
         jeq r0, 0, +5
         stdw [r0], 0x2222
         mov r1, r0
         mov r2, 0
         call 132
         ja +0
         lddw_map_idx r1, 0
         mov r2, 4
         mov r3, 0
         call 131
         jeq r0, 0, +3
         mov r1, r0
         mov r2, 0
         call 133
         lddw_map_idx r1, 0
         mov r2, 0
         call 134
         exit`,
        {
          maps: [{ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }],
        },
      );
      const r0 = w.run();
      const records = (w.created[0] as RingBufferMap).drain().map((d) => [...d]);
      return { r0, records };
    });
    expect(result.records).toEqual([
      [0x11, 0x11, 0, 0, 0, 0, 0, 0],
      [0x22, 0x22, 0, 0, 0, 0, 0, 0],
    ]);
    // bpf_ringbuf_query(BPF_RB_AVAIL_DATA): three records of 16 bytes each before draining.
    expect(result.r0).toBe(48n);
  });

  it('a map helper given something that is no map throws HELPERS_NOT_A_MAP at the call', () => {
    for (const engine of ENGINES) {
      const w = createWorld(engine, 'mov r1, 99\nmov r2, r10\ncall 1\nexit');
      try {
        w.run();
        expect.unreachable();
      } catch (e) {
        expect(isEbpfError(e, HELPERS_NOT_A_MAP)).toBe(true);
        expect((e as { pc: number }).pc).toBe(2);
      }
    }
  });
});

describe('packet and memory helpers in programs', () => {
  it('bpf_l3_csum_replace and bpf_l4_csum_replace after a NAT rewrite of the source address', () => {
    const frame = buildFrame({
      proto: 17,
      src: [192, 168, 0, 2],
      dst: [1, 1, 1, 1],
      sport: 5353,
      dport: 53,
      payload: new Uint8Array([9, 8, 7]),
    });
    const out = onBoth((engine) => {
      const w = createWorld(
        engine,
        `mov r6, r1
         ldxw r3, [r6+${IP_SRC}]
         stw [r6+${IP_SRC}], 0x6300a8c0
         mov r7, r3
         mov r1, r6
         mov r2, ${IP_CSUM}
         mov32 r4, 0x6300a8c0
         mov r5, 4
         call 10
         mov r8, r0
         mov r1, r6
         mov r2, ${l4ChecksumOffset(frame)}
         mov r3, r7
         mov32 r4, 0x6300a8c0
         mov r5, 0x14
         call 11
         or r0, r8
         exit`,
        { raw: true },
      );
      const packet = frame.slice();
      return { r0: w.run(packet), packet: [...packet] };
    });
    expect(out.r0).toBe(0n);
    const packet = Uint8Array.from(out.packet);
    expect([...packet.subarray(IP_SRC, IP_SRC + 4)]).toEqual([192, 168, 0, 99]);
    expect(verifies(packet.subarray(IP, L4))).toBe(true);
    expect(l4Verifies(packet)).toBe(true);
  });

  it('bpf_trace_printk lines and lengths', () => {
    const fmt = cstr('pid %d saw %u bytes from %x\n');
    const out = onBoth((engine) => {
      const w = createWorld(
        engine,
        ([f]) => `lddw r1, ${f}
         mov r2, ${fmt.length}
         mov r3, -42
         mov r4, 1500
         mov r5, 0xbeef
         call 6
         exit`,
        { memory: [fmt] },
      );
      return { r0: w.run(), lines: w.lines };
    });
    expect(out.lines).toEqual(['pid -42 saw 1500 bytes from beef\n']);
    expect(out.r0).toBe(BigInt(out.lines[0].length));
  });

  it('bpf_probe_read copies in bounds and gives -EFAULT with a zeroed destination outside', () => {
    const out = onBoth((engine) => {
      const w = createWorld(
        engine,
        ([src]) => `stdw [r10-8], -1
         mov r1, r10
         add r1, -8
         mov r2, 8
         lddw r3, ${src}
         call 4
         ldxdw r6, [r10-8]
         mov r7, r0
         stdw [r10-8], -1
         mov r1, r10
         add r1, -8
         mov r2, 8
         lddw r3, ${src + 4n}
         call 113
         ldxdw r8, [r10-8]
         lsh r7, 16
         or r0, r7
         lsh r0, 32
         xor r0, r8
         xor r0, r6
         exit`,
        { memory: [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])] },
      );
      return hex(w.run());
    });
    // First read 0x0807060504030201 with r0 0; second (2 bytes short) -EFAULT with zeros.
    expect(out).toBe(hex(0x0807_0605_0403_0201n ^ BigInt.asUintN(64, -14n << 32n)));
  });

  it('a destination the program may not write faults with the VM error', () => {
    for (const engine of ENGINES) {
      const w = createWorld(
        engine,
        ([ro]) => `lddw r1, ${ro}\nmov r2, 4\nmov r3, r10\nadd r3, -8\ncall 4\nexit`,
        { readOnlyMemory: [new Uint8Array(8)] },
      );
      expect(() => w.run()).toThrowError(
        expect.objectContaining({ code: VM_ACCESS_VIOLATION, pc: 5 }),
      );
      const unmapped = createWorld(
        engine,
        'mov r1, 0\nmov r2, 4\nmov r3, r10\nadd r3, -8\ncall 4\nexit',
      );
      expect(() => unmapped.run()).toThrowError(
        expect.objectContaining({ code: VM_ACCESS_VIOLATION, pc: 4 }),
      );
    }
  });
});
