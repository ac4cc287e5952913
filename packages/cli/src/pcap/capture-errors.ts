/**
 * Error codes of capture reading and writing (block 11200-11299 of the CLI's range 11000-11999;
 * `ebpf run` itself holds 11100-11199). Never remove, change or reorder codes.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** The bytes start with neither a pcap magic number nor a pcapng Section Header Block. */
export const CAPTURE_UNKNOWN_FORMAT = 11200;
/** A header, block or packet runs past the end of the bytes. */
export const CAPTURE_TRUNCATED = 11201;
/** A pcapng block length is below its type's minimum, not a multiple of 4, or past the end. */
export const CAPTURE_BAD_BLOCK_LENGTH = 11202;
/** A pcapng block's trailing length differs from its leading one. */
export const CAPTURE_LENGTH_MISMATCH = 11203;
/** A packet's captured length exceeds its interface's snapshot length or its block. */
export const CAPTURE_BAD_CAPTURED_LENGTH = 11204;
/** A link type other than the ones asked for (Ethernet by default). */
export const CAPTURE_UNSUPPORTED_LINK_TYPE = 11205;
/** A pcap or pcapng major version this reader does not know. */
export const CAPTURE_UNSUPPORTED_VERSION = 11206;
/** A pcapng packet names an interface its section has not described. */
export const CAPTURE_UNKNOWN_INTERFACE = 11207;
/** A pcapng option runs past its block or holds a bad value. */
export const CAPTURE_BAD_OPTION = 11208;
/** A writer was given something it cannot write (a length or timestamp out of range). */
export const CAPTURE_CANNOT_WRITE = 11209;

/** Where in the bytes a reading error is: common to every reader error's context. */
export interface CapturePlace {
  /** Byte offset of the header, block or field at fault. */
  readonly offset: number;
  /** Index of the pcapng block (0-based, across sections), when reading pcapng. */
  readonly block?: number;
  /** Index of the packet (0-based, across the file), when the error is about one. */
  readonly packet?: number;
}

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [CAPTURE_UNKNOWN_FORMAT]: CapturePlace & { readonly magic: number | undefined };
    [CAPTURE_TRUNCATED]: CapturePlace & {
      readonly what: string;
      readonly needed: number;
      readonly available: number;
    };
    [CAPTURE_BAD_BLOCK_LENGTH]: CapturePlace & {
      readonly blockType: number;
      readonly length: number;
      readonly reason: string;
    };
    [CAPTURE_LENGTH_MISMATCH]: CapturePlace & {
      readonly blockType: number;
      readonly length: number;
      readonly trailingLength: number;
    };
    [CAPTURE_BAD_CAPTURED_LENGTH]: CapturePlace & {
      readonly capturedLength: number;
      readonly limit: number;
      readonly reason: string;
    };
    [CAPTURE_UNSUPPORTED_LINK_TYPE]: CapturePlace & {
      readonly linkType: number;
      readonly supported: readonly number[];
    };
    [CAPTURE_UNSUPPORTED_VERSION]: CapturePlace & {
      readonly format: 'pcap' | 'pcapng';
      readonly major: number;
      readonly minor: number;
    };
    [CAPTURE_UNKNOWN_INTERFACE]: CapturePlace & {
      readonly interfaceId: number;
      readonly interfaces: number;
    };
    [CAPTURE_BAD_OPTION]: CapturePlace & { readonly option: number; readonly reason: string };
    [CAPTURE_CANNOT_WRITE]: { readonly packet?: number; readonly reason: string };
  }
}

/** Every capture error code. */
export type CaptureErrorCode =
  | typeof CAPTURE_UNKNOWN_FORMAT
  | typeof CAPTURE_TRUNCATED
  | typeof CAPTURE_BAD_BLOCK_LENGTH
  | typeof CAPTURE_LENGTH_MISMATCH
  | typeof CAPTURE_BAD_CAPTURED_LENGTH
  | typeof CAPTURE_UNSUPPORTED_LINK_TYPE
  | typeof CAPTURE_UNSUPPORTED_VERSION
  | typeof CAPTURE_UNKNOWN_INTERFACE
  | typeof CAPTURE_BAD_OPTION
  | typeof CAPTURE_CANNOT_WRITE;

