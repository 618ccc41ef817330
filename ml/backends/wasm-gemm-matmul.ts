import { replaceBatchMatMul } from './batch-matmul-replacement.js';
import type { WasmBackendInternals } from './wasm-backend-internals.js';
import { WasmGemm } from './wasm-gemm/wasm-gemm.js';

/** The heap's Memory object: exported by the single-threaded build, handed to pthreads by the multi-threaded one. */
function heapMemory(backend: WasmBackendInternals): WebAssembly.Memory {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('the tfjs wasm module does not expose its heap memory');
  return memory;
}

/**
 * Replaces the wasm backend's BatchMatMul with Unisight's relaxed-SIMD GEMM (wasm-gemm/assembly/sgemm.ts), working in
 * place on the heap with transposes and batches handled inside, on `threads` threads when the heap is shared.
 * Check wasmGemmUnavailableReason() first. Returns a function that puts tfjs's kernel back.
 */
export function registerWasmGemmMatMul(threads: number): () => void {
  let bound: { backend: WasmBackendInternals; gemm: WasmGemm } | null = null;
  const gemmFor = (backend: WasmBackendInternals): WasmGemm => {
    if (bound?.backend !== backend) {
      bound?.gemm.dispose();
      const allocate = (bytes: number): number => {
        const offset = backend.wasm._malloc(bytes);
        // The growable heap answers an allocation it cannot make with 0, where the GEMM would overwrite tfjs's data.
        if (offset === 0) throw new Error(`the wasm heap cannot hold ${bytes} more bytes of GEMM scratch`);
        return offset;
      };
      const gemm = new WasmGemm(heapMemory(backend), threads, {
        allocate,
        release: (offset) => backend.wasm._free(offset),
      });
      bound = { backend, gemm };
    }
    return bound.gemm;
  };
  return replaceBatchMatMul({
    name: 'wasm-gemm',
    acceptsHeap: () => true,
    multiply: (backend, geometry, operands) => {
      const { rows, columns, depth } = geometry;
      gemmFor(backend).multiply({
        batches: geometry.batches,
        rows,
        columns,
        depth,
        a: operands.a,
        aBatchStride: geometry.batchesOfA === 1 ? 0 : rows * depth * 4,
        aRowStride: geometry.transposeA ? 4 : depth * 4,
        aDepthStride: geometry.transposeA ? rows * 4 : 4,
        b: operands.b,
        bBatchStride: geometry.batchesOfB === 1 ? 0 : depth * columns * 4,
        bDepthStride: geometry.transposeB ? 4 : columns * 4,
        bColumnStride: geometry.transposeB ? depth * 4 : 4,
        output: operands.output,
      });
    },
    dispose: () => {
      bound?.gemm.dispose();
      bound = null;
    },
  });
}
