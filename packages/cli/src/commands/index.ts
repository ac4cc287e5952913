import type { Command } from '../command.js';
import { asmCommand } from './asm.js';
import { conformanceCommand, conformancePluginCommand } from './conformance.js';
import { demoCommand } from './demo.js';
import { disasmCommand } from './disasm.js';
import { runCommand } from './run.js';
import { verifyCommand } from './verify.js';

/** Every subcommand, in the order `ebpf --help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  asmCommand,
  disasmCommand,
  conformanceCommand,
  conformancePluginCommand,
  runCommand,
  verifyCommand,
];
