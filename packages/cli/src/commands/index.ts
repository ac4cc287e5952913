import type { Command } from '../command.js';
import { demoCommand } from './demo.js';

/** Every subcommand, in the order `ebpf --help` lists them. */
export const COMMANDS: readonly Command[] = [demoCommand];
