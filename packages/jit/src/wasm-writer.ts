/**
 * A growable byte buffer that writes WebAssembly's binary encodings: bytes, LEB128 integers
 * (unsigned 32-bit, signed 32-bit, signed 64-bit), names and length-prefixed vectors.
 */

/** Bytes of a WebAssembly module or function body under construction. */
export class WasmWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** One byte (0-255). */
  u8(b: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** Two bytes, such as an opcode with its immediate byte. */
  u8x2(a: number, b: number): void {
    this.reserve(2);
    this.bytes[this.length++] = a;
    this.bytes[this.length++] = b;
  }

  /** Unsigned LEB128 of a value in 0..2^32-1. */
  u32(v: number): void {
    this.reserve(5);
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.bytes[this.length++] = b;
    } while (v !== 0);
  }

  /** Signed LEB128 of a value in -2^31..2^31-1. */
  s32(v: number): void {
    this.reserve(5);
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.bytes[this.length++] = b;
        return;
      }
      this.bytes[this.length++] = b | 0x80;
    }
  }

  /**
   * Signed LEB128 of the 64-bit value whose halves are `lo` and `hi` (each taken as 32 bits), so
   * that no BigInt is needed for constants that come as two 32-bit words.
   */
  s64(lo: number, hi: number): void {
    hi |= 0;
    lo >>>= 0;
    // Values that fit in 32 signed bits have the short encoding.
    if ((hi === 0 && lo < 0x8000_0000) || (hi === -1 && lo >= 0x8000_0000)) {
      this.s32(lo | 0);
      return;
    }
    this.reserve(10);
    for (;;) {
      const b = lo & 0x7f;
      // Arithmetic shift of the 64-bit pair right by 7.
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>= 7;
      const signBit = (b & 0x40) !== 0;
      if ((hi === 0 && lo === 0 && !signBit) || (hi === -1 && lo === 0xffff_ffff && signBit)) {
        this.bytes[this.length++] = b;
        return;
      }
      this.bytes[this.length++] = b | 0x80;
    }
  }

  /** Raw bytes. */
  write(src: Uint8Array): void {
    this.reserve(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  /** A name: its UTF-8 length, then its bytes (ASCII names only are used here). */
  name(s: string): void {
    this.u32(s.length);
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i) & 0x7f;
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
