/**
 * # Packet captures for `ebpf run --pcap`
 *
 * Platform-neutral (bytes in, objects out; no `node:` imports):
 *
 * - **Reading**: `readCapture(bytes)` reads classic pcap (either byte order, µs or ns) and pcapng
 *   (any number of sections and interfaces; Enhanced, Simple and obsolete Packet Blocks;
 *   `if_tsresol`/`if_tsoffset`; other blocks skipped). `iterateCapture(bytes)` yields packets one
 *   at a time for big files. Packet bytes are views, not copies. Bad input throws a
 *   `CaptureError` (codes 11200-11299) naming the block/packet index and byte offset.
 * - **Writing**: `writePcap` and `writePcapng`, and `buildFrame` for Ethernet/IPv4/IPv6/TCP/UDP/
 *   ICMP/ARP frames with correct checksums (used by the fixture generator and tests).
 * - **Replay**: `replay(capture, runPacket)` counts verdicts (XDP actions or socket-filter kept
 *   bytes), keeps per-packet results and times the run; `formatReplaySummary`,
 *   `replayResultToJson` and `createProgressBar` present it.
 *
 * @example
 * const capture = readCapture(bytes);
 * const bar = createProgressBar(io.stdout);
 * const { summary } = replay(capture, (packet) => ({ verdict: runXdp(packet.data) }), {
 *   onProgress: (done, total) => bar.update(done, total),
 * });
 * bar.finish();
 * io.stdout.write(formatReplaySummary(summary));
 *
 * @packageDocumentation
 */
export {
  buildFrame,
  EtherType,
  type FrameSpec,
  IpProtocol,
  internetChecksum,
  type NetworkSpec,
  parseIpv4,
  parseIpv6,
  parseMac,
  TcpFlag,
  type TransportSpec,
} from './build-frame.js';
export {
  CAPTURE_BAD_BLOCK_LENGTH,
  CAPTURE_BAD_CAPTURED_LENGTH,
  CAPTURE_BAD_OPTION,
  CAPTURE_CANNOT_WRITE,
  CAPTURE_LENGTH_MISMATCH,
  CAPTURE_TRUNCATED,
  CAPTURE_UNKNOWN_FORMAT,
  CAPTURE_UNKNOWN_INTERFACE,
  CAPTURE_UNSUPPORTED_LINK_TYPE,
  CAPTURE_UNSUPPORTED_VERSION,
  CaptureError,
  type CaptureErrorCode,
  type CapturePlace,
} from './capture-errors.js';
export {
  type Capture,
  type CapturedPacket,
  type CaptureFormat,
  type CaptureInterface,
  LinkType,
  type PacketToWrite,
  type ReadCaptureOptions,
} from './capture-types.js';
export { formatReplaySummary, packetResultToJson, replayResultToJson } from './format-replay.js';
export {
  createProgressBar,
  type ProgressBar,
  type ProgressBarOptions,
  type ProgressStream,
  renderProgressBar,
} from './progress-bar.js';
export { detectCaptureFormat, iterateCapture, readCapture } from './read-capture.js';
export { iteratePcap, PCAP_MAGIC, readPcapMagic } from './read-pcap.js';
export {
  isPcapng,
  iteratePcapng,
  PCAPNG_BYTE_ORDER_MAGIC,
  PcapngBlock,
  PcapngOption,
} from './read-pcapng.js';
export {
  classifySocketFilter,
  ERROR_VERDICT,
  nameXdpVerdict,
  type PacketOutcome,
  type PacketResult,
  type ReplayMode,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySummary,
  replay,
  SOCKET_FILTER_VERDICTS,
  XdpVerdict,
} from './replay.js';
export { convertTimestamp, convertToUnits, TimestampResolution } from './timestamp-units.js';
export {
  DEFAULT_SNAP_LENGTH,
  type PcapngInterfaceToWrite,
  type WritePcapngOptions,
  type WritePcapOptions,
  writePcap,
  writePcapng,
} from './write-capture.js';
