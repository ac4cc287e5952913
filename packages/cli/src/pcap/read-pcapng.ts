/**
 * pcapng: a sequence of blocks (type, total length, body, total length again), grouped into
 * sections that each open with a Section Header Block fixing the section's byte order. Interface
 * Description Blocks describe link type, snapshot length and timestamp unit; Enhanced, Simple and
 * (obsolete) Packet Blocks carry packets; every other block is skipped by its length.
 */
import {
  CAPTURE_BAD_BLOCK_LENGTH,
  CAPTURE_BAD_CAPTURED_LENGTH,
  CAPTURE_BAD_OPTION,
  CAPTURE_LENGTH_MISMATCH,
  CAPTURE_TRUNCATED,
  CAPTURE_UNKNOWN_FORMAT,
  CAPTURE_UNKNOWN_INTERFACE,
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
import { convertTimestamp } from './timestamp-units.js';

/** pcapng block types this package reads or writes. */
export const PcapngBlock = Object.freeze({
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const);

/** The byte-order magic of a Section Header Block, as read in the section's own order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** pcapng option codes this package reads or writes. */
export const PcapngOption = Object.freeze({
  END_OF_OPTIONS: 0,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
} as const);

/** The smallest total length of each block type (header, fixed fields, trailing length). */
const MINIMUM_LENGTH: Readonly<Record<number, number>> = {
  [PcapngBlock.SECTION_HEADER]: 28,
  [PcapngBlock.INTERFACE_DESCRIPTION]: 20,
  [PcapngBlock.PACKET]: 32,
  [PcapngBlock.SIMPLE_PACKET]: 16,
  [PcapngBlock.ENHANCED_PACKET]: 32,
};
const GENERIC_MINIMUM = 12;

/** Whether `bytes` open with a pcapng Section Header Block type. */
export function isPcapng(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x0a &&
    bytes[1] === 0x0d &&
    bytes[2] === 0x0d &&
    bytes[3] === 0x0a
  );
}

interface SectionState {
  little: boolean;
  /** Global indexes of this section's interfaces, by interface id. */
  readonly interfaces: CaptureInterface[];
}

/**
 * The packets of a pcapng file, one at a time. Each packet's `data` is a view into `bytes`.
 *
 * @throws CaptureError on a malformed block (never reads past the end, always advances).
 */
export function* iteratePcapng(
  bytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const supported = options.linkTypes ?? [LinkType.ETHERNET];
  let section: SectionState | undefined;
  let sectionIndex = -1;
  let interfaceCount = 0;
  let packetIndex = 0;
  let block = 0;
  let offset = 0;

  for (; offset < bytes.length; block++) {
    const remaining = bytes.length - offset;
    if (remaining < GENERIC_MINIMUM) {
      throw new CaptureError(CAPTURE_TRUNCATED, {
        offset,
        block,
        what: 'a block header',
        needed: GENERIC_MINIMUM,
        available: remaining,
      });
    }
    const at = offset;
    const isSectionHeader = isPcapng(bytes.subarray(at, at + 4));
    if (isSectionHeader) {
      const order = view.getUint32(at + 8, true);
      if (
        order !== PCAPNG_BYTE_ORDER_MAGIC &&
        view.getUint32(at + 8, false) !== PCAPNG_BYTE_ORDER_MAGIC
      ) {
        throw new CaptureError(CAPTURE_UNKNOWN_FORMAT, { offset: at + 8, block, magic: order });
      }
      section = { little: order === PCAPNG_BYTE_ORDER_MAGIC, interfaces: [] };
      sectionIndex++;
    } else if (section === undefined) {
      throw new CaptureError(CAPTURE_UNKNOWN_FORMAT, {
        offset: at,
        block,
        magic: view.getUint32(at, false),
      });
    }
    const { little } = section;
    const type = view.getUint32(at, little);
    const length = view.getUint32(at + 4, little);
    const bad = (reason: string) =>
      new CaptureError(CAPTURE_BAD_BLOCK_LENGTH, {
        offset: at + 4,
        block,
        blockType: type,
        length,
        reason,
      });
    const minimum = MINIMUM_LENGTH[type] ?? GENERIC_MINIMUM;
    if (length < minimum) throw bad(`below this block type's minimum of ${minimum}`);
    if (length % 4 !== 0) throw bad('not a multiple of 4');
    if (length > remaining)
      throw bad(`runs past the end of the capture (${remaining} bytes remain)`);
    const trailingLength = view.getUint32(at + length - 4, little);
    if (trailingLength !== length) {
      throw new CaptureError(CAPTURE_LENGTH_MISMATCH, {
        offset: at + length - 4,
        block,
        blockType: type,
        length,
        trailingLength,
      });
    }
    offset = at + length;
    const end = at + length - 4;

    switch (type) {
      case PcapngBlock.SECTION_HEADER: {
        const major = view.getUint16(at + 12, little);
        const minor = view.getUint16(at + 14, little);
        if (major !== 1) {
          throw new CaptureError(CAPTURE_UNSUPPORTED_VERSION, {
            offset: at + 12,
            block,
            format: 'pcapng',
            major,
            minor,
          });
        }
        break;
      }
      case PcapngBlock.INTERFACE_DESCRIPTION: {
        const linkType = view.getUint16(at + 8, little);
        if (!supported.includes(linkType)) {
          throw new CaptureError(CAPTURE_UNSUPPORTED_LINK_TYPE, {
            offset: at + 8,
            block,
            linkType,
            supported,
          });
        }
        let timestampResolution = 6;
        let timestampOffsetSeconds = 0n;
        readOptions(view, at + 16, end, little, block, (code, valueAt, valueLength) => {
          if (code === PcapngOption.IF_TSRESOL) {
            if (valueLength !== 1) throw badOption(valueAt, block, code, 'if_tsresol needs 1 byte');
            timestampResolution = view.getUint8(valueAt);
          } else if (code === PcapngOption.IF_TSOFFSET) {
            if (valueLength !== 8)
              throw badOption(valueAt, block, code, 'if_tsoffset needs 8 bytes');
            timestampOffsetSeconds = view.getBigInt64(valueAt, little);
          }
        });
        const iface: CaptureInterface = {
          index: interfaceCount++,
          section: sectionIndex,
          linkType,
          snapLength: view.getUint32(at + 12, little),
          timestampResolution,
          timestampOffsetSeconds,
          bigEndian: !little,
        };
        section.interfaces.push(iface);
        options.onInterface?.(iface);
        break;
      }
      case PcapngBlock.ENHANCED_PACKET:
      case PcapngBlock.PACKET: {
        const enhanced = type === PcapngBlock.ENHANCED_PACKET;
        const interfaceId = enhanced
          ? view.getUint32(at + 8, little)
          : view.getUint16(at + 8, little);
        const iface = findInterface(section, interfaceId, at + 8, block, packetIndex);
        const high = view.getUint32(at + 12, little);
        const low = view.getUint32(at + 16, little);
        const capturedLength = view.getUint32(at + 20, little);
        const originalLength = view.getUint32(at + 24, little);
        const dataStart = at + 28;
        checkCapturedLength(capturedLength, iface, end - dataStart, at + 20, block, packetIndex);
        // Options after the (padded) data are not needed for replay; they are skipped.
        yield {
          index: packetIndex++,
          timestampNs: convertTimestamp((BigInt(high) << 32n) | BigInt(low), iface),
          data: bytes.subarray(dataStart, dataStart + capturedLength),
          originalLength,
          interface: iface.index,
        };
        break;
      }
      case PcapngBlock.SIMPLE_PACKET: {
        const iface = findInterface(section, 0, at + 8, block, packetIndex);
        const originalLength = view.getUint32(at + 8, little);
        const dataStart = at + 12;
        const capturedLength =
          iface.snapLength === 0 ? originalLength : Math.min(originalLength, iface.snapLength);
        checkCapturedLength(capturedLength, iface, end - dataStart, at + 8, block, packetIndex);
        yield {
          index: packetIndex++,
          timestampNs: 0n,
          data: bytes.subarray(dataStart, dataStart + capturedLength),
          originalLength,
          interface: iface.index,
        };
        break;
      }
      default:
        break; // Name resolution, statistics, custom and unknown blocks: not needed.
    }
  }
}

function findInterface(
  section: SectionState,
  interfaceId: number,
  offset: number,
  block: number,
  packet: number,
): CaptureInterface {
  const iface = section.interfaces[interfaceId];
  if (iface === undefined) {
    throw new CaptureError(CAPTURE_UNKNOWN_INTERFACE, {
      offset,
      block,
      packet,
      interfaceId,
      interfaces: section.interfaces.length,
    });
  }
  return iface;
}

function checkCapturedLength(
  capturedLength: number,
  iface: CaptureInterface,
  room: number,
  offset: number,
  block: number,
  packet: number,
): void {
  if (iface.snapLength !== 0 && capturedLength > iface.snapLength) {
    throw new CaptureError(CAPTURE_BAD_CAPTURED_LENGTH, {
      offset,
      block,
      packet,
      capturedLength,
      limit: iface.snapLength,
      reason: `the snapshot length of interface ${iface.index}`,
    });
  }
  if (capturedLength > room) {
    throw new CaptureError(CAPTURE_BAD_CAPTURED_LENGTH, {
      offset,
      block,
      packet,
      capturedLength,
      limit: room,
      reason: 'the room in its block',
    });
  }
}

function badOption(offset: number, block: number, option: number, reason: string) {
  return new CaptureError(CAPTURE_BAD_OPTION, { offset, block, option, reason });
}

/** Calls `visit` for each option in [start, end) until opt_endofopt or the end. */
function readOptions(
  view: DataView,
  start: number,
  end: number,
  little: boolean,
  block: number,
  visit: (code: number, valueAt: number, valueLength: number) => void,
): void {
  let at = start;
  while (at < end) {
    if (end - at < 4) throw badOption(at, block, -1, `${end - at} stray bytes after the options`);
    const code = view.getUint16(at, little);
    const valueLength = view.getUint16(at + 2, little);
    if (code === PcapngOption.END_OF_OPTIONS) return;
    const padded = (valueLength + 3) & ~3;
    if (padded > end - at - 4) {
      throw badOption(at, block, code, `its ${valueLength} bytes run past the end of the block`);
    }
    visit(code, at + 4, valueLength);
    at += 4 + padded;
  }
}
