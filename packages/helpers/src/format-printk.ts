/**
 * The format language of `bpf_trace_printk` and `bpf_snprintf`, with the kernel's rules
 * (`bpf_bprintf_prepare`): only printable ASCII and white space in the format; conversions
 * `%d %i %u %x %X` with an optional `l` or `ll` (32 bits without, 64 with), `%c`, `%s`, `%p`
 * (also `%px`, `%pK`, `%ps`, `%pS`, `%pi4`, `%pI4`, `%pi6`, `%pI6`) and `%%`; optional flags
 * `0 + - space` and a width before the conversion; no precision. Anything else, or more
 * conversions than arguments allowed, makes the whole call fail with -EINVAL.
 *
 * Where the kernel prints something a user-space VM cannot know, we print the address: `%p`
 * gives the 16 hex digits of the (unhashed) virtual address, `%ps`/`%pS` too (no symbols).
 */
import type { HelperContext } from '@ebpf/vm';
import { readableLength, tryRead, tryReadCString } from './guest-memory.js';

/** The most bytes one `%s` copies (the kernel's per-call scratch buffer for strings). */
export const MAX_PRINTK_STRING = 512;

/** The result of formatting: the bytes, or the reason the kernel would refuse the format. */
export type FormatResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: string };

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function isPrintable(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || (b >= 0x09 && b <= 0x0d);
}

interface Spec {
  readonly left: boolean;
  readonly zero: boolean;
  readonly plus: boolean;
  readonly space: boolean;
  readonly width: number;
}

function pad(spec: Spec, body: string, sign: string, numeric: boolean): string {
  const len = sign.length + body.length;
  if (len >= spec.width) return sign + body;
  const fill = spec.width - len;
  if (spec.left) return sign + body + ' '.repeat(fill);
  if (spec.zero && numeric) return sign + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + sign + body;
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

/**
 * Formats `format` (the bytes before the NUL) with `args` (raw 64-bit values), reading `%s`
 * strings and `%pI4`-style addresses from program memory. A string or address that cannot be
 * read prints as an empty string or zeros, as in the kernel.
 *
 * @example
 * formatPrintk(ctx, ascii('%d-%x\n'), [BigInt.asUintN(64, -5n), 255n]); // "-5-ff\n"
 */
export function formatPrintk(
  ctx: HelperContext,
  format: Uint8Array,
  args: readonly bigint[],
): FormatResult {
  const out: number[] = [];
  let next = 0;
  const fail = (reason: string): FormatResult => ({ ok: false, reason });
  const n = format.length;
  for (let i = 0; i < n; i++) {
    const b = format[i];
    if (b >= 0x80 || !isPrintable(b)) return fail(`byte 0x${b.toString(16)} at ${i}`);
    if (b !== 0x25 /* % */) {
      out.push(b);
      continue;
    }
    if (format[i + 1] === 0x25) {
      out.push(0x25);
      i++;
      continue;
    }
    const start = i;
    i++;
    let left = false;
    let zero = false;
    let plus = false;
    let space = false;
    for (;;) {
      const f = format[i];
      if (f === 0x2d) left = true;
      else if (f === 0x30) zero = true;
      else if (f === 0x2b) plus = true;
      else if (f === 0x20) space = true;
      else break;
      i++;
    }
    let width = 0;
    while (i < n && format[i] >= 0x30 && format[i] <= 0x39) {
      width = Math.min(width * 10 + (format[i] - 0x30), 4096);
      i++;
    }
    if (next >= args.length) return fail(`conversion at ${start} has no argument left`);
    const arg = args[next++];
    const spec: Spec = { left, zero, plus, space, width };
    const c = String.fromCharCode(format[i] ?? 0);
    let text: string;
    if (c === 'c') {
      text = pad(spec, String.fromCharCode(Number(arg & 0xffn)), '', false);
    } else if (c === 's') {
      const found = tryReadCString(ctx, arg, MAX_PRINTK_STRING);
      const bytes = found ? found.bytes : new Uint8Array(0);
      const padding = Math.max(0, width - bytes.length);
      if (!left) for (let k = 0; k < padding; k++) out.push(0x20);
      for (const x of bytes) out.push(x);
      if (left) for (let k = 0; k < padding; k++) out.push(0x20);
      continue;
    } else if (c === 'p') {
      const m = String.fromCharCode(format[i + 1] ?? 0);
      if (m === 'i' || m === 'I') {
        const v = String.fromCharCode(format[i + 2] ?? 0);
        if (v !== '4' && v !== '6') return fail(`unknown %p${m}${v} at ${start}`);
        i += 2;
        text = pad(spec, formatIp(ctx, arg, v === '4' ? 4 : 16, m === 'i'), '', false);
      } else {
        if (m === 'x' || m === 'K' || m === 's' || m === 'S') i++;
        else if (/[A-Za-z0-9]/.test(m)) return fail(`unknown %p${m} at ${start}`);
        text = pad(spec, arg === 0n && m !== 'x' && m !== 'K' ? '(null)' : hex64(arg), '', false);
      }
    } else {
      let wide = false;
      if (c === 'l') {
        wide = true;
        i++;
        if (format[i] === 0x6c) i++;
      }
      const conv = String.fromCharCode(format[i] ?? 0);
      const value = wide ? arg : arg & 0xffff_ffffn;
      const bits = wide ? 64 : 32;
      if (conv === 'd' || conv === 'i') {
        const signed = BigInt.asIntN(bits, value);
        const sign = signed < 0n ? '-' : plus ? '+' : space ? ' ' : '';
        text = pad(spec, (signed < 0n ? -signed : signed).toString(10), sign, true);
      } else if (conv === 'u') {
        text = pad(spec, value.toString(10), '', true);
      } else if (conv === 'x' || conv === 'X') {
        const h = value.toString(16);
        text = pad(spec, conv === 'X' ? h.toUpperCase() : h, '', true);
      } else {
        return fail(`unknown conversion at ${start}`);
      }
    }
    for (const ch of ascii(text)) out.push(ch);
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/**
 * printk's address forms: `%pI4` 1.2.3.4, `%pi4` 001.002.003.004, `%pI6` with colons between
 * the eight groups, `%pi6` without. An unreadable address prints as zeros.
 */
function formatIp(ctx: HelperContext, address: bigint, size: 4 | 16, lower: boolean): string {
  const b =
    (readableLength(ctx, address) >= size ? tryRead(ctx, address, size) : undefined) ??
    new Uint8Array(size);
  if (size === 4) {
    return [...b].map((x) => (lower ? x.toString(10).padStart(3, '0') : String(x))).join('.');
  }
  const groups: string[] = [];
  for (let k = 0; k < 16; k += 2) {
    groups.push(((b[k] << 8) | b[k + 1]).toString(16).padStart(4, '0'));
  }
  return groups.join(lower ? '' : ':');
}

/** Decodes formatted bytes for a host sink (UTF-8, with replacement characters). */
export function decodeText(bytes: Uint8Array): string {
  const api = globalThis as unknown as {
    TextDecoder?: new () => { decode(b: Uint8Array): string };
  };
  if (api.TextDecoder) return new api.TextDecoder().decode(bytes);
  return String.fromCharCode(...bytes);
}