const names: Record<CaptureErrorCode, string> = {
  [CAPTURE_UNKNOWN_FORMAT]: 'CAPTURE_UNKNOWN_FORMAT',
  [CAPTURE_TRUNCATED]: 'CAPTURE_TRUNCATED',
  [CAPTURE_BAD_BLOCK_LENGTH]: 'CAPTURE_BAD_BLOCK_LENGTH',
  [CAPTURE_LENGTH_MISMATCH]: 'CAPTURE_LENGTH_MISMATCH',
  [CAPTURE_BAD_CAPTURED_LENGTH]: 'CAPTURE_BAD_CAPTURED_LENGTH',
  [CAPTURE_UNSUPPORTED_LINK_TYPE]: 'CAPTURE_UNSUPPORTED_LINK_TYPE',
  [CAPTURE_UNSUPPORTED_VERSION]: 'CAPTURE_UNSUPPORTED_VERSION',
  [CAPTURE_UNKNOWN_INTERFACE]: 'CAPTURE_UNKNOWN_INTERFACE',
  [CAPTURE_BAD_OPTION]: 'CAPTURE_BAD_OPTION',
  [CAPTURE_CANNOT_WRITE]: 'CAPTURE_CANNOT_WRITE',
};

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** `pcapng block 3, packet 2, byte 0x1c: ` — the place part of every reading message. */
function describePlace(place: CapturePlace): string {
  const parts: string[] = [];
  if (place.block !== undefined) parts.push(`block ${place.block}`);
  if (place.packet !== undefined) parts.push(`packet ${place.packet}`);
  parts.push(`byte ${place.offset} (0x${place.offset.toString(16)})`);
  return `${parts.join(', ')}: `;
}

const messages: { [C in CaptureErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [CAPTURE_UNKNOWN_FORMAT]: (c) =>
    c.magic === undefined
      ? `${describePlace(c)}too short to be a capture (no magic number)`
      : `${describePlace(c)}unknown magic number ${hex(c.magic)}: neither pcap nor pcapng`,
  [CAPTURE_TRUNCATED]: (c) =>
    `${describePlace(c)}${c.what} needs ${c.needed} bytes but only ${c.available} remain`,
  [CAPTURE_BAD_BLOCK_LENGTH]: (c) =>
    `${describePlace(c)}block type ${hex(c.blockType)} has length ${c.length}: ${c.reason}`,
  [CAPTURE_LENGTH_MISMATCH]: (c) =>
    `${describePlace(c)}block type ${hex(c.blockType)} says length ${c.length} at its start but ${c.trailingLength} at its end`,
  [CAPTURE_BAD_CAPTURED_LENGTH]: (c) =>
    `${describePlace(c)}captured length ${c.capturedLength} exceeds ${c.reason} (${c.limit})`,
  [CAPTURE_UNSUPPORTED_LINK_TYPE]: (c) =>
    `${describePlace(c)}link type ${c.linkType} is not supported (supported: ${c.supported.join(', ')})`,
  [CAPTURE_UNSUPPORTED_VERSION]: (c) =>
    `${describePlace(c)}${c.format} version ${c.major}.${c.minor} is not supported`,
  [CAPTURE_UNKNOWN_INTERFACE]: (c) =>
    `${describePlace(c)}interface ${c.interfaceId} is not described (the section has ${c.interfaces})`,
  [CAPTURE_BAD_OPTION]: (c) => `${describePlace(c)}option ${c.option}: ${c.reason}`,
  [CAPTURE_CANNOT_WRITE]: (c) =>
    `${c.packet === undefined ? '' : `packet ${c.packet}: `}cannot write: ${c.reason}`,
};

/**
 * A capture that cannot be read (or packets that cannot be written). Kind 'load'; the context
 * names the byte offset and the block or packet index.
 *
 * @example
 * try { readCapture(bytes); } catch (e) {
 *   if (isEbpfError(e, CAPTURE_TRUNCATED)) console.log(e.context.offset, e.context.packet);
 * }
 */
export class CaptureError<C extends CaptureErrorCode = CaptureErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('load', code, names[code], format(context), context);
  }
}
