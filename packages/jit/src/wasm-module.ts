/**
 * Assembles a WebAssembly module from its parts: function types (deduplicated), imports,
 * defined globals, functions with their bodies, and exports.
 */
import { ExternKind, Section, ValType, type ValTypeCode } from './wasm-opcodes.js';
import { WasmWriter } from './wasm-writer.js';

/** A function signature. */
export interface FuncType {
  readonly params: readonly ValTypeCode[];
  readonly results: readonly ValTypeCode[];
}

/** A function defined in the module: its type, its extra locals (run-length), its body. */
export interface FuncDef {
  readonly type: FuncType;
  /** Locals after the parameters, as [count, type] runs. */
  readonly locals: readonly (readonly [number, ValTypeCode])[];
  /** The body's instructions, ending with `end`. */
  readonly body: Uint8Array;
}

type Import =
  | {
      readonly module: string;
      readonly name: string;
      readonly kind: 'func';
      readonly type: FuncType;
    }
  | { readonly module: string; readonly name: string; readonly kind: 'memory' }
  | {
      readonly module: string;
      readonly name: string;
      readonly kind: 'global';
      readonly type: ValTypeCode;
      readonly mutable: boolean;
    };

interface GlobalDef {
  readonly type: ValTypeCode;
  readonly mutable: boolean;
  readonly init: number;
}

/**
 * Collects a module's parts and writes its bytes. Function indices count imported functions
 * first; global indices count imported globals first.
 *
 * @example
 * const m = new WasmModuleBuilder();
 * const f = m.addFunction({ params: [], results: [ValType.i32] }, [], new Uint8Array([0x41, 42, 0x0b]));
 * m.exportFunction('answer', f);
 * new WebAssembly.Instance(new WebAssembly.Module(m.toBytes())).exports.answer(); // 42
 */
export class WasmModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly typeKeys = new Map<string, number>();
  private readonly imports: Import[] = [];
  private readonly funcs: FuncDef[] = [];
  private readonly globals: GlobalDef[] = [];
  private readonly exports: { name: string; kind: number; index: number }[] = [];
  private importedFuncs = 0;
  private importedGlobals = 0;

  /** The index of a function type, added on first use. */
  typeIndex(type: FuncType): number {
    const key = `${type.params.join(',')}>${type.results.join(',')}`;
    let index = this.typeKeys.get(key);
    if (index === undefined) {
      index = this.types.length;
      this.types.push(type);
      this.typeKeys.set(key, index);
    }
    return index;
  }

  /** Imports a function; returns its function index. Call before adding functions. */
  importFunction(module: string, name: string, type: FuncType): number {
    this.typeIndex(type);
    this.imports.push({ module, name, kind: 'func', type });
    return this.importedFuncs++;
  }

  /** Imports a memory. */
  importMemory(module: string, name: string): void {
    this.imports.push({ module, name, kind: 'memory' });
  }

  /** Imports a global; returns its global index. Call before defining globals. */
  importGlobal(module: string, name: string, type: ValTypeCode, mutable: boolean): number {
    this.imports.push({ module, name, kind: 'global', type, mutable });
    return this.importedGlobals++;
  }

  /** Defines a global with a constant initial value; returns its global index. */
  addGlobal(type: ValTypeCode, mutable: boolean, init = 0): number {
    this.globals.push({ type, mutable, init });
    return this.importedGlobals + this.globals.length - 1;
  }

  /** The function index the next `addFunction` will get (for forward calls). */
  nextFunctionIndex(offset = 0): number {
    return this.importedFuncs + this.funcs.length + offset;
  }

  /** Defines a function; returns its function index. */
  addFunction(
    type: FuncType,
    locals: readonly (readonly [number, ValTypeCode])[],
    body: Uint8Array,
  ): number {
    this.typeIndex(type);
    this.funcs.push({ type, locals, body });
    return this.importedFuncs + this.funcs.length - 1;
  }

  /** Exports a function by index. */
  exportFunction(name: string, index: number): void {
    this.exports.push({ name, kind: ExternKind.func, index });
  }

  /** Exports a global by index. */
  exportGlobal(name: string, index: number): void {
    this.exports.push({ name, kind: ExternKind.global, index });
  }

  /** The module's bytes. */
  toBytes(): Uint8Array {
    // Room for every body and some for the small sections, so that large bodies are copied once.
    let size = 4096;
    for (const f of this.funcs) size += f.body.length + 16 + f.locals.length * 6;
    const out = new WasmWriter(size);
    out.write(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const section = (id: number, fill: (w: WasmWriter) => void) => {
      const w = new WasmWriter();
      fill(w);
      out.u8(id);
      out.u32(w.length);
      out.write(w.view());
    };
    section(Section.type, (w) => {
      w.u32(this.types.length);
      for (const t of this.types) {
        w.u8(ValType.func);
        w.u32(t.params.length);
        for (const p of t.params) w.u8(p);
        w.u32(t.results.length);
        for (const r of t.results) w.u8(r);
      }
    });
    if (this.imports.length > 0) {
      section(Section.import, (w) => {
        w.u32(this.imports.length);
        for (const imp of this.imports) {
          w.name(imp.module);
          w.name(imp.name);
          if (imp.kind === 'func') {
            w.u8(ExternKind.func);
            w.u32(this.typeIndex(imp.type));
          } else if (imp.kind === 'memory') {
            w.u8(ExternKind.memory);
            w.u8(0x00);
            w.u32(0);
          } else {
            w.u8(ExternKind.global);
            w.u8(imp.type);
            w.u8(imp.mutable ? 1 : 0);
          }
        }
      });
    }
    section(Section.function, (w) => {
      w.u32(this.funcs.length);
      for (const f of this.funcs) w.u32(this.typeIndex(f.type));
    });
    if (this.globals.length > 0) {
      section(Section.global, (w) => {
        w.u32(this.globals.length);
        for (const g of this.globals) {
          w.u8(g.type);
          w.u8(g.mutable ? 1 : 0);
          if (g.type === ValType.i64) {
            w.u8(0x42);
            w.s64(g.init, g.init < 0 ? -1 : 0);
          } else {
            w.u8(0x41);
            w.s32(g.init);
          }
          w.u8(0x0b);
        }
      });
    }
    if (this.exports.length > 0) {
      section(Section.export, (w) => {
        w.u32(this.exports.length);
        for (const e of this.exports) {
          w.name(e.name);
          w.u8(e.kind);
          w.u32(e.index);
        }
      });
    }
    // The code section is written straight into `out`: bodies can be large.
    let codeSize = 0;
    const heads: WasmWriter[] = [];
    for (const f of this.funcs) {
      const h = new WasmWriter(16);
      h.u32(f.locals.length);
      for (const [count, type] of f.locals) {
        h.u32(count);
        h.u8(type);
      }
      heads.push(h);
      const bodySize = h.length + f.body.length;
      codeSize += lebSize(bodySize) + bodySize;
    }
    codeSize += lebSize(this.funcs.length);
    out.u8(Section.code);
    out.u32(codeSize);
    out.u32(this.funcs.length);
    this.funcs.forEach((f, i) => {
      out.u32(heads[i].length + f.body.length);
      out.write(heads[i].view());
      out.write(f.body);
    });
    return out.view();
  }
}

function lebSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
