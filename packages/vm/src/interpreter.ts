/**
 * The interpreter: runs a pre-decoded program (see `predecode.ts`) with a `switch` over dense,
 * specialised opcodes and a register file of 32-bit halves (`R[2r]` low, `R[2r+1]` high). Memory
 * accesses go through the region table in the linear memory, exactly as compiled code does.
 *
 * What keeps it fast (each measured with `pnpm bench`): loads and stores check their whole width
 * against the last region a load (a store) went to, kept in locals, and read the table only
 * when the register's region differs; those caches are emptied after every call out to host
 * code (helpers, slow regions), the only place where regions change during a run. Aligned 4- and
 * 8-byte accesses use an `Int32Array` view, bytes and halves a `Uint8Array`, the rest `DataView`.
 * Field and register-half indices are `at | k` and `d | 1` (no overflow checks), 64-bit carries
 * are int32 compares, and common pairs of instructions run as one fused opcode (cases from
 * `FUSED_BASE` on; see `FUSED_PAIRS`), which counts both and stops between them when the budget
 * or slice ends there.
 *
 * The `case` numbers are the interpreter opcodes of `interp-opcodes.ts` (the comment on each case
 * names its form); test/interp-opcodes.test.ts checks that each case's comment and number agree
 * with that table, and the semantics tests run every form of the ISA table through here.
 */
import { MAX_CALL_DEPTH, STACK_FRAME_SIZE } from '@ebpf/isa';
import { type AddressSpace, REGION_INPUT, RegionFlag, STACK_TOP_ADDRESS } from './address-space.js';
import type { EngineRunRequest, EngineRunResult } from './engine.js';
import type { HelperTable } from './helpers.js';
import {
  arsh64,
  bswap16,
  bswap32,
  div32,
  div64,
  lsh64,
  mod32,
  mod64,
  mul64,
  rsh64,
  sdiv32,
  sdiv64,
  smod32,
  smod64,
  storeBigInt,
  toBigInt,
} from './u64-halves.js';
import {
  VM_BAD_JUMP,
  VM_BAD_REGISTER,
  VM_BUDGET_EXHAUSTED,
  VM_CALL_DEPTH,
  VM_UNKNOWN_OPCODE,
  VM_UNRESOLVED_LDDW,
  VM_UNSUPPORTED,
  VmError,
} from './vm-errors.js';

const WRITE = RegionFlag.READ | RegionFlag.WRITE;
/** Words saved per call frame: r6-r10 as halves, then the return slot. */
const FRAME_WORDS = 11;
/**
 * Whether typed arrays use little-endian byte order here (every mainstream host): then aligned
 * 4- and 8-byte accesses go through an `Int32Array` view instead of `DataView` calls.
 */
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The physical offset of a `size`-byte access at `hi:lo + off`, or -1 when it does not fit its
 * region or the region lacks the `need` flags. The offset carries into the high half, so an
 * access below a region's start wraps into the previous region index and faults.
 */
function translate(
  T: Uint32Array,
  lo: number,
  hi: number,
  off: number,
  size: number,
  need: number,
): number {
  let a = (lo >>> 0) + off;
  if (a < 0) {
    a += 4294967296;
    hi = (hi - 1) | 0;
  } else if (a > 4294967295) {
    a -= 4294967296;
    hi = (hi + 1) | 0;
  }
  if (hi >>> 0 >= 64) return -1;
  const e = hi << 2;
  if (a + size > T[e | 1] || (T[e | 2] & need) !== need) return -1;
  return T[e] + a;
}

/** The typed error for a faulting access through register pair `r` plus `off`. */
function fault(
  space: AddressSpace,
  R: Int32Array,
  r: number,
  off: number,
  size: number,
  access: 'load' | 'store',
  pc: number,
): VmError {
  const a = toBigInt(R[r], R[r + 1]) + BigInt(off);
  const v = BigInt.asUintN(64, a);
  return space.accessViolation(Number(v >> 32n), Number(v & 0xffffffffn), size, access, pc);
}

