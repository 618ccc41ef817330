import { switchTo, wasmChosenBecause, type BackendCandidate } from '../backend-candidate.js';
import { registerPureWasmGemm, registerWasmKernelReplacements } from '../wasm-kernels.js';

/** Single-threaded WebAssembly: the route that works wherever WebAssembly SIMD does. */
export const wasmBackend: BackendCandidate = {
  activate: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmKernelReplacements();
    const gemm = registerPureWasmGemm(1);
    await switchTo('wasm');
    return { threads: 1, products: gemm.products };
  },
  chosenBecause: wasmChosenBecause,
};
