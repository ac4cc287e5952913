/** Writing captures: classic pcap and pcapng (one section per call; concatenate for more). */
import { ByteWriter } from './byte-writer.js';
import { CAPTURE_CANNOT_WRITE, CaptureError } from './capture-errors.js';
import { LinkType, type PacketToWrite } from './capture-types.js';
import { PCAP_MAGIC } from './read-pcap.js';
import { PCAPNG_BYTE_ORDER_MAGIC, PcapngBlock, PcapngOption } from './read-pcapng.js';
import { convertToUnits, TimestampResolution } from './timestamp-units.js';

/** The snapshot length writers use unless told otherwise (what tcpdump uses). */
export const DEFAULT_SNAP_LENGTH = 262144;

const U32_LIMIT = 0x1_0000_0000;

/** Options of `writePcap`. */
export interface WritePcapOptions {
  /** LINKTYPE_ value; default Ethernet (1). */
  readonly linkType?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  readonly nanos?: boolean;
  /** Default 262144; 0 means no limit. */
  readonly snapLength?: number;
  /** Write big-endian fields instead of little-endian. */
  readonly bigEndian?: boolean;
}

function cannotWrite(reason: string, packet?: number): CaptureError {
  return new CaptureError(
    CAPTURE_CANNOT_WRITE,
    packet === undefined ? { reason } : { packet, reason },
  );
}

function checkPacket(packet: PacketToWrite, index: number, snapLength: number): number {
  const captured = packet.data.length;
  const original = packet.originalLength ?? captured;
  if (!Number.isInteger(original) || original < captured || original >= U32_LIMIT) {
    throw cannotWrite(
      `original length ${original} is below the ${captured} captured bytes or above 2^32-1`,
      index,
    );
  }
  if (snapLength !== 0 && captured > snapLength) {
    throw cannotWrite(`${captured} captured bytes exceed the snapshot length ${snapLength}`, index);
  }
  if ((packet.timestampNs ?? 0n) < 0n) throw cannotWrite('negative timestamp', index);
  return original;
}

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= U32_LIMIT) {
    throw cannotWrite(`${name} ${value} is not a 32-bit unsigned integer`);
  }
}

/**
 * Writes packets as a classic pcap file.
 *
 * @example
 * const bytes = writePcap([{ timestampNs: 1_000_000_000n, data: frame }], { nanos: true });
 * @throws CaptureError (CAPTURE_CANNOT_WRITE) for lengths or timestamps the format cannot hold.
 */
export function writePcap(
  packets: Iterable<PacketToWrite>,
  options: WritePcapOptions = {},
): Uint8Array {
  const snapLength = options.snapLength ?? DEFAULT_SNAP_LENGTH;
  const linkType = options.linkType ?? LinkType.ETHERNET;
  checkU32('snapshot length', snapLength);
  checkU32('link type', linkType);
  const out = new ByteWriter(!options.bigEndian);
  out.u32(options.nanos ? PCAP_MAGIC.NANOSECONDS : PCAP_MAGIC.MICROSECONDS);
  out.u16(2);
  out.u16(4);
  out.u32(0); // thiszone
  out.u32(0); // sigfigs
  out.u32(snapLength);
  out.u32(linkType);
  const perSecond = options.nanos ? 1_000_000_000n : 1_000_000n;
  let index = 0;
  for (const packet of packets) {
    const original = checkPacket(packet, index, snapLength);
    const units = convertToUnits(packet.timestampNs ?? 0n, options.nanos ? 9 : 6);
    const seconds = units / perSecond;
    if (seconds >= BigInt(U32_LIMIT)) throw cannotWrite('timestamp past the year 2106', index);
    out.u32(Number(seconds));
    out.u32(Number(units % perSecond));
    out.u32(packet.data.length);
    out.u32(original);
    out.raw(packet.data);
    index++;
  }
  return out.finish();
}

/** One interface of a written pcapng section. */
export interface PcapngInterfaceToWrite {
  /** Default Ethernet (1). */
  readonly linkType?: number;
  /** Default 262144; 0 means no limit. */
  readonly snapLength?: number;
  /** `if_tsresol` byte; default 6 (µs, then no option is written). */
  readonly timestampResolution?: number;
}

/** Options of `writePcapng`. */
export interface WritePcapngOptions {
  /** The section's interfaces; default one Ethernet interface. */
  readonly interfaces?: readonly PcapngInterfaceToWrite[];
  readonly bigEndian?: boolean;
  /**
   * Block type for packets: Enhanced (default), Simple (no timestamp, interface 0 only, data
   * must be the original cut to the snapshot length) or the obsolete Packet Block.
   */
  readonly packetBlock?: 'enhanced' | 'simple' | 'packet';
}