/** Splits the virtual address of register pair `r` plus `off` into its halves. */
function addressHalves(R: Int32Array, r: number, off: number): [hi: number, lo: number] {
  const v = BigInt.asUintN(64, toBigInt(R[r], R[r + 1]) + BigInt(off));
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/**
 * The fault path of a load through `s` + `off` into `d`: a slow region (the program context)
 * serves it, or it faults.
 */
function slowLoad(
  space: AddressSpace,
  R: Int32Array,
  s: number,
  off: number,
  size: number,
  signed: boolean,
  d: number,
  pc: number,
): void {
  const [hi, lo] = addressHalves(R, s, off);
  storeBigInt(R, d, space.slowLoad(hi, lo, size, signed, pc));
}

/** The fault path of a store of `vlo:vhi` through `d` + `off`. */
function slowStore(
  space: AddressSpace,
  R: Int32Array,
  d: number,
  off: number,
  size: number,
  vlo: number,
  vhi: number,
  pc: number,
): void {
  const [hi, lo] = addressHalves(R, d, off);
  space.slowStore(hi, lo, size, toBigInt(vlo, vhi), pc);
}

/** Atomic operations, in interpreter-opcode order: add, or, and, xor, then the fetch forms, xchg, cmpxchg. */
function atomic32(
  space: AddressSpace,
  dv: DataView,
  T: Uint32Array,
  R: Int32Array,
  kind: number,
  d: number,
  s: number,
  off: number,
  pc: number,
): void {
  const p = translate(T, R[d], R[d | 1], off, 4, WRITE);
  if (p < 0) throw fault(space, R, d, off, 4, 'store', pc);
  if ((p & 3) !== 0) {
    const v = BigInt.asUintN(64, toBigInt(R[d], R[d | 1]) + BigInt(off));
    throw space.misalignedAtomic(Number(v >> 32n), Number(v & 0xffffffffn), 4, pc);
  }
  const old = dv.getInt32(p, true);
  const src = R[s];
  switch (kind & 3) {
    case 0:
      if (kind < 8) dv.setInt32(p, (old + src) | 0, true);
      break;
    case 1:
      if (kind < 8) dv.setInt32(p, old | src, true);
      break;
    case 2:
      if (kind < 8) dv.setInt32(p, old & src, true);
      break;
    case 3:
      if (kind < 8) dv.setInt32(p, old ^ src, true);
      break;
  }
  if (kind === 8) dv.setInt32(p, src, true);
  if (kind === 9) {
    if (old === R[0]) dv.setInt32(p, src, true);
    R[0] = old;
    R[1] = 0;
  } else if (kind >= 4) {
    R[s] = old;
    R[s | 1] = 0;
  }
}

function atomic64(
  space: AddressSpace,
  dv: DataView,
  T: Uint32Array,
  R: Int32Array,
  kind: number,
  d: number,
  s: number,
  off: number,
  pc: number,
): void {
  const p = translate(T, R[d], R[d | 1], off, 8, WRITE);
  if (p < 0) throw fault(space, R, d, off, 8, 'store', pc);
  if ((p & 7) !== 0) {
    const v = BigInt.asUintN(64, toBigInt(R[d], R[d | 1]) + BigInt(off));
    throw space.misalignedAtomic(Number(v >> 32n), Number(v & 0xffffffffn), 8, pc);
  }
  const olo = dv.getInt32(p, true);
  const ohi = dv.getInt32(p + 4, true);
  const slo = R[s];
  const shi = R[s | 1];
  let nlo = slo;
  let nhi = shi;
  if (kind < 8) {
    switch (kind & 3) {
      case 0: {
        const t = (olo >>> 0) + (slo >>> 0);
        nhi = (ohi + shi + (t > 4294967295 ? 1 : 0)) | 0;
        nlo = t | 0;
        break;
      }
      case 1:
        nlo = olo | slo;
        nhi = ohi | shi;
        break;
      case 2:
        nlo = olo & slo;
        nhi = ohi & shi;
        break;
      case 3:
        nlo = olo ^ slo;
        nhi = ohi ^ shi;
        break;
    }
  }
  if (kind === 9) {
    if (olo === R[0] && ohi === R[1]) {
      dv.setInt32(p, slo, true);
      dv.setInt32(p + 4, shi, true);
    }
    R[0] = olo;
    R[1] = ohi;
    return;
  }
  dv.setInt32(p, nlo, true);
  dv.setInt32(p + 4, nhi, true);
  if (kind >= 4) {
    R[s] = olo;
    R[s | 1] = ohi;
  }
}

/** Where a run stands between slices. */
interface RunState {
  pc: number;
  n: number;
  depth: number;
}

/** Instructions per slice: the run returns to {@link interpret} this often (see there). */
const SLICE = 1 << 16;
/** Instructions in a run's first slice. */
const FIRST_SLICE = 64;
/** What {@link runSlice} stopped for. */
const SLICE_END = 0;
const EXITED = 1;
const PACKET_ABORT = 2;
const TAIL_CALL = 3;

/** The error for a tail call made inside a local function (only the main frame can tail-call). */
function tailCallInFunction(pc: number): VmError {
  return new VmError(VM_UNSUPPORTED, { form: 'tail call from inside a local function' }, pc);
}

/**
 * Runs pre-decoded `code` over the address space's current regions: r1-r5 from `request.args`,
 * r10 at the top of the stack, every other register 0.
 *
 * The work happens in slices of at most {@link SLICE} instructions, each a fresh call of
 * {@link runSlice}: V8 then swaps in its optimised code at a call boundary instead of by
 * on-stack replacement in the middle of one long loop, whose code runs a fifth slower.
 *
 * @throws VmError on every fault (see vm-errors.ts), and whatever `EbpfError` a helper throws.
 */
export function interpret(
  code: Int32Array,
  space: AddressSpace,
  helpers: HelperTable,
  request: EngineRunRequest,
): EngineRunResult {
  const R = new Int32Array(22);
  for (let i = 0; i < 5; i++) storeBigInt(R, 2 + 2 * i, request.args[i] ?? 0n);
  storeBigInt(R, 20, STACK_TOP_ADDRESS);
  const F = new Int32Array(MAX_CALL_DEPTH * FRAME_WORDS);
  const budget = request.budget;
  const st: RunState = { pc: 0, n: 0, depth: 0 };
  // The first slice is short, so that the slice-end path has run (and has type feedback) before
  // V8 optimises the loop; otherwise the first slice end deoptimises the fresh code.
  let slice = FIRST_SLICE;
  for (;;) {
    const stop = Math.min(budget, st.n + slice);
    slice = SLICE;
    const why = runSlice(code, space, helpers, R, F, st, stop, budget);
    if (why === EXITED) return { r0: toBigInt(R[0], R[1]), insnCount: st.n };
    if (why === PACKET_ABORT) return { r0: 0n, insnCount: st.n };
    if (why === TAIL_CALL) return { r0: 0n, insnCount: st.n, tailCall: true };
  }
}

/** Runs from `st` until `exit`, a fault, or `stop` instructions in all; saves the state back. */
function runSlice(
  code: Int32Array,
  space: AddressSpace,
  helpers: HelperTable,
  R: Int32Array,
  F: Int32Array,
  st: RunState,
  stop: number,
  budget: number,
): number {
  const u8 = space.bytes;
  const dv = space.view;
  const T = space.table;
  const I32 = new Int32Array(u8.buffer, 0, u8.byteLength >>> 2);
  // The last region a load and a store went to (its index, physical base and length): a register
  // whose high half equals the index can skip the table. Regions change during a run only in
  // host code (helpers, slow regions), so the caches are emptied (length 0) after each call out.
  let lHi = 0;
  let lBase = 0;
  let lLen = 0;
  let sHi = 0;
  let sBase = 0;
  let sLen = 0;
  let depth = st.depth;
  let pc = st.pc;
  let n = st.n;
  for (;;) {
    if (n >= stop) {
      if (n >= budget) {
        throw new VmError(VM_BUDGET_EXHAUSTED, { budget, insnCount: n }, pc);
      }
      st.pc = pc;
      st.n = n;
      st.depth = depth;
      return SLICE_END;
    }
    n = (n + 1) | 0;
    const cur = pc;
    pc = (pc + 1) | 0;
    const at = cur << 3;
    const op = code[at];
    switch (op) {
      case 0: {
        // add64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        const alo = R[d];
        const lo = (alo + blo) | 0;
        R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
        R[d] = lo;
        break;
      }
      case 1: {
        // add64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        const alo = R[d];
        const lo = (alo + blo) | 0;
        R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
        R[d] = lo;
        break;
      }
      case 2: {
        // sub64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        const alo = R[d];
        R[d | 1] = (R[d | 1] - bhi - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
        R[d] = (alo - blo) | 0;
        break;
      }
      case 3: {
        // sub64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        const alo = R[d];
        R[d | 1] = (R[d | 1] - bhi - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
        R[d] = (alo - blo) | 0;
        break;
      }
      case 4: {
        // mul64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        mul64(R, d, blo, bhi);
        break;
      }
      case 5: {
        // mul64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        mul64(R, d, blo, bhi);
        break;
      }
      case 6: {
        // div64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        div64(R, d, blo, bhi);
        break;
      }
      case 7: {
        // div64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        div64(R, d, blo, bhi);
        break;
      }
      case 8: {
        // sdiv64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        sdiv64(R, d, blo, bhi);
        break;
      }
      case 9: {
        // sdiv64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        sdiv64(R, d, blo, bhi);
        break;
      }
      case 10: {
        // or64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        R[d] |= blo;
        R[d | 1] |= bhi;
        break;
      }
      case 11: {
        // or64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        R[d] |= blo;
        R[d | 1] |= bhi;
        break;
      }
      case 12: {
        // and64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        R[d] &= blo;
        R[d | 1] &= bhi;
        break;
      }
      case 13: {
        // and64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        R[d] &= blo;
        R[d | 1] &= bhi;
        break;
      }
      case 14: {
        // lsh64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        lsh64(R, d, blo);
        break;
      }
      case 15: {
        // lsh64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        lsh64(R, d, blo);
        break;
      }
      case 16: {
        // rsh64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        rsh64(R, d, blo);
        break;
      }
      case 17: {
        // rsh64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        rsh64(R, d, blo);
        break;
      }
      case 18: {
        // mod64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        mod64(R, d, blo, bhi);
        break;
      }
      case 19: {
        // mod64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        mod64(R, d, blo, bhi);
        break;
      }
      case 20: {
        // smod64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        smod64(R, d, blo, bhi);
        break;
      }
      case 21: {
        // smod64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        smod64(R, d, blo, bhi);
        break;
      }
      case 22: {
        // xor64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        R[d] ^= blo;
        R[d | 1] ^= bhi;
        break;
      }
      case 23: {
        // xor64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        R[d] ^= blo;
        R[d | 1] ^= bhi;
        break;
      }
      case 24: {
        // mov64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        R[d] = blo;
        R[d | 1] = bhi;
        break;
      }
      case 25: {
        // mov64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        R[d] = blo;
        R[d | 1] = bhi;
        break;
      }
      case 26: {
        // arsh64_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        arsh64(R, d, blo);
        break;
      }
      case 27: {
        // arsh64_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        arsh64(R, d, blo);
        break;
      }
      case 28: {
        // neg64
        const d = code[at | 1];
        const lo = R[d];
        R[d] = -lo | 0;
        R[d | 1] = (~R[d | 1] + (lo === 0 ? 1 : 0)) | 0;
        break;
      }
      case 29: {
        // add32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = (R[d] + blo) | 0;
        R[d | 1] = 0;
        break;
      }
      case 30: {
        // add32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = (R[d] + blo) | 0;
        R[d | 1] = 0;
        break;
      }
      case 31: {
        // sub32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = (R[d] - blo) | 0;
        R[d | 1] = 0;
        break;
      }
      case 32: {
        // sub32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = (R[d] - blo) | 0;
        R[d | 1] = 0;
        break;
      }
      case 33: {
        // mul32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = Math.imul(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 34: {
        // mul32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = Math.imul(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 35: {
        // div32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = div32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 36: {
        // div32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = div32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 37: {
        // sdiv32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = sdiv32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 38: {
        // sdiv32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = sdiv32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 39: {
        // or32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = R[d] | blo;
        R[d | 1] = 0;
        break;
      }
      case 40: {
        // or32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = R[d] | blo;
        R[d | 1] = 0;
        break;
      }
      case 41: {
        // and32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = R[d] & blo;
        R[d | 1] = 0;
        break;
      }
      case 42: {
        // and32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = R[d] & blo;
        R[d | 1] = 0;
        break;
      }
      case 43: {
        // lsh32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = R[d] << (blo & 31);
        R[d | 1] = 0;
        break;
      }
      case 44: {
        // lsh32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = R[d] << (blo & 31);
        R[d | 1] = 0;
        break;
      }
      case 45: {
        // rsh32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = (R[d] >>> (blo & 31)) | 0;
        R[d | 1] = 0;
        break;
      }
      case 46: {
        // rsh32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = (R[d] >>> (blo & 31)) | 0;
        R[d | 1] = 0;
        break;
      }
      case 47: {
        // mod32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = mod32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 48: {
        // mod32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = mod32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 49: {
        // smod32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = smod32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 50: {
        // smod32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = smod32(R[d], blo);
        R[d | 1] = 0;
        break;
      }
      case 51: {
        // xor32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = R[d] ^ blo;
        R[d | 1] = 0;
        break;
      }
      case 52: {
        // xor32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = R[d] ^ blo;
        R[d | 1] = 0;
        break;
      }
      case 53: {
        // mov32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = blo;
        R[d | 1] = 0;
        break;
      }
      case 54: {
        // mov32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = blo;
        R[d | 1] = 0;
        break;
      }
      case 55: {
        // arsh32_imm
        const d = code[at | 1];
        const blo = code[at | 3];
        R[d] = R[d] >> (blo & 31);
        R[d | 1] = 0;
        break;
      }
      case 56: {
        // arsh32_reg
        const d = code[at | 1];
        const s = code[at | 2];
        const blo = R[s];
        R[d] = R[d] >> (blo & 31);
        R[d | 1] = 0;
        break;
      }
      case 57: {
        // neg32
        const d = code[at | 1];
        R[d] = -R[d] | 0;
        R[d | 1] = 0;
        break;
      }
      case 58: {
        // movsx832
        const d = code[at | 1];
        const v = R[code[at | 2]];
        R[d] = (v << 24) >> 24;
        R[d | 1] = 0;
        break;
      }
      case 59: {
        // movsx1632
        const d = code[at | 1];
        const v = R[code[at | 2]];
        R[d] = (v << 16) >> 16;
        R[d | 1] = 0;
        break;
      }
      case 60: {
        // movsx864
        const d = code[at | 1];
        const v = R[code[at | 2]];
        R[d] = (v << 24) >> 24;
        R[d | 1] = R[d] >> 31;
        break;
      }
      case 61: {
        // movsx1664
        const d = code[at | 1];
        const v = R[code[at | 2]];
        R[d] = (v << 16) >> 16;
        R[d | 1] = R[d] >> 31;
        break;
      }
      case 62: {
        // movsx3264
        const d = code[at | 1];
        const v = R[code[at | 2]];
        R[d] = v;
        R[d | 1] = v >> 31;
        break;
      }
      case 63: {
        // le16
        const d = code[at | 1];
        R[d] &= 0xffff;
        R[d | 1] = 0;
        break;
      }
      case 64: {
        // le32
        const d = code[at | 1];
        R[d | 1] = 0;
        break;
      }
      case 65: {
        // le64
        break;
      }
      case 66: {
        // be16
        const d = code[at | 1];
        R[d] = bswap16(R[d]);
        R[d | 1] = 0;
        break;
      }
      case 67: {
        // be32
        const d = code[at | 1];
        R[d] = bswap32(R[d]);
        R[d | 1] = 0;
        break;
      }
      case 68: {
        // be64
        const d = code[at | 1];
        const lo = R[d];
        R[d] = bswap32(R[d | 1]);
        R[d | 1] = bswap32(lo);
        break;
      }
      case 69: {
        // bswap16
        const d = code[at | 1];
        R[d] = bswap16(R[d]);
        R[d | 1] = 0;
        break;
      }
      case 70: {
        // bswap32
        const d = code[at | 1];
        R[d] = bswap32(R[d]);
        R[d | 1] = 0;
        break;
      }
      case 71: {
        // bswap64
        const d = code[at | 1];
        const lo = R[d];
        R[d] = bswap32(R[d | 1]);
        R[d | 1] = bswap32(lo);
        break;
      }
      case 72: {
        // ja
        pc = code[at | 5];
        break;
      }
      case 73: {
        // ja32
        pc = code[at | 5];
        break;
      }
      case 74: {
        // jeq_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (alo === blo && ahi === bhi) pc = code[at | 5];
        break;
      }
      case 75: {
        // jeq_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (alo === blo && ahi === bhi) pc = code[at | 5];
        break;
      }
      case 76: {
        // jgt_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi >>> 0 > bhi >>> 0 : alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 77: {
        // jgt_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi >>> 0 > bhi >>> 0 : alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 78: {
        // jge_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi >>> 0 > bhi >>> 0 : alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 79: {
        // jge_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi >>> 0 > bhi >>> 0 : alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 80: {
        // jset_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if ((alo & blo) !== 0 || (ahi & bhi) !== 0) pc = code[at | 5];
        break;
      }
      case 81: {
        // jset_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if ((alo & blo) !== 0 || (ahi & bhi) !== 0) pc = code[at | 5];
        break;
      }
      case 82: {
        // jne_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (alo !== blo || ahi !== bhi) pc = code[at | 5];
        break;
      }
      case 83: {
        // jne_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (alo !== blo || ahi !== bhi) pc = code[at | 5];
        break;
      }
      case 84: {
        // jsgt_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi > bhi : alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 85: {
        // jsgt_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi > bhi : alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 86: {
        // jsge_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi > bhi : alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 87: {
        // jsge_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi > bhi : alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 88: {
        // jlt_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 89: {
        // jlt_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 90: {
        // jle_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 91: {
        // jle_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 92: {
        // jslt_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi < bhi : alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 93: {
        // jslt_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi < bhi : alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 94: {
        // jsle_imm
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const blo = code[at | 3];
        const bhi = code[at | 4];
        if (ahi !== bhi ? ahi < bhi : alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 95: {
        // jsle_reg
        const d = code[at | 1];
        const alo = R[d];
        const ahi = R[d | 1];
        const s = code[at | 2];
        const blo = R[s];
        const bhi = R[s | 1];
        if (ahi !== bhi ? ahi < bhi : alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 96: {
        // jeq32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo === blo) pc = code[at | 5];
        break;
      }
      case 97: {
        // jeq32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo === blo) pc = code[at | 5];
        break;
      }
      case 98: {
        // jgt32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 99: {
        // jgt32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo >>> 0 > blo >>> 0) pc = code[at | 5];
        break;
      }
      case 100: {
        // jge32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 101: {
        // jge32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo >>> 0 >= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 102: {
        // jset32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if ((alo & blo) !== 0) pc = code[at | 5];
        break;
      }
      case 103: {
        // jset32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if ((alo & blo) !== 0) pc = code[at | 5];
        break;
      }
      case 104: {
        // jne32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo !== blo) pc = code[at | 5];
        break;
      }
      case 105: {
        // jne32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo !== blo) pc = code[at | 5];
        break;
      }
      case 106: {
        // jsgt32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo > blo) pc = code[at | 5];
        break;
      }
      case 107: {
        // jsgt32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo > blo) pc = code[at | 5];
        break;
      }
      case 108: {
        // jsge32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo >= blo) pc = code[at | 5];
        break;
      }
      case 109: {
        // jsge32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo >= blo) pc = code[at | 5];
        break;
      }
      case 110: {
        // jlt32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 111: {
        // jlt32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo >>> 0 < blo >>> 0) pc = code[at | 5];
        break;
      }
      case 112: {
        // jle32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 113: {
        // jle32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo >>> 0 <= blo >>> 0) pc = code[at | 5];
        break;
      }
      case 114: {
        // jslt32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo < blo) pc = code[at | 5];
        break;
      }
      case 115: {
        // jslt32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo < blo) pc = code[at | 5];
        break;
      }
      case 116: {
        // jsle32_imm
        const d = code[at | 1];
        const alo = R[d];
        const blo = code[at | 3];
        if (alo <= blo) pc = code[at | 5];
        break;
      }
      case 117: {
        // jsle32_reg
        const d = code[at | 1];
        const alo = R[d];
        const s = code[at | 2];
        const blo = R[s];
        if (alo <= blo) pc = code[at | 5];
        break;
      }
      case 118: {
        // call
        const r0 = helpers.call(
          code[at | 3] >>> 0,
          cur,
          toBigInt(R[2], R[3]),
          toBigInt(R[4], R[5]),
          toBigInt(R[6], R[7]),
          toBigInt(R[8], R[9]),
          toBigInt(R[10], R[11]),
        );
        storeBigInt(R, 0, r0);
        lLen = 0;
        sLen = 0;
        if (helpers.tailCallPending) {
          if (depth > 0) throw tailCallInFunction(cur);
          st.n = n;
          return TAIL_CALL;
        }
        break;
      }
      case 119: {
        // call_local
        if (depth + 2 > MAX_CALL_DEPTH) {
          throw new VmError(VM_CALL_DEPTH, { depth: depth + 2, max: MAX_CALL_DEPTH }, cur);
        }
        const f = depth * FRAME_WORDS;
        for (let i = 0; i < 10; i++) F[f + i] = R[12 + i];
        F[f + 10] = pc;
        depth++;
        const t = (R[20] >>> 0) - STACK_FRAME_SIZE;
        R[21] = (R[21] - (t < 0 ? 1 : 0)) | 0;
        R[20] = t | 0;
        pc = code[at | 5];
        break;
      }
      case 120: // call_btf
        throw new VmError(VM_UNSUPPORTED, { form: 'call by BTF id' }, cur);
      case 121: {
        // callx
        const d = code[at | 1];
        const id = (R[d] >>> 0) + (R[d | 1] >>> 0) * 4294967296;
        const r0 = helpers.call(
          id,
          cur,
          toBigInt(R[2], R[3]),
          toBigInt(R[4], R[5]),
          toBigInt(R[6], R[7]),
          toBigInt(R[8], R[9]),
          toBigInt(R[10], R[11]),
        );
        storeBigInt(R, 0, r0);
        lLen = 0;
        sLen = 0;
        if (helpers.tailCallPending) {
          if (depth > 0) throw tailCallInFunction(cur);
          st.n = n;
          return TAIL_CALL;
        }
        break;
      }
      case 122: {
        // exit
        if (depth === 0) {
          st.n = n;
          return EXITED;
        }
        depth--;
        const f = depth * FRAME_WORDS;
        for (let i = 0; i < 10; i++) R[12 + i] = F[f + i];
        pc = F[f + 10];
        break;
      }
      case 123: {
        // ldxb
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 1 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 1, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 1, false, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        R[d] = u8[p];
        R[d | 1] = 0;
        break;
      }
      case 124: {
        // ldxh
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 2 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 2, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 2, false, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        R[d] = u8[p] | (u8[p + 1] << 8);
        R[d | 1] = 0;
        break;
      }
      case 125: {
        // ldxw
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 4 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 4, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 4, false, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        R[d] = (p & 3) === 0 && HOST_LE ? I32[p >>> 2] : dv.getInt32(p, true);
        R[d | 1] = 0;
        break;
      }
      case 126: {
        // ldxdw
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 8 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 8, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 8, false, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        if ((p & 3) === 0 && HOST_LE) {
          const w = p >>> 2;
          R[d] = I32[w];
          R[d | 1] = I32[w + 1];
        } else {
          R[d] = dv.getInt32(p, true);
          R[d | 1] = dv.getInt32(p + 4, true);
        }
        break;
      }
      case 127: {
        // ldxsb
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 1 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 1, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 1, true, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        const v = (u8[p] << 24) >> 24;
        R[d] = v;
        R[d | 1] = v >> 31;
        break;
      }
      case 128: {
        // ldxsh
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 2 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 2, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 2, true, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        const v = ((u8[p] | (u8[p + 1] << 8)) << 16) >> 16;
        R[d] = v;
        R[d | 1] = v >> 31;
        break;
      }
      case 129: {
        // ldxsw
        const s = code[at | 2];
        const off = code[at | 5];
        const a = (R[s] >>> 0) + off;
        let p: number;
        if (R[s | 1] === lHi && a >= 0 && a + 4 <= lLen) p = lBase + a;
        else {
          p = translate(T, R[s], R[s | 1], off, 4, RegionFlag.READ);
          if (p < 0) {
            slowLoad(space, R, s, off, 4, true, code[at | 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            lHi = R[s | 1];
            lBase = p - a;
            lLen = T[(lHi << 2) | 1];
          }
        }
        const d = code[at | 1];
        const v = (p & 3) === 0 && HOST_LE ? I32[p >>> 2] : dv.getInt32(p, true);
        R[d] = v;
        R[d | 1] = v >> 31;
        break;
      }
      case 130: {
        // stb
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 1 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 1, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 1, code[at | 3], code[at | 4], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        u8[p] = code[at | 3];
        break;
      }
      case 131: {
        // sth
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 2 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 2, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 2, code[at | 3], code[at | 4], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        const x = code[at | 3];
        u8[p] = x;
        u8[p + 1] = x >> 8;
        break;
      }
      case 132: {
        // stw
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 4 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 4, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 4, code[at | 3], code[at | 4], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        if ((p & 3) === 0 && HOST_LE) I32[p >>> 2] = code[at | 3];
        else dv.setInt32(p, code[at | 3], true);
        break;
      }
      case 133: {
        // stdw
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 8 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 8, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 8, code[at | 3], code[at | 4], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        if ((p & 3) === 0 && HOST_LE) {
          const w = p >>> 2;
          I32[w] = code[at | 3];
          I32[w + 1] = code[at | 4];
        } else {
          dv.setInt32(p, code[at | 3], true);
          dv.setInt32(p + 4, code[at | 4], true);
        }
        break;
      }
      case 134: {
        // stxb
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 1 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 1, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 1, R[code[at | 2]], R[code[at | 2] + 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        const v = code[at | 2];
        u8[p] = R[v];
        break;
      }
      case 135: {
        // stxh
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 2 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 2, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 2, R[code[at | 2]], R[code[at | 2] + 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        const v = code[at | 2];
        const x = R[v];
        u8[p] = x;
        u8[p + 1] = x >> 8;
        break;
      }
      case 136: {
        // stxw
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 4 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 4, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 4, R[code[at | 2]], R[code[at | 2] + 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        const v = code[at | 2];
        if ((p & 3) === 0 && HOST_LE) I32[p >>> 2] = R[v];
        else dv.setInt32(p, R[v], true);
        break;
      }
      case 137: {
        // stxdw
        const d = code[at | 1];
        const off = code[at | 5];
        const a = (R[d] >>> 0) + off;
        let p: number;
        if (R[d | 1] === sHi && a >= 0 && a + 8 <= sLen) p = sBase + a;
        else {
          p = translate(T, R[d], R[d | 1], off, 8, WRITE);
          if (p < 0) {
            slowStore(space, R, d, off, 8, R[code[at | 2]], R[code[at | 2] + 1], cur);
            lLen = 0;
            sLen = 0;
            break;
          }
          if (a >= 0 && a <= 4294967295) {
            sHi = R[d | 1];
            sBase = p - a;
            sLen = T[(sHi << 2) | 1];
          }
        }
        const v = code[at | 2];
        if ((p & 3) === 0 && HOST_LE) {
          const w = p >>> 2;
          I32[w] = R[v];
          I32[w + 1] = R[v | 1];
        } else {
          dv.setInt32(p, R[v], true);
          dv.setInt32(p + 4, R[v | 1], true);
        }
        break;
      }
      case 138: // atomic_add32
      case 139: // atomic_or32
      case 140: // atomic_and32
      case 141: // atomic_xor32
      case 142: // atomic_fetch_add32
      case 143: // atomic_fetch_or32
      case 144: // atomic_fetch_and32
      case 145: // atomic_fetch_xor32
      case 146: // atomic_xchg32
      case 147: // atomic_cmpxchg32
        atomic32(space, dv, T, R, op - 138, code[at | 1], code[at | 2], code[at | 5], cur);
        break;
      case 148: // atomic_add64
      case 149: // atomic_or64
      case 150: // atomic_and64
      case 151: // atomic_xor64
      case 152: // atomic_fetch_add64
      case 153: // atomic_fetch_or64
      case 154: // atomic_fetch_and64
      case 155: // atomic_fetch_xor64
      case 156: // atomic_xchg64
      case 157: // atomic_cmpxchg64
        atomic64(space, dv, T, R, op - 148, code[at | 1], code[at | 2], code[at | 5], cur);
        break;
      case 158: {
        // lddw
        const d = code[at | 1];
        R[d] = code[at | 3];
        R[d | 1] = code[at | 4];
        pc++;
        break;
      }
      case 159: // lddw_map_fd, lddw_map_value_fd, lddw_var_addr, lddw_code_addr, lddw_map_idx, lddw_map_value_idx
        throw new VmError(VM_UNRESOLVED_LDDW, { src: code[at | 6] }, cur);
      case 160: // ldabsb
      case 161: // ldabsh
      case 162: // ldabsw
      case 163: // ldindb
      case 164: // ldindh
      case 165: {
        // ldindw
        const size = code[at | 6];
        const off = op < 163 ? code[at | 3] : (R[code[at | 2]] + code[at | 3]) | 0;
        const e = REGION_INPUT * 4;
        if (off < 0 || off + size > T[e | 1]) {
          // The kernel ends the program with r0 = 0 when a packet load is out of bounds.
          st.n = n;
          return PACKET_ABORT;
        }
        const p = T[e] + off;
        R[0] = size === 1 ? u8[p] : size === 2 ? dv.getUint16(p, false) : dv.getInt32(p, false);
        R[1] = 0;
        break;
      }
      case 166: // an opcode byte or form no row of the ISA table describes
        throw new VmError(VM_UNKNOWN_OPCODE, { opcode: code[at | 7] }, cur);
      case 167: // an operand register beyond r10
        throw new VmError(VM_BAD_REGISTER, { register: code[at | 6] }, cur);
      case 168: // the second slot of an lddw, reached by a jump
        throw new VmError(VM_BAD_JUMP, { target: cur, reason: 'lddw-tail' }, cur);
      case 169: // one slot past the end of the program
        throw new VmError(VM_BAD_JUMP, { target: cur, reason: 'fell-off' }, cur);
      case 170: // a jump or local call whose target lies outside the program
        throw new VmError(VM_BAD_JUMP, { target: code[at | 5], reason: 'outside' }, cur);
      case 171: {
        // mov64_reg then add64_reg (fused)
        {
          const d = code[at | 1];
          const s = code[at | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          R[d] = blo;
          R[d | 1] = bhi;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        break;
      }
      case 172: {
        // mov64_reg then add64_imm (fused)
        {
          const d = code[at | 1];
          const s = code[at | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          R[d] = blo;
          R[d | 1] = bhi;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        break;
      }
      case 173: {
        // mov64_reg then lsh64_imm (fused)
        {
          const d = code[at | 1];
          const s = code[at | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          R[d] = blo;
          R[d | 1] = bhi;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const blo = code[nt | 3];
          lsh64(R, d, blo);
        }
        break;
      }
      case 174: {
        // mov64_reg then rsh64_imm (fused)
        {
          const d = code[at | 1];
          const s = code[at | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          R[d] = blo;
          R[d | 1] = bhi;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const blo = code[nt | 3];
          rsh64(R, d, blo);
        }
        break;
      }
      case 175: {
        // lsh64_imm then or64_reg (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          lsh64(R, d, blo);
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          R[d] |= blo;
          R[d | 1] |= bhi;
        }
        break;
      }
      case 176: {
        // add64_imm then jlt_reg (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          const bhi = code[at | 4];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0) pc = code[nt | 5];
        }
        break;
      }
      case 177: {
        // add64_reg then jlt_reg (fused)
        {
          const d = code[at | 1];
          const s = code[at | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0) pc = code[nt | 5];
        }
        break;
      }
      case 178: {
        // add64_imm then jlt_imm (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          const bhi = code[at | 4];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          if (ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0) pc = code[nt | 5];
        }
        break;
      }
      case 179: {
        // add64_imm then jne_reg (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          const bhi = code[at | 4];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          if (alo !== blo || ahi !== bhi) pc = code[nt | 5];
        }
        break;
      }
      case 180: {
        // add64_imm then jne_imm (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          const bhi = code[at | 4];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          if (alo !== blo || ahi !== bhi) pc = code[nt | 5];
        }
        break;
      }
      case 181: {
        // sub64_imm then jne_imm (fused)
        {
          const d = code[at | 1];
          const blo = code[at | 3];
          const bhi = code[at | 4];
          const alo = R[d];
          R[d | 1] = (R[d | 1] - bhi - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
          R[d] = (alo - blo) | 0;
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          if (alo !== blo || ahi !== bhi) pc = code[nt | 5];
        }
        break;
      }
      case 182: {
        // ldxb then add64_reg (fused)
        {
          const s = code[at | 2];
          const off = code[at | 5];
          const a = (R[s] >>> 0) + off;
          let p: number;
          if (R[s | 1] === lHi && a >= 0 && a + 1 <= lLen) p = lBase + a;
          else {
            p = translate(T, R[s], R[s | 1], off, 1, RegionFlag.READ);
            if (p < 0) {
              slowLoad(space, R, s, off, 1, false, code[at | 1], cur);
              lLen = 0;
              sLen = 0;
            } else if (a >= 0 && a <= 4294967295) {
              lHi = R[s | 1];
              lBase = p - a;
              lLen = T[(lHi << 2) | 1];
            }
          }
          if (p >= 0) {
            const d = code[at | 1];
            R[d] = u8[p];
            R[d | 1] = 0;
          }
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        break;
      }
      case 183: {
        // ldxw then add64_reg (fused)
        {
          const s = code[at | 2];
          const off = code[at | 5];
          const a = (R[s] >>> 0) + off;
          let p: number;
          if (R[s | 1] === lHi && a >= 0 && a + 4 <= lLen) p = lBase + a;
          else {
            p = translate(T, R[s], R[s | 1], off, 4, RegionFlag.READ);
            if (p < 0) {
              slowLoad(space, R, s, off, 4, false, code[at | 1], cur);
              lLen = 0;
              sLen = 0;
            } else if (a >= 0 && a <= 4294967295) {
              lHi = R[s | 1];
              lBase = p - a;
              lLen = T[(lHi << 2) | 1];
            }
          }
          if (p >= 0) {
            const d = code[at | 1];
            R[d] = (p & 3) === 0 && HOST_LE ? I32[p >>> 2] : dv.getInt32(p, true);
            R[d | 1] = 0;
          }
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        break;
      }
      case 184: {
        // ldxdw then add64_reg (fused)
        {
          const s = code[at | 2];
          const off = code[at | 5];
          const a = (R[s] >>> 0) + off;
          let p: number;
          if (R[s | 1] === lHi && a >= 0 && a + 8 <= lLen) p = lBase + a;
          else {
            p = translate(T, R[s], R[s | 1], off, 8, RegionFlag.READ);
            if (p < 0) {
              slowLoad(space, R, s, off, 8, false, code[at | 1], cur);
              lLen = 0;
              sLen = 0;
            } else if (a >= 0 && a <= 4294967295) {
              lHi = R[s | 1];
              lBase = p - a;
              lLen = T[(lHi << 2) | 1];
            }
          }
          if (p >= 0) {
            const d = code[at | 1];
            if ((p & 3) === 0 && HOST_LE) {
              const w = p >>> 2;
              R[d] = I32[w];
              R[d | 1] = I32[w + 1];
            } else {
              R[d] = dv.getInt32(p, true);
              R[d | 1] = dv.getInt32(p + 4, true);
            }
          }
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const s = code[nt | 2];
          const blo = R[s];
          const bhi = R[s | 1];
          const alo = R[d];
          const lo = (alo + blo) | 0;
          R[d | 1] = (R[d | 1] + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
          R[d] = lo;
        }
        break;
      }
      case 185: {
        // ldxb then jeq_imm (fused)
        {
          const s = code[at | 2];
          const off = code[at | 5];
          const a = (R[s] >>> 0) + off;
          let p: number;
          if (R[s | 1] === lHi && a >= 0 && a + 1 <= lLen) p = lBase + a;
          else {
            p = translate(T, R[s], R[s | 1], off, 1, RegionFlag.READ);
            if (p < 0) {
              slowLoad(space, R, s, off, 1, false, code[at | 1], cur);
              lLen = 0;
              sLen = 0;
            } else if (a >= 0 && a <= 4294967295) {
              lHi = R[s | 1];
              lBase = p - a;
              lLen = T[(lHi << 2) | 1];
            }
          }
          if (p >= 0) {
            const d = code[at | 1];
            R[d] = u8[p];
            R[d | 1] = 0;
          }
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          if (alo === blo && ahi === bhi) pc = code[nt | 5];
        }
        break;
      }
      case 186: {
        // ldxb then jne_imm (fused)
        {
          const s = code[at | 2];
          const off = code[at | 5];
          const a = (R[s] >>> 0) + off;
          let p: number;
          if (R[s | 1] === lHi && a >= 0 && a + 1 <= lLen) p = lBase + a;
          else {
            p = translate(T, R[s], R[s | 1], off, 1, RegionFlag.READ);
            if (p < 0) {
              slowLoad(space, R, s, off, 1, false, code[at | 1], cur);
              lLen = 0;
              sLen = 0;
            } else if (a >= 0 && a <= 4294967295) {
              lHi = R[s | 1];
              lBase = p - a;
              lLen = T[(lHi << 2) | 1];
            }
          }
          if (p >= 0) {
            const d = code[at | 1];
            R[d] = u8[p];
            R[d | 1] = 0;
          }
        }
        if (n >= stop) break;
        n = (n + 1) | 0;
        pc = (pc + 1) | 0;
        {
          const nt = at + 8;
          const d = code[nt | 1];
          const alo = R[d];
          const ahi = R[d | 1];
          const blo = code[nt | 3];
          const bhi = code[nt | 4];
          if (alo !== blo || ahi !== bhi) pc = code[nt | 5];
        }
        break;
      }
      default:
        throw new VmError(VM_UNKNOWN_OPCODE, { opcode: code[at | 7] }, cur);
    }
  }
}
