import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { replaceBatchMatMul } from './batch-matmul-replacement.js';

/** The optional addon built by `npm run build:native` (native/wasm-blas/wasm_blas.c). */
interface WasmBlasAddon {
  /** C = op(A)·op(B), row-major, operands at byte offsets of `heap`; checks every operand lies inside it. */
  sgemm(
    heap: ArrayBuffer,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    bOffset: number,
    cOffset: number,
  ): void;
  setThreads(threads: number): void;
}

export const wasmBlasAddonPath = path.join('native', 'wasm-blas', 'build', 'wasm_blas.node');

/** Walks up from `start` to the folder holding Unisight's package.json (source tree, dist/ bundle or packaged app). */
function projectRoot(start: string): string | null {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'unisight'
    )
      return directory;
    if (path.dirname(directory) === directory) return null;
  }
}

/** Loads the addon, or says why it cannot (not built, or built for another system). */
export function loadWasmBlas(): WasmBlasAddon {
  const root = projectRoot(import.meta.dirname);
  const file = root ? path.join(root, wasmBlasAddonPath) : null;
  if (!file || !fs.existsSync(file))
    throw new Error(
      `the optional OpenBLAS addon is not built (run \`npm run build:native\`; needs a C compiler and libopenblas-dev)`,
    );
  try {
    return createRequire(import.meta.url)(file) as WasmBlasAddon;
  } catch (error) {
    throw new Error(`the OpenBLAS addon at ${file} failed to load: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
}

/**
 * Replaces the wasm backend's BatchMatMul with OpenBLAS sgemm working in place on the wasm heap (platform.md item 6).
 * Only for the single-threaded build, whose heap is a plain ArrayBuffer. Returns a function that puts tfjs's kernel
 * back.
 */
export function registerBlasMatMul(addon: WasmBlasAddon, threads: number): () => void {
  addon.setThreads(threads);
  return replaceBatchMatMul({
    name: 'OpenBLAS',
    acceptsHeap: (backend) => backend.wasm.HEAPU8.buffer instanceof ArrayBuffer,
    multiply: (backend, geometry, operands) => {
      const { rows, columns, depth } = geometry;
      const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
      for (let index = 0; index < geometry.batches; index++) {
        const a = operands.a + (geometry.batchesOfA === 1 ? 0 : index * rows * depth * 4);
        const b = operands.b + (geometry.batchesOfB === 1 ? 0 : index * depth * columns * 4);
        addon.sgemm(
          heap,
          geometry.transposeA,
          geometry.transposeB,
          rows,
          columns,
          depth,
          a,
          b,
          operands.output + index * rows * columns * 4,
        );
      }
    },
  });
}
