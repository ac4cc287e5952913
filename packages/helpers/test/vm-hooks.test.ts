/**
 * Helpers that need the VM's facilities: tail calls (the VM's chain limit of 33, missing entries)
 * and XDP head/tail/meta adjustment, end to end on both engines, and through hooks a host wires.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { createJit } from '@ebpf/jit';
import { createTypedMap, MapSet, MapType, type ProgramArrayMap, u32, u64 } from '@ebpf/maps';
import { EbpfVmNoData, EbpfVmTc, EbpfVmXdp, XdpAction } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  HELPERS_NO_HOOK,
  HELPERS_NOT_A_MAP,
  installHelpers,
  KernelHelper,
  kernelHelpers,
} from '../src/index.js';
import { createBench, neg } from './support/bench.js';
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

/** Runs `f` on the interpreter and on the JIT: the results must be identical. */
function onEngines<T>(f: (engine: 'interp' | 'jit') => T): T {
  const interp = f('interp');
  expect(f('jit')).toEqual(interp);
  return interp;
}

/** Counts itself in array map 0, then tail-calls slot `slot` of program array 1. */
const chain = (slot: number) => `
  mov r6, r1
  stw [r10-4], 0
  lddw_map_idx r1, 0
  mov r2, r10
  add r2, -4
  call 1
  jeq r0, 0, +2
  mov r1, 1
  lock add [r0], r1
  mov r1, r6
  lddw_map_idx r2, 1
  mov r3, ${slot}
  call 12
  exit`;

function xdpWorld(engine: 'interp' | 'jit', source: string, slot = 0, xdp = true) {
  const options = { jit: createJit(), engine };
  const vm = xdp ? new EbpfVmXdp(undefined, options) : new EbpfVmNoData(undefined, options);
  const maps = new MapSet(vm);
  const counter = maps.create({
    name: 'n',
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: 8,
    maxEntries: 1,
  });
  const jumps = maps.create({
    name: 'jumps',
    type: MapType.PROG_ARRAY,
    keySize: 4,
    valueSize: 4,
    maxEntries: 4,
  }) as ProgramArrayMap;
  installHelpers(vm, kernelHelpers({ maps }));
  const handle = vm.setProgram(maps.relocate(assemble(source)));
  jumps.set(slot, handle);
  return { vm, counter: createTypedMap(counter, { key: u32, value: u64 }), jumps };
}

describe('bpf_tail_call through the VM', () => {
  it('a program tail-calling itself runs 1 + 33 times, then the call fails with -E2BIG', () => {
    const result = onEngines((engine) => {
      const w = xdpWorld(engine, chain(0));
      const r0 = w.vm.executeProgram(new Uint8Array(64));
      return { r0, count: w.counter.get(0) };
    });
    expect(result).toEqual({ r0: neg(7), count: 34n });
  });

  it('the same chain without a program context', () => {
    const result = onEngines((engine) => {
      const w = xdpWorld(engine, chain(0), 0, false);
      const r0 = (w.vm as EbpfVmNoData).executeProgram();
      return { r0, count: w.counter.get(0) };
    });
    expect(result).toEqual({ r0: neg(7), count: 34n });
  });

  it('a missing entry returns -ENOENT and the program goes on', () => {
    const result = onEngines((engine) => {
      const w = xdpWorld(engine, chain(1), 0);
      return { r0: w.vm.executeProgram(new Uint8Array(64)), count: w.counter.get(0) };
    });
    expect(result).toEqual({ r0: neg(2), count: 1n });
  });

  it('an index past max_entries (upper bits ignored as u32) fails as missing', () => {
    const r0 = onEngines((engine) => {
      const w = xdpWorld(engine, chain(0).replace('mov r3, 0', 'lddw r3, 0x100000004'));
      return w.vm.executeProgram(new Uint8Array(64));
    });
    expect(r0).toBe(neg(2));
    const wrapped = onEngines((engine) => {
      const w = xdpWorld(engine, chain(0).replace('mov r3, 0', 'lddw r3, 0x700000000'));
      w.vm.executeProgram(new Uint8Array(64));
      return w.counter.get(0);
    });
    expect(wrapped).toBe(34n);
  });

  it('a map that is no program array is refused with HELPERS_NOT_A_MAP', () => {
    const w = xdpWorld('interp', chain(0).replace('lddw_map_idx r2, 1', 'lddw_map_idx r2, 0'));
    try {
      w.vm.executeProgram(new Uint8Array(64));
      expect.unreachable();
    } catch (e) {
      expect(isEbpfError(e, HELPERS_NOT_A_MAP)).toBe(true);
    }
  });

  it('uses a tail-call hook the host wires, when given', () => {
    const space = new MapSet(createBench(kernelHelpers()).space);
    const jumps = space.create({
      name: 'j',
      type: MapType.PROG_ARRAY,
      keySize: 4,
      valueSize: 4,
      maxEntries: 2,
    }) as ProgramArrayMap<string>;
    jumps.set(1, 'next');
    const asked: unknown[] = [];
    const b = createBench(
      kernelHelpers({
        maps: space,
        hooks: {
          tailCall: (_ctx, p) => {
            asked.push(p);
            return 0;
          },
        },
      }),
      space.space,
    );
    expect(b.call(KernelHelper.TAIL_CALL, 0, space.handleOf(jumps), 1)).toBe(0n);
    expect(b.call(KernelHelper.TAIL_CALL, 0, space.handleOf(jumps), 0)).toBe(neg(2));
    expect(asked).toEqual(['next']);
  });
});

