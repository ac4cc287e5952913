/**
 * # @ebpf/elf
 *
 * Reads the ELF objects `clang -O2 -target bpf -c` writes (any `-mcpu`, with or without `-g`)
 * and turns them into what a VM needs, as a pure function of the bytes:
 *
 * - `parseElf(bytes)`: the ELF layer: header, sections with names, symbols, relocations.
 * - `loadBpfObject(bytes)`: programs (one per global function of each code section other than
 *   `.text`, typed by section name as libbpf does), each **linked** into one bytecode image with
 *   the `.text` subprograms it calls appended; maps from `.maps` (BTF-defined, read through
 *   `.BTF`) and the legacy `maps` section; global data (`.rodata*`, `.data*`, `.bss*`); the
 *   license.
 * - Global data is maps, as libbpf makes it: every non-empty `.rodata*`/`.data*`/`.bss*`
 *   section is an internal one-element array map appended to `maps` (`internal: true`, the
 *   section's bytes as `initialValue`, `BPF_F_RDONLY_PROG` for `.rodata*`).
 * - Linked `lddw`s refer to maps **by index**, as the kernel reads the subtypes: map → src 5,
 *   imm = index in `maps`; global data → src 6 (map value), imm = index in `maps` of the
 *   section's internal map, second imm = offset. Calls and callback references are relative to
 *   the linked image. Each rewrite is also listed in `program.relocations`.
 * - `instantiate(object)`: the VM-side world of an object: its maps (`@ebpf/maps`, internal
 *   ones included, `.rodata` read-only for programs), the kernel helpers (`@ebpf/helpers`), and every
 *   program loaded with its context (`xdp_md`, `__sk_buff`) and references resolved, ready to run
 *   on either engine and to tail-call through program arrays.
 * - Broken or hostile input throws an `ElfError` (kind `'load'`, codes 8001-8017) naming the
 *   section and the problem; every count and offset is checked before use.
 *
 * @example
 * import { decode } from '@ebpf/isa';
 * import { findProgram, loadBpfObject } from '@ebpf/elf';
 *
 * const obj = loadBpfObject(bytes);
 * obj.maps[0];      // { name: 'blocked_ports', typeName: 'hash', keySize: 2, valueSize: 8, ... }
 * const prog = findProgram(obj, 'xdp_firewall');
 * for (const insn of decode(prog.bytes)) console.log(insn.pc, insn.row.name, insn.imm);
 *
 * @packageDocumentation
 */
export * from './data-section.js';
export * from './elf-constants.js';
export * from './elf-errors.js';
export * from './instantiate.js';
export * from './instantiate-errors.js';
export * from './internal-maps.js';
export * from './link-program.js';
export * from './load-bpf-object.js';
export * from './map-definition.js';
export * from './parse-btf.js';
export * from './parse-elf.js';
export * from './program-type.js';
export * from './read-maps.js';
