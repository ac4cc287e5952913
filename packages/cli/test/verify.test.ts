import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { fakeIo } from './fake-io.js';

const GOOD = 'mov r0, 1\nexit\n';
const BAD_STRICT = 'ldxw r2, [r1+8]\njeq r2, 0, +1\nmov r3, 1\nmov r0, r3\nexit\n';
const BAD_STRUCTURE = 'mov r10, 1\nja +5\nexit\n';

describe('ebpf verify', () => {
  it('accepts a good program with exit code 0', async () => {
    const io = fakeIo({ 'ok.s': GOOD });
    expect(await runCli(['verify', 'ok.s'], io)).toBe(0);
    expect(io.out()).toContain('accepted by the structural verifier');
  });

  it('refuses with exit code 1 and shows each problem with its code and the listing around it', async () => {
    const io = fakeIo({ 'bad.s': BAD_STRUCTURE });
    expect(await runCli(['verify', 'bad.s'], io)).toBe(1);
    const out = io.out();
    expect(out).toContain('2 problems');
    expect(out).toContain('VERIFY_WRITE_FRAME_POINTER (5008) at insn 0');
    expect(out).toContain('VERIFY_JUMP_OUT_OF_RANGE (5012) at insn 1');
    expect(out).toMatch(/> 0 \| mov64 r10, 0x1/);
  });

  it('--strict prints the register state that led to the problem', async () => {
    const io = fakeIo({ 'p.s': BAD_STRICT });
    expect(await runCli(['verify', 'p.s', '--strict', '--context', '16'], io)).toBe(1);
    const out = io.out();
    expect(out).toContain('VERIFY_UNINIT_REGISTER (5107) at insn 3');
    expect(out).toContain('state before it:');
    expect(out).toContain('r1 = ctx(off=0,size=16)');
    expect(out).toMatch(/> 3 \| mov64 r0, r3/);
    expect(out).toMatch(/ {3}2 \| mov64 r3, 0x1/);
  });

  it('--strict accepts the same program structural accepts when it is safe', async () => {
    const io = fakeIo({ 'ok.s': 'mov r0, 0\nmov r1, 0\nl:\nadd r1, 1\njlt r1, 10, l\nexit\n' });
    expect(await runCli(['verify', 'ok.s', '--strict'], io)).toBe(0);
  });

  it('--loops reject refuses a loop; --budget accepts one bounded only by the budget', async () => {
    const src = 'mov r0, 0\nl:\nldxw r2, [r1+0]\nadd r0, 1\njne r2, 0, l\nexit\n';
    const io1 = fakeIo({ 'l.s': src });
    expect(
      await runCli(['verify', 'l.s', '--strict', '--mem', '8', '--loops', 'reject'], io1),
    ).toBe(1);
    expect(io1.out()).toContain('VERIFY_LOOP');
    const io2 = fakeIo({ 'l.s': src });
    expect(await runCli(['verify', 'l.s', '--strict', '--mem', '8', '--budget', '1000'], io2)).toBe(
      0,
    );
  });

  it('--syntax llvm reads LLVM text and lists in LLVM syntax', async () => {
    const io = fakeIo({ 'p.s': 'r10 = 1\nexit\n' });
    expect(await runCli(['verify', 'p.s', '--syntax', 'llvm'], io)).toBe(1);
    expect(io.out()).toMatch(/> 0 \| r10 = 0x1/);
  });

  it('--packet declares 64-bit packet pointer fields in the context', async () => {
    const src =
      'ldxdw r2, [r1+0]\nldxdw r3, [r1+8]\nmov r4, r2\nadd r4, 4\njgt r4, r3, +2\nldxw r0, [r2+0]\nexit\nmov r0, 0\nexit\n';
    const ok = fakeIo({ 'p.s': src });
    expect(
      await runCli(['verify', 'p.s', '--strict', '--context', '16', '--packet', '0,8'], ok),
    ).toBe(0);
    const unchecked = fakeIo({ 'p.s': src.replace('add r4, 4', 'add r4, 2') });
    expect(
      await runCli(['verify', 'p.s', '--strict', '--context', '16', '--packet', '0,8'], unchecked),
    ).toBe(1);
    expect(unchecked.out()).toContain('VERIFY_PACKET_UNCHECKED (5112) at insn 5');
    expect(await runCli(['verify', 'p.s', '--packet', '0,8'], fakeIo({ 'p.s': src }))).toBe(2);
  });

  it('reads raw bytecode', async () => {
    const bytes = new Uint8Array([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    const io = fakeIo({ 'p.bin': bytes });
    expect(await runCli(['verify', 'p.bin'], io)).toBe(0);
  });

  it('--json prints the verdict and every problem', async () => {
    const io = fakeIo({ 'bad.s': BAD_STRUCTURE });
    expect(await runCli(['verify', 'bad.s', '--json'], io)).toBe(1);
    const out = JSON.parse(io.out());
    expect(out.ok).toBe(false);
    expect(out.verifier).toBe('structural');
    expect(out.problems.map((p: { codeName: string; pc: number }) => [p.codeName, p.pc])).toEqual([
      ['VERIFY_WRITE_FRAME_POINTER', 0],
      ['VERIFY_JUMP_OUT_OF_RANGE', 1],
    ]);
  });

  it('rejects a bad command line with exit code 2', async () => {
    expect(await runCli(['verify'], fakeIo())).toBe(2);
    expect(await runCli(['verify', 'a.s', '--loops', 'maybe'], fakeIo({ 'a.s': GOOD }))).toBe(2);
    expect(await runCli(['verify', 'a.s', '--budget', 'x'], fakeIo({ 'a.s': GOOD }))).toBe(2);
  });

  it('reports an unreadable file or bad assembly with exit code 1', async () => {
    expect(await runCli(['verify', 'missing.s'], fakeIo())).toBe(1);
    const io = fakeIo({ 'x.s': 'frobnicate r1\n' });
    expect(await runCli(['verify', 'x.s'], io)).toBe(1);
    expect(io.err()).toContain('ebpf: error:');
  });
});
