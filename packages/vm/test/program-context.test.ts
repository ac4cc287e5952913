/**
 * Program contexts: `struct xdp_md` and `struct __sk_buff` served through the slow region, with
 * the kernel's field offsets, pointer fields that give 64-bit addresses on 4-byte loads, and the
 * kernel's read/write permissions.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EbpfVmSocketFilter,
  EbpfVmTc,
  EbpfVmXdp,
  INPUT_ADDRESS,
  MBUFF_ADDRESS,
  noVerifier,
  SKB_FIELDS,
  TcAction,
  VM_ACCESS_VIOLATION,
  VM_BAD_ARGUMENT,
  XDP_PACKET_HEADROOM,
  XdpAction,
  XdpMdField,
} from '../src/index.js';

/** A minimal Ethernet + IPv4 + TCP frame to port `port`. */
function tcpFrame(port: number, length = 64): Uint8Array {
  const f = new Uint8Array(length);
  f[12] = 0x08; // EtherType IPv4
  f[13] = 0x00;
  f[14] = 0x45;
  f[23] = 6; // TCP
  f[36] = port >> 8;
  f[37] = port & 0xff;
  return f;
}

function expectFault(run: () => unknown, access: 'load' | 'store', pc: number): void {
  try {
    run();
    expect.unreachable('no fault');
  } catch (e) {
    expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
    if (isEbpfError(e, VM_ACCESS_VIOLATION)) {
      expect(e.context.access).toBe(access);
      expect(e.context.region).toMatch(/^ctx:/);
      expect(e.context.reason).toBe('not-allowed');
      expect(e.pc).toBe(pc);
    }
  }
}

