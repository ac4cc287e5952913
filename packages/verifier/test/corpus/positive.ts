/**
 * Safe but tricky programs `strict` must accept: checked packet accesses, null-checked map
 * values, spills and fills, bounded loops, local calls, helpers with memory arguments.
 */
import type { HostDeclaration, StrictOptions } from '../../src/index.js';
import {
  CTX,
  CTX_CALLX,
  CTX_RODATA,
  CTX_RW,
  MBUFF,
  MEM,
  RINGBUF,
  XDP,
  XDP_PACKET,
} from './hosts.js';

export interface PositiveCase {
  readonly name: string;
  readonly src: string;
  readonly host: HostDeclaration;
  readonly options?: StrictOptions;
}

const LOOKUP = 'lddw_map_fd r1, 1; stw [r10-4], 0; mov r2, r10; add r2, -4; call 1';
/** bpf_loop(4, the function at slot 10, fp-8, 0), then r0 = the u64 at fp-8; the callback follows. */
const LOOP =
  'stdw [r10-8], 0; mov r1, 4; lddw_code_addr r2, 7; mov r3, r10; add r3, -8; mov r4, 0; call 181; ldxdw r0, [r10-8]; exit';
const CHECK14 = 'ldxw r2, [r1+0]; ldxw r3, [r1+4]; mov r4, r2; add r4, 14';

/**
 * What clang emits for `for (i = 1; i <= n; i++) { sum += p[i]; if (p + i + 2 > end) break; }`:
 * the pointer is re-derived from the incremented index, so only iterations kept apart show
 * that the check of one iteration covers the access of the next.
 */
export const CLANG_NEXT_BYTE_LOOP = [
  'ldxdw r2, [r1+8]; ldxdw r1, [r1+0]; mov r0, 0; mov r3, r1; add r3, 1; jgt r3, r2, done',
  'ldxb r3, [r1+0]; and r3, 15; jeq r3, 0, done; mov r5, r1; add r5, 2; jgt r5, r2, done',
  'mov r4, 1; l:; mov r5, r1; add r5, r4; ldxb r6, [r5+0]; add r0, r6; jge r4, r3, done',
  'add r4, 1; add r5, 2; jgt r5, r2, done; ja l; done:; exit',
].join('; ');

/** bpf_ringbuf_reserve(map 4, 16, 0): the call is at 4, r0 = 16 bytes or null. */
const RESERVE = 'lddw_map_fd r1, 4; mov r2, 16; mov r3, 0; call 131';
/** See the negative corpus: a variable-length header on one path, 14 bytes on the other. */
const JOINED = (check: string, access: string) =>
  [
    'ldxw r2, [r1+0]; ldxw r3, [r1+4]; mov r4, r2; add r4, 20; jgt r4, r3, out',
    'ldxb r5, [r2+0]; jeq r5, 0, v6; and r5, 15; lsh r5, 2; mov r6, r2; add r6, r5; ja join',
    `v6:; mov r6, r2; add r6, 14; join:; ${check}; ${access}; exit; out:; mov r0, 0; exit`,
  ].join('; ');

