import { AddressSpace, REGION_INPUT } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { KernelHelper, kernelHelpers } from '../src/index.js';
import { createBench, neg } from './support/bench.js';

function bench(packet: Uint8Array) {
  const space = new AddressSpace();
  space.layoutRun(packet.length, 0);
  space.regionBytes(REGION_INPUT).set(packet);
  const b = createBench(kernelHelpers(), space);
  return { ...b, packet: () => [...space.regionBytes(REGION_INPUT)] };
}

describe('packet bytes by offset (the input region without a program context)', () => {
  const frame = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('skb_load_bytes copies, and zero-fills with -EFAULT past the end', () => {
    const b = bench(frame);
    const to = b.region(new Uint8Array(8).fill(0xee));
    expect(b.call(KernelHelper.SKB_LOAD_BYTES, 0, 28, to, 4)).toBe(0n);
    expect([...b.bytes(to, 8)]).toEqual([28, 29, 30, 31, 0xee, 0xee, 0xee, 0xee]);
    expect(b.call(KernelHelper.SKB_LOAD_BYTES, 0, 29, to, 4)).toBe(neg(14));
    expect([...b.bytes(to, 8)]).toEqual([0, 0, 0, 0, 0xee, 0xee, 0xee, 0xee]);
    expect(b.call(KernelHelper.SKB_LOAD_BYTES, 0, 0x8000_0000, to, 1)).toBe(neg(14));
  });

  it('skb_store_bytes writes in bounds, checks flags and the end', () => {
    const b = bench(frame);
    const from = b.region(Uint8Array.from([0xa1, 0xa2]));
    expect(b.call(KernelHelper.SKB_STORE_BYTES, 0, 30, from, 2, 3)).toBe(0n);
    expect(b.packet().slice(28)).toEqual([28, 29, 0xa1, 0xa2]);
    expect(b.call(KernelHelper.SKB_STORE_BYTES, 0, 31, from, 2, 0)).toBe(neg(14));
    expect(b.call(KernelHelper.SKB_STORE_BYTES, 0, 0, from, 2, 4)).toBe(neg(22));
    expect(b.packet().slice(0, 2)).toEqual([0, 1]);
  });

  it('xdp_load_bytes, xdp_store_bytes and xdp_get_buff_len', () => {
    const b = bench(frame);
    const buf = b.region(4);
    expect(b.call(KernelHelper.XDP_GET_BUFF_LEN, 0)).toBe(32n);
    expect(b.call(KernelHelper.XDP_LOAD_BYTES, 0, 4, buf, 4)).toBe(0n);
    expect([...b.bytes(buf, 4)]).toEqual([4, 5, 6, 7]);
    expect(b.call(KernelHelper.XDP_LOAD_BYTES, 0, 30, buf, 4)).toBe(neg(22));
    expect(b.call(KernelHelper.XDP_LOAD_BYTES, 0, 0x10000, buf, 4)).toBe(neg(14));
    expect(b.call(KernelHelper.XDP_STORE_BYTES, 0, 0, buf, 4)).toBe(0n);
    expect(b.packet().slice(0, 4)).toEqual([4, 5, 6, 7]);
  });
});
