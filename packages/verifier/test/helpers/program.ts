/** Test helper: programs as text (rbpf / bpf_conformance syntax) or as raw slots. */
import { assemble } from '@ebpf/assembler';
import { encode, type Insn, rowByName } from '@ebpf/isa';

/** Assembles rbpf-syntax text; `;` also separates lines. */
export function asm(text: string): Uint8Array {
  return assemble(
    text
      .split(/[\n;]/)
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n'),
  );
}

/** One instruction by form name, unset fields zero (and the form's discriminator filled in). */
export function insn(name: string, fields: Partial<Insn> = {}): Insn {
  const row = rowByName(name);
  return { dst: 0, src: 0, off: 0, imm: 0, ...row.match, opcode: row.opcode, ...fields };
}

/** Encodes instructions. */
export function bytesOf(...insns: Insn[]): Uint8Array {
  return encode(insns);
}

/** Raw 8-byte slots from 64-bit little-endian values. */
export function slots(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    view.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
  });
  return out;
}
