/** Load-time resolution of `lddw` subtypes 1-6 through the loader hook. */
import { assemble } from '@ebpf/assembler';
import { Lddw, OPCODE_TABLE, readSlot } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  EbpfVmNoData,
  type LddwReference,
  noVerifier,
  resolveLddwReferences,
  VM_UNRESOLVED_LDDW,
} from '../src/index.js';
import { insOf, program } from './support/program.js';

describe('resolveLddw', () => {
  it('resolves every lddw form of the ISA table with a non-zero subtype', () => {
    const rows = OPCODE_TABLE.filter((r) => r.kind === 'lddw' && (r.match.src ?? 0) !== 0);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      const bytes = program(
        insOf(row, { dst: 3, imm: 7, imm64: (40n << 32n) | 7n }),
        insOf(OPCODE_TABLE.find((r) => r.name === 'exit')!),
      );
      const seen: LddwReference[] = [];
      const out = resolveLddwReferences(bytes, (ref) => {
        seen.push(ref);
        return 0x1234_5678_9abc_def0n + BigInt(ref.src);
      });
      expect(seen).toEqual([{ src: row.match.src, imm: 7, next: 40, pc: 0 }]);
      expect(readSlot(out, 0).src).toBe(Lddw.IMM64);
      expect(readSlot(out, 0).dst).toBe(3);
      const vm = new EbpfVmNoData(undefined, { verifier: noVerifier });
      vm.setProgram(bytes, {
        resolveLddw: (ref) => BigInt(ref.src) * 1000n + BigInt(ref.imm) + BigInt(ref.next),
      });
      const withR0 = new Uint8Array(vm.program!);
      withR0[1] = (withR0[1] & 0xf0) | 0; // load into r0 instead of r3
      vm.setProgram(withR0);
      expect(vm.executeProgram()).toBe(BigInt((row.match.src ?? 0) * 1000 + 47));
    }
  });

  it('leaves references the hook does not answer, which then fault', () => {
    const vm = new EbpfVmNoData(undefined, { verifier: noVerifier });
    vm.setProgram(assemble('lddw_map_idx r1, 0\nmov r0, 1\nexit'), {
      resolveLddw: () => undefined,
    });
    expect(() => vm.executeProgram()).toThrow(
      expect.objectContaining({ code: VM_UNRESOLVED_LDDW, pc: 0 }),
    );
  });

  it('keeps plain lddw and every other instruction unchanged', () => {
    const bytes = assemble('lddw r1, 0x1122334455667788\nlddw_map_idx r2, 3\nmov r0, r1\nexit');
    const out = resolveLddwReferences(bytes, () => 5n);
    expect(out.subarray(0, 16)).toEqual(bytes.subarray(0, 16));
    expect(out.subarray(32)).toEqual(bytes.subarray(32));
    expect(readSlot(out, 2).imm).toBe(5);
  });
});
