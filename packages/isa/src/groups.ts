/**
 * Conformance groups (RFC 9669, section 2.4, and the IANA "BPF Instruction Conformance Groups"
 * registry) and CPU versions (LLVM's `-mcpu=v1..v4`, which the kernel and bpf_conformance use to
 * name instruction-set generations).
 */

export const CONFORMANCE_GROUPS = Object.freeze([
  'base32',
  'base64',
  'atomic32',
  'atomic64',
  'divmul32',
  'divmul64',
  'packet',
  'callx',
] as const);
export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** Groups that include others: enabling base64 enables base32, and so on. */
export const GROUP_INCLUDES: Readonly<Record<ConformanceGroup, readonly ConformanceGroup[]>> =
  Object.freeze({
    base32: [],
    base64: ['base32'],
    atomic32: [],
    atomic64: ['atomic32'],
    divmul32: [],
    divmul64: ['divmul32'],
    packet: [],
    callx: [],
  });

/** Groups enabled when a host names none: everything but the legacy packet loads and callx. */
export const DEFAULT_GROUPS: readonly ConformanceGroup[] = Object.freeze([
  'base64',
  'atomic64',
  'divmul64',
]);

export const CPU_VERSIONS = Object.freeze(['v1', 'v2', 'v3', 'v4'] as const);
export type CpuVersion = (typeof CPU_VERSIONS)[number];

/** The newest version, which has every instruction. */
export const LATEST_CPU: CpuVersion = 'v4';

/** Orders CPU versions: negative, zero or positive like a comparator. */
export function compareCpu(a: CpuVersion, b: CpuVersion): number {
  return CPU_VERSIONS.indexOf(a) - CPU_VERSIONS.indexOf(b);
}

/** The groups `groups` enables, with every included group added. */
export function expandGroups(groups: Iterable<ConformanceGroup>): ReadonlySet<ConformanceGroup> {
  const out = new Set<ConformanceGroup>();
  const visit = (g: ConformanceGroup) => {
    if (out.has(g)) return;
    out.add(g);
    for (const inc of GROUP_INCLUDES[g]) visit(inc);
  };
  for (const g of groups) visit(g);
  return out;
}
