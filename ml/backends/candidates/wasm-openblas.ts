import os from 'node:os';
import { BackendUnavailable, switchTo, threadCount, type BackendCandidate } from '../backend-candidate.js';
import { loadWasmBlas, registerBlasMatMul } from '../wasm-blas-matmul.js';
import { registerWasmKernelReplacements } from '../wasm-kernels.js';

/** WebAssembly with its matrix products in OpenBLAS (the optional addon of `npm run build:native`). */
export const wasmOpenBlasBackend: BackendCandidate = {
  activate: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    let addon;
    try {
      addon = loadWasmBlas();
    } catch (error) {
      throw new BackendUnavailable((error as Error).message);
    }
    registerWasmKernelReplacements();
    const threads = os.availableParallelism();
    registerBlasMatMul(addon, threads);
    await switchTo('wasm');
    return { threads };
  },
  chosenBecause: ({ threads }) =>
    `chosen: WebAssembly with SIMD, matrix products in OpenBLAS on ${threadCount(threads)}`,
};
