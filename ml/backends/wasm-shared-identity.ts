import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { WasmBackendInternals } from './wasm-backend-internals.js';

let registered = false;

/**
 * Replaces the wasm backend's Identity with one that shares the input's buffer (reference-counted), as the cpu backend
 * does. The engine runs Identity to keep every tensor a gradient needs, and the wasm version copies it: 0.13 s of a
 * 0.87 s reference training step (bench/RESULTS.md). Sharing is safe because no tfjs kernel writes into its inputs and
 * a variable's assign swaps buffers rather than overwriting them. Strings keep the original kernel.
 */
export function registerWasmSharedIdentity(): void {
  const original = tf.getKernel('Identity', 'wasm');
  if (registered || !original) return;
  registered = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const input = args.inputs.x!;
      if (input.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as WasmBackendInternals).incRef(input.dataId);
      return { dataId: input.dataId, shape: input.shape, dtype: input.dtype };
    },
  });
}
