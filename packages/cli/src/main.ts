#!/usr/bin/env node
import { runCli } from './cli.js';
import { nodeIo } from './node-io.js';

// A reader that goes away early (`ebpf disasm x | head`) is not an error of ours: stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), nodeIo());
