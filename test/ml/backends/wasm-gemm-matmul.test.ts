import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generalMatMulIsFast } from '../../../ml/backends/batch-matmul-replacement.js';
import { registerWasmGemmMatMul } from '../../../ml/backends/wasm-gemm-matmul.js';
import { WasmGemm, wasmGemmUnavailableReason } from '../../../ml/backends/wasm-gemm/wasm-gemm.js';
import { registerThreadedWasm } from '../../../ml/backends/wasm-threaded-build.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// Shapes chosen to hit every path of assembly/sgemm.ts: partial row tiles (rows % 4), partial column panels
// (columns % 8), several depth blocks (depth > 256, accumulated), strided (transposed) operands, batches and broadcast
// batches, and products large enough to be split across threads by rows, by columns or by batches.
const cases = [
  { name: '2-D, one tile', a: [4, 8], b: [8, 8], transposeA: false, transposeB: false },
  { name: '2-D, ragged edges', a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { name: 'A transposed', a: [7, 5], b: [7, 11], transposeA: true, transposeB: false },
  { name: 'B transposed', a: [6, 7], b: [13, 7], transposeA: false, transposeB: true },
  { name: 'depth over one block', a: [9, 600], b: [600, 17], transposeA: false, transposeB: false },
  { name: 'batched, both transposed', a: [4, 7, 5], b: [4, 3, 7], transposeA: true, transposeB: true },
  { name: 'batch of A against one B', a: [2, 3, 5, 7], b: [7, 4], transposeA: false, transposeB: false },
  { name: 'one A against a batch of B', a: [5, 7], b: [3, 7, 4], transposeA: false, transposeB: false },
  {
    name: '2-D A against a batch of one B (rank of the broadcast)',
    a: [2, 3],
    b: [1, 3, 4],
    transposeA: false,
    transposeB: false,
  },
  {
    name: 'batches broadcast against each other (tfjs kernel)',
    a: [3, 1, 2, 2],
    b: [1, 3, 2, 2],
    transposeA: false,
    transposeB: false,
  },
  { name: 'large 2-D, split by rows', a: [203, 300], b: [300, 70], transposeA: false, transposeB: false },
  { name: 'large 2-D transposed, split by rows', a: [300, 203], b: [70, 300], transposeA: true, transposeB: true },
  { name: 'wide, A transposed, split by columns', a: [300, 40], b: [300, 203], transposeA: true, transposeB: false },
  { name: 'many batches, split by batches', a: [33, 65, 64], b: [33, 65, 64], transposeA: false, transposeB: true },
];

function operands(a: number[], b: number[]): [tf.Tensor, tf.Tensor] {
  return [
    tf.tensor(
      Array.from({ length: tf.util.sizeFromShape(a) }, (_, index) => Math.sin(index * 0.37)),
      a,
    ),
    tf.tensor(
      Array.from({ length: tf.util.sizeFromShape(b) }, (_, index) => Math.cos(index * 0.71)),
      b,
    ),
  ];
}

async function productOn(
  backend: string,
  shapes: (typeof cases)[number],
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const [left, right] = operands(shapes.a, shapes.b);
  const product = tf.matMul(left, right, shapes.transposeA, shapes.transposeB);
  const result = { shape: product.shape, values: (await product.data()) as Float32Array };
  tf.dispose([left, right, product]);
  return result;
}

const unavailable = wasmGemmUnavailableReason();

describe.skipIf(unavailable !== null)(
  `Unisight's GEMM on a shared heap (${unavailable ?? 'relaxed SIMD available'})`,
  () => {
    it('splits a product across two threads, matches a plain loop, and gives the bits one thread gives', () => {
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
      let next = 1024;
      const allocator = { allocate: (bytes: number) => (next += bytes) - bytes, release: () => {} };
      const [rows, depth, columns] = [130, 300, 90];
      const a = next,
        b = a + rows * depth * 4,
        output = b + depth * columns * 4,
        oneThreadOutput = output + rows * columns * 4;
      next = oneThreadOutput + rows * columns * 4;
      const heap = new Float32Array(memory.buffer);
      for (let index = 0; index < rows * depth; index++) heap[a / 4 + index] = Math.sin(index);
      for (let index = 0; index < depth * columns; index++) heap[b / 4 + index] = Math.cos(index);
      const job = {
        batches: 1,
        rows,
        columns,
        depth,
        a,
        aBatchStride: 0,
        aRowStride: depth * 4,
        aDepthStride: 4,
        b,
        bBatchStride: 0,
        bDepthStride: columns * 4,
        bColumnStride: 4,
      };
      const twoThreads = new WasmGemm(memory, 2, allocator);
      const oneThread = new WasmGemm(memory, 1, allocator);
      try {
        expect(twoThreads.threadCount).toBe(2);
        twoThreads.multiply({ ...job, output });
        oneThread.multiply({ ...job, output: oneThreadOutput });
        for (const [row, column] of [
          [0, 0],
          [64, 45],
          [65, 89],
          [129, 7],
        ] as const) {
          let sum = 0;
          for (let step = 0; step < depth; step++)
            sum += heap[a / 4 + row * depth + step]! * heap[b / 4 + step * columns + column]!;
          expect(heap[output / 4 + row * columns + column]).toBeCloseTo(sum, 3);
        }
        expect(heap.slice(output / 4, output / 4 + rows * columns)).toEqual(
          heap.slice(oneThreadOutput / 4, oneThreadOutput / 4 + rows * columns),
        );
      } finally {
        twoThreads.dispose();
        oneThread.dispose();
      }
    });

    it('reports an operand outside the heap as an error on every thread, and keeps working afterwards', () => {
      const memory = new WebAssembly.Memory({ initial: 16, maximum: 64, shared: true });
      let next = 1024;
      const gemm = new WasmGemm(memory, 2, { allocate: (bytes) => (next += bytes) - bytes, release: () => {} });
      try {
        const [rows, depth, columns] = [128, 128, 128];
        const job = {
          batches: 1,
          rows,
          columns,
          depth,
          aBatchStride: 0,
          aRowStride: depth * 4,
          aDepthStride: 4,
          bBatchStride: 0,
          bDepthStride: columns * 4,
          bColumnStride: 4,
        };
        const outside = memory.buffer.byteLength;
        expect(() => gemm.multiply({ ...job, a: outside, b: outside, output: 0 })).toThrow(/out of bounds|trapped/);
        const a = next,
          b = a + rows * depth * 4,
          output = b + depth * columns * 4;
        new Float32Array(memory.buffer, a, rows * depth).fill(0.5);
        new Float32Array(memory.buffer, b, depth * columns).fill(2);
        gemm.multiply({ ...job, a, b, output });
        expect(new Set(new Float32Array(memory.buffer, output, rows * columns))).toEqual(new Set([depth]));
      } finally {
        gemm.dispose();
      }
    });
  },
);

describe.skipIf(unavailable !== null).each([
  { build: 'single-threaded', threaded: false },
  { build: 'multi-threaded', threaded: true },
])(`BatchMatMul through Unisight's GEMM on the $build wasm build`, ({ threaded }) => {
  beforeAll(async () => {
    if (threaded) registerThreadedWasm(2);
    await tf.setBackend('wasm');
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    expect(heap instanceof SharedArrayBuffer).toBe(threaded);
  });

  it.each(cases)('$name equals the cpu backend', async (shapes) => {
    const restore = registerWasmGemmMatMul(2);
    try {
      const ours = await productOn('wasm', shapes);
      const reference = await productOn('cpu', shapes);
      expect(ours.shape).toEqual(reference.shape);
      let largestError = 0;
      reference.values.forEach(
        (value, index) => (largestError = Math.max(largestError, Math.abs(value - ours.values[index]!))),
      );
      expect(largestError).toBeLessThan(1e-4 * Math.sqrt(shapes.a.at(shapes.transposeA ? -2 : -1)!));
    } finally {
      restore();
    }
  });

  it("leaves products whose inner dimensions disagree to tfjs's kernel and its error", async () => {
    const restore = registerWasmGemmMatMul(2);
    try {
      const [left, right] = operands([2, 5], [3, 4]);
      expect(() => tf.matMul(left, right)).toThrow(/inner shapes|must match/);
      tf.dispose([left, right]);
    } finally {
      restore();
    }
  });

  it("says batched products are fast while registered, and not once tfjs's kernel is back", async () => {
    await tf.setBackend('wasm');
    const restore = registerWasmGemmMatMul(1);
    expect(generalMatMulIsFast()).toBe(true);
    restore();
    expect(generalMatMulIsFast()).toBe(false);
  });

  it('leaves no tensors or heap scratch behind across repeated products', async () => {
    await tf.setBackend('wasm');
    const restore = registerWasmGemmMatMul(2);
    try {
      const [left, right] = operands([64, 300], [300, 40]);
      const counts: number[] = [];
      for (let step = 0; step < 4; step++) {
        tf.tidy(() => tf.matMul(left, right).dataSync());
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      tf.dispose([left, right]);
    } finally {
      restore();
    }
  });
});