const cases: PositiveCase[] = [
  {
    name: 'packet: variable and constant header lengths meet, one check covers both',
    src: JOINED('mov r7, r6; add r7, 4; jgt r7, r3, out', 'ldxh r0, [r6+2]'),
    host: XDP,
  },
  {
    name: 'packet: joined pointers checked with jle, the access in the taken branch',
    src: JOINED('mov r7, r6; add r7, 8; jle r7, r3, ok; mov r0, 0; exit; ok:', 'ldxdw r0, [r6+0]'),
    host: XDP,
  },
  {
    name: 'packet: each path checked before the paths meet',
    src: [
      'ldxw r2, [r1+0]; ldxw r3, [r1+4]; mov r4, r2; add r4, 20; jgt r4, r3, out',
      'ldxb r5, [r2+0]; and r5, 15; lsh r5, 2; mov r6, r2; add r6, r5; jeq r5, 0, v6',
      'mov r7, r6; add r7, 4; jgt r7, r3, out; ja join; v6:; mov r6, r2; add r6, 14',
      'mov r7, r6; add r7, 6; jgt r7, r3, out; join:; ldxw r0, [r6+0]; exit; out:; mov r0, 0; exit',
    ].join('; '),
    host: XDP,
  },
  {
    name: 'ringbuf: reserve, fill, submit',
    src: `${RESERVE}; jeq r0, 0, out; stdw [r0+8], 1; stdw [r0+0], 2; mov r1, r0; mov r2, 0; call 132; out:; mov r0, 0; exit`,
    host: RINGBUF,
  },
  {
    name: 'ringbuf: submit on one path, discard on the other, record spilled across a call',
    src: `${RESERVE}; jne r0, 0, +2; mov r0, 0; exit; stxdw [r10-8], r0; call 5; ldxdw r1, [r10-8]; stw [r1+12], 3; jeq r0, 0, d; mov r2, 0; call 132; ja out; d:; mov r2, 0; call 133; out:; mov r0, 2; exit`.replace(
      'call 5',
      'mov r1, 9; call 5',
    ),
    host: RINGBUF,
  },
  { name: 'return a constant', src: 'mov r0, 2; exit', host: CTX },
  {
    name: 'exit that is not the last instruction',
    src: 'ldxw r2, [r1+0]; jeq r2, 0, +2; mov r0, 1; exit; mov r0, 0; ja -3',
    host: CTX,
  },
  { name: 'context read at its last word', src: 'ldxw r0, [r1+12]; exit', host: CTX },
  {
    name: 'packet: check with jgt, read the header',
    src: `${CHECK14}; jgt r4, r3, +2; ldxh r0, [r2+12]; exit; mov r0, 1; exit`,
    host: XDP,
  },
  {
    name: 'packet: check with end < pointer',
    src: `${CHECK14}; jlt r3, r4, +2; ldxb r0, [r2+13]; exit; mov r0, 1; exit`,
    host: XDP,
  },
  {
    name: 'packet: check with jle, access in the taken branch',
    src: `${CHECK14}; jle r4, r3, +2; mov r0, 1; exit; ldxw r0, [r2+10]; exit`,
    host: XDP,
  },
  {
    name: 'packet: check with end >= pointer',
    src: `${CHECK14}; jge r3, r4, +2; mov r0, 1; exit; ldxdw r0, [r2+6]; exit`,
    host: XDP,
  },
  {
    name: 'packet: bounded variable offset inside the check',
    src: 'ldxw r2, [r1+0]; ldxw r3, [r1+4]; mov r4, r2; add r4, 64; jgt r4, r3, +5; ldxb r5, [r2+0]; and r5, 31; add r2, r5; ldxb r0, [r2+0]; exit; mov r0, 1; exit',
    host: XDP,
  },
  {
    name: 'packet: second header checked from an advanced pointer',
    src: `${CHECK14}; jgt r4, r3, +6; mov r5, r4; add r5, 20; jgt r5, r3, +3; ldxb r0, [r4+19]; ldxb r6, [r2+0]; exit; mov r0, 1; exit`,
    host: XDP,
  },
  {
    name: 'packet: write inside the check',
    src: `${CHECK14}; jgt r4, r3, +3; stb [r2+0], 1; mov r0, 2; exit; mov r0, 1; exit`,
    host: XDP,
  },
  {
    name: 'packet: length from end minus data',
    src: 'ldxw r2, [r1+0]; ldxw r3, [r1+4]; mov r0, r3; sub r0, r2; exit',
    host: XDP,
  },
  {
    name: 'packet: 64-bit pointer fields (the VM fixed-mbuff layout)',
    src: 'ldxdw r2, [r1+0]; ldxdw r3, [r1+8]; mov r4, r2; add r4, 4; jgt r4, r3, +2; ldxw r0, [r2+0]; exit; mov r0, 0; exit',
    host: MBUFF,
  },
  {
    name: 'packet: clang loop that checks data + i + 1 <= end before each byte',
    src: 'mov32 r0, 0; mov r2, 0; ldxdw r3, [r1+8]; ldxdw r1, [r1+0]; l:; mov r4, r1; add r4, r2; mov r5, r4; add r5, 1; jgt r5, r3, +4; ldxb r4, [r4+0]; add32 r0, r4; add r2, 1; jne r2, 64, l; exit',
    host: MBUFF,
  },
  {
    name: 'packet: clang loop that checks the next byte before going round (needs unrolling)',
    src: CLANG_NEXT_BYTE_LOOP,
    host: MBUFF,
  },
  {
    name: 'map: lookup, null check, read',
    src: `${LOOKUP}; jeq r0, 0, +2; ldxdw r0, [r0+8]; exit; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'map: null check with jne',
    src: `${LOOKUP}; jne r0, 0, +2; mov r0, 0; exit; ldxw r0, [r0+12]; exit`,
    host: CTX,
  },
  {
    name: 'map: null check on a copy covers the original',
    src: `${LOOKUP}; mov r6, r0; jeq r6, 0, +2; ldxw r0, [r0+0]; exit; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'map: null check of a spilled copy',
    src: `${LOOKUP}; stxdw [r10-16], r0; jeq r0, 0, +3; ldxdw r1, [r10-16]; ldxb r0, [r1+0]; exit; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'map: update with key and value on the stack',
    src: 'lddw_map_fd r1, 1; stw [r10-4], 7; stdw [r10-24], 0; stdw [r10-16], 1; mov r2, r10; add r2, -4; mov r3, r10; add r3, -24; mov r4, 0; call 2; exit',
    host: CTX,
  },
  {
    name: 'map: atomic increment of a value',
    src: `${LOOKUP}; jeq r0, 0, +3; mov r1, 1; lock add [r0+8], r1; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'map: value by lddw with an offset',
    src: 'lddw_map_value_fd r2, 0x800000001; ldxdw r0, [r2+0]; exit',
    host: CTX,
  },
  {
    name: 'read-only map value: loads, and stores into a writable map beside it',
    src: 'lddw_map_value_idx r2, 0x400000003; ldxw r0, [r2+0]; lddw_map_value_idx r3, 1; stxw [r3+0], r0; exit',
    host: CTX_RODATA,
  },
  {
    name: "callback: bpf_loop calls a function that adds to the caller's stack through r2",
    src: `${LOOP}; ldxdw r3, [r2+0]; add r3, r1; stxdw [r2+0], r3; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'callback: a callback that calls a subprogram',
    src: `${LOOP}; mov r6, r2; call_local 3; stxdw [r6+0], r0; mov r0, 1; exit; mov r0, 2; exit`,
    host: CTX,
  },
  {
    name: 'packet length as 32-bit data_end - data (what clang writes for xdp_md)',
    src: 'ldxw r2, [r1+0]; ldxw r3, [r1+4]; sub32 r3, r2; mov r0, r3; exit',
    host: XDP,
  },
  {
    name: 'map: key in a map value',
    src: `${LOOKUP}; jeq r0, 0, +5; mov r2, r0; lddw_map_fd r1, 1; call 1; mov r0, 0; exit`,
    host: CTX,
  },
  {
    name: 'spill and fill the context pointer',
    src: 'stxdw [r10-8], r1; mov r1, 0; ldxdw r2, [r10-8]; ldxw r0, [r2+4]; exit',
    host: CTX,
  },
  {
    name: 'spill a bounded number, fill it, index the stack',
    src: 'ldxb r2, [r1+0]; and r2, 7; stxdw [r10-8], r2; stdw [r10-16], 0; ldxdw r3, [r10-8]; mov r4, r10; add r4, -16; add r4, r3; ldxb r0, [r4+0]; exit',
    host: CTX,
  },
  {
    name: 'stack lookup table with a computed index (stack.data)',
    src: 'mov r1, 51; stdw [r10-16], 0xab; stdw [r10-8], 0xcd; and r1, 1; lsh r1, 3; mov r2, r10; add r2, r1; ldxdw r0, [r2-16]; exit',
    host: CTX,
  },
  {
    name: 'byte-wise stack writes then a word read',
    src: 'stb [r10-4], 1; stb [r10-3], 2; stb [r10-2], 3; stb [r10-1], 4; ldxw r0, [r10-4]; exit',
    host: CTX,
  },
  {
    name: 'loop: count up with jlt',
    src: 'mov r0, 0; mov r1, 0; l:; add r0, r1; add r1, 1; jlt r1, 10, l; exit',
    host: CTX,
  },
  {
    name: 'loop: count down to zero with jne',
    src: 'mov r0, 0; mov r1, 10; l:; add r0, 2; sub r1, 1; jne r1, 0, l; exit',
    host: CTX,
  },
  {
    name: 'loop: signed counter with jsgt',
    src: 'mov r0, 0; mov r1, -5; l:; add r1, 1; jsgt r1, 5, +1; ja l; mov r0, r1; exit',
    host: CTX,
  },
  {
    name: 'loop: 32-bit counter',
    src: 'mov32 r1, 0; l:; add32 r1, 2; jlt32 r1, 100, l; mov r0, r1; exit',
    host: CTX,
  },
  {
    name: 'loop: sum the input bytes',
    src: 'mov r0, 0; mov r2, 0; l:; mov r3, r1; add r3, r2; ldxb r4, [r3+0]; add r0, r4; add r2, 1; jlt r2, 16, l; exit',
    host: MEM,
  },
  {
    name: 'loop: fill a stack buffer',
    src: 'mov r2, 0; l:; mov r3, r10; add r3, -64; add r3, r2; stb [r3+0], 0; add r2, 1; jlt r2, 64, l; mov r0, 0; exit',
    host: CTX,
  },
  {
    name: 'loop: early break',
    src: 'mov r2, 0; l:; ldxb r3, [r1+0]; jeq r3, 7, +4; add r2, 1; jlt r2, 16, l; mov r0, 0; exit; mov r0, 1; exit',
    host: CTX,
  },
  {
    name: 'loop: nested',
    src: 'mov r0, 0; mov r1, 0; o:; mov r2, 0; i:; add r0, 1; add r2, 1; jlt r2, 4, i; add r1, 1; jlt r1, 4, o; exit',
    host: CTX,
  },
  {
    name: 'loop: bounded by the budget',
    src: 'mov r0, 0; l:; ldxw r2, [r1+0]; add r0, 1; jne r2, 0, l; exit',
    host: { ...CTX, budget: 10_000 },
    options: { boundedBy: 'budget' },
  },
  {
    name: 'loop: prime test (prime.data)',
    src: 'mov r1, 67; mov r0, 0x1; mov r2, 0x2; jgt r1, 0x2, +4; ja +10; add r2, 0x1; mov r0, 0x1; jge r2, r1, +7; mov r3, r1; div r3, r2; mul r3, r2; mov r4, r1; sub r4, r3; mov r0, 0x0; jne r4, 0x0, -10; exit',
    host: CTX,
  },
  {
    name: 'local call with a pointer to the caller stack',
    src: 'stdw [r10-8], 5; mov r1, r10; add r1, -8; call local f; ldxdw r0, [r10-8]; exit; f:; stdw [r1+0], 9; mov r0, 0; exit',
    host: CTX,
  },
  {
    name: 'local call keeps r6-r9',
    src: 'mov r6, 6; mov r1, 1; call local f; add r0, r6; exit; f:; mov r6, 0; mov r0, r1; exit',
    host: CTX,
  },
  {
    name: 'two levels of local calls',
    src: 'mov r1, 1; call local f; exit; f:; add r1, 1; call local g; exit; g:; mov r0, 3; exit',
    host: CTX,
  },
  {
    name: 'caller and callee stacks within 512 bytes',
    src: 'stdw [r10-200], 0; call local f; mov r0, 0; exit; f:; stdw [r10-200], 0; mov r0, 0; exit',
    host: CTX,
  },
  {
    name: 'helper reading stack memory with a bounded size',
    src: 'stdw [r10-16], 0; stdw [r10-8], 0; ldxb r2, [r1+0]; and r2, 15; mov r1, r10; add r1, -16; call 6; exit',
    host: CTX,
  },
  {
    name: 'helper with a constant size',
    src: 'stdw [r10-8], 0; mov r1, r10; add r1, -8; mov r2, 8; call 8; exit',
    host: CTX,
  },
  { name: 'helper taking the context', src: 'call 7; exit', host: CTX },
  {
    name: 'helper memory or null given null',
    src: 'mov r1, 0; mov r2, 0; call 11; exit',
    host: CTX,
  },
  {
    name: 'helper memory checked for null',
    src: 'mov r1, 0; call 9; jeq r0, 0, +2; ldxdw r0, [r0+24]; exit; mov r0, 0; exit',
    host: CTX,
  },
  { name: 'callx to a known helper', src: 'mov r1, 3; mov r2, 5; callx r2; exit', host: CTX_CALLX },
  {
    name: 'atomics on the stack',
    src: 'stdw [r10-8], 0; mov r1, 1; lock fetch add [r10-8], r1; mov r0, 0; lock cmpxchg [r10-8], r1; mov r0, r1; exit',
    host: CTX,
  },
  {
    name: 'sign-extending loads',
    src: 'ldxsb r2, [r1+0]; ldxsh r3, [r1+2]; ldxsw r0, [r1+4]; add r0, r2; add r0, r3; exit',
    host: CTX,
  },
  {
    name: 'store a number into a writable context',
    src: 'stw [r1+8], 1; mov r2, 5; stxdw [r1+0], r2; mov r0, 0; exit',
    host: { ...CTX_RW, context: { size: 16, writable: true } },
    options: {},
  },
  {
    name: 'division by an immediate zero (RFC 9669)',
    src: 'mov r0, 7; div r0, 0; mod32 r0, 0; exit',
    host: CTX,
  },
  {
    name: 'a branch that constants rule out',
    src: 'mov r2, 1; jeq r2, 1, +2; ldxdw r0, [r10-8]; exit; mov r0, 0; exit',
    host: CTX,
  },
  {
    name: 'mixed value overwritten before use',
    src: 'ldxw r2, [r1+8]; mov r3, 1; jeq r2, 0, +1; mov r3, r10; mov r3, 4; mov r0, r3; exit',
    host: CTX,
  },
  {
    name: 'legacy packet load with the context in r6',
    src: 'mov r6, r1; ldabsh 12; mov r1, 2; ldindb r1, 0; exit',
    host: XDP_PACKET,
  },
  {
    name: 'input memory at a joined offset (subnet.data)',
    src: 'mov r2, 0xe; ldxh r3, [r1+12]; jne r3, 0x81, +3; mov r2, 0x12; ldxh r3, [r1+6]; and r3, 0xffff; jne r3, 0x8, +5; add r1, r2; mov r0, 0x1; ldxb r1, [r1-4]; and r1, 0xffffff; jeq r1, 0x1a8c0, +1; mov r0, 0x0; exit',
    host: MEM,
  },
];

export const POSITIVE_CASES: readonly PositiveCase[] = cases;
