/**
 * `instantiate`: the fixture objects become a VM with their maps, data sections, kernel helpers
 * and programs, and give the verdicts their C sources promise on packets built here.
 */
import { readFileSync } from 'node:fs';
import { assemble } from '@ebpf/assembler';
import { kernelHelpers } from '@ebpf/helpers';
import { encode, isEbpfError, Lddw, rowByName } from '@ebpf/isa';
import { createJit } from '@ebpf/jit';
import { type ArrayMap, createTypedMap, MapType, u16, u32, u64 } from '@ebpf/maps';
import { MBUFF_ADDRESS, strict, TcAction, VM_ACCESS_VIOLATION, XdpAction } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BpfObject,
  INSTANCE_NOT_FOUND,
  INSTANCE_NOT_PROGRAM_ARRAY,
  instantiate,
  loadBpfObject,
} from '../src/index.js';

const fixture = (name: string) =>
  loadBpfObject(
    new Uint8Array(readFileSync(new URL(`../../../tools/fixtures/elf/${name}`, import.meta.url))),
  );

/** Ethernet + IPv4 + TCP to `port`, `length` bytes in all, IPv4 TOS `tos`. */
function tcpFrame(port: number, { length = 64, tos = 0, etherType = 0x0800, proto = 6 } = {}) {
  const f = new Uint8Array(length);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  f[14] = 0x45;
  f[15] = tos;
  f[23] = proto;
  f[36] = port >> 8;
  f[37] = port & 0xff;
  return f;
}