describe('bpf_xdp_adjust_head/tail/meta through the VM', () => {
  /** Pushes 4 bytes in front (adjust_head -4), writes them, grows the tail by 2. */
  const PUSH = `
    mov r6, r1
    mov r2, -4
    call 44
    jne r0, 0, +12
    ldxw r2, [r6+0]
    ldxw r3, [r6+4]
    mov r4, r2
    add r4, 4
    jgt r4, r3, +7
    stw [r2+0], 0x44332211
    mov r1, r6
    mov r2, 2
    call 65
    jne r0, 0, +2
    mov r0, ${XdpAction.TX}
    exit
    mov r0, ${XdpAction.ABORTED}
    exit`;

  it('moves data and data_end; the packet after the run shows the change on both engines', () => {
    const out = onEngines((engine) => {
      const vm = new EbpfVmXdp(undefined, { jit: createJit(), engine });
      installHelpers(vm, kernelHelpers());
      vm.setProgram(assemble(PUSH));
      // At least ETH_HLEN (14) bytes must remain, or the kernel refuses the move.
      const { r0, packet } = vm.run({ mem: new Uint8Array(14).fill(0xaa) });
      return { r0, packet: packet ? [...packet] : undefined };
    });
    expect(out).toEqual({
      r0: BigInt(XdpAction.TX),
      packet: [0x11, 0x22, 0x33, 0x44, ...new Array(14).fill(0xaa), 0, 0],
    });
  });

  it('refuses moves out of the buffer with a negative errno, leaving the packet alone', () => {
    const vm = new EbpfVmXdp();
    installHelpers(vm, kernelHelpers());
    vm.setProgram(assemble('mov r2, -100000\ncall 44\nexit'));
    const { r0, packet } = vm.run({ mem: new Uint8Array(20) });
    expect(BigInt.asIntN(64, r0) < 0n).toBe(true);
    expect(packet?.length).toBe(20);
  });

  it('without an XDP context the adjust helpers throw HELPERS_NO_HOOK; a host hook is used', () => {
    const b = createBench(kernelHelpers());
    for (const id of [
      KernelHelper.XDP_ADJUST_HEAD,
      KernelHelper.XDP_ADJUST_TAIL,
      KernelHelper.XDP_ADJUST_META,
    ]) {
      try {
        b.call(id, 0, 4);
        expect.unreachable();
      } catch (e) {
        expect(isEbpfError(e, HELPERS_NO_HOOK)).toBe(true);
      }
    }
    const seen: [string, number][] = [];
    const hooked = createBench(
      kernelHelpers({
        hooks: {
          adjustXdp: (_c, edge, delta) => {
            seen.push([edge, delta]);
            return -22;
          },
        },
      }),
    );
    expect(hooked.call(KernelHelper.XDP_ADJUST_META, 0, 0xffff_fff8n)).toBe(neg(22));
    expect(seen).toEqual([['meta', -8]]);
  });
});

describe('packet helpers on a tc program context', () => {
  it('source NAT: skb_load_bytes, skb_store_bytes, l3 and l4 checksum replace on the skb data', () => {
    const frame = buildFrame({
      proto: 6,
      src: [192, 168, 0, 2],
      dst: [93, 184, 216, 34],
      sport: 51000,
      dport: 443,
      payload: Uint8Array.from({ length: 33 }, (_, i) => 255 - i),
    });
    const NEW = '0x6300a8c0'; // 192.168.0.99 as a little-endian u32
    const out = onEngines((engine) => {
      const vm = new EbpfVmTc(undefined, { jit: createJit(), engine });
      installHelpers(vm, kernelHelpers());
      vm.setProgram(
        assemble(`
          mov r6, r1
          mov r2, ${IP_SRC}
          mov r3, r10
          add r3, -8
          mov r4, 4
          call 26
          ldxw r7, [r10-8]
          stw [r10-4], ${NEW}
          mov r1, r6
          mov r2, ${IP_SRC}
          mov r3, r10
          add r3, -4
          mov r4, 4
          mov r5, 0
          call 9
          mov r8, r0
          mov r1, r6
          mov r2, ${IP_CSUM}
          mov r3, r7
          mov32 r4, ${NEW}
          mov r5, 4
          call 10
          or r8, r0
          mov r1, r6
          mov r2, ${l4ChecksumOffset(frame)}
          mov r3, r7
          mov32 r4, ${NEW}
          mov r5, 0x14
          call 11
          or r0, r8
          exit`),
      );
      const { r0, packet } = vm.run({ mem: frame.slice() });
      return { r0, packet: packet ? [...packet] : undefined };
    });
    expect(out.r0).toBe(0n);
    const packet = Uint8Array.from(out.packet ?? []);
    expect([...packet.subarray(IP_SRC, IP_SRC + 4)]).toEqual([192, 168, 0, 99]);
    expect(verifies(packet.subarray(IP, L4))).toBe(true);
    expect(l4Verifies(packet)).toBe(true);
  });
});
