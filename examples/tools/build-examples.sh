#!/usr/bin/env bash
# Rebuilds the example objects of @ebpf/examples from their C sources.
# Needs clang-19 and llvm-objdump-19 (and libbpf's headers, Debian's libbpf-dev); the tests only
# read the committed files, so CI needs none of these.
#
# For each example DIR/NAME.c (see EXAMPLES below) this writes, next to the source:
#   NAME.o             the object as clang compiled it (what the tests load, unchanged)
#   NAME.objdump.txt   llvm-objdump -d -r: the code with its relocations, for reviewers
# Usage: examples/tools/build-examples.sh [--check]
#   --check: rebuild into a temporary directory, compare, change nothing; exit 1 on a difference.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${CLANG:-clang-19}"
OBJDUMP="${OBJDUMP:-llvm-objdump-19}"
# -fdebug-prefix-map keeps the build directory out of the debug info: objects are reproducible.
FLAGS=(-O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu "-fdebug-prefix-map=$root=.")

# directory/source-name (without .c)
EXAMPLES=(
  xdp-firewall/xdp_firewall
  percpu-counter/percpu_counter
  tc-rewrite/tc_rewrite
  ringbuf-events/ringbuf_events
  tail-call-dispatch/tail_call_dispatch
  calls-and-globals/calls_globals
)

check=0
[[ "${1:-}" == "--check" ]] && check=1
tmp=""
if ((check)); then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
fi

cd "$root"
stale=0
for example in "${EXAMPLES[@]}"; do
  dir="$(dirname "$example")"
  name="$(basename "$example")"
  out="$root/$dir"
  if ((check)); then
    out="$tmp/$dir"
    mkdir -p "$out"
  fi
  "$CLANG" "${FLAGS[@]}" -c "$dir/$name.c" -o "$out/$name.o"
  # Skip objdump's first lines, which name the file.
  "$OBJDUMP" -d -r "$out/$name.o" | tail -n +3 >"$out/$name.objdump.txt"
  if ((check)); then
    for ext in o objdump.txt; do
      if ! cmp -s "$out/$name.$ext" "$root/$dir/$name.$ext"; then
        echo "$dir/$name.$ext is out of date: run examples/tools/build-examples.sh" >&2
        stale=1
      fi
    done
  else
    echo "$dir/$name.o: $(wc -c <"$out/$name.o") bytes"
  fi
done
exit "$stale"
