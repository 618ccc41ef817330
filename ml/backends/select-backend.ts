import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { backendNames, type BackendAttempt, type BackendName } from '../../common/contract/index.js';
import type { BackendReport } from '../../common/engine/protocol.js';
import { loadWasmBlas, registerBlasMatMul } from './wasm-blas-matmul.js';
import { registerWasmGemmMatMul } from './wasm-gemm-matmul.js';
import { wasmGemmUnavailableReason } from './wasm-gemm/wasm-gemm.js';
import { registerWasmSharedIdentity } from './wasm-shared-identity.js';
import { registerWasmSliceKernels } from './wasm-slice-kernels.js';
import { registerThreadedWasm } from './wasm-threaded-build.js';
import { describeAdapter, startWebGpu, WebGpuUnavailable } from './webgpu-device.js';

// Order of preference: native TensorFlow with CUDA, WebGPU on a hardware adapter (Dawn; installs offline), native
// TensorFlow on CPU, WebAssembly with its matrix products in OpenBLAS (the optional addon of `npm run build:native`),
// multi-threaded WebAssembly, single-threaded, then plain JS.
// Every attempt is recorded with why it was or was not taken, for `unisight info` and the status bar.

interface BackendCandidate {
  name: BackendName;
  /**
   * Threads in use, for the WebAssembly routes how matrix products run, for a GPU route the device. `forced`: the
   * user asked for this backend by name (UNISIGHT_BACKEND), so it is taken even where it would be passed over.
   */
  activate(forced: boolean): Promise<{ threads: number; products?: string; device?: string }>;
}

class BackendUnavailable extends Error {}

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
    products: `matrix products in Unisight's relaxed-SIMD GEMM on ${threads} thread${threads === 1 ? '' : 's'}`,
    restore: registerWasmGemmMatMul(threads),
  };
}

async function importOptional(moduleName: string, installHint: string): Promise<void> {
  try {
    await import(moduleName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new BackendUnavailable(`${moduleName} is not installed (${installHint})`);
    }
    throw new BackendUnavailable(`${moduleName} failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
}

const threadedStartTimeoutMilliseconds = 30_000;

async function withTimeout<T>(work: Promise<T>, milliseconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), milliseconds);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function switchTo(backendName: string): Promise<void> {
  const switched = await tf.setBackend(backendName);
  if (!switched) throw new BackendUnavailable(`tf.setBackend('${backendName}') refused to initialise`);
  await tf.ready();
}

const nativeInstallHint =
  'optional dependency; its install downloads libtensorflow, which failed or was skipped on this machine';

const candidates: BackendCandidate[] = [
  {
    name: 'tensorflow-gpu',
    activate: async () => {
      await importOptional('@tensorflow/tfjs-node-gpu', `${nativeInstallHint}; needs CUDA 11.2 and cuDNN 8.1`);
      await switchTo('tensorflow');
      return { threads: 0 };
    },
  },
  {
    name: 'webgpu',
    activate: async (forced) => {
      try {
        return { threads: 0, device: describeAdapter(await startWebGpu(forced)) };
      } catch (error) {
        if (error instanceof WebGpuUnavailable) throw new BackendUnavailable(error.message);
        throw error;
      }
    },
  },
  {
    name: 'tensorflow',
    activate: async () => {
      await importOptional('@tensorflow/tfjs-node', nativeInstallHint);
      await switchTo('tensorflow');
      return { threads: 0 };
    },
  },
  {
    name: 'wasm-openblas',
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
  },
  {
    name: 'wasm-threaded',
    activate: async () => {
      const cores = os.availableParallelism();
      if (cores < 2) throw new BackendUnavailable('one CPU core: the multi-threaded build would only add overhead');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      registerWasmKernelReplacements();
      const restoreSingleThreaded = registerThreadedWasm(cores);
      const gemm = registerPureWasmGemm(cores);
      try {
        await withTimeout(switchTo('wasm'), threadedStartTimeoutMilliseconds, 'the multi-threaded build did not start');
      } catch (error) {
        gemm.restore();
        restoreSingleThreaded();
        throw new BackendUnavailable(
          `multi-threaded WebAssembly failed to start (${(error as Error).message}); using the single-threaded build`,
        );
      }
      return { threads: Math.max(wasm.getThreadsCount(), cores), products: gemm.products };
    },
  },
  {
    name: 'wasm',
    activate: async () => {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmKernelReplacements();
      const gemm = registerPureWasmGemm(1);
      await switchTo('wasm');
      return { threads: 1, products: gemm.products };
    },
  },
  {
    name: 'cpu',
    activate: async () => {
      await switchTo('cpu');
      return { threads: 1 };
    },
  },
];

export function parseRequestedBackend(value: string | undefined): BackendName | null {
  if (!value) return null;
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`UNISIGHT_BACKEND="${value}" is not a backend; choose one of ${backendNames.join(', ')}.`);
}

/** Picks the fastest backend that works here; `requested` (UNISIGHT_BACKEND) forces one and skips the rest. */
export async function selectBackend(requested: BackendName | null): Promise<BackendReport> {
  const attempts: BackendAttempt[] = [];
  for (const candidate of candidates) {
    if (requested && candidate.name !== requested) {
      attempts.push({
        backend: candidate.name,
        chosen: false,
        reason: `skipped: UNISIGHT_BACKEND=${requested} was requested`,
      });
      continue;
    }
    try {
      const { threads, products, device } = await candidate.activate(requested === candidate.name);
      attempts.push({
        backend: candidate.name,
        chosen: true,
        reason: chosenReason(candidate.name, requested, threads, products ?? device),
      });
      for (const rest of candidates.slice(candidates.indexOf(candidate) + 1)) {
        attempts.push({ backend: rest.name, chosen: false, reason: `not tried: ${candidate.name} is preferred` });
      }
      return { backend: candidate.name, threads, device: device ?? null, attempts };
    } catch (error) {
      attempts.push({ backend: candidate.name, chosen: false, reason: (error as Error).message });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start: ${attempts.map((attempt) => `${attempt.backend}: ${attempt.reason}`).join('; ')}`,
  );
}

function chosenReason(
  name: BackendName,
  requested: BackendName | null,
  threads: number,
  /** How matrix products run (WebAssembly routes), or the device (GPU routes). */
  detail: string | undefined,
): string {
  if (requested) return `chosen: requested by UNISIGHT_BACKEND${detail ? `; ${detail}` : ''}`;
  if (name === 'tensorflow-gpu') return 'chosen: native TensorFlow with CUDA';
  if (name === 'webgpu') return `chosen: WebGPU on ${detail ?? 'an unnamed adapter'}`;
  if (name === 'tensorflow') return 'chosen: native TensorFlow on CPU';
  if (name === 'cpu') return 'chosen: plain JavaScript fallback (slow)';
  if (name === 'wasm-openblas')
    return `chosen: WebAssembly with SIMD, matrix products in OpenBLAS on ${threads} thread${threads === 1 ? '' : 's'}`;
  return `chosen: WebAssembly with SIMD, ${threads} thread${threads === 1 ? '' : 's'}${detail ? `; ${detail}` : ''}`;
}