describe('xdp_md', () => {
  it('gives 64-bit packet pointers on 4-byte loads of data, data_end and data_meta', () => {
    const loadField = (off: number) =>
      new EbpfVmXdp(assemble(`ldxw r0, [r1+${off}]\nexit`)).executeProgram(tcpFrame(80, 60));
    const data = INPUT_ADDRESS + BigInt(XDP_PACKET_HEADROOM);
    expect(loadField(XdpMdField.data)).toBe(data);
    expect(loadField(XdpMdField.data_end)).toBe(data + 60n);
    expect(loadField(XdpMdField.data_meta)).toBe(data);
  });

  it('reads the scalar fields the host sets', () => {
    fc.assert(
      fc.property(fc.nat(0xffff_ffff), fc.nat(0xffff_ffff), fc.nat(0xffff_ffff), (a, b, c) => {
        const vm = new EbpfVmXdp(
          assemble(
            'ldxw r2, [r1+12]\nldxw r3, [r1+16]\nldxw r4, [r1+20]\nmov r0, r2\nxor r0, r3\nlsh r4, 32\nor r0, r4\nexit',
          ),
        );
        const ctx = { ingress_ifindex: a, rx_queue_index: b, egress_ifindex: c };
        expect(vm.executeProgram(new Uint8Array(20), ctx)).toBe(
          (BigInt(a ^ b) & 0xffff_ffffn) | (BigInt(c) << 32n),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('runs a port filter over the packet through data/data_end', () => {
    const program = assemble(`
      ldxw r2, [r1+0]
      ldxw r3, [r1+4]
      mov r4, r2
      add r4, 38
      jgt r4, r3, +5
      ldxb r5, [r2+36]
      lsh r5, 8
      ldxb r6, [r2+37]
      or r5, r6
      jeq r5, 22, +2
      mov r0, 2
      exit
      mov r0, 1
      exit`);
    const vm = new EbpfVmXdp(program);
    expect(vm.executeProgram(tcpFrame(22))).toBe(BigInt(XdpAction.DROP));
    expect(vm.executeProgram(tcpFrame(80))).toBe(BigInt(XdpAction.PASS));
    expect(vm.executeProgram(new Uint8Array(20))).toBe(BigInt(XdpAction.PASS));
  });

  it('faults on loads the kernel refuses (wrong size, signed, outside) and on every store', () => {
    const frame = tcpFrame(1);
    expectFault(
      () => new EbpfVmXdp(assemble('ldxdw r0, [r1+0]\nexit')).executeProgram(frame),
      'load',
      0,
    );
    expectFault(
      () => new EbpfVmXdp(assemble('ldxh r0, [r1+12]\nexit')).executeProgram(frame),
      'load',
      0,
    );
    expectFault(
      () => new EbpfVmXdp(assemble('ldxw r0, [r1+2]\nexit')).executeProgram(frame),
      'load',
      0,
    );
    expectFault(
      () => new EbpfVmXdp(assemble('ldxw r0, [r1+24]\nexit')).executeProgram(frame),
      'load',
      0,
    );
    expectFault(
      () => new EbpfVmXdp(assemble('ldxsw r0, [r1+0]\nexit'), { cpu: 'v4' }).executeProgram(frame),
      'load',
      0,
    );
    expectFault(
      () => new EbpfVmXdp(assemble('mov r0, 0\nstw [r1+12], 1\nexit')).executeProgram(frame),
      'store',
      1,
    );
  });

  it('faults past data_end but not in the headroom', () => {
    const vm = new EbpfVmXdp(assemble('ldxw r2, [r1+4]\nldxb r0, [r2+0]\nexit'));
    try {
      vm.executeProgram(tcpFrame(1));
      expect.unreachable('no fault');
    } catch (e) {
      expect(isEbpfError(e, VM_ACCESS_VIOLATION) && e.context.region).toBe('input');
    }
    const head = new EbpfVmXdp(assemble('ldxw r2, [r1+0]\nldxb r0, [r2-1]\nexit'));
    expect(head.executeProgram(tcpFrame(1))).toBe(0n);
  });

  it('refuses context fields that do not exist', () => {
    const vm = new EbpfVmXdp(assemble('mov r0, 0\nexit'));
    expect(() => vm.executeProgram(new Uint8Array(14), { mark: 1 })).toThrow(
      expect.objectContaining({ code: VM_BAD_ARGUMENT }),
    );
  });

  it('declares the xdp_md layout to the verifier', () => {
    expect(new EbpfVmXdp().hostDeclaration().context).toMatchObject({
      size: 24,
      packetData: 0,
      packetEnd: 4,
      packetFieldSize: 4,
    });
  });
});

describe('__sk_buff', () => {
  it('lays the fields out at the kernel offsets', () => {
    const at = (name: string) => SKB_FIELDS.find((f) => f.name === name)?.offset;
    expect([at('len'), at('mark'), at('cb0'), at('cb4'), at('data'), at('data_end')]).toEqual([
      0, 8, 48, 64, 76, 80,
    ]);
    expect([at('remote_port'), at('data_meta'), at('tstamp'), at('hwtstamp')]).toEqual([
      132, 140, 152, 184,
    ]);
    // No two fields overlap and each starts where the previous one ended or later.
    for (let i = 1; i < SKB_FIELDS.length; i++) {
      const prev = SKB_FIELDS[i - 1];
      expect(SKB_FIELDS[i].offset).toBeGreaterThanOrEqual(prev.offset + prev.size);
    }
  });

  it('gives tc programs len, protocol, host fields and packet pointers', () => {
    const frame = tcpFrame(443, 100);
    const field = (off: number, ctx = {}) =>
      new EbpfVmTc(assemble(`ldxw r0, [r1+${off}]\nexit`)).executeProgram(frame, ctx);
    expect(field(0)).toBe(100n);
    expect(field(16)).toBe(0x0008n); // htons(ETH_P_IP) as it lies in memory
    expect(field(40, { ifindex: 7 })).toBe(7n);
    expect(field(76)).toBe(INPUT_ADDRESS);
    expect(field(80)).toBe(INPUT_ADDRESS + 100n);
    expect(field(140)).toBe(INPUT_ADDRESS);
    // Narrow loads of value fields read the field's low bytes.
    expect(
      new EbpfVmTc(assemble('ldxb r0, [r1+8]\nexit')).executeProgram(frame, { mark: 0x1234 }),
    ).toBe(0x34n);
  });

  it('lets tc write mark, priority, cb and tc_classid, and reports them after the run', () => {
    const vm = new EbpfVmTc(
      assemble(
        'stw [r1+8], 0x77\nstw [r1+32], 5\nmov r2, 9\nstxw [r1+52], r2\nstw [r1+72], 3\nmov r0, 2\nexit',
      ),
    );
    const result = vm.run({ mem: tcpFrame(1) });
    expect(result.r0).toBe(BigInt(TcAction.SHOT));
    expect(result.context?.field('mark')).toBe(0x77n);
    expect(result.context?.field('priority')).toBe(5n);
    expect(result.context?.field('cb1')).toBe(9n);
    expect(result.context?.field('tc_classid')).toBe(3n);
  });

  it('limits socket filters to cb writes and no packet pointers', () => {
    const frame = tcpFrame(1);
    const sf = (text: string) => new EbpfVmSocketFilter(assemble(text)).executeProgram(frame);
    expect(sf('stw [r1+48], 1\nldxw r0, [r1+48]\nexit')).toBe(1n);
    expectFault(() => sf('stw [r1+8], 1\nmov r0, 0\nexit'), 'store', 0);
    expectFault(() => sf('ldxw r0, [r1+76]\nexit'), 'load', 0);
    expectFault(() => sf('ldxw r0, [r1+72]\nexit'), 'load', 0);
    expectFault(() => sf('ldxw r0, [r1+92]\nexit'), 'load', 0);
    expectFault(() => sf('ldxw r0, [r1+192]\nexit'), 'load', 0);
    // tc may not write len or the pointers either.
    expectFault(
      () => new EbpfVmTc(assemble('stw [r1+0], 1\nmov r0, 0\nexit')).executeProgram(frame),
      'store',
      0,
    );
  });

  it('runs legacy packet loads of a socket filter at packet offsets', () => {
    const vm = new EbpfVmSocketFilter(
      assemble('mov r6, r1\nldabsh 12\njne r0, 0x800, +2\nldabsb 23\nexit\nmov r0, 0\nexit'),
      { verifier: noVerifier, groups: ['base64', 'packet'] },
    );
    expect(vm.executeProgram(tcpFrame(1))).toBe(6n);
    expect(vm.executeProgram(new Uint8Array(30))).toBe(0n);
  });

  it('holds its context at the metadata address, a region without bytes', () => {
    const vm = new EbpfVmTc(assemble('mov r0, r1\nexit'));
    expect(vm.executeProgram(tcpFrame(1))).toBe(MBUFF_ADDRESS);
    expect(vm.space.region(3)).toMatchObject({ name: 'ctx:__sk_buff(sched_cls)', length: 192 });
    expect(() => vm.regionBytes(3)).toThrow(expect.objectContaining({ code: VM_BAD_ARGUMENT }));
  });
});

describe('every context access', () => {
  it('either gives a value or faults with VM_ACCESS_VIOLATION, on every layout', () => {
    const sizes = { b: 1, h: 2, w: 4, dw: 8 } as const;
    fc.assert(
      fc.property(
        fc.constantFrom('xdp', 'socket_filter', 'sched_cls'),
        fc.integer({ min: -8, max: 200 }),
        fc.constantFrom('b', 'h', 'w', 'dw'),
        fc.boolean(),
        (kind, off, size, store) => {
          const text = store
            ? `mov r2, 5\nstx${size} [r1${off < 0 ? '' : '+'}${off}], r2\nmov r0, 0\nexit`
            : `ldx${size} r0, [r1${off < 0 ? '' : '+'}${off}]\nexit`;
          const program = assemble(text);
          const vm =
            kind === 'xdp'
              ? new EbpfVmXdp(program)
              : kind === 'sched_cls'
                ? new EbpfVmTc(program)
                : new EbpfVmSocketFilter(program);
          try {
            const r0 = vm.executeProgram(tcpFrame(9));
            expect(r0 < 1n << 64n).toBe(true);
            expect(off >= 0 && off + sizes[size] <= (kind === 'xdp' ? 24 : 192)).toBe(true);
          } catch (e) {
            expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
            if (isEbpfError(e, VM_ACCESS_VIOLATION)) expect(e.pc).toBe(store ? 1 : 0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
