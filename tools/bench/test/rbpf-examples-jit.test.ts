/**
 * rbpf's README runs its packet examples JIT-compiled. The twins live in packages/vm/examples,
 * whose tests can only use the interpreter (the VM cannot depend on the JIT); this package
 * depends on both, so the JIT runs of the same examples are checked here.
 */
import { readFileSync } from 'node:fs';
import { createJit } from '@ebpf/jit';
import { describe, expect, it } from 'vitest';
import {
  createPortFilter,
  DROP,
  PASS,
  TCP_PACKET,
  withPorts,
} from '../../../packages/vm/examples/block-a-port.js';
import { runMetadataBuffer } from '../../../packages/vm/examples/metadata-buffer.js';
import { runPacketData } from '../../../packages/vm/examples/packet-data.js';

const BLOCK_A_PORT = new Uint8Array(
  readFileSync(new URL('../../fixtures/block-a-port/block-a-port.bin', import.meta.url)),
);

describe('rbpf README twins on the JIT', () => {
  it('packet data: 0x11, as with the interpreter', () => {
    expect(runPacketData(undefined, createJit())).toBe(0x11n);
  });

  it('metadata buffer: 0x2211, as with the interpreter', () => {
    expect(runMetadataBuffer(undefined, createJit())).toBe(0x2211n);
  });

  it('block a port: the same verdicts as the interpreter on every packet tried', () => {
    const jitted = createPortFilter(BLOCK_A_PORT, createJit());
    const interpreted = createPortFilter(BLOCK_A_PORT);
    expect(jitted(TCP_PACKET)).toBe(DROP);
    expect(jitted(withPorts(TCP_PACKET, 0x9876, 0xc6cc))).toBe(PASS);
    for (const [source, dest] of [
      [0x9999, 1],
      [1, 0x9999],
      [0x9998, 0x999a],
    ] as const) {
      const packet = withPorts(TCP_PACKET, source, dest);
      expect(jitted(packet)).toBe(interpreted(packet));
    }
    for (let length = 0; length <= TCP_PACKET.length; length += 9) {
      expect(jitted(TCP_PACKET.subarray(0, length))).toBe(
        interpreted(TCP_PACKET.subarray(0, length)),
      );
    }
  });
});
