import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { generalMatMulIsFast } from '../../../ml/backends/batch-matmul-replacement.js';
import { loadWasmBlas, registerBlasMatMul, wasmBlasAddonPath } from '../../../ml/backends/wasm-blas-matmul.js';
import { skipUnless } from '../../support/outside-tools.js';

const missing = skipUnless(
  'BatchMatMul through the OpenBLAS addon (wasm-blas-matmul.test.ts)',
  { description: 'the native wasm-blas addon', remedy: 'apt install gcc libopenblas-dev, then npm run build:native' },
  fs.existsSync(wasmBlasAddonPath) ? null : `${wasmBlasAddonPath} is absent`,
);

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(missing !== null)('BatchMatMul through the OpenBLAS addon', () => {
  it.each([
    { name: '2-D', a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
    { name: '2-D, A transposed', a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
    { name: '2-D, B transposed', a: [5, 7], b: [3, 7], transposeA: false, transposeB: true },
    { name: 'batched, both transposed', a: [4, 7, 5], b: [4, 3, 7], transposeA: true, transposeB: true },
    { name: 'batch of A against one B', a: [2, 3, 5, 7], b: [7, 4], transposeA: false, transposeB: false },
  ])('$name equals the cpu backend', async ({ a, b, transposeA, transposeB }) => {
    const restore = registerBlasMatMul(loadWasmBlas(), 2);
    try {
      const results: number[][] = [];
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const left = tf.tensor(
          Array.from({ length: tf.util.sizeFromShape(a) }, (_, index) => Math.sin(index)),
          a,
        );
        const right = tf.tensor(
          Array.from({ length: tf.util.sizeFromShape(b) }, (_, index) => Math.cos(index * 0.7)),
          b,
        );
        const product = tf.matMul(left, right, transposeA, transposeB);
        results.push([...product.shape, ...product.dataSync()]);
        tf.dispose([left, right, product]);
      }
      expect(results[0]!.length).toBe(results[1]!.length);
      results[0]!.forEach((value, index) => expect(value).toBeCloseTo(results[1]![index]!, 4));
    } finally {
      restore();
    }
  });

  it("says when batched products are fast, and stops saying so once tfjs's kernel is back", async () => {
    await tf.setBackend('wasm');
    const restore = registerBlasMatMul(loadWasmBlas(), 1);
    expect(generalMatMulIsFast()).toBe(true);
    restore();
    expect(generalMatMulIsFast()).toBe(false);
  });

  it('refuses operands outside the heap instead of reading or writing there', () => {
    const addon = loadWasmBlas();
    const heap = new ArrayBuffer(64);
    expect(() => addon.sgemm(heap, false, false, 4, 4, 4, 0, 0, 16)).toThrow(/outside the buffer/);
    expect(() => addon.sgemm(heap, false, false, 2, 2, 2, 0, 16, 32)).not.toThrow();
  });
});
