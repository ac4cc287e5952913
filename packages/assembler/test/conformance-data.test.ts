import { describe, expect, it } from 'vitest';
import { assemble, assembleProgram, parseConformanceData, rawToBytes } from '../src/index.js';

describe('parseConformanceData', () => {
  it('reads every section of the format', () => {
    const text = [
      '# Copyright header',
      '-- asm',
      'mov %r0, 1 # comment',
      '',
      '# a comment line',
      'exit',
      '-- mem',
      '00 11 22',
      'ff',
      '-- raw',
      '0x00000001000000b7',
      '149',
      '-- result',
      '0xFFFFFFFFFFFFFFF6',
      '-- no register offset',
      'call instruction',
      '-- c',
      'int main() { return 1; }',
      '-- error',
      'bad thing',
    ].join('\n');
    const data = parseConformanceData(text);
    expect(data.asm).toBe('mov %r0, 1\n\n\nexit');
    expect(data.asmFirstLine).toBe(3);
    expect(data.mem).toEqual(new Uint8Array([0x00, 0x11, 0x22, 0xff]));
    expect(data.raw).toEqual([0x1_0000_00b7n, 149n]);
    expect(data.result).toBe(0xffff_ffff_ffff_fff6n);
    expect(data.noRegisterOffset).toBe('call instruction');
    expect(data.c).toBe('int main() { return 1; }');
    expect(data.error).toBe('bad thing');
    // Lines keep their place in the file.
    expect(
      assembleProgram(data.asm!, { firstLine: data.asmFirstLine }).insns.map((i) => i.line),
    ).toEqual([3, 6]);
    expect(rawToBytes(data.raw!)).toEqual(assemble('mov %r0, 1\nexit'));
  });

  it('decimal results, negative values wrap to 64 bits, absent sections stay absent', () => {
    expect(parseConformanceData('-- result\n0\n').result).toBe(0n);
    expect(parseConformanceData('-- result\n-1\n').result).toBe(0xffff_ffff_ffff_ffffn);
    const only = parseConformanceData('-- asm\nexit\n');
    expect(Object.keys(only).sort()).toEqual(['asm', 'asmFirstLine']);
  });

  it('a line containing -- anywhere starts a section, chosen by the first keyword in order', () => {
    // "asm" is tried before "result", whatever their order on the line.
    expect(parseConformanceData('-- result asm\nexit').asm).toBe('exit');
    expect(parseConformanceData('x -- result\n0x2').result).toBe(2n);
  });
});
