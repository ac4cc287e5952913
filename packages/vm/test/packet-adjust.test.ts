/**
 * XDP packet head/tail/metadata adjustment: the VM-side operations a helper reaches through
 * `HelperContext.programContext`, checked against a model of the buffer (headroom, packet,
 * tailroom) and through programs that reload their pointers after adjusting.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ContextErrno,
  EbpfVmXdp,
  type Helper,
  INPUT_ADDRESS,
  type ProgramContext,
  VM_ACCESS_VIOLATION,
  XDP_DEFAULT_TAILROOM,
  XDP_FRAME_RESERVED,
  XDP_PACKET_HEADROOM,
} from '../src/index.js';

/** Test helpers standing in for bpf_xdp_adjust_head (44), _meta (54), _tail (65). */
const adjust =
  (op: 'adjustHead' | 'adjustTail' | 'adjustMeta'): Helper =>
  (ctx, delta, _r3, _r4, _r5, hc) => {
    const pc = hc.programContext;
    if (!pc || ctx !== pc.address) return -ContextErrno.EINVAL;
    return pc[op]?.(Number(BigInt.asIntN(32, delta))) ?? -ContextErrno.EINVAL;
  };

function xdpVm(text: string, options = {}): EbpfVmXdp {
  const vm = new EbpfVmXdp(undefined, options);
  vm.registerHelper(44, adjust('adjustHead'));
  vm.registerHelper(65, adjust('adjustTail'));
  vm.registerHelper(54, adjust('adjustMeta'));
  vm.setProgram(assemble(text));
  return vm;
}

const frame = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

describe('bpf_xdp_adjust_head', () => {
  it('pops a header: the reloaded data pointer moves and the packet shrinks', () => {
    const vm = xdpVm(`
      mov r6, r1
      mov r2, 14
      call 44
      jne r0, 0, +3
      ldxw r2, [r6+0]
      ldxb r0, [r2+0]
      exit
      mov r0, 255
      exit`);
    const input = frame(60);
    const result = vm.run({ mem: input });
    expect(result.r0).toBe(BigInt(input[14]));
    expect(result.packet).toEqual(input.subarray(14));
    expect(result.context?.data).toBe(INPUT_ADDRESS + BigInt(XDP_PACKET_HEADROOM + 14));
  });

  it('pushes a header into the headroom and writes it', () => {
    const vm = xdpVm(`
      mov r6, r1
      mov r2, -4
      call 44
      jne r0, 0, +5
      ldxw r2, [r6+0]
      ldxw r3, [r6+4]
      stw [r2+0], 0x04030201
      mov r0, r3
      sub r0, r2
      exit
      mov r0, 0
      exit`);
    const input = frame(20);
    const result = vm.run({ mem: input });
    expect(result.r0).toBe(24n);
    expect(result.packet).toEqual(Uint8Array.from([1, 2, 3, 4, ...input]));
    // The caller's buffer keeps its length and is not touched when the packet changed size.
    expect(input).toEqual(frame(20));
  });
});

describe('bpf_xdp_adjust_tail', () => {
  it('grows the packet with zeros and makes the new bytes addressable', () => {
    const vm = xdpVm(`
      mov r6, r1
      mov r2, 8
      call 65
      ldxw r2, [r6+0]
      ldxw r3, [r6+4]
      ldxb r0, [r3-1]
      exit`);
    const result = vm.run({ mem: frame(30) });
    expect(result.r0).toBe(0n);
    expect(result.packet?.length).toBe(38);
    expect(result.packet?.subarray(30)).toEqual(new Uint8Array(8));
  });

  it('shrinks the packet: an old pointer past the new end faults', () => {
    const vm = xdpVm(`
      mov r6, r1
      ldxw r7, [r6+4]
      mov r2, -10
      call 65
      ldxb r0, [r7-1]
      exit`);
    try {
      vm.run({ mem: frame(40) });
      expect.unreachable('no fault');
    } catch (e) {
      expect(isEbpfError(e, VM_ACCESS_VIOLATION) && e.context.region).toBe('input');
      expect(isEbpfError(e) && e.pc).toBe(4);
    }
  });
});

/** The model: offsets of meta, data and end in a buffer of headroom + n + tailroom bytes. */
interface Model {
  meta: number;
  data: number;
  end: number;
  bytes: number[];
}

describe('adjustment against a model', () => {
  it('agrees with the kernel rules on every sequence of adjustments', () => {
    const op = fc.record({
      kind: fc.constantFrom('adjustHead', 'adjustTail', 'adjustMeta'),
      delta: fc.integer({ min: -300, max: 300 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 14, max: 80 }), fc.array(op, { maxLength: 8 }), (n, ops) => {
        const input = frame(n);
        const capacity = XDP_PACKET_HEADROOM + n + XDP_DEFAULT_TAILROOM;
        const model: Model = {
          meta: XDP_PACKET_HEADROOM,
          data: XDP_PACKET_HEADROOM,
          end: XDP_PACKET_HEADROOM + n,
          bytes: [
            ...new Uint8Array(XDP_PACKET_HEADROOM),
            ...input,
            ...new Uint8Array(XDP_DEFAULT_TAILROOM),
          ],
        };
        const expected: number[] = [];
        for (const { kind, delta } of ops) {
          const m = model;
          let rc = 0;
          if (kind === 'adjustHead') {
            const metalen = m.data - m.meta;
            const data = m.data + delta;
            if (data < XDP_FRAME_RESERVED + metalen || data > m.end - 14) rc = -22;
            else {
              const meta = m.bytes.slice(m.meta, m.data);
              m.bytes.splice(m.meta + delta, metalen, ...meta);
              m.meta += delta;
              m.data = data;
            }
          } else if (kind === 'adjustTail') {
            const end = m.end + delta;
            if (end > capacity || end < m.data + 14) rc = -22;
            else {
              for (let i = m.end; i < end; i++) m.bytes[i] = 0;
              m.end = end;
            }
          } else {
            const meta = m.meta + delta;
            if (meta < XDP_FRAME_RESERVED || meta > m.data) rc = -22;
            else if ((m.data - meta) % 4 !== 0 || m.data - meta > 32) rc = -13;
            else m.meta = meta;
          }
          expected.push(rc);
        }
        // Run the same operations from a helper, one call per operation.
        const got: number[] = [];
        let context: ProgramContext | undefined;
        const vm = new EbpfVmXdp();
        vm.registerHelper(1, (_r1, _r2, _r3, _r4, _r5, hc) => {
          context = hc.programContext;
          for (const { kind, delta } of ops) got.push(context![kind]!(delta));
          return 0;
        });
        vm.setProgram(assemble('call 1\nexit'));
        const result = vm.run({ mem: input });
        expect(got).toEqual(expected);
        expect(result.packet).toEqual(Uint8Array.from(model.bytes.slice(model.data, model.end)));
        expect(context?.dataMeta).toBe(INPUT_ADDRESS + BigInt(model.meta));
        expect(context?.dataEnd).toBe(INPUT_ADDRESS + BigInt(model.end));
      }),
      { numRuns: 150 },
    );
  });
});
