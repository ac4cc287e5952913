/**
 * The socket-filter and tc program context: `struct __sk_buff`, 192 bytes, with the kernel's
 * field offsets. `data`, `data_end` and `data_meta` (4-byte loads) give 64-bit packet addresses;
 * the other fields live in a backing store the host fills through `RunInput.ctx`. Which fields a
 * program may read and write follows the kernel's `sk_filter_is_valid_access` (socket filters:
 * no packet pointers, no `tc_classid`, no socket addresses; writes only to `cb[]`) and
 * `tc_cls_act_is_valid_access` (tc: writes to `mark`, `queue_mapping`, `priority`, `tc_index`,
 * `cb[]`, `tc_classid`, `tstamp`).
 *
 * The packet is the input region from its first byte (no headroom), so the legacy packet loads
 * (`ldabs`/`ldind`, which socket filters use) read it at the offsets they name.
 */
import { type AddressSpace, INPUT_ADDRESS, MBUFF_ADDRESS, REGION_MBUFF } from './address-space.js';
import type { InputLayout } from './input-layout.js';
import type { ContextType, ProgramContext } from './program-context.js';
import { scalarFields } from './xdp-context.js';

/** Bytes of `struct __sk_buff`. */
export const SK_BUFF_SIZE = 192;

/** What a field holds: a plain value, a packet pointer, or something this VM does not model. */
type FieldKind = 'value' | 'data' | 'data_end' | 'data_meta' | 'opaque';

interface SkbField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: FieldKind;
}

const f = (name: string, offset: number, size = 4, kind: FieldKind = 'value'): SkbField => ({
  name,
  offset,
  size,
  kind,
});

/** The fields of `struct __sk_buff` (kernel UAPI offsets). */
export const SKB_FIELDS: readonly SkbField[] = Object.freeze([
  f('len', 0),
  f('pkt_type', 4),
  f('mark', 8),
  f('queue_mapping', 12),
  f('protocol', 16),
  f('vlan_present', 20),
  f('vlan_tci', 24),
  f('vlan_proto', 28),
  f('priority', 32),
  f('ingress_ifindex', 36),
  f('ifindex', 40),
  f('tc_index', 44),
  f('cb0', 48),
  f('cb1', 52),
  f('cb2', 56),
  f('cb3', 60),
  f('cb4', 64),
  f('hash', 68),
  f('tc_classid', 72),
  f('data', 76, 4, 'data'),
  f('data_end', 80, 4, 'data_end'),
  f('napi_id', 84),
  f('family', 88),
  f('remote_ip4', 92),
  f('local_ip4', 96),
  f('remote_ip6_0', 100),
  f('remote_ip6_1', 104),
  f('remote_ip6_2', 108),
  f('remote_ip6_3', 112),
  f('local_ip6_0', 116),
  f('local_ip6_1', 120),
  f('local_ip6_2', 124),
  f('local_ip6_3', 128),
  f('remote_port', 132),
  f('local_port', 136),
  f('data_meta', 140, 4, 'data_meta'),
  f('flow_keys', 144, 8, 'opaque'),
  f('tstamp', 152, 8),
  f('wire_len', 160),
  f('gso_segs', 164),
  f('sk', 168, 8, 'opaque'),
  f('gso_size', 176),
  f('tstamp_type', 180, 1),
  f('hwtstamp', 184, 8),
]);

const BY_OFFSET = new Map(SKB_FIELDS.map((x) => [x.offset, x]));

/** Fields a socket filter may not read (the kernel's `sk_filter_is_valid_access`). */
const SOCKET_NO_READ = new Set([
  'tc_classid',
  'data',
  'data_end',
  'data_meta',
  'family',
  'remote_ip4',
  'local_ip4',
  'remote_ip6_0',
  'remote_ip6_1',
  'remote_ip6_2',
  'remote_ip6_3',
  'local_ip6_0',
  'local_ip6_1',
  'local_ip6_2',
  'local_ip6_3',
  'remote_port',
  'local_port',
]);
const CB = ['cb0', 'cb1', 'cb2', 'cb3', 'cb4'];
/** Fields each program type may write. */
const WRITABLE: Record<'socket_filter' | 'sched_cls', ReadonlySet<string>> = {
  socket_filter: new Set(CB),
  sched_cls: new Set([
    ...CB,
    'mark',
    'queue_mapping',
    'priority',
    'tc_index',
    'tc_classid',
    'tstamp',
  ]),
};
/** Fields the host may set before a run (`len` and the pointers follow from the packet). */
const SETTABLE = SKB_FIELDS.filter((x) => x.kind === 'value' && x.name !== 'len').map(
  (x) => x.name,
);

/** The field holding bytes [offset, offset + size), if one field does. */
function fieldAt(offset: number, size: number): SkbField | undefined {
  for (let at = offset; at >= 0 && at > offset - 8; at--) {
    const field = BY_OFFSET.get(at);
    if (field) return offset + size <= field.offset + field.size ? field : undefined;
  }
  return undefined;
}

class SkbRun implements ProgramContext {
  readonly address = MBUFF_ADDRESS;
  readonly name: string;
  readonly length = SK_BUFF_SIZE;
  readonly type: 'socket_filter' | 'sched_cls';
  readonly #store = new Uint8Array(SK_BUFF_SIZE);
  readonly #view = new DataView(this.#store.buffer);
  readonly #space: AddressSpace;
  readonly #base: number;
  readonly #len: number;

