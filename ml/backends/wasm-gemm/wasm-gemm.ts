import { GemmThreads, type SgemmArguments } from './gemm-threads.js';
import { sgemmPrivateHeapModule, sgemmSharedHeapModule } from './sgemm-binaries.js';

/** One batched product on the heap, byte offsets and byte strides: C[batch] = op(A)[batch] · op(B)[batch]. */
export interface GemmJob {
  batches: number;
  rows: number;
  columns: number;
  depth: number;
  a: number;
  aBatchStride: number;
  aRowStride: number;
  aDepthStride: number;
  b: number;
  bBatchStride: number;
  bDepthStride: number;
  bColumnStride: number;
  output: number;
}

/** Scratch memory on the same heap (tfjs's malloc). */
export interface HeapAllocator {
  allocate(bytes: number): number;
  release(offset: number): void;
}

interface SgemmExports {
  sgemm(...values: number[]): void;
  scratchBytes(columns: number): number;
}

/** The part of a product one thread computes. */
interface GemmPart {
  batchStart: number;
  batchEnd: number;
  rowStart: number;
  rowEnd: number;
  columnStart: number;
  columnEnd: number;
}

const rowsPerTile = 4;
const columnsPerPanel = 8;
// Below this many multiply-adds a helper's wake-up (tens of µs) costs more than it saves.
const smallestThreadedWork = 1 << 20;

function moduleBytes(sharedHeap: boolean): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(sharedHeap ? sgemmSharedHeapModule : sgemmPrivateHeapModule, 'base64'));
}

/** Why this runtime cannot run the GEMM (it needs WebAssembly relaxed SIMD: Node ≥ 22, Electron ≥ 25), or null. */
export function wasmGemmUnavailableReason(): string | null {
  return WebAssembly.validate(moduleBytes(false))
    ? null
    : `this runtime's WebAssembly has no relaxed SIMD (V8 ${process.versions.v8})`;
}

/**
 * Unisight's GEMM (assembly/sgemm.ts) bound to one wasm heap, on `threads` threads when the heap is shared (tfjs's
 * multi-threaded build) and on the calling thread alone otherwise.
 */
export class WasmGemm {
  private readonly exports: SgemmExports;
  private readonly threads: GemmThreads | null;
  private scratch = { offset: 0, bytes: 0 };

  constructor(
    memory: WebAssembly.Memory,
    threads: number,
    private readonly allocator: HeapAllocator,
  ) {
    const sharedHeap = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(moduleBytes(sharedHeap));
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SgemmExports;
    this.threads = sharedHeap && threads > 1 ? new GemmThreads(module, memory, threads - 1) : null;
  }

  get threadCount(): number {
    return this.threads?.count ?? 1;
  }

  multiply(job: GemmJob): void {
    const parts = this.split(job);
    const scratchPerPart = align(
      Math.max(...parts.map((part) => this.exports.scratchBytes(part.columnEnd - part.columnStart))),
    );
    const scratch = this.scratchOf(scratchPerPart * parts.length);
    const partArguments = parts.map((part, index): SgemmArguments => [
      part.batchStart,
      part.batchEnd,
      part.rowStart,
      part.rowEnd,
      part.columnStart,
      part.columnEnd,
      job.columns,
      job.depth,
      job.a,
      job.aBatchStride,
      job.aRowStride,
      job.aDepthStride,
      job.b,
      job.bBatchStride,
      job.bDepthStride,
      job.bColumnStride,
      job.output,
      job.rows * job.columns * 4,
      scratch + index * scratchPerPart,
    ]);
    if (!this.threads || partArguments.length === 1) {
      this.exports.sgemm(...partArguments[0]!);
      return;
    }
    this.threads.run(partArguments, (part) => this.exports.sgemm(...part));
  }

  dispose(): void {
    this.threads?.dispose();
    if (this.scratch.bytes > 0) this.allocator.release(this.scratch.offset);
    this.scratch = { offset: 0, bytes: 0 };
  }

  /**
   * Whole batches per thread when there are enough of them, else bands of rows (whole tiles) or of columns (whole
   * panels), whichever dimension is longer, of every batch: each thread packs only the operand rows or columns it uses.
   */
  private split(job: GemmJob): GemmPart[] {
    const whole = {
      batchStart: 0,
      batchEnd: job.batches,
      rowStart: 0,
      rowEnd: job.rows,
      columnStart: 0,
      columnEnd: job.columns,
    };
    const threads = this.threadCount;
    if (threads === 1 || job.batches * job.rows * job.columns * job.depth < smallestThreadedWork) return [whole];
    if (job.batches >= threads)
      return bands(job.batches, threads, 1).map(([start, end]) => ({ ...whole, batchStart: start, batchEnd: end }));
    if (job.rows >= job.columns)
      return bands(job.rows, threads, rowsPerTile).map(([start, end]) => ({ ...whole, rowStart: start, rowEnd: end }));
    return bands(job.columns, threads, columnsPerPanel).map(([start, end]) => ({
      ...whole,
      columnStart: start,
      columnEnd: end,
    }));
  }

  private scratchOf(bytes: number): number {
    if (bytes > this.scratch.bytes) {
      if (this.scratch.bytes > 0) this.allocator.release(this.scratch.offset);
      this.scratch = { offset: this.allocator.allocate(bytes), bytes };
    }
    return this.scratch.offset;
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** [start, end) ranges splitting `count` into `parts` near-equal bands, each a multiple of `unit` except the last. */
function bands(count: number, parts: number, unit: number): Array<[number, number]> {
  const units = Math.ceil(count / unit);
  const result: Array<[number, number]> = [];
  for (let part = 0, start = 0; part < parts && start < count; part++) {
    const end = Math.min(count, Math.round((units * (part + 1)) / parts) * unit);
    if (end > start) result.push([start, end]);
    start = end;
  }
  return result;
}
