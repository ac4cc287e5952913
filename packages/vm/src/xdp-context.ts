/**
 * The XDP program context: `struct xdp_md` (u32 data, data_end, data_meta, ingress_ifindex,
 * rx_queue_index, egress_ifindex) over a packet buffer with headroom and tailroom, so that
 * `bpf_xdp_adjust_head`, `bpf_xdp_adjust_tail` and `bpf_xdp_adjust_meta` can move the packet's
 * edges inside it.
 *
 * The input region (2) is the whole buffer from its first headroom byte; its mapped length is
 * `data_end`'s offset, so loads past the packet's end fault while the headroom in front stays
 * readable (as kernel memory there is). Adjusting the tail changes the mapped length; adjusting
 * the head moves `data` only. Pointers derived before an adjustment stay bounds-checked: they
 * may point at headroom or fault past the new end, never outside the buffer.
 */
import { type AddressSpace, INPUT_ADDRESS, MBUFF_ADDRESS, REGION_MBUFF } from './address-space.js';
import type { InputLayout } from './input-layout.js';
import { ContextErrno, type ProgramContext } from './program-context.js';
import { VM_BAD_ARGUMENT, VmError } from './vm-errors.js';

/** Bytes in front of the packet (`XDP_PACKET_HEADROOM`). */
export const XDP_PACKET_HEADROOM = 256;
/**
 * Bytes at the buffer's start no adjustment may reach: the kernel keeps `struct xdp_frame`
 * there (40 bytes on 64-bit kernels).
 */
export const XDP_FRAME_RESERVED = 40;
/** Default bytes behind the packet that `bpf_xdp_adjust_tail` may grow into. */
export const XDP_DEFAULT_TAILROOM = 256;
/** The shortest packet adjustments leave (`ETH_HLEN`). */
const ETH_HLEN = 14;
/** Largest metadata `bpf_xdp_adjust_meta` allows. */
const XDP_MAX_META = 32;
/** Bytes of `struct xdp_md`. */
export const XDP_MD_SIZE = 24;

/** Field offsets of `struct xdp_md`. */
export const XdpMdField = Object.freeze({
  data: 0,
  data_end: 4,
  data_meta: 8,
  ingress_ifindex: 12,
  rx_queue_index: 16,
  egress_ifindex: 20,
} as const);

/** Options of {@link xdpLayout}. */
export interface XdpLayoutOptions {
  /** Bytes in front of the packet (default {@link XDP_PACKET_HEADROOM}). */
  readonly headroom?: number;
  /** Bytes behind the packet that the tail may grow into (default {@link XDP_DEFAULT_TAILROOM}). */
  readonly tailroom?: number;
}

function checkRoom(argument: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min || v > 0x10000) {
    throw new VmError(VM_BAD_ARGUMENT, { argument, problem: `${v} is not in ${min}..65536` });
  }
  return v;
}

/** The scalar fields a run's input may set. */
const SCALAR_FIELDS = ['ingress_ifindex', 'rx_queue_index', 'egress_ifindex'] as const;

/** Reads the host's field values (`RunInput.ctx`) for the scalar fields. */
export function scalarFields(
  given: Readonly<Record<string, number | bigint>> | undefined,
  allowed: readonly string[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, v] of Object.entries(given ?? {})) {
    if (!allowed.includes(name)) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: `context field '${name}'`,
        problem: `not a settable field (settable: ${allowed.join(', ')})`,
      });
    }
    const n = typeof v === 'bigint' ? v : BigInt(Number.isSafeInteger(v) ? v : Number.NaN);
    out.set(name, Number(BigInt.asUintN(32, n)));
  }
  return out;
}

/** One XDP run's state: where the packet's edges are inside the buffer. */
class XdpRun implements ProgramContext {
  readonly type = 'xdp' as const;
  readonly address = MBUFF_ADDRESS;
  readonly name = 'ctx:xdp_md';
  readonly length = XDP_MD_SIZE;
  readonly #space: AddressSpace;
  readonly #base: number;
  readonly #capacity: number;
  readonly #fields: Map<string, number>;
  /** Offsets inside the buffer. */
  meta: number;
  #data: number;
  #end: number;

  constructor(
    space: AddressSpace,
    base: number,
    capacity: number,
    data: number,
    end: number,
    fields: Map<string, number>,
  ) {
    this.#space = space;
    this.#base = base;
    this.#capacity = capacity;
    this.#data = data;
    this.#end = end;
    this.meta = data;
    this.#fields = fields;
  }