  constructor(
    type: 'socket_filter' | 'sched_cls',
    space: AddressSpace,
    base: number,
    packet: Uint8Array | undefined,
    fields: Map<string, number>,
  ) {
    this.type = type;
    this.name = `ctx:__sk_buff(${type})`;
    this.#space = space;
    this.#base = base;
    this.#len = packet?.length ?? 0;
    this.#view.setUint32(0, this.#len, true);
    this.#view.setUint32(160, this.#len, true); // wire_len
    // skb->protocol is the big-endian EtherType, loaded as it lies in memory.
    if (packet && packet.length >= 14)
      this.#view.setUint16(16, packet[12] | (packet[13] << 8), true);
    for (const [name, v] of fields) {
      const field = SKB_FIELDS.find((x) => x.name === name)!;
      if (field.size === 8) this.#view.setBigUint64(field.offset, BigInt(v), true);
      else if (field.size === 1) this.#store[field.offset] = v & 0xff;
      else this.#view.setUint32(field.offset, v, true);
    }
  }

  get data(): bigint {
    return INPUT_ADDRESS;
  }
  get dataEnd(): bigint {
    return INPUT_ADDRESS + BigInt(this.#len);
  }
  get dataMeta(): bigint {
    return INPUT_ADDRESS;
  }

  field(name: string): bigint | undefined {
    const field = SKB_FIELDS.find((x) => x.name === name);
    if (!field || field.kind === 'opaque') return undefined;
    if (field.kind === 'data') return this.data;
    if (field.kind === 'data_end') return this.dataEnd;
    if (field.kind === 'data_meta') return this.dataMeta;
    return this.#read(field.offset, field.size, false);
  }

  #read(offset: number, size: number, signed: boolean): bigint {
    const v = this.#view;
    switch (size) {
      case 1:
        return BigInt(signed ? v.getInt8(offset) : v.getUint8(offset));
      case 2:
        return BigInt(signed ? v.getInt16(offset, true) : v.getUint16(offset, true));
      case 4:
        return BigInt(signed ? v.getInt32(offset, true) : v.getUint32(offset, true));
      default:
        return v.getBigUint64(offset, true);
    }
  }

  load(offset: number, size: number, signed: boolean): bigint | undefined {
    const field = fieldAt(offset, size);
    if (!field || field.kind === 'opaque') return undefined;
    if (this.type === 'socket_filter' && SOCKET_NO_READ.has(field.name)) return undefined;
    if (field.kind !== 'value') {
      return size === 4 && !signed && offset === field.offset ? this.field(field.name) : undefined;
    }
    return this.#read(offset, size, signed);
  }

  store(offset: number, size: number, value: bigint): boolean {
    const field = fieldAt(offset, size);
    if (!field || !WRITABLE[this.type].has(field.name)) return false;
    const v = this.#view;
    if (size === 1) v.setUint8(offset, Number(value & 0xffn));
    else if (size === 2) v.setUint16(offset, Number(value & 0xffffn), true);
    else if (size === 4) v.setUint32(offset, Number(value & 0xffff_ffffn), true);
    else v.setBigUint64(offset, BigInt.asUintN(64, value), true);
    return true;
  }

  /** A copy of the packet as it stands. */
  packet(): Uint8Array {
    return this.#space.bytes.slice(this.#base, this.#base + this.#len);
  }
}

/**
 * The `__sk_buff` input layout of a socket filter (`'socket_filter'`: r0 is the number of bytes
 * to keep, 0 drops) or a tc classifier/action (`'sched_cls'`: r0 is a {@link TcAction}). r1
 * points to the context; `RunInput.ctx` sets fields by name (`mark`, `priority`, `cb0`...;
 * `protocol` defaults to the frame's EtherType). The run's `fields` give the context after the
 * run (what the program wrote to `mark`, `cb[]`...).
 *
 * @example
 * const vm = new EbpfVmTc(program);
 * const { r0, fields } = vm.run({ mem: frame, ctx: { ifindex: 3 } });
 * fields?.get('mark');
 */
export function skbLayout(type: 'socket_filter' | 'sched_cls'): InputLayout {
  return {
    name: type,
    context: {
      size: SK_BUFF_SIZE,
      ...(type === 'sched_cls'
        ? { packetData: 76, packetEnd: 80, packetFieldSize: 4 as const }
        : {}),
      writable: true,
    },
    enter(space, { mem, ctx }) {
      const fields = scalarFields(ctx, SETTABLE);
      const { input } = space.layoutRun(mem?.length ?? 0, 0);
      if (mem) space.bytes.set(mem, input);
      const run = new SkbRun(type, space, input, mem, fields);
      space.mapSlowRegion(REGION_MBUFF, run);
      return {
        r1: MBUFF_ADDRESS,
        context: run,
        leave() {
          const packet = run.packet();
          if (mem) mem.set(packet);
          return packet;
        },
      };
    },
  };
}

/** The layout of a program type that has a context here, or `undefined`. */
export function contextTypeOf(programType: string): ContextType | undefined {
  if (programType === 'xdp') return 'xdp';
  if (programType === 'socket_filter') return 'socket_filter';
  if (programType === 'sched_cls' || programType === 'sched_act') return 'sched_cls';
  return undefined;
}