/**
 * Writes packets as one pcapng section (concatenate the results of several calls for a file with
 * several sections).
 *
 * @example
 * const bytes = writePcapng(packets, { interfaces: [{ timestampResolution: 9 }] });
 * @throws CaptureError (CAPTURE_CANNOT_WRITE) for lengths, interfaces or timestamps it cannot hold.
 */
export function writePcapng(
  packets: Iterable<PacketToWrite>,
  options: WritePcapngOptions = {},
): Uint8Array {
  const interfaces = options.interfaces ?? [{}];
  const out = new ByteWriter(!options.bigEndian);
  const block = (type: number, body: () => void) => {
    const start = out.length;
    out.u32(type);
    out.u32(0);
    body();
    out.pad4();
    out.u32(out.length + 4 - start);
    out.patchU32(start + 4, out.length - start);
  };
  block(PcapngBlock.SECTION_HEADER, () => {
    out.u32(PCAPNG_BYTE_ORDER_MAGIC);
    out.u16(1);
    out.u16(0);
    out.i64(-1n); // section length not given
  });
  const resolved = interfaces.map((iface) => ({
    linkType: iface.linkType ?? LinkType.ETHERNET,
    snapLength: iface.snapLength ?? DEFAULT_SNAP_LENGTH,
    timestampResolution: iface.timestampResolution ?? TimestampResolution.MICROSECONDS,
  }));
  for (const iface of resolved) {
    if (!Number.isInteger(iface.linkType) || iface.linkType < 0 || iface.linkType > 0xffff) {
      throw cannotWrite(`link type ${iface.linkType} does not fit in 16 bits`);
    }
    checkU32('snapshot length', iface.snapLength);
    if (
      !Number.isInteger(iface.timestampResolution) ||
      iface.timestampResolution < 0 ||
      iface.timestampResolution > 0xff
    ) {
      throw cannotWrite(`timestamp resolution ${iface.timestampResolution} is not a byte`);
    }
    block(PcapngBlock.INTERFACE_DESCRIPTION, () => {
      out.u16(iface.linkType);
      out.u16(0);
      out.u32(iface.snapLength);
      if (iface.timestampResolution !== TimestampResolution.MICROSECONDS) {
        out.u16(PcapngOption.IF_TSRESOL);
        out.u16(1);
        out.u8(iface.timestampResolution);
        out.pad4();
        out.u16(PcapngOption.END_OF_OPTIONS);
        out.u16(0);
      }
    });
  }
  const kind = options.packetBlock ?? 'enhanced';
  let index = 0;
  for (const packet of packets) {
    const interfaceId = packet.interface ?? 0;
    const iface = resolved[interfaceId];
    if (iface === undefined || (kind === 'simple' && interfaceId !== 0)) {
      throw cannotWrite(
        `interface ${interfaceId} is not one of the section's ${resolved.length}`,
        index,
      );
    }
    const original = checkPacket(packet, index, iface.snapLength);
    if (kind === 'simple') {
      const expected = iface.snapLength === 0 ? original : Math.min(original, iface.snapLength);
      if (packet.data.length !== expected) {
        throw cannotWrite(
          `a Simple Packet Block implies ${expected} captured bytes, not ${packet.data.length}`,
          index,
        );
      }
      block(PcapngBlock.SIMPLE_PACKET, () => {
        out.u32(original);
        out.raw(packet.data);
      });
    } else {
      if (kind === 'packet' && interfaceId > 0xffff)
        throw cannotWrite('interface id above 65535', index);
      const units = convertToUnits(packet.timestampNs ?? 0n, iface.timestampResolution);
      if (units >= 1n << 64n) throw cannotWrite('timestamp does not fit in 64 bits', index);
      block(kind === 'enhanced' ? PcapngBlock.ENHANCED_PACKET : PcapngBlock.PACKET, () => {
        if (kind === 'enhanced') out.u32(interfaceId);
        else {
          out.u16(interfaceId);
          out.u16(0); // drops count
        }
        out.u32(Number(units >> 32n));
        out.u32(Number(units & 0xffff_ffffn));
        out.u32(packet.data.length);
        out.u32(original);
        out.raw(packet.data);
      });
    }
    index++;
  }
  return out.finish();
}
