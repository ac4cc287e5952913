/**
 * Structured control flow from an arbitrary control-flow graph, after Norman Ramsey's "Beyond
 * Relooper" (ICFP 2022): order blocks in reverse post-order, open a `loop` at every loop header,
 * a `block` before every merge node (a block with two or more forward predecessors), and turn
 * each edge into a `br` to the enclosing loop or block or, when the target has no other
 * predecessor, into the target's code itself.
 *
 * That works for reducible graphs. Irreducible loops (cycles with more than one entry) are made
 * reducible first, as LLVM's WebAssembly backend does: a dispatcher block becomes the loop's one
 * entry, each edge into the old entries sets a label local and goes to the dispatcher, and the
 * dispatcher's `br_table` picks the entry. Only the irreducible loop pays for the dispatch.
 *
 * Everything here is iterative (explicit stacks), so deep graphs of long programs do not
 * overflow the JavaScript stack.
 */
import type { Block, FunctionGraph } from './control-flow-graph.js';
import { Op } from './wasm-opcodes.js';
import type { WasmWriter } from './wasm-writer.js';

/** Block ids in reverse post-order from block 0, and each block's position in it (-1: unreachable). */
export function reversePostOrder(blocks: readonly Block[]): { order: number[]; rpo: Int32Array } {
  const n = blocks.length;
  const rpo = new Int32Array(n).fill(-1);
  const state = new Uint8Array(n);
  const post: number[] = [];
  const stack: number[] = [0];
  const next: number[] = [0];
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const b = blocks[stack[top]];
    if (next[top] < b.succ.length) {
      const s = b.succ[next[top]++];
      if (state[s] === 0) {
        state[s] = 1;
        stack.push(s);
        next.push(0);
      }
    } else {
      post.push(b.id);
      stack.pop();
      next.pop();
    }
  }
  const order = post.reverse();
  for (let i = 0; i < order.length; i++) rpo[order[i]] = i;
  return { order, rpo };
}

/** Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm); idom[0] = 0. */
export function immediateDominators(
  blocks: readonly Block[],
  order: readonly number[],
  rpo: Int32Array,
): Int32Array {
  const idom = new Int32Array(blocks.length).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpo[a] > rpo[b]) a = idom[a];
      while (rpo[b] > rpo[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 1; i < order.length; i++) {
      const b = blocks[order[i]];
      let d = -1;
      for (const p of b.pred) {
        if (idom[p] === -1 || rpo[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== idom[b.id]) {
        idom[b.id] = d;
        changed = true;
      }
    }
  }
  return idom;
}

function dominates(idom: Int32Array, rpo: Int32Array, a: number, b: number): boolean {
  while (rpo[b] > rpo[a]) b = idom[b];
  return a === b;
}

/** Reverse post-order and dominators of a function graph. */
export interface GraphAnalysis {
  readonly order: number[];
  readonly rpo: Int32Array;
  readonly idom: Int32Array;
}

/** Computes the reverse post-order and the immediate dominators. */
export function analyzeGraph(blocks: readonly Block[]): GraphAnalysis {
  const { order, rpo } = reversePostOrder(blocks);
  return { order, rpo, idom: immediateDominators(blocks, order, rpo) };
}

/** Whether some retreating edge goes to a block that does not dominate its source. */
export function isIrreducible(
  blocks: readonly Block[],
  analysis: GraphAnalysis = analyzeGraph(blocks),
): boolean {
  const { order, rpo, idom } = analysis;
  for (const id of order) {
    for (const s of blocks[id].succ) {
      if (rpo[s] <= rpo[id] && !dominates(idom, rpo, s, id)) return true;
    }
  }
  return false;
}

/** Scratch arrays for {@link components}, reused across calls by stamping instead of clearing. */
class SccScratch {
  stamp = 0;
  member: Int32Array;
  seen: Int32Array;
  index: Int32Array;
  low: Int32Array;
  onStack: Uint8Array;

  constructor(n: number) {
    this.member = new Int32Array(n);
    this.seen = new Int32Array(n);
    this.index = new Int32Array(n);
    this.low = new Int32Array(n);
    this.onStack = new Uint8Array(n);
  }

  grow(n: number): void {
    if (n <= this.member.length) return;
    const next = new SccScratch(Math.max(n, this.member.length * 2));
    next.member.set(this.member);
    next.seen.set(this.seen);
    next.stamp = this.stamp;
    Object.assign(this, next);
  }
}

/**
 * Strongly connected components with a cycle among the blocks in `members`, ignoring edges into
 * `header` (Tarjan's algorithm, iterative).
 */
function components(
  blocks: readonly Block[],
  members: readonly number[],
  header: number,
  sc: SccScratch,
): number[][] {
  sc.grow(blocks.length);
  const stamp = ++sc.stamp;
  const { member, seen, index, low, onStack } = sc;
  for (const v of members) member[v] = stamp;
  const stack: number[] = [];
  const out: number[][] = [];
  const workV: number[] = [];
  const workI: number[] = [];
  let counter = 0;
  for (const root of members) {
    if (seen[root] === stamp) continue;
    seen[root] = stamp;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    workV.push(root);
    workI.push(0);
    while (workV.length > 0) {
      const top = workV.length - 1;
      const v = workV[top];
      const succ = blocks[v].succ;
      if (workI[top] < succ.length) {
        const w = succ[workI[top]++];
        if (member[w] !== stamp || w === header) continue;
        if (seen[w] !== stamp) {
          seen[w] = stamp;
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          workV.push(w);
          workI.push(0);
        } else if (onStack[w] === 1 && index[w] < low[v]) {
          low[v] = index[w];
        }
      } else {
        workV.pop();
        workI.pop();
        if (workV.length > 0) {
          const u = workV[workV.length - 1];
          if (low[v] < low[u]) low[u] = low[v];
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          if (comp.length > 1 || blocks[v].succ.some((x) => x === v && x !== header))
            out.push(comp);
        }
      }
    }
  }
  return out;
}

/**
 * Makes the graph reducible by adding dispatcher (`switch`) blocks in front of every loop with
 * more than one entry. Returns the number of dispatchers added.
 */
export function fixIrreducible(graph: FunctionGraph): number {
  const blocks = graph.blocks;
  let added = 0;
  const regions: [number[], number][] = [[blocks.map((b) => b.id), -1]];
  const sc = new SccScratch(blocks.length * 2);
  let inComp = new Int32Array(blocks.length * 2);
  let compStamp = 0;
  while (regions.length > 0) {
    const [members, header] = regions.pop()!;
    for (const comp of components(blocks, members, header, sc)) {
      compStamp++;
      if (inComp.length <= blocks.length) {
        const grown = new Int32Array(blocks.length * 2);
        grown.set(inComp);
        inComp = grown;
      }
      for (const v of comp) inComp[v] = compStamp;
      // Ascending, so that block 0 (the function entry) gets label 0, the label's initial value.
      const entries = comp
        .filter((v) => v === 0 || blocks[v].pred.some((p) => inComp[p] !== compStamp))
        .sort((x, y) => x - y);
      if (entries.length <= 1) {
        regions.push([comp, entries[0] ?? comp[0]]);
        continue;
      }
      // A dispatcher in front of the entries: every edge into an entry now goes through it.
      const d: Block = {
        id: blocks.length,
        start: -1,
        last: -1,
        kind: 'switch',
        succ: [...entries],
        edgeLabel: entries.map(() => -1),
        pred: [],
        badTarget: -1,
        badReason: 'fell-off',
      };
      blocks.push(d);
      added++;
      entries.forEach((e, label) => {
        for (const p of blocks[e].pred) {
          const pb = blocks[p];
          for (let k = 0; k < pb.succ.length; k++) {
            if (pb.succ[k] === e && pb !== d) {
              pb.succ[k] = d.id;
              pb.edgeLabel[k] = label;
              d.pred.push(p);
            }
          }
        }
        blocks[e].pred = [d.id];
      });
      if (entries.includes(0)) {
        // The function entry must stay block 0: swap the dispatcher into its place.
        swapBlocks(blocks, 0, d.id);
        regions.push([[...comp.map((v) => (v === 0 ? d.id : v)), 0], 0]);
      } else {
        regions.push([[...comp, d.id], d.id]);
      }
    }
  }
  return added;
}

/** Exchanges the ids of blocks `a` and `b` everywhere. */
function swapBlocks(blocks: Block[], a: number, b: number): void {
  const ren = (x: number) => (x === a ? b : x === b ? a : x);
  for (const blk of blocks) {
    blk.succ = blk.succ.map(ren);
    blk.pred = blk.pred.map(ren);
  }
  const ba = blocks[a];
  const bb = blocks[b];
  blocks[a] = { ...bb, id: a } as Block;
  blocks[b] = { ...ba, id: b } as Block;
}

/** What the structurer asks of the lowering. */
export interface StructureCallbacks {
  /** Writes the code of block `b` up to its terminator (the terminator's own effects included). */
  body(b: Block): void;
  /** Pushes the i32 condition of `b`'s conditional jump (true: taken). */
  condition(b: Block): void;
  /** Writes `b`'s exit (return). */
  exit(b: Block): void;
  /** Writes a fault for a `fault` or `bad-jump` block. */
  fault(b: Block): void;
  /** Pushes the dispatcher label (i32). */
  getLabel(): void;
  /** Sets the dispatcher label local to `label`. */
  setLabel(label: number): void;
}

const TREE = 0;
const WITHIN = 1;
const END = 2;
const ELSE = 3;
const BRANCH = 4;

/**
 * Writes the structured body of a (reducible) function graph into `w`: blocks, loops, ifs and
 * branches, calling back for each block's code.
 */
export function emitStructured(
  graph: FunctionGraph,
  w: WasmWriter,
  cb: StructureCallbacks,
  analysis: GraphAnalysis = analyzeGraph(graph.blocks),
): void {
  const blocks = graph.blocks;
  const { order, rpo, idom } = analysis;
  const n = blocks.length;
  const forwardPreds = new Int32Array(n);
  const loopHeader = new Uint8Array(n);
  for (const id of order) {
    for (const s of blocks[id].succ) {
      if (rpo[s] > rpo[id]) forwardPreds[s]++;
      else loopHeader[s] = 1;
    }
  }
  // Merge children of each block in the dominator tree, highest reverse post-order first, as
  // linked lists (first child, next sibling) to spare an array per block.
  const firstMerge = new Int32Array(n).fill(-1);
  const lastMerge = new Int32Array(n).fill(-1);
  const nextMerge = new Int32Array(n).fill(-1);
  for (let i = order.length - 1; i >= 1; i--) {
    const v = order[i];
    if (forwardPreds[v] < 2) continue;
    const p = idom[v];
    if (firstMerge[p] < 0) firstMerge[p] = v;
    else nextMerge[lastMerge[p]] = v;
    lastMerge[p] = v;
  }
  const isMerge = (v: number) => forwardPreds[v] >= 2;
  // The context: open blocks/loops/ifs. ctxPos[v] is where v's block or loop label is.
  let ctxDepth = 0;
  const blockPos = new Int32Array(n).fill(-1);
  const loopPos = new Int32Array(n).fill(-1);
  const ctxOwner: number[] = [];
  const ctxIsLoop: number[] = [];
  const push = (owner: number, isLoop: boolean) => {
    ctxOwner[ctxDepth] = owner;
    ctxIsLoop[ctxDepth] = isLoop ? 1 : 0;
    if (owner >= 0) (isLoop ? loopPos : blockPos)[owner] = ctxDepth;
    ctxDepth++;
  };
  const pop = () => {
    ctxDepth--;
    const owner = ctxOwner[ctxDepth];
    if (owner >= 0) (ctxIsLoop[ctxDepth] === 1 ? loopPos : blockPos)[owner] = -1;
  };
  const plainDepth = (src: number, t: number): number => {
    if (rpo[t] <= rpo[src]) return ctxDepth - 1 - loopPos[t];
    if (isMerge(t)) return ctxDepth - 1 - blockPos[t];
    return -1;
  };
  const tk: number[] = [];
  const ta: number[] = [];
  const tb: number[] = [];
  const task = (k: number, a = 0, b = 0) => {
    tk.push(k);
    ta.push(a);
    tb.push(b);
  };
  task(TREE, 0);
  while (tk.length > 0) {
    const k = tk.pop()!;
    const a = ta.pop()!;
    const b = tb.pop()!;
    if (k === TREE) {
      if (loopHeader[a] === 1) {
        w.u8x2(Op.loop, 0x40);
        push(a, true);
        task(END);
      }
      task(WITHIN, a, firstMerge[a]);
    } else if (k === WITHIN) {
      // `b` is the next merge child of `a` to open a block for, or -1.
      if (b >= 0) {
        w.u8x2(Op.block, 0x40);
        push(b, false);
        // Pushed in reverse: WITHIN runs first, then END, then the merge node's tree.
        task(TREE, b);
        task(END);
        task(WITHIN, a, nextMerge[b]);
      } else {
        emitNode(a);
      }
    } else if (k === END) {
      w.u8(Op.end);
      pop();
    } else if (k === ELSE) {
      w.u8(Op.else);
    } else {
      branch(a, b);
    }
  }

  function branch(src: number, index: number): void {
    const blk = blocks[src];
    const t = blk.succ[index];
    const label = blk.edgeLabel[index];
    if (label >= 0) cb.setLabel(label);
    const d = plainDepth(src, t);
    if (d >= 0) {
      w.u8(Op.br);
      w.u32(d);
    } else {
      task(TREE, t);
    }
  }

  function emitNode(v: number): void {
    const blk = blocks[v];
    switch (blk.kind) {
      case 'exit':
        cb.body(blk);
        cb.exit(blk);
        return;
      case 'fault':
        cb.body(blk);
        cb.fault(blk);
        return;
      case 'bad-jump':
        cb.fault(blk);
        return;
      case 'jump':
        cb.body(blk);
        branch(v, 0);
        return;
      case 'cond': {
        cb.body(blk);
        const [t, f] = blk.succ;
        const dt = blk.edgeLabel[0] < 0 ? plainDepth(v, t) : -1;
        const df = blk.edgeLabel[1] < 0 ? plainDepth(v, f) : -1;
        cb.condition(blk);
        if (dt >= 0) {
          w.u8(Op.br_if);
          w.u32(dt);
          branch(v, 1);
        } else if (df >= 0) {
          w.u8(Op.i32_eqz);
          w.u8(Op.br_if);
          w.u32(df);
          branch(v, 0);
        } else {
          w.u8x2(Op.if, 0x40);
          push(-1, false);
          task(END);
          task(BRANCH, v, 1);
          task(ELSE);
          task(BRANCH, v, 0);
        }
        return;
      }
      case 'switch': {
        const cases = blk.succ.length;
        for (let i = 0; i < cases; i++) {
          w.u8x2(Op.block, 0x40);
          push(-1, false);
        }
        cb.getLabel();
        w.u8(Op.br_table);
        w.u32(cases);
        for (let i = 0; i < cases; i++) w.u32(i);
        w.u32(cases - 1);
        for (let i = cases - 1; i >= 0; i--) {
          task(BRANCH, v, i);
          task(END);
        }
        return;
      }
    }
  }
}
