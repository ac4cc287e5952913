/**
 * Makes the JIT the default engine of every VM a test creates without an engine of its own, so
 * that @ebpf/vm's own tests, unchanged, run on the WebAssembly JIT: each of their assertions (r0,
 * memory afterwards, error code and instruction index, instruction count) then holds for both
 * engines. Runs that name an engine keep it, and a VM given its own engine is left as it is.
 */
import { createJit } from '@ebpf/jit';
import { EbpfVm, type RunInput, type RunOptions } from '@ebpf/vm';

const run = EbpfVm.prototype.run;
const onJit = new WeakSet<EbpfVm>();

EbpfVm.prototype.run = function runOnJit(this: EbpfVm, input?: RunInput, options: RunOptions = {}) {
  if (options.engine !== undefined) return run.call(this, input, options);
  if (!onJit.has(this)) {
    if (this.jitEngine !== undefined) return run.call(this, input, options);
    this.setJit(createJit());
    onJit.add(this);
  }
  return run.call(this, input, { ...options, engine: 'jit' });
};