describe.each(['xdp-firewall.o', 'xdp-firewall.v1.o', 'xdp-firewall.v4.o'])('%s', (file) => {
  const instance = instantiate(fixture(file));
  const blocked = createTypedMap(instance.map('blocked_ports'), { key: u16, value: u64 });
  const firewall = instance.program('xdp_firewall');

  it('passes the strict verifier with its maps declared', () => {
    expect(instantiate(fixture(file), { verifier: strict() }).programs.length).toBe(1);
  });

  it('loads as an XDP program with its hash map', () => {
    expect(firewall.context).toBe('xdp');
    expect(instance.map('blocked_ports').typeName).toBe('hash');
  });

  it('drops TCP to the ports the host blocked and counts the drops', () => {
    blocked.set(22, 0n);
    blocked.set(8080, 5n);
    expect(firewall.run({ mem: tcpFrame(22) }).r0).toBe(BigInt(XdpAction.DROP));
    expect(firewall.run({ mem: tcpFrame(22) }).r0).toBe(BigInt(XdpAction.DROP));
    expect(firewall.run({ mem: tcpFrame(8080) }).r0).toBe(BigInt(XdpAction.DROP));
    expect(firewall.run({ mem: tcpFrame(80) }).r0).toBe(BigInt(XdpAction.PASS));
    expect(blocked.get(22)).toBe(2n);
    expect(blocked.get(8080)).toBe(6n);
    blocked.delete(22);
    expect(firewall.run({ mem: tcpFrame(22) }).r0).toBe(BigInt(XdpAction.PASS));
  });

  it('passes what is not IPv4 TCP or too short to hold the headers', () => {
    blocked.set(53, 0n);
    expect(firewall.run({ mem: tcpFrame(53, { proto: 17 }) }).r0).toBe(BigInt(XdpAction.PASS));
    expect(firewall.run({ mem: tcpFrame(53, { etherType: 0x86dd }) }).r0).toBe(
      BigInt(XdpAction.PASS),
    );
    expect(firewall.run({ mem: tcpFrame(53, { length: 53 }) }).r0).toBe(BigInt(XdpAction.PASS));
    expect(firewall.run({ mem: tcpFrame(53, { length: 54 }) }).r0).toBe(BigInt(XdpAction.DROP));
  });

  it('agrees with a model of the firewall on random frames', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 80 }),
        fc.constantFrom(22, 53, 80, 443),
        (bytes, port) => {
          blocked.set(443, 0n);
          const frame = bytes.length >= 38 ? tcpFrame(port, { length: bytes.length }) : bytes;
          if (bytes.length >= 38) frame.set(bytes.subarray(0, 12), 0);
          const ip = frame.length >= 54 && frame[12] === 8 && frame[13] === 0 && frame[23] === 6;
          const dest = ip ? (frame[36] << 8) | frame[37] : -1;
          const expected = ip && blocked.has(dest) ? XdpAction.DROP : XdpAction.PASS;
          expect(firewall.run({ mem: frame }).r0).toBe(BigInt(expected));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('tc-program.o', () => {
  const instance = instantiate(fixture('tc-program.o'));
  const classify = instance.program('classify');

  it('marks IPv4 packets by DSCP class from its .rodata table', () => {
    expect(classify.context).toBe('sched_cls');
    for (const [tos, mark] of [
      [0x00, 0x10],
      [0x40, 0x20],
      [0x80, 0x30],
      [0xc0, 0x40],
    ]) {
      const result = classify.run({ mem: tcpFrame(1, { length: 100, tos }) });
      expect(result.r0).toBe(BigInt(TcAction.OK));
      expect(result.context?.field('mark')).toBe(BigInt(mark));
    }
  });

  it('drops packets longer than max_len, which the host may change in .rodata', () => {
    expect(classify.run({ mem: tcpFrame(1, { length: 1501 }) }).r0).toBe(BigInt(TcAction.SHOT));
    expect(classify.run({ mem: tcpFrame(1, { length: 1500 }) }).r0).toBe(BigInt(TcAction.OK));
    const rodata = instance.data.find((d) => d.section.symbols.some((s) => s.name === 'max_len'))!;
    expect(rodata.section.readOnly).toBe(true);
    const at = rodata.section.symbols.find((s) => s.name === 'max_len')!.offset;
    new DataView(rodata.bytes().buffer, rodata.bytes().byteOffset).setUint32(at, 99, true);
    expect(classify.run({ mem: tcpFrame(1, { length: 100 }) }).r0).toBe(BigInt(TcAction.SHOT));
  });
});

describe('global data as internal maps (libbpf style)', () => {
  it('tc-program.o passes the strict verifier with its internal maps declared', () => {
    const instance = instantiate(fixture('tc-program.o'), { verifier: strict() });
    const classify = instance.program('classify');
    expect(
      classify.run({ mem: tcpFrame(1, { length: 100, tos: 0x80 }) }).context?.field('mark'),
    ).toBe(0x30n);
    // The VM's verifier saw both .rodata maps as read-only maps of the right sizes.
    expect([...instance.maps.declarations().values()]).toEqual([
      { name: '.rodata', keySize: 4, valueSize: 4, readOnly: true },
      { name: '.rodata.cst16', keySize: 4, valueSize: 16, readOnly: true },
    ]);
  });

  it('calls-and-globals.o passes the strict verifier, bpf_loop declared with its callback', () => {
    // bpf_loop(nr_loops, callback_fn, callback_ctx, flags) calls callback_fn(index, callback_ctx);
    // this stand-in calls it never, so the results match a run without the callback.
    const loop = {
      name: 'bpf_loop',
      fn: () => 0n,
      prototype: {
        args: ['scalar', 'anything', 'anything', 'scalar'],
        ret: 'scalar',
        callback: { arg: 1, params: ['scalar', { arg: 2 }] },
      },
    } as const;
    const run = (verifier?: ReturnType<typeof strict>) => {
      const instance = instantiate(fixture('calls-and-globals.o'), {
        ...(verifier ? { verifier } : {}),
        helpers: ({ maps }) => kernelHelpers({ maps }).with(181, loop),
      });
      const r0 = instance.program('weigh_packet').run({ mem: new Uint8Array(60) }).r0;
      return { r0, data: [...instance.dataSection('.data').bytes()] };
    };
    expect(run(strict())).toEqual(run());
  });

  it('creates each section as a one-element array map through MapSet, with its bytes', () => {
    const instance = instantiate(fixture('calls-and-globals.o'), {
      helpers: ({ maps }) =>
        kernelHelpers({ maps }).with(181, {
          name: 'bpf_loop',
          fn: () => 0n,
          prototype: { args: [], ret: 'scalar' },
        }),
    });
    for (const d of instance.data) {
      const map = instance.maps.at(d.section.mapIndex!)!;
      expect(d.map).toBe(map);
      expect(instance.map(d.section.name)).toBe(map);
      expect([map.typeName, map.keySize, map.valueSize, map.maxEntries]).toEqual([
        'array',
        4,
        d.section.size,
        1,
      ]);
      expect(map.readOnlyForPrograms).toBe(d.section.kind === 'rodata');
      expect((map as ArrayMap).lookup(new Uint8Array(4))).toEqual(d.section.bytes);
      expect(d.address).toBe(map.address);
      expect(d.bytes()).toEqual(d.section.bytes);
    }
    // The host's writes through the map show in the data view, and the other way round.
    const calls = createTypedMap(instance.map('.data'), { key: u32, value: u64 });
    calls.set(0, 41n);
    instance.program('weigh_packet').run({ mem: new Uint8Array(60) });
    expect(calls.get(0)).toBe(42n);
  });

  it('a strict VM refuses a store into the .rodata map value and accepts one into .data', () => {
    const instance = instantiate(fixture('calls-and-globals.o'), {
      verifier: strict(),
      programs: [],
    });
    const declarations = instance.maps.declarations();
    const indexOf = (name: string) => instance.dataSection(name).section.mapIndex!;
    const store = (map: number) =>
      new Uint8Array([
        ...encode([
          {
            opcode: rowByName('lddw_map_value_idx').opcode,
            dst: 1,
            src: Lddw.MAP_VALUE_IDX,
            off: 0,
            imm: map,
            imm64: BigInt(map),
          },
        ]),
        ...assemble('stw [r1+0], 7\nmov r0, 0\nexit'),
      ]);
    const rodata = indexOf('.rodata');
    try {
      instance.vm.loadProgram(store(rodata), { maps: declarations });
      expect.unreachable('accepted');
    } catch (e) {
      expect(isEbpfError(e) && e.codeName).toBe('VERIFY_REFUSED');
      const { problems } = e as { problems: readonly { codeName: string; pc?: number }[] };
      expect(problems.map((p) => [p.codeName, p.pc])).toEqual([['VERIFY_READ_ONLY', 2]]);
    }
    const handle = instance.vm.loadProgram(store(indexOf('.data')), {
      maps: declarations,
      resolveLddw: (ref) => instance.maps.resolveLddw(ref.src, ref.imm, ref.next, ref.pc),
    });
    instance.vm.run({}, { program: handle });
    expect(instance.dataSection('.data').bytes()[0]).toBe(7);
  });
});

describe('two-programs.o', () => {
  it('shares one array map between XDP and kprobe programs', () => {
    const instance = instantiate(fixture('two-programs.o'));
    const hits = createTypedMap(instance.map('hits'), { key: u32, value: u64 });
    expect(instance.program('xdp_first').run({ mem: new Uint8Array(14) }).r0).toBe(
      BigInt(XdpAction.PASS),
    );
    expect(instance.program('xdp_second').run({ mem: new Uint8Array(14) }).r0).toBe(
      BigInt(XdpAction.DROP + 1),
    );
    const probe = instance.program('probe_open');
    expect(probe.context).toBeUndefined();
    expect(probe.run({ mbuff: new Uint8Array(8) }).r0).toBe(1n);
    expect([0, 1, 2, 3].map((k) => hits.get(k))).toEqual([1n, 1n, 1n, 1n]);
  });

  it('names what exists when asked for what does not', () => {
    const instance = instantiate(fixture('two-programs.o'), { programs: ['xdp_first'] });
    expect(instance.programs.map((p) => p.name)).toEqual(['xdp_first']);
    try {
      instance.program('xdp_second');
      expect.unreachable('found');
    } catch (e) {
      expect(isEbpfError(e, INSTANCE_NOT_FOUND)).toBe(true);
      if (isEbpfError(e, INSTANCE_NOT_FOUND)) expect(e.context.available).toEqual(['xdp_first']);
    }
    expect(() => instance.map('nope')).toThrow(/no map named 'nope' \(maps: hits\)/);
    expect(() => instance.setTailCall('hits', 0, 'xdp_first')).toThrow(
      expect.objectContaining({ code: INSTANCE_NOT_PROGRAM_ARRAY }),
    );
  });
});

describe('calls-and-globals.o', () => {
  it('maps .data, .bss and .rodata as regions the program reads and writes', () => {
    const object = fixture('calls-and-globals.o');
    const loop = {
      name: 'bpf_loop',
      fn: () => 0n,
      prototype: { args: [], ret: 'scalar' },
    } as const;
    const instance = instantiate(object, {
      helpers: ({ maps }) => kernelHelpers({ maps }).with(181, loop),
    });
    const prog = instance.program('weigh_packet');
    prog.run({ mem: new Uint8Array(60) });
    prog.run({ mem: new Uint8Array(60) });
    const data = instance.dataSection('.data');
    expect(new DataView(data.bytes().buffer, data.bytes().byteOffset).getBigUint64(0, true)).toBe(
      9n,
    );
    const bss = instance.dataSection('.bss');
    // mix(acc, 2) stored the packet length in scratch[2].
    expect(new DataView(bss.bytes().buffer, bss.bytes().byteOffset).getBigUint64(16, true)).toBe(
      60n,
    );
    expect(instance.dataSection('.rodata').section.readOnly).toBe(true);
  });

  it('faults on a store to .rodata', () => {
    const object = fixture('tc-program.o');
    const instance = instantiate(object);
    const rodata = instance.data.find((d) => d.section.readOnly)!;
    const vm = instance.vm;
    const handle = vm.loadProgram(
      assemble(`lddw r1, ${rodata.address}\nstw [r1+0], 1\nmov r0, 0\nexit`),
    );
    try {
      vm.run({}, { program: handle });
      expect.unreachable('no fault');
    } catch (e) {
      expect(isEbpfError(e, VM_ACCESS_VIOLATION) && e.context.reason).toBe('read-only');
    }
  });
});

describe('tail calls through a program array', () => {
  /** An object made by hand: an XDP entry that tail-calls slot 1 of `jumps`. */
  function tailCallObject(): BpfObject {
    const xdp = (name: string, text: string) => ({
      name,
      section: 'xdp',
      type: 'xdp',
      sectionOffset: 0,
      bytes: assemble(text),
      relocations: [],
      functions: [],
    });
    return {
      ...fixture('two-programs.o'),
      programs: [
        xdp('entry', 'lddw_map_idx r2, 0\nmov r3, 1\ncall 12\nmov r0, 0\nexit'),
        xdp(
          'second',
          'ldxw r2, [r1+4]\nldxw r3, [r1+0]\nsub r2, r3\nmov r0, 3\njgt r2, 10, +1\nmov r0, 1\nexit',
        ),
      ],
      maps: [
        {
          index: 0,
          name: 'jumps',
          type: MapType.PROG_ARRAY,
          typeName: 'prog_array',
          keySize: 4,
          valueSize: 4,
          maxEntries: 4,
          flags: 0,
          source: 'btf',
          section: '.maps',
          offset: 0,
        },
      ],
      data: [],
    };
  }

  it('adjust the packet through the kernel helpers (bpf_xdp_adjust_head 44, _tail 65)', () => {
    const object = tailCallObject();
    const instance = instantiate({
      ...object,
      programs: [
        {
          ...object.programs[0],
          name: 'pop',
          bytes: assemble(
            'mov r6, r1\nmov r2, 14\ncall 44\nmov r1, r6\nmov r2, 4\ncall 65\nldxw r2, [r6+0]\nldxw r3, [r6+4]\nmov r0, r3\nsub r0, r2\nexit',
          ),
        },
      ],
    });
    const frame = Uint8Array.from({ length: 40 }, (_, i) => i);
    const result = instance.program('pop').run({ mem: frame });
    expect(result.r0).toBe(30n);
    expect(result.packet).toEqual(Uint8Array.from([...frame.subarray(14), 0, 0, 0, 0]));
  });

  it('jump to the program the host put in the array, and fall through without it', () => {
    const instance = instantiate(tailCallObject());
    const entry = instance.program('entry');
    expect(entry.run({ mem: new Uint8Array(20) }).r0).toBe(0n);
    expect(instance.setTailCall('jumps', 1, 'second')).toBe(0);
    const result = entry.run({ mem: new Uint8Array(20) });
    expect(result.r0).toBe(BigInt(XdpAction.TX));
    expect(result.tailCalls).toBe(1);
    expect(entry.run({ mem: new Uint8Array(5) }).r0).toBe(BigInt(XdpAction.DROP));
    expect(instance.program('second').run({ mem: new Uint8Array(30) }).r0).toBe(3n);
    expect(entry.handle.layout.name).toBe('xdp');
    expect(entry.run({ mem: new Uint8Array(1) }).context?.address).toBe(MBUFF_ADDRESS);
  });
});

describe('on the JIT', () => {
  it('runs programs without a modelled context the same as the interpreter', () => {
    const results = (['interp', 'jit'] as const).map((engine) => {
      const instance = instantiate(fixture('two-programs.o'), { jit: createJit(), engine });
      const probe = instance.program('probe_open');
      const r0 = [probe.run({ mbuff: new Uint8Array(8) }).r0, probe.run().r0];
      const hits = createTypedMap(instance.map('hits'), { key: u32, value: u64 });
      return { r0, hits: hits.get(3), count: instance.vm.lastInsnCount };
    });
    expect(results[0]).toEqual({ r0: [1n, 1n], hits: 2n, count: results[0].count });
    expect(results[1]).toEqual(results[0]);
  });

  it('runs the XDP context the same as the interpreter', () => {
    const verdicts = (['interp', 'jit'] as const).map((engine) => {
      const instance = instantiate(fixture('xdp-firewall.o'), { jit: createJit(), engine });
      const run = instance.program('xdp_firewall').run({ mem: tcpFrame(22) });
      return { r0: run.r0, count: run.insnCount };
    });
    expect(verdicts[0].r0).toBe(BigInt(XdpAction.PASS));
    expect(verdicts[1]).toEqual(verdicts[0]);
  });
});