  get dataOffset(): number {
    return this.#data;
  }
  get endOffset(): number {
    return this.#end;
  }
  get data(): bigint {
    return INPUT_ADDRESS + BigInt(this.#data);
  }
  get dataEnd(): bigint {
    return INPUT_ADDRESS + BigInt(this.#end);
  }
  get dataMeta(): bigint {
    return INPUT_ADDRESS + BigInt(this.meta);
  }

  field(name: string): bigint | undefined {
    switch (name) {
      case 'data':
        return this.data;
      case 'data_end':
        return this.dataEnd;
      case 'data_meta':
        return this.dataMeta;
      default:
        return SCALAR_FIELDS.includes(name as (typeof SCALAR_FIELDS)[number])
          ? BigInt(this.#fields.get(name) ?? 0)
          : undefined;
    }
  }

  /** The slow-region load: only aligned 4-byte loads, as the kernel's `xdp_is_valid_access`. */
  load(offset: number, size: number, signed: boolean): bigint | undefined {
    if (size !== 4 || signed || offset % 4 !== 0 || offset >= XDP_MD_SIZE) return undefined;
    const name = Object.keys(XdpMdField).find(
      (k) => XdpMdField[k as keyof typeof XdpMdField] === offset,
    );
    return name === undefined ? undefined : this.field(name);
  }

  /** XDP programs cannot write their context. */
  store(): boolean {
    return false;
  }

  adjustHead(delta: number): number {
    const metalen = this.#data - this.meta;
    const data = this.#data + delta;
    if (
      !Number.isInteger(delta) ||
      data < XDP_FRAME_RESERVED + metalen ||
      data > this.#end - ETH_HLEN
    ) {
      return -ContextErrno.EINVAL;
    }
    if (metalen > 0) {
      const bytes = this.#space.bytes;
      const from = this.#base + this.meta;
      bytes.copyWithin(from + delta, from, from + metalen);
    }
    this.meta += delta;
    this.#data = data;
    return 0;
  }

  adjustTail(delta: number): number {
    const end = this.#end + delta;
    if (!Number.isInteger(delta) || end > this.#capacity || end < this.#data + ETH_HLEN) {
      return -ContextErrno.EINVAL;
    }
    if (end > this.#end) this.#space.bytes.fill(0, this.#base + this.#end, this.#base + end);
    this.#end = end;
    this.#space.setInputLength(end);
    return 0;
  }

  adjustMeta(delta: number): number {
    const meta = this.meta + delta;
    if (!Number.isInteger(delta) || meta < XDP_FRAME_RESERVED || meta > this.#data) {
      return -ContextErrno.EINVAL;
    }
    const metalen = this.#data - meta;
    if (metalen % 4 !== 0 || metalen > XDP_MAX_META) return -ContextErrno.EACCES;
    this.meta = meta;
    return 0;
  }

  /** A copy of the packet as it stands: bytes [data, data_end). */
  packet(): Uint8Array {
    return this.#space.bytes.slice(this.#base + this.#data, this.#base + this.#end);
  }
}

/**
 * The XDP input layout: r1 points to a `struct xdp_md` whose `data`/`data_end` (4-byte loads)
 * give the packet's 64-bit addresses; the packet sits behind `headroom` bytes with `tailroom`
 * bytes to grow into. `RunInput.ctx` may set `ingress_ifindex`, `rx_queue_index` and
 * `egress_ifindex`. The run's result carries the packet after any adjustment.
 *
 * @example
 * const vm = new EbpfVmXdp(program);
 * const { r0, packet } = vm.run({ mem: frame, ctx: { ingress_ifindex: 2 } });
 * r0 === BigInt(XdpAction.PASS);
 */
export function xdpLayout(options: XdpLayoutOptions = {}): InputLayout {
  const headroom = checkRoom(
    'headroom',
    options.headroom ?? XDP_PACKET_HEADROOM,
    XDP_FRAME_RESERVED,
  );
  const tailroom = checkRoom('tailroom', options.tailroom ?? XDP_DEFAULT_TAILROOM, 0);
  return {
    name: 'xdp',
    context: {
      size: XDP_MD_SIZE,
      packetData: XdpMdField.data,
      packetEnd: XdpMdField.data_end,
      packetFieldSize: 4,
      writable: false,
    },
    enter(space, { mem, ctx }) {
      const fields = scalarFields(ctx, SCALAR_FIELDS);
      const length = mem?.length ?? 0;
      const capacity = headroom + length + tailroom;
      const { input } = space.layoutRun(headroom + length, 0, capacity);
      const bytes = space.bytes;
      bytes.fill(0, input, input + capacity);
      if (mem) bytes.set(mem, input + headroom);
      const run = new XdpRun(space, input, capacity, headroom, headroom + length, fields);
      space.mapSlowRegion(REGION_MBUFF, run);
      return {
        r1: MBUFF_ADDRESS,
        context: run,
        leave() {
          const packet = run.packet();
          if (mem && packet.length === mem.length) mem.set(packet);
          return packet;
        },
      };
    },
  };
}
