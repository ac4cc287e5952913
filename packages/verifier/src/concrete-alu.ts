/**
 * ALU semantics on known values (RFC 9669), for constant folding in the dataflow verifier:
 * division by zero gives 0, modulo by zero leaves the dividend, INT_MIN / -1 is INT_MIN, shift
 * counts are masked, 32-bit results are zero-extended.
 */
import type { OpcodeRow } from '@ebpf/isa';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

function sdiv(a: bigint, b: bigint, bits: number): bigint {
  const x = BigInt.asIntN(bits, a);
  const y = BigInt.asIntN(bits, b);
  if (y === 0n) return 0n;
  return BigInt.asUintN(bits, x / y);
}

function smod(a: bigint, b: bigint, bits: number): bigint {
  const x = BigInt.asIntN(bits, a);
  const y = BigInt.asIntN(bits, b);
  if (y === 0n) return BigInt.asUintN(bits, x);
  return BigInt.asUintN(bits, x % y);
}

function swap(x: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * The result (as an unsigned 64-bit bigint) of an ALU, neg, movsx or byte-swap row applied to
 * `dst` and `src` (the second operand, already sign-extended for immediates as u64).
 */
export function evaluateAlu(row: OpcodeRow, dst: bigint, src: bigint): bigint {
  const w = row.width;
  const mask = w === 32 ? M32 : M64;
  const a = dst & mask;
  const b = src & mask;
  const sh = b & BigInt(w - 1);
  let r: bigint;
  switch (row.op) {
    case 'add':
      r = a + b;
      break;
    case 'sub':
      r = a - b;
      break;
    case 'mul':
      r = a * b;
      break;
    case 'div':
      r = b === 0n ? 0n : a / b;
      break;
    case 'sdiv':
      r = sdiv(a, b, w);
      break;
    case 'mod':
      r = b === 0n ? a : a % b;
      break;
    case 'smod':
      r = smod(a, b, w);
      break;
    case 'or':
      r = a | b;
      break;
    case 'and':
      r = a & b;
      break;
    case 'xor':
      r = a ^ b;
      break;
    case 'lsh':
      r = a << sh;
      break;
    case 'rsh':
      r = a >> sh;
      break;
    case 'arsh':
      r = BigInt.asIntN(w, a) >> sh;
      break;
    case 'mov':
      r = b;
      break;
    case 'neg':
      r = -a;
      break;
    case 'movsx':
      r = BigInt.asIntN(row.bits, src);
      break;
    case 'le':
      r = dst & ((1n << BigInt(row.bits)) - 1n);
      return r;
    case 'be':
    case 'bswap':
      return swap(dst, row.bits / 8);
    default:
      r = 0n;
  }
  return BigInt.asUintN(w, r);
}
