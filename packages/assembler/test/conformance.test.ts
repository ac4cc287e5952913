import { readdirSync, readFileSync } from 'node:fs';
import {
  type ConformanceGroup,
  type CpuVersion,
  compareCpu,
  decode,
  expandGroups,
  ROWS_BY_NAME,
} from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  ASM_BAD_DATA_FILE,
  ASM_IMM_RANGE,
  ASM_OFFSET_RANGE,
  ASM_OPERAND_COUNT,
  ASM_OPERAND_KIND,
  ASM_UNDEFINED_LABEL,
  ASM_UNKNOWN_MNEMONIC,
  ASM_UNKNOWN_REGISTER,
  AsmError,
  assemble,
  assembleProgram,
  parseConformanceData,
  rawToBytes,
} from '../src/index.js';

const CONFORMANCE = new URL('../../../../shared/conformance/', import.meta.url);
const TESTS = new URL('tests/', CONFORMANCE);
const files = readdirSync(TESTS)
  .filter((f) => f.endsWith('.data'))
  .sort();
const read = (file: string) => parseConformanceData(readFileSync(new URL(file, TESTS), 'utf8'));

/**
 * Where our table follows RFC 9669 and bpf_conformance's own table does not. The upstream runner
 * files these forms under base32; RFC 9669 (section 2.4) puts every ALU64 instruction in base64.
 */
const KNOWN_GROUP_DEVIATIONS: Readonly<
  Record<string, { upstream: ConformanceGroup; ours: ConformanceGroup }>
> = {
  neg64: { upstream: 'base32', ours: 'base64' },
  sub64_reg: { upstream: 'base32', ours: 'base64' },
};

describe('bpf_conformance tests/', () => {
  it('has the 313 files the README describes', () => {
    expect(files.length).toBe(313);
  });

  it('every -- asm section assembles', () => {
    let withAsm = 0;
    for (const file of files) {
      const data = read(file);
      if (data.asm === undefined) continue;
      withAsm++;
      const bytes = assemble(data.asm, { firstLine: data.asmFirstLine });
      expect(bytes.length, file).toBeGreaterThan(0);
      // What the assembler made decodes, strictly, to as many instructions as it reported.
      const program = assembleProgram(data.asm, { firstLine: data.asmFirstLine });
      expect(decode(bytes, { strict: true }).length, file).toBe(program.insns.length);
    }
    expect(withAsm).toBe(313);
  });

  it('lddw.data: the -- raw and the -- asm give the same bytes', () => {
    const data = read('lddw.data');
    expect(data.raw).toBeDefined();
    expect(assemble(data.asm!)).toEqual(rawToBytes(data.raw!));
  });

  it('the known group deviations are what the table says', () => {
    for (const [name, { ours, upstream }] of Object.entries(KNOWN_GROUP_DEVIATIONS)) {
      expect(ROWS_BY_NAME.get(name)?.group, name).toBe(ours);
      expect(ours).not.toBe(upstream);
    }
  });

  it('INDEX.tsv: CPU version and conformance groups of the rows each file uses', () => {
    const index = readFileSync(new URL('INDEX.tsv', CONFORMANCE), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(index.length).toBe(313);
    const deviating = new Set<string>();
    for (const entry of index) {
      const [file, cpu, groups] = entry.split('\t');
      const data = read(file);
      const insns = decode(assemble(data.asm!, { firstLine: data.asmFirstLine }));
      let max: CpuVersion = 'v1';
      const ours = new Set<ConformanceGroup>();
      const asUpstream = new Set<ConformanceGroup>();
      for (const insn of insns) {
        if (compareCpu(insn.row.cpu, max) > 0) max = insn.row.cpu;
        ours.add(insn.row.group);
        const deviation = KNOWN_GROUP_DEVIATIONS[insn.row.name];
        asUpstream.add(deviation ? deviation.upstream : insn.row.group);
      }
      // INDEX lists groups as the upstream runner collects them, not closed under "includes":
      // compare the closures.
      const expected = [...expandGroups(groups.split(',') as ConformanceGroup[])].sort();
      expect(max, `${file}: cpu`).toBe(cpu);
      expect([...expandGroups(asUpstream)].sort(), `${file}: groups`).toEqual(expected);
      if ([...expandGroups(ours)].sort().join() !== expected.join()) deviating.add(file);
    }
    // The deviations show in exactly these files (a new one would be a table bug to look at).
    expect([...deviating].sort()).toEqual(['neg64.data']);
  });
});

describe('bpf_conformance negative/: the assembler self-tests', () => {
  /** The files that test the assembler, and the error each must give. */
  const EXPECTED: Readonly<Record<string, number>> = {
    'invalid_imm32_dec_range.data': ASM_IMM_RANGE,
    'invalid_imm32_hex_range.data': ASM_IMM_RANGE,
    'invalid_label.data': ASM_UNDEFINED_LABEL,
    'invalid_lock.data': ASM_OPERAND_COUNT,
    'invalid_lock2.data': ASM_UNKNOWN_MNEMONIC,
    'invalid_mnemonic.data': ASM_UNKNOWN_MNEMONIC,
    'invalid_offset.data': ASM_OPERAND_KIND,
    'invalid_offset_range.data': ASM_OFFSET_RANGE,
    'invalid_operand_count.data': ASM_OPERAND_COUNT,
    'invalid_register.data': ASM_UNKNOWN_REGISTER,
    'invalid_unknown_directive.data': ASM_BAD_DATA_FILE,
  };

  it('each invalid_* file is rejected with its own code', () => {
    const negative = new URL('negative/', CONFORMANCE);
    const invalid = readdirSync(negative).filter((f) => f.startsWith('invalid_'));
    expect(invalid.sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const file of invalid) {
      let code: number | undefined;
      try {
        const data = parseConformanceData(readFileSync(new URL(file, negative), 'utf8'));
        assemble(data.asm ?? '', { firstLine: data.asmFirstLine });
      } catch (e) {
        expect(e, file).toBeInstanceOf(AsmError);
        code = (e as AsmError).code;
      }
      expect(code, file).toBe(EXPECTED[file]);
    }
  });
});
