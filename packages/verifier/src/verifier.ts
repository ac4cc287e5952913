/**
 * The verifier contract. A verifier is a value the VM takes (`setVerifier`, or the `verifier`
 * constructor option): given the program and what the host declares, it accepts the program or
 * returns every problem it found. Users can write their own, wrap ours, or turn verification off
 * explicitly with {@link noVerifier}.
 */
import type { ConformanceGroup, CpuVersion, DecodedInsn } from '@ebpf/isa';

/** The kind of value a helper argument must be (for the strict verifier). */
export type HelperArgKind =
  | 'anything'
  | 'scalar'
  | 'ctx'
  | 'map'
  | 'map_key'
  | 'map_value'
  | 'mem'
  | 'mem_or_null'
  | 'mem_size'
  | 'const_size';

/** What a helper returns (for the strict verifier). */
export type HelperRetKind = 'scalar' | 'void' | 'map_value_or_null' | 'mem_or_null';

/** A helper's prototype, as the host declares it. */
export interface HelperPrototype {
  readonly name?: string;
  readonly args: readonly HelperArgKind[];
  readonly ret: HelperRetKind;
  /** For `ret: 'mem_or_null'`: bytes the returned memory holds. */
  readonly retSize?: number;
  /**
   * For `ret: 'mem_or_null'`: the index in `args` of a `'const_size'` argument giving the bytes
   * the returned memory holds (the kernel's `ret_size_arg`; overrides `retSize`).
   *
   * @example
   * // bpf_ringbuf_reserve(ringbuf, size, flags) returns size bytes or null
   * { args: ['map', 'const_size', 'anything'], ret: 'mem_or_null', retSizeArg: 1, acquires: true }
   */
  readonly retSizeArg?: number;
  /**
   * The returned pointer is a reference (the kernel's acquire): unless it is null, it must be
   * passed to a helper that `releases` it on every path before `exit`.
   */
  readonly acquires?: boolean;
  /**
   * The index in `args` of a reference this helper releases (the kernel's `OBJ_RELEASE`:
   * `bpf_ringbuf_submit`/`discard` take 0): it must be a held reference at offset 0, and every
   * copy of it is unusable afterwards.
   */
  readonly releases?: number;
  /**
   * For helpers that call a function of the program (`bpf_loop` and the like): the argument
   * holding it (a code address from `lddw` src 4) and what the callback receives. `strict`
   * verifies the callback as a call made any number of times, zero included, from the helper
   * call; the helper then returns as `ret` says.
   *
   * @example
   * // bpf_loop(nr_loops, callback_fn, callback_ctx, flags): callback_fn(u32 index, void *ctx)
   * { name: 'bpf_loop', args: ['scalar', 'anything', 'anything', 'scalar'], ret: 'scalar',
   *   callback: { arg: 1, params: ['scalar', { arg: 2 }] } }
   */
  readonly callback?: HelperCallback;
}

/** The callback of a helper that calls back into the program (see `HelperPrototype.callback`). */
export interface HelperCallback {
  /** Index (0-based) in `args` of the argument holding the callback. */
  readonly arg: number;
  /**
   * What the callback gets in r1, r2, ...: `'scalar'` (a number, such as a loop index) or the
   * value of an argument of the helper call (`{ arg: 2 }`: what the call had in r3).
   */
  readonly params: readonly ('scalar' | { readonly arg: number })[];
}

/** A map the host provides, as `lddw` map forms name it (by fd or index). */
export interface MapDeclaration {
  readonly name?: string;
  readonly keySize: number;
  readonly valueSize: number;
  /**
   * Programs may only read its values (`BPF_F_RDONLY_PROG`, as libbpf creates `.rodata`): a
   * store or atomic into a value is refused, as the kernel refuses "write into map forbidden".
   */
  readonly readOnly?: boolean;
}

/** What the host declares about the environment a program will run in. */
export interface HostDeclaration {
  /** Newest CPU version allowed (default v4). */
  readonly cpu?: CpuVersion;
  /** Enabled conformance groups (default: base64, atomic64, divmul64; included groups implied). */
  readonly groups?: readonly ConformanceGroup[];
  /**
   * Registered helpers by id. When given, a call to any other id is refused; when absent, helper
   * ids are not checked.
   */
  readonly helpers?: ReadonlyMap<number, HelperPrototype | undefined>;
  /** The context r1 points to on entry, when there is one. */
  readonly context?: {
    /** Bytes the context (or the input memory) holds. */
    readonly size: number;
    /**
     * When true, r1 points to plain input memory of `size` bytes (readable and writable) and r2
     * holds `size`: the bpf_conformance convention (`-- mem`), rather than a kernel-style context.
     */
    readonly input?: boolean;
    /** Byte offsets of fields that hold packet pointers (data, data_end), as the VM fills them. */
    readonly packetData?: number;
    readonly packetEnd?: number;
    /**
     * Bytes of each packet-pointer field: 8 (default; the VM stores whole 64-bit addresses) or 4
     * (Linux's `xdp_md`, whose 32-bit fields the kernel rewrites). Only loads of exactly this
     * size give a packet pointer, and the fields cannot be written.
     */
    readonly packetFieldSize?: 4 | 8;
    readonly writable?: boolean;
  };
  /** Maps by the number `lddw` uses (fd or index). When given, other numbers are refused. */
  readonly maps?: ReadonlyMap<number, MapDeclaration>;
  /** The instruction budget the host enforces, if any (lets `strict` accept budget-bounded loops). */
  readonly budget?: number;
  /** Deepest chain of local calls (default MAX_CALL_DEPTH). */
  readonly maxCallDepth?: number;
}

/** One thing a verifier found wrong. */
export interface VerifyProblem {
  /** Stable code from the verifier range (5000-5999). */
  readonly code: number;
  readonly codeName: string;
  /** Instruction index (in slots), when the problem is about one instruction. */
  readonly pc: number | undefined;
  /** The instruction's text (from the disassembler), when there is one. */
  readonly text: string | undefined;
  /** A plain explanation. */
  readonly message: string;
  /** For dataflow verifiers: the register state that led to the problem, one line per register. */
  readonly state?: readonly string[];
}

/** A verifier's verdict: accepted when `ok`, else every problem found (in program order). */
export interface VerifyResult {
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
}

/** What a verifier is given. */
export interface VerifierInput {
  readonly bytes: Uint8Array;
  readonly host: HostDeclaration;
}

/** A verifier: a name and a function. */
export interface Verifier {
  readonly name: string;
  verify(input: VerifierInput): VerifyResult;
}

/** Accepts every program: verification turned off, explicitly. */
export const noVerifier: Verifier = Object.freeze({
  name: 'none',
  verify: () => ({ ok: true, problems: [] }),
});

/** Instructions of a program a verifier has decoded, for tools that show them. */
export type VerifiedInsns = readonly DecodedInsn[];
