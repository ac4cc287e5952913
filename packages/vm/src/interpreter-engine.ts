import type { CompiledProgram, ExecutionEngine } from './engine.js';
import { interpret } from './interpreter.js';
import { predecode } from './predecode.js';

/**
 * The interpreter as an {@link ExecutionEngine}: `compile` pre-decodes the program once, `run`
 * interprets the code stream.
 *
 * @example
 * const program = interpreter.compile(bytes, { space, helpers });
 * program.run({ args: [0n], budget: 1000 }).r0;
 */
export const interpreter: ExecutionEngine = Object.freeze<ExecutionEngine>({
  name: 'interp',
  compile(bytes, env): CompiledProgram {
    const code = predecode(bytes);
    return Object.freeze<CompiledProgram>({
      engine: 'interp',
      features: ['slow-regions', 'tail-calls'],
      run: (request) => interpret(code, env.space, env.helpers, request),
    });
  },
});
