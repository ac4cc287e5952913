/**
 * Load-time resolution of `lddw` source subtypes 1-6 (map by fd, map value by fd, variable
 * address, code address, map by index, map value by index): a loader hook turns each reference
 * into the 64-bit value the program should load (a map handle the map helpers understand, a
 * map value's address plus offset: global data too, as internal maps), and the instruction becomes a plain `lddw`
 * (subtype 0) that every engine runs at full speed. References the hook leaves alone stay as
 * they are and fault with `VM_UNRESOLVED_LDDW` if they run.
 */
import { INSN_SIZE, Lddw, lookupRow, readSlot } from '@ebpf/isa';

/** One `lddw` with a non-zero source subtype, as a resolver sees it. */
export interface LddwReference {
  /** The subtype (`Lddw.MAP_FD`... `Lddw.MAP_VALUE_IDX`). */
  readonly src: number;
  /** The first slot's immediate: the fd, index, or code offset. */
  readonly imm: number;
  /** The second slot's immediate: the offset into a map value (src 2 and 6). */
  readonly next: number;
  /** The instruction index of the `lddw`. */
  readonly pc: number;
}

/**
 * A loader hook: the value an `lddw` reference loads, or `undefined` to leave it unresolved.
 * It may throw an `EbpfError` for references it knows are wrong (an unknown map).
 *
 * @example
 * const resolveLddw: LddwResolver = (ref) =>
 *   ref.src === Lddw.MAP_IDX ? maps.handleOf(maps.at(ref.imm)!) : undefined;
 * vm.setProgram(bytes, { resolveLddw });
 */
export type LddwResolver = (reference: LddwReference) => bigint | undefined;

/**
 * A copy of `bytes` with every `lddw` reference the resolver answers rewritten into a plain
 * `lddw` of the answer (taken modulo 2^64). Other instructions are copied unchanged.
 *
 * @example
 * resolveLddwReferences(program, (ref) => ref.src === Lddw.CODE_ADDR ? BigInt(ref.pc + 1 + ref.imm) : undefined);
 */
export function resolveLddwReferences(bytes: Uint8Array, resolve: LddwResolver): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const slots = Math.floor(bytes.byteLength / INSN_SIZE);
  for (let pc = 0; pc + 1 < slots; pc++) {
    const slot = readSlot(bytes, pc);
    const row = lookupRow(slot.opcode, slot.src, slot.off, slot.imm);
    if (row?.kind !== 'lddw') continue;
    if (slot.src !== Lddw.IMM64) {
      const next = readSlot(bytes, pc + 1).imm;
      const value = resolve({ src: slot.src, imm: slot.imm, next, pc });
      if (value !== undefined) {
        const v = BigInt.asUintN(64, value);
        const at = pc * INSN_SIZE;
        out[at + 1] &= 0x0f; // src nibble 0: a plain 64-bit immediate
        view.setUint32(at + 4, Number(v & 0xffff_ffffn), true);
        view.setUint32(at + 12, Number(v >> 32n), true);
      }
    }
    pc++;
  }
  return out;
}
