import os from 'node:os';
import { BackendUnavailable, switchTo, wasmChosenBecause, type BackendCandidate } from '../backend-candidate.js';
import { registerThreadedWasm } from '../wasm-threaded-build.js';
import { registerPureWasmGemm, registerWasmKernelReplacements } from '../wasm-kernels.js';

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

/** Multi-threaded WebAssembly (tfjs's threaded build) with Unisight's GEMM on every core. */
export const wasmThreadedBackend: BackendCandidate = {
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
  chosenBecause: wasmChosenBecause,
};
