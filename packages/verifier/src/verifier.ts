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
}

/** A map the host provides, as `lddw` map forms name it (by fd or index). */
export interface MapDeclaration {
  readonly name?: string;
  readonly keySize: number;
  readonly valueSize: number;
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
