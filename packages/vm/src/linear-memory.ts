/**
 * The one `WebAssembly.Memory` that holds every region's bytes. The core packages compile
 * against ES2022 only (no DOM library), so this file states the little of the WebAssembly API the
 * VM uses and reaches the constructor through `globalThis`, which every runtime (Node, Deno, Bun,
 * browsers) provides.
 */

/** The part of `WebAssembly.Memory` the VM uses. The object is a real `WebAssembly.Memory`. */
export interface LinearMemory {
  /** The current bytes; replaced (the old one detached) whenever the memory grows. */
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` 64 KiB pages; returns the old size in pages. */
  grow(pages: number): number;
}

/** Bytes in one WebAssembly page. */
export const WASM_PAGE_SIZE = 65536;
/** The most pages a 32-bit WebAssembly memory can have (4 GiB). */
export const MAX_WASM_PAGES = 65536;

interface WasmNamespace {
  readonly Memory: new (descriptor: { initial: number; maximum?: number }) => LinearMemory;
}

/**
 * Creates a `WebAssembly.Memory` of `pages` pages that can grow to 4 GiB.
 *
 * @example
 * const memory = createLinearMemory(1);
 * memory.buffer.byteLength; // 65536
 */
export function createLinearMemory(pages: number): LinearMemory {
  const wasm = (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;
  return new wasm.Memory({ initial: pages, maximum: MAX_WASM_PAGES });
}
