/**
 * Runs the TypeScript twins of rbpf's README examples (packages/vm/examples) and checks the
 * results rbpf's README gives for each.
 */
import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  createPortFilter,
  DEST_PORT_OFFSET,
  DROP,
  PASS,
  TCP_PACKET,
  withPorts,
} from '../examples/block-a-port.js';
import { makeMbuff, runMetadataBuffer } from '../examples/metadata-buffer.js';
import { PACKET as RAW_PACKET, runPacketData } from '../examples/packet-data.js';
import { runSimpleAdd, SIMPLE_ADD } from '../examples/simple-add.js';
import {
  EbpfVmFixedMbuff,
  EbpfVmNoData,
  INPUT_ADDRESS,
  VM_ACCESS_VIOLATION,
} from '../src/index.js';

const BLOCK_A_PORT = new Uint8Array(
  readFileSync(new URL('../../../tools/fixtures/block-a-port/block-a-port.bin', import.meta.url)),
);

describe('rbpf README twins', () => {
  it('simple add (EbpfVmNoData): 0 + 1 + 2 = 3, in 5 instructions', () => {
    expect(runSimpleAdd()).toBe(3n);
    const vm = new EbpfVmNoData(SIMPLE_ADD);
    expect(vm.run()).toEqual({ r0: 3n, insnCount: 5 });
  });

  it('packet data (EbpfVmRaw): reads the byte at offset 2, 0x11', () => {
    expect(runPacketData()).toBe(0x11n);
    expect(runPacketData(new Uint8Array([0, 0, 0xfe]))).toBe(0xfen);
    expect(RAW_PACKET).toEqual(new Uint8Array([0xaa, 0xbb, 0x11, 0xcc, 0xdd]));
  });

  it('packet data: a packet too short for the load faults with a typed error', () => {
    let error: unknown;
    try {
      runPacketData(new Uint8Array(2));
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, VM_ACCESS_VIOLATION)).toBe(true);
    expect((error as { pc?: number }).pc).toBe(0);
  });

  it('metadata buffer (EbpfVmMbuff): reads the 16-bit word at packet + 2 through mbuff + 8, 0x2211', () => {
    expect(runMetadataBuffer()).toBe(0x2211n);
    const mbuff = new DataView(makeMbuff(6).buffer);
    expect(mbuff.getBigUint64(8, true)).toBe(INPUT_ADDRESS);
    expect(mbuff.getBigUint64(24, true)).toBe(INPUT_ADDRESS + 6n);
  });

  describe('block a port (EbpfVmFixedMbuff at 0x40/0x50, program compiled by clang)', () => {
    const filter = createPortFilter(BLOCK_A_PORT);

    it('is the 20-instruction classifier section of the committed object', () => {
      expect(BLOCK_A_PORT.length).toBe(20 * 8);
      // It reads data_end at 0x50 and data at 0x40 as 64-bit values (ldxdw).
      expect([...BLOCK_A_PORT.subarray(0, 4)]).toEqual([0x79, 0x12, 0x50, 0x00]);
      expect([...BLOCK_A_PORT.subarray(8, 12)]).toEqual([0x79, 0x11, 0x40, 0x00]);
    });

    it("drops rbpf's real TCP packet (source port 0x9999): 0xffffffff", () => {
      expect(filter(TCP_PACKET)).toBe(DROP);
    });

    it('drops a packet to port 0x9999 and passes one between other ports', () => {
      expect(filter(withPorts(TCP_PACKET, 0x9876, 0x9999))).toBe(DROP);
      expect(filter(withPorts(TCP_PACKET, 0x9876, 0xc6cc))).toBe(PASS);
      expect(filter(withPorts(TCP_PACKET, 0x9998, 0x999a))).toBe(PASS);
    });

    it('passes packets that are not IPv4, not TCP, or too short for the headers', () => {
      const arp = new Uint8Array(TCP_PACKET);
      arp[12] = 0x08;
      arp[13] = 0x06;
      expect(filter(arp)).toBe(PASS);
      const udp = new Uint8Array(TCP_PACKET);
      udp[23] = 17;
      expect(filter(udp)).toBe(PASS);
      // 14 + 20 + 20 header bytes are needed; one fewer and the bounds check lets it pass.
      expect(filter(TCP_PACKET.subarray(0, 53))).toBe(PASS);
      expect(filter(TCP_PACKET.subarray(0, 54))).toBe(DROP);
      expect(filter(new Uint8Array())).toBe(PASS);
    });

    it('leaves the packet unchanged and writes the pointers itself on every run', () => {
      const packet = new Uint8Array(TCP_PACKET);
      const vm = new EbpfVmFixedMbuff(BLOCK_A_PORT, 0x40, 0x50);
      // Instructions 0-15, then the jump to the exit at 19: 17. A pass runs all 20.
      expect(vm.run({ mem: packet })).toEqual({ r0: DROP, insnCount: 17 });
      expect(packet).toEqual(TCP_PACKET);
      expect(vm.executeProgram(withPorts(packet, 1, 2))).toBe(PASS);
      expect(vm.lastInsnCount).toBe(20);
      expect(filter(packet)).toBe(DROP);
    });

    it('gives the same verdict as a plain reading of the packet, for every pair of ports tried', () => {
      const ports = [0, 1, 0x99, 0x9900, 0x0099, 0x9999, 0x999a, 0xc6cc, 0xffff];
      for (const source of ports) {
        for (const dest of ports) {
          const expected = source === 0x9999 || dest === 0x9999 ? DROP : PASS;
          expect(filter(withPorts(TCP_PACKET, source, dest))).toBe(expected);
        }
      }
      expect(DEST_PORT_OFFSET).toBe(36);
    });
  });
});
