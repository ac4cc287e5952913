/** A little growable byte buffer with endian-aware integer writes, for the capture writers. */
export class ByteWriter {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  /** Bytes written so far. */
  length = 0;

  constructor(private readonly little: boolean) {}

  private reserve(count: number): number {
    const at = this.length;
    if (at + count > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + count));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += count;
    return at;
  }

  u8(value: number): void {
    const at = this.reserve(1); // may replace this.view
    this.view.setUint8(at, value);
  }
  u16(value: number): void {
    const at = this.reserve(2); // may replace this.view
    this.view.setUint16(at, value, this.little);
  }
  u32(value: number): void {
    const at = this.reserve(4); // may replace this.view
    this.view.setUint32(at, value, this.little);
  }
  i64(value: bigint): void {
    const at = this.reserve(8); // may replace this.view
    this.view.setBigInt64(at, value, this.little);
  }
  /** Overwrites a 32-bit field written earlier (block lengths known only at the end). */
  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value, this.little);
  }
  raw(data: Uint8Array): void {
    const at = this.reserve(data.length); // may replace this.bytes
    this.bytes.set(data, at);
  }
  /** Zero bytes up to the next multiple of 4. */
  pad4(): void {
    while (this.length % 4 !== 0) this.u8(0);
  }
  /** The bytes written, trimmed (a copy, so later writes cannot change it). */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
