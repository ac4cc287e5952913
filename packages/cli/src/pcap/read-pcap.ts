/**
 * Classic pcap (the libpcap file format): a 24-byte file header, then per packet a 16-byte record
 * header and the captured bytes. The magic number gives byte order and timestamp unit.
 */
import {
  CAPTURE_BAD_CAPTURED_LENGTH,
  CAPTURE_TRUNCATED,
  CAPTURE_UNKNOWN_FORMAT,
  CAPTURE_UNSUPPORTED_LINK_TYPE,
  CAPTURE_UNSUPPORTED_VERSION,
  CaptureError,
} from './capture-errors.js';
import {
  type CapturedPacket,
  type CaptureInterface,
  LinkType,
  type ReadCaptureOptions,
} from './capture-types.js';

/** The classic pcap magic numbers, as read in the file's own byte order. */
export const PCAP_MAGIC = Object.freeze({
  MICROSECONDS: 0xa1b2c3d4,
  NANOSECONDS: 0xa1b23c4d,
} as const);

/** Size of the pcap file header and of each record header. */
export const PCAP_FILE_HEADER_SIZE = 24;
export const PCAP_RECORD_HEADER_SIZE = 16;

/** Byte order and unit of a classic pcap file, from its first four bytes; undefined if none. */
export function readPcapMagic(view: DataView): { bigEndian: boolean; nanos: boolean } | undefined {
  if (view.byteLength < 4) return undefined;
  const little = view.getUint32(0, true);
  const big = view.getUint32(0, false);
  if (little === PCAP_MAGIC.MICROSECONDS) return { bigEndian: false, nanos: false };
  if (little === PCAP_MAGIC.NANOSECONDS) return { bigEndian: false, nanos: true };
  if (big === PCAP_MAGIC.MICROSECONDS) return { bigEndian: true, nanos: false };
  if (big === PCAP_MAGIC.NANOSECONDS) return { bigEndian: true, nanos: true };
  return undefined;
}

/**
 * The packets of a classic pcap file, one at a time. Each packet's `data` is a view into `bytes`.
 *
 * @throws CaptureError on a bad header or record (never reads past the end).
 */
export function* iteratePcap(
  bytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = readPcapMagic(view);
  if (magic === undefined) {
    throw new CaptureError(CAPTURE_UNKNOWN_FORMAT, {
      offset: 0,
      magic: bytes.length >= 4 ? view.getUint32(0, false) : undefined,
    });
  }
  if (bytes.length < PCAP_FILE_HEADER_SIZE) {
    throw new CaptureError(CAPTURE_TRUNCATED, {
      offset: 0,
      what: 'the pcap file header',
      needed: PCAP_FILE_HEADER_SIZE,
      available: bytes.length,
    });
  }
  const little = !magic.bigEndian;
  const major = view.getUint16(4, little);
  const minor = view.getUint16(6, little);
  if (major !== 2) {
    throw new CaptureError(CAPTURE_UNSUPPORTED_VERSION, {
      offset: 4,
      format: 'pcap',
      major,
      minor,
    });
  }
  const snapLength = view.getUint32(16, little);
  // The upper bits of the link-type word say whether frames carry a check sequence.
  const linkType = view.getUint32(20, little) & 0xffff;
  const supported = options.linkTypes ?? [LinkType.ETHERNET];
  if (!supported.includes(linkType)) {
    throw new CaptureError(CAPTURE_UNSUPPORTED_LINK_TYPE, { offset: 20, linkType, supported });
  }
  const iface: CaptureInterface = {
    index: 0,
    section: 0,
    linkType,
    snapLength,
    timestampResolution: magic.nanos ? 9 : 6,
    timestampOffsetSeconds: 0n,
    bigEndian: magic.bigEndian,
  };
  options.onInterface?.(iface);
  const unit = magic.nanos ? 1n : 1000n;

  let offset = PCAP_FILE_HEADER_SIZE;
  let index = 0;
  while (offset < bytes.length) {
    const available = bytes.length - offset;
    if (available < PCAP_RECORD_HEADER_SIZE) {
      throw new CaptureError(CAPTURE_TRUNCATED, {
        offset,
        packet: index,
        what: 'a packet record header',
        needed: PCAP_RECORD_HEADER_SIZE,
        available,
      });
    }
    const seconds = view.getUint32(offset, little);
    const fraction = view.getUint32(offset + 4, little);
    const capturedLength = view.getUint32(offset + 8, little);
    const originalLength = view.getUint32(offset + 12, little);
    if (snapLength !== 0 && capturedLength > snapLength) {
      throw new CaptureError(CAPTURE_BAD_CAPTURED_LENGTH, {
        offset: offset + 8,
        packet: index,
        capturedLength,
        limit: snapLength,
        reason: 'the snapshot length',
      });
    }
    const dataStart = offset + PCAP_RECORD_HEADER_SIZE;
    if (capturedLength > bytes.length - dataStart) {
      throw new CaptureError(CAPTURE_TRUNCATED, {
        offset: dataStart,
        packet: index,
        what: 'the packet data',
        needed: capturedLength,
        available: bytes.length - dataStart,
      });
    }
    yield {
      index,
      timestampNs: BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * unit,
      data: bytes.subarray(dataStart, dataStart + capturedLength),
      originalLength,
      interface: 0,
    };
    index++;
    offset = dataStart + capturedLength;
  }
}
