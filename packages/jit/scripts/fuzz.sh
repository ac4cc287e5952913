#!/bin/sh
# Differential fuzzing at scale: the interpreter against the JIT on random programs over the
# whole ISA table (test/differential-fuzz.test.ts, which runs 2,000 programs in the normal suite).
#   sh packages/jit/scripts/fuzz.sh [count] [seed]      (from the repository root)
# Prints the seed and the count; a failure prints fast-check's shrunk counterexample and the seed
# and path to replay it.
set -e
RUNS=${1:-100000}
SEED=${2:-$(date +%s)}
cd "$(dirname "$0")/../../.."
FUZZ_RUNS=$RUNS FUZZ_SEED=$SEED pnpm vitest run --project jit test/differential-fuzz.test.ts
