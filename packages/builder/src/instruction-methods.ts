/**
 * The typed methods of {@link ProgramBuilder}, one per instruction family. The run-time methods
 * are made from the instruction table (see `method-signature.ts`); these types describe them, and
 * a test checks that the two name the same methods.
 *
 * Conventions: registers are `'r0'`..`'r10'`; a register the instruction writes cannot be a
 * literal `'r10'`; a `source` operand that is a register selects the reg form, a number the imm
 * form; a `target` is a label name or a signed distance in instructions from the next slot.
 */
import type { AluBinaryOp, JumpCondOp as JumpOp } from '@ebpf/isa';
import type { Register, WrittenRegister } from './register.js';

/** Where a jump, local call or code address leads: a label name, or a raw signed distance. */
export type Target = string | number;

/** Operation width in bits. */
type Width = 32 | 64;
/** Atomic operations that only update memory (cmpxchg writes r0, which any program may). */
type AtomicUpdateOp = 'Add' | 'Or' | 'And' | 'Xor' | 'Cmpxchg';
/** Atomic operations that also load the old value into their source register. */
type AtomicFetchOp = 'FetchAdd' | 'FetchOr' | 'FetchAnd' | 'FetchXor' | 'Xchg';
type SizeSuffix = 'b' | 'h' | 'w' | 'dw';
type NarrowSizeSuffix = Exclude<SizeSuffix, 'dw'>;
/** Sign-extending moves: `movsx{source bits}{width}`. */
type MovsxName = `movsx${8 | 16}32` | `movsx${8 | 16 | 32}64`;
type EndianName = `${'le' | 'be' | 'bswap'}${16 | 32 | 64}`;

type AluMethods<Self> = {
  /** `dst = dst op source` (`mov`: `dst = source`), on 32 or 64 bits; source is a register or an int32. */
  [K in `${AluBinaryOp}${Width}`]: <D extends Register>(
    dst: WrittenRegister<D>,
    source: Register | number,
  ) => Self;
};
type NegMethods<Self> = {
  /** `dst = -dst`. */
  [K in `neg${Width}`]: <D extends Register>(dst: WrittenRegister<D>) => Self;
};
type MovsxMethods<Self> = {
  /** `dst = sign-extended low bits of src`. */
  [K in MovsxName]: <D extends Register>(dst: WrittenRegister<D>, src: Register) => Self;
};
type EndianMethods<Self> = {
  /** Byte order: `le`/`be` convert to little/big endian, `bswap` swaps unconditionally. */
  [K in EndianName]: <D extends Register>(dst: WrittenRegister<D>) => Self;
};
type JumpMethods<Self> = {
  /** Jump to `target` when `dst op source` holds (64-bit compare; `…32`: 32-bit). */
  [K in JumpOp | `${JumpOp}32`]: (dst: Register, source: Register | number, target: Target) => Self;
};
type LoadMethods<Self> = {
  /** `dst = *(size *)(src + off)`, zero-extended (`ldxs…`: sign-extended). */
  [K in `ldx${SizeSuffix}` | `ldxs${NarrowSizeSuffix}`]: <D extends Register>(
    dst: WrittenRegister<D>,
    src: Register,
    off: number,
  ) => Self;
};
type StoreImmMethods<Self> = {
  /** `*(size *)(dst + off) = imm`. */
  [K in `st${SizeSuffix}`]: (dst: Register, off: number, imm: number) => Self;
};
type StoreRegMethods<Self> = {
  /** `*(size *)(dst + off) = src`. */
  [K in `stx${SizeSuffix}`]: (dst: Register, off: number, src: Register) => Self;
};
type AtomicUpdateMethods<Self> = {
  /** Atomic read-modify-write of `*(dst + off)` with `src` (cmpxchg: compares with r0, old value to r0). */
  [K in `atomic${AtomicUpdateOp}${Width}`]: (dst: Register, off: number, src: Register) => Self;
};
type AtomicFetchMethods<Self> = {
  /** Atomic read-modify-write of `*(dst + off)` with `src`; the old value goes to `src`. */
  [K in `atomic${AtomicFetchOp}${Width}`]: <S extends Register>(
    dst: Register,
    off: number,
    src: WrittenRegister<S>,
  ) => Self;
};
type PacketMethods<Self> = {
  /** Legacy packet load into r0 from the packet at `imm` (`ldind…`: at `src + imm`). */
  [K in `ldabs${NarrowSizeSuffix}`]: (imm: number) => Self;
} & {
  [K in `ldind${NarrowSizeSuffix}`]: (src: Register, imm: number) => Self;
};

/** The control-flow and lddw methods, one form each. */
interface SingleFormMethods<Self> {
  /** Jump to `target` (16-bit distance). */
  ja(target: Target): Self;
  /** Jump to `target` with a 32-bit distance (`gotol`). */
  ja32(target: Target): Self;
  /** Call helper number `helper`. */
  call(helper: number): Self;
  /** Call the local function at `target` (a BPF-to-BPF call). */
  callLocal(target: Target): Self;
  /** Call the helper whose BTF id is `btfId`. */
  callBtf(btfId: number): Self;
  /** Call the helper whose number is in `register`. */
  callx(register: Register): Self;
  /** Return r0 to the caller. */
  exit(): Self;
  /** `dst = value`: a 64-bit immediate (bigint or safe integer, signed or unsigned). */
  lddw<D extends Register>(dst: WrittenRegister<D>, value: bigint | number): Self;
  /** `dst = map_by_fd(fd)`. */
  lddwMapFd<D extends Register>(dst: WrittenRegister<D>, fd: number): Self;
  /** `dst = map_val(map_by_fd(fd)) + offset`. */
  lddwMapValueFd<D extends Register>(dst: WrittenRegister<D>, fd: number, offset: number): Self;
  /** `dst = var_addr(imm)`. */
  lddwVarAddr<D extends Register>(dst: WrittenRegister<D>, imm: number): Self;
  /** `dst = code_addr(target)`: the address of the instruction at `target`. */
  lddwCodeAddr<D extends Register>(dst: WrittenRegister<D>, target: Target): Self;
  /** `dst = map_by_idx(index)`. */
  lddwMapIdx<D extends Register>(dst: WrittenRegister<D>, index: number): Self;
  /** `dst = map_val(map_by_idx(index)) + offset`. */
  lddwMapValueIdx<D extends Register>(dst: WrittenRegister<D>, index: number, offset: number): Self;
}

/** Every typed instruction method, each returning the builder for chaining. */
export interface InstructionMethods<Self>
  extends AluMethods<Self>,
    NegMethods<Self>,
    MovsxMethods<Self>,
    EndianMethods<Self>,
    JumpMethods<Self>,
    LoadMethods<Self>,
    StoreImmMethods<Self>,
    StoreRegMethods<Self>,
    AtomicUpdateMethods<Self>,
    AtomicFetchMethods<Self>,
    PacketMethods<Self>,
    SingleFormMethods<Self> {}

/** The name of every typed instruction method. */
export type InstructionMethodName = keyof InstructionMethods<unknown>;
