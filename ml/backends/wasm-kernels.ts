import { registerWasmGemmMatMul } from './wasm-gemm-matmul.js';
import { wasmGemmUnavailableReason } from './wasm-gemm/wasm-gemm.js';
import { registerWasmSharedIdentity } from './wasm-shared-identity.js';
import { registerWasmSliceKernels } from './wasm-slice-kernels.js';
import { threadCount } from './backend-candidate.js';

/** Kernels of our own that replace copying ones of tfjs's wasm backend. */
export function registerWasmKernelReplacements(): void {
  registerWasmSliceKernels();
  registerWasmSharedIdentity();
}

/**
 * Matrix products in Unisight's relaxed-SIMD GEMM rather than tfjs's XNNPACK (2-3× faster here; bench/RESULTS.md).
 * Returns how the products run, for the backend report, and a function that puts XNNPACK back.
 */
export function registerPureWasmGemm(threads: number): { products: string; restore: () => void } {
  const unavailable = wasmGemmUnavailableReason();
  if (unavailable) return { products: `matrix products in XNNPACK: ${unavailable}`, restore: () => {} };
  return {
    products: `matrix products in Unisight's relaxed-SIMD GEMM on ${threadCount(threads)}`,
    restore: registerWasmGemmMatMul(threads),
  };
}
