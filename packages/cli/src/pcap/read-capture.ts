/** Reading a capture of either format: the entry points. */
import { CAPTURE_UNKNOWN_FORMAT, CaptureError } from './capture-errors.js';
import type {
  Capture,
  CapturedPacket,
  CaptureFormat,
  CaptureInterface,
  ReadCaptureOptions,
} from './capture-types.js';
import { iteratePcap, readPcapMagic } from './read-pcap.js';
import { isPcapng, iteratePcapng } from './read-pcapng.js';

/**
 * Which format `bytes` are in, from their first four bytes; undefined when neither.
 *
 * @example
 * detectCaptureFormat(bytes); // 'pcap' | 'pcapng' | undefined
 */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (isPcapng(bytes)) return 'pcapng';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readPcapMagic(view) === undefined ? undefined : 'pcap';
}

/**
 * The packets of a pcap or pcapng capture, one at a time, without holding them all: for big
 * captures. Each packet's `data` is a view into `bytes`. Errors surface when the iteration
 * reaches the bad spot, so packets before it have already been seen.
 *
 * @example
 * for (const packet of iterateCapture(bytes)) runProgram(packet.data);
 * @throws CaptureError when the bytes are not a well-formed Ethernet capture.
 */
export function iterateCapture(
  bytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Generator<CapturedPacket, void, undefined> {
  const format = detectCaptureFormat(bytes);
  if (format === 'pcapng') return iteratePcapng(bytes, options);
  if (format === 'pcap') return iteratePcap(bytes, options);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new CaptureError(CAPTURE_UNKNOWN_FORMAT, {
    offset: 0,
    magic: bytes.length >= 4 ? view.getUint32(0, false) : undefined,
  });
}

/**
 * Reads a whole pcap or pcapng capture (either byte order; µs, ns or any pcapng resolution).
 * Packet bytes are views into `bytes`, not copies.
 *
 * @example
 * const { packets } = readCapture(await readFile('small.pcap'));
 * packets[0].data; // the first Ethernet frame
 * @throws CaptureError when the bytes are not a well-formed capture of an accepted link type.
 */
export function readCapture(bytes: Uint8Array, options: ReadCaptureOptions = {}): Capture {
  const interfaces: CaptureInterface[] = [];
  const packets = [
    ...iterateCapture(bytes, {
      ...options,
      onInterface: (iface) => {
        interfaces.push(iface);
        options.onInterface?.(iface);
      },
    }),
  ];
  return { format: detectCaptureFormat(bytes)!, interfaces, packets };
}
