import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import { EbpfVmNoData } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  HELPERS_BAD_ENTRY,
  HELPERS_BAD_OPTION,
  HELPERS_UNKNOWN_NAME,
  HelperSet,
  installHelpers,
  KernelHelper,
  kernelHelpers,
  RbpfHelper,
  rbpfHelpers,
} from '../src/index.js';
import { helperTable } from './support/readme-table.js';

const expectCode = (f: () => unknown, code: number) => {
  try {
    f();
  } catch (e) {
    expect(isEbpfError(e, code)).toBe(true);
    return;
  }
  expect.unreachable('no error thrown');
};

/** Named parameters of a C prototype: `void` is none, `...` is not one. */
function parameterCount(signature: string): number {
  const inside = signature.slice(signature.indexOf('(') + 1, signature.lastIndexOf(')')).trim();
  if (inside === 'void') return 0;
  const parts = inside.split(',').map((s) => s.trim());
  return parts.filter((p) => p !== '...').length;
}

describe('the kernel helper set', () => {
  const set = kernelHelpers();

  it('holds every id of KernelHelper, under the kernel name of that id', () => {
    for (const [key, id] of Object.entries(KernelHelper)) {
      const entry = set.get(id);
      expect(entry, key).toBeDefined();
      expect(entry!.name).toBe(`bpf_${key.toLowerCase()}`);
      expect(entry!.id).toBe(id);
    }
    expect(set.size).toBe(Object.keys(KernelHelper).length);
  });

  it('uses the ids of linux/bpf.h (golden from the UAPI header)', () => {
    const golden = new Map(
      readFileSync(new URL('./goldens/bpf-func-ids.txt', import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => {
          const [id, name] = l.split(' ');
          return [Number(id), `bpf_${name}`] as const;
        }),
    );
    expect(golden.size).toBeGreaterThan(200);
    for (const entry of set.values()) expect(golden.get(entry.id), entry.name).toBe(entry.name);
  });

  it('gives every helper a prototype whose arity matches its C signature', () => {
    for (const entry of set.values()) {
      expect(entry.signature, entry.name).toContain(`${entry.name}(`);
      expect(entry.prototype.args.length, entry.name).toBe(parameterCount(entry.signature!));
      expect(entry.prototype.name).toBe(entry.name);
      expect(Object.isFrozen(entry)).toBe(true);
    }
  });

  it('rbpf helpers sit at rbpf ids, apart from the kernel set', () => {
    const rbpf = rbpfHelpers();
    expect([...rbpf.keys()]).toEqual([0, 1, 3, 4, 5, 6]);
    expect(rbpf.get(RbpfHelper.GATHER_BYTES)!.name).toBe('gather_bytes');
    expect(rbpf.get(RbpfHelper.TRACE_PRINTF)!.name).toBe('bpf_trace_printf');
    for (const entry of rbpf.values()) {
      expect(entry.prototype.args.length, entry.name).toBe(parameterCount(entry.signature!));
    }
  });
});

describe('helper sets are values', () => {
  const base = kernelHelpers();
  const mine = {
    name: 'my_double',
    fn: (r1: bigint) => r1 * 2n,
    prototype: { args: ['scalar'], ret: 'scalar' },
  } as const;

  it('with() adds or replaces without touching the original', () => {
    const extended = base.with(0x1000, mine);
    expect(extended.get(0x1000)!.name).toBe('my_double');
    expect(base.has(0x1000)).toBe(false);
    const replaced = base.with(KernelHelper.KTIME_GET_NS, { ...mine, name: 'fixed_time' });
    expect(replaced.get(KernelHelper.KTIME_GET_NS)!.name).toBe('fixed_time');
    expect(base.get(KernelHelper.KTIME_GET_NS)!.name).toBe('bpf_ktime_get_ns');
    expect(Object.isFrozen(extended)).toBe(true);
  });

  it('without() and only() trim', () => {
    const trimmed = base.without(KernelHelper.TRACE_PRINTK, 9999);
    expect(trimmed.has(KernelHelper.TRACE_PRINTK)).toBe(false);
    expect(trimmed.size).toBe(base.size - 1);
    const few = base.only('map_lookup_elem', 'bpf_ktime_get_ns', KernelHelper.TAIL_CALL);
    expect([...few.keys()]).toEqual([1, 5, 12]);
    expectCode(() => base.only('no_such_helper'), HELPERS_UNKNOWN_NAME);
  });

  it('merge() lets the other set win', () => {
    const merged = base.merge(rbpfHelpers());
    expect(merged.get(6)!.name).toBe('bpf_trace_printf');
    expect(merged.get(1)!.name).toBe('memfrob');
    expect(merged.get(KernelHelper.CSUM_DIFF)!.name).toBe('bpf_csum_diff');
  });

  it('refuses bad entries and options with typed errors', () => {
    expectCode(() => base.with(-1, mine), HELPERS_BAD_ENTRY);
    expectCode(() => base.with(1.5, mine), HELPERS_BAD_ENTRY);
    expectCode(() => base.with(7, { ...mine, fn: 3 as never }), HELPERS_BAD_ENTRY);
    expectCode(
      () => base.with(7, { ...mine, prototype: { args: Array(6).fill('scalar'), ret: 'scalar' } }),
      HELPERS_BAD_ENTRY,
    );
    expectCode(() => new HelperSet([[1, null as never]]), HELPERS_BAD_ENTRY);
    expectCode(() => kernelHelpers({ pid: -1 }), HELPERS_BAD_OPTION);
    expectCode(() => kernelHelpers({ comm: 'a-name-far-too-long' }), HELPERS_BAD_OPTION);
    expectCode(() => kernelHelpers({ hz: 0 }), HELPERS_BAD_OPTION);
    expectCode(() => kernelHelpers({ maps: {} as never }), HELPERS_BAD_OPTION);
  });

  it('installHelpers registers each helper with its prototype', () => {
    const vm = new EbpfVmNoData();
    const set = base.only('bpf_map_lookup_elem', 'bpf_trace_printk');
    installHelpers(vm, set);
    const protos = vm.helpers.prototypes();
    expect([...protos.keys()].sort((a, b) => a - b)).toEqual([1, 6]);
    expect(protos.get(1)).toEqual({
      name: 'bpf_map_lookup_elem',
      args: ['map', 'map_key'],
      ret: 'map_value_or_null',
    });
    expect(vm.helpers.get(6)!.fn).toBe(set.get(6)!.fn);
  });
});

describe('the README', () => {
  it('lists every helper with its prototype, as the sets hold them', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = (name: string) =>
      readme.split(`<!-- helper-table:${name} -->\n`)[1]?.split('\n<!-- /helper-table -->')[0];
    expect(section('kernel')).toBe(helperTable(kernelHelpers()));
    expect(section('rbpf')).toBe(helperTable(rbpfHelpers()));
  });
});
