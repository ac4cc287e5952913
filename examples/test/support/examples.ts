/**
 * The six example objects, read from disk exactly as clang wrote them.
 */
import { readFileSync } from 'node:fs';

/** Each example: its folder and the base name of its C source and object. */
export const EXAMPLES = {
  xdpFirewall: 'xdp-firewall/xdp_firewall',
  percpuCounter: 'percpu-counter/percpu_counter',
  tcRewrite: 'tc-rewrite/tc_rewrite',
  ringbufEvents: 'ringbuf-events/ringbuf_events',
  tailCallDispatch: 'tail-call-dispatch/tail_call_dispatch',
  callsAndGlobals: 'calls-and-globals/calls_globals',
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** The committed object file of an example, byte for byte. */
export function readExampleObject(name: ExampleName): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../${EXAMPLES[name]}.o`, import.meta.url)));
}
