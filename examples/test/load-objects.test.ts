import { loadBpfObject } from '@ebpf/elf';
import { decode } from '@ebpf/isa';
import { describe, expect, test } from 'vitest';
import { EXAMPLES, type ExampleName, readExampleObject } from './support/examples.js';

// What each object must declare. The objects are loaded as committed: no patching, no options.
const DECLARED: Record<
  ExampleName,
  { programs: [string, string][]; maps: string[]; data: string[] }
> = {
  xdpFirewall: {
    programs: [['xdp_firewall', 'xdp']],
    maps: ['blocked_ports hash 2/16 x256', 'verdicts array 4/8 x5'],
    data: [],
  },
  percpuCounter: {
    programs: [['count_packets', 'xdp']],
    maps: ['class_stats percpu_array 4/16 x4', 'packets_per_cpu array 4/8 x8'],
    data: [],
  },
  tcRewrite: {
    programs: [['tc_rewrite', 'sched_cls']],
    maps: ['nat_rules hash 8/16 x64'],
    data: [],
  },
  ringbufEvents: {
    programs: [['report_connections', 'xdp']],
    maps: ['events ringbuf 0/0 x4096', 'counters array 4/8 x2'],
    data: [],
  },
  tailCallDispatch: {
    programs: [
      ['xdp_dispatch', 'xdp'],
      ['handle_tcp', 'xdp'],
      ['handle_udp', 'xdp'],
      ['handle_icmp', 'xdp'],
      ['xdp_chain', 'xdp'],
    ],
    maps: ['handlers prog_array 4/4 x4', 'runs array 4/8 x6'],
    data: [],
  },
  callsAndGlobals: {
    programs: [['xdp_calls_globals', 'xdp']],
    maps: [],
    data: ['.rodata rodata 8 ro', '.data data 4 rw', '.bss bss 36 rw'],
  },
};

describe('every example object loads unchanged', () => {
  for (const name of Object.keys(EXAMPLES) as ExampleName[]) {
    test(`${EXAMPLES[name]}.o declares its programs, maps and data`, () => {
      const object = loadBpfObject(readExampleObject(name));
      expect(object.license).toBe('Dual MIT/GPL');
      expect(object.programs.map((p) => [p.name, p.type])).toEqual(DECLARED[name].programs);
      expect(
        object.maps
          .filter((m) => !m.internal)
          .map((m) => `${m.name} ${m.typeName} ${m.keySize}/${m.valueSize} x${m.maxEntries}`),
      ).toEqual(DECLARED[name].maps);
      expect(
        object.data.map((d) => `${d.name} ${d.kind} ${d.size} ${d.readOnly ? 'ro' : 'rw'}`),
      ).toEqual(DECLARED[name].data);
      // Every linked instruction decodes against the ISA table; nothing is left unresolved.
      for (const program of object.programs) {
        expect(() => decode(program.bytes)).not.toThrow();
        expect(program.relocations.filter((r) => r.kind === 'extern')).toEqual([]);
      }
    });
  }

  test('no object needs CO-RE relocations (which the loader does not apply)', () => {
    for (const name of Object.keys(EXAMPLES) as ExampleName[]) {
      const object = loadBpfObject(readExampleObject(name));
      const ext = object.elf.sections.find((s) => s.name === '.BTF.ext');
      expect(ext, name).toBeDefined();
      const v = new DataView(ext!.data.buffer, ext!.data.byteOffset, ext!.data.byteLength);
      expect(v.getUint16(0, true)).toBe(0xeb9f); // BTF magic
      // struct btf_ext_header: hdr_len at 4; core_relo_off/len at 32/36 when hdr_len >= 40.
      const headerLength = v.getUint32(4, true);
      const coreReloLength = headerLength >= 40 ? v.getUint32(36, true) : 0;
      expect(coreReloLength, name).toBe(0);
    }
  });

  test('the BPF-to-BPF calls are linked behind the program', () => {
    const object = loadBpfObject(readExampleObject('callsAndGlobals'));
    const [program] = object.programs;
    expect(program.functions.map((f) => f.name)).toEqual([
      'xdp_calls_globals',
      'ipv4_checksum_ok',
      'hash_flow',
      'take_token',
      'fold_checksum',
      'mix_word',
    ]);
    const calls = program.relocations.filter((r) => r.kind === 'call');
    expect(calls.length).toBeGreaterThanOrEqual(6);
  });

  test('each global-data section is also an internal array map, as libbpf makes them', () => {
    const object = loadBpfObject(readExampleObject('callsAndGlobals'));
    const internal = object.maps.filter((m) => m.internal);
    expect(
      internal.map((m) => `${m.name} ${m.typeName} ${m.keySize}/${m.valueSize} x${m.maxEntries}`),
    ).toEqual(['.rodata array 4/8 x1', '.data array 4/4 x1', '.bss array 4/36 x1']);
    const BPF_F_RDONLY_PROG = 0x80;
    expect(internal.map((m) => (m.flags & BPF_F_RDONLY_PROG) !== 0)).toEqual([true, false, false]);
  });

  test('the initial values of the global data are the C initialisers', () => {
    const object = loadBpfObject(readExampleObject('callsAndGlobals'));
    const [rodata, data, bss] = object.data;
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(view(rodata.bytes).getUint16(0, true)).toBe(8080); // service_port
    expect(view(rodata.bytes).getUint32(4, true)).toBe(0x5eed1234); // hash_seed
    expect(view(data.bytes).getUint32(0, true)).toBe(3); // service_tokens
    expect([...bss.bytes].every((b) => b === 0)).toBe(true);
  });
});
