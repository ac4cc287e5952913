/**
 * rbpf's `to_json` example, in TypeScript: the structured entries of a program (opcode, registers,
 * offset, immediate as hex strings, and the instruction's text) as pretty-printed JSON, with the
 * two slots of `lddw` merged into one entry.
 */
import { disassembleInsns } from '../src/index.js'; // '@ebpf/disassembler' outside this repository

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** The JSON listing of `bytes`: `{ size, insns: [{ opc, dst, src, off, imm, desc }] }`. */
export function toJson(bytes: Uint8Array): string {
  const insns = disassembleInsns(bytes).map((e) => ({
    opc: hex(e.opcode),
    dst: hex(e.dst),
    src: hex(e.src),
    // Offsets and immediates as their two's complement, the way Rust prints {:#x}.
    off: hex(e.off & 0xffff),
    imm: e.imm64 === undefined ? hex(e.imm >>> 0) : hex(e.imm64),
    desc: e.text,
  }));
  return JSON.stringify({ size: insns.length, insns }, null, 4);
}
