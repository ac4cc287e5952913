/** The shapes a capture is read into and written from. */

/** Link-layer header types (the tcpdump.org LINKTYPE_ numbers) this package names. */
export const LinkType = Object.freeze({ ETHERNET: 1 } as const);

/** The two container formats. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** One capturing interface: a classic pcap file has one, a pcapng section any number. */
export interface CaptureInterface {
  /** Index across the whole file (pcapng interface ids restart in each section). */
  readonly index: number;
  /** The pcapng section it belongs to (always 0 for pcap). */
  readonly section: number;
  /** LINKTYPE_ value; 1 is Ethernet. */
  readonly linkType: number;
  /** Snapshot length: the most bytes a packet may carry; 0 means no limit. */
  readonly snapLength: number;
  /** Timestamp resolution in the pcapng `if_tsresol` encoding: 6 is µs, 9 ns, 0x80|n is 2^-n s. */
  readonly timestampResolution: number;
  /** Seconds added to every timestamp (pcapng `if_tsoffset`), 0 otherwise. */
  readonly timestampOffsetSeconds: bigint;
  /** Whether its fields were stored big-endian. */
  readonly bigEndian: boolean;
}

/** One packet of a capture. */
export interface CapturedPacket {
  /** Position in the file, from 0, counting every packet of every section. */
  readonly index: number;
  /** Nanoseconds since the Unix epoch (pcapng Simple Packet Blocks carry none: 0). */
  readonly timestampNs: bigint;
  /** The captured bytes: a view into the capture, not a copy. */
  readonly data: Uint8Array;
  /** The length of the packet on the wire; more than `data.length` when the capture cut it. */
  readonly originalLength: number;
  /** Index into `Capture.interfaces`. */
  readonly interface: number;
}

/** A whole capture, read at once. */
export interface Capture {
  readonly format: CaptureFormat;
  readonly interfaces: readonly CaptureInterface[];
  readonly packets: readonly CapturedPacket[];
}

/** What a reader accepts. */
export interface ReadCaptureOptions {
  /** Link types to accept; others fail with CAPTURE_UNSUPPORTED_LINK_TYPE. Default: Ethernet. */
  readonly linkTypes?: readonly number[];
  /** Called with each interface as it is described, before any of its packets. */
  readonly onInterface?: (iface: CaptureInterface) => void;
}

/** A packet to write: only the bytes are needed. */
export interface PacketToWrite {
  /** Nanoseconds since the Unix epoch; default 0. */
  readonly timestampNs?: bigint;
  readonly data: Uint8Array;
  /** Length on the wire; default `data.length`. Must not be below it. */
  readonly originalLength?: number;
  /** pcapng interface id within the written section; default 0. */
  readonly interface?: number;
}
