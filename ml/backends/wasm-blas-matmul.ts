import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { WasmBackendInternals } from './wasm-backend-internals.js';

/** The optional addon built by `npm run build:native` (native/wasm-blas/wasm_blas.c). */
interface WasmBlasAddon {
  /** C = op(A)·op(B), row-major, operands at byte offsets of `heap`; checks every operand lies inside it. */
  sgemm(heap: ArrayBuffer, transposeA: boolean, transposeB: boolean, m: number, n: number, k: number, aOffset: number, bOffset: number, cOffset: number): void;
  setThreads(threads: number): void;
}


export const wasmBlasAddonPath = path.join('native', 'wasm-blas', 'build', 'wasm_blas.node');

/** Walks up from `start` to the folder holding Unisight's package.json (source tree, dist/ bundle or packaged app). */
function projectRoot(start: string): string | null {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'unisight') return directory;
    if (path.dirname(directory) === directory) return null;
  }
}

/** Loads the addon, or says why it cannot (not built, or built for another system). */
export function loadWasmBlas(): WasmBlasAddon {
  const root = projectRoot(import.meta.dirname);
  const file = root ? path.join(root, wasmBlasAddonPath) : null;
  if (!file || !fs.existsSync(file)) throw new Error(`the optional OpenBLAS addon is not built (run \`npm run build:native\`; needs a C compiler and libopenblas-dev)`);
  try {
    return createRequire(import.meta.url)(file) as WasmBlasAddon;
  } catch (error) {
    throw new Error(`the OpenBLAS addon at ${file} failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
}

let registered = false;

/** Whether batched and transposed matMuls run as fast as plain 2-D ones here (the OpenBLAS kernel is in use). */
export function batchedMatMulIsFast(): boolean {
  return registered && tf.getBackend() === 'wasm' && (tf.backend() as unknown as WasmBackendInternals).wasm.HEAPU8.buffer instanceof ArrayBuffer;
}

/**
 * Replaces the wasm backend's BatchMatMul with OpenBLAS sgemm working in place on the wasm heap (platform.md item 6:
 * XNNPACK in WASM SIMD has no FMA and tops out near 20 GFLOPS per thread). Only for the single-threaded build, whose
 * heap is a plain ArrayBuffer; float32 only; other cases keep tfjs's kernel. Returns a function that puts tfjs's
 * kernel back.
 */
export function registerBlasMatMul(addon: WasmBlasAddon, threads: number): () => void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('the wasm backend has no BatchMatMul kernel to replace');
  const restore = () => {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(original);
    registered = false;
  };
  if (registered) return restore;
  registered = true;
  addon.setThreads(threads);
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const transposeA = Boolean(args.attrs?.transposeA);
      const transposeB = Boolean(args.attrs?.transposeB);
      const backend = args.backend as WasmBackendInternals;
      const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const batchShape = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
      const m = transposeA ? a.shape.at(-1)! : a.shape.at(-2)!;
      const k = transposeA ? a.shape.at(-2)! : a.shape.at(-1)!;
      const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
      const sameBatches = batchA === batchB && a.shape.length === b.shape.length;
      const supported = a.dtype === 'float32' && b.dtype === 'float32' && (sameBatches || batchA === 1 || batchB === 1) && m * n * k > 0;
      if (!supported || !(backend.wasm.HEAPU8.buffer instanceof ArrayBuffer)) return original.kernelFunc(args);
      const output = backend.makeOutput([...batchShape, m, n], 'float32');
      const heap = backend.wasm.HEAPU8.buffer;
      const aOffset = backend.dataIdMap.get(a.dataId).memoryOffset;
      const bOffset = backend.dataIdMap.get(b.dataId).memoryOffset;
      const outputOffset = backend.dataIdMap.get(output.dataId).memoryOffset;
      const batches = Math.max(batchA, batchB);
      for (let index = 0; index < batches; index++) {
        addon.sgemm(heap, transposeA, transposeB, m, n, k, aOffset + (batchA === 1 ? 0 : index * m * k * 4), bOffset + (batchB === 1 ? 0 : index * k * n * 4), outputOffset + index * m * n * 4);
      }
      return output;
    },
  });
  return restore;
}
