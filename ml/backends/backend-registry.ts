import type { BackendName } from '../../common/contract/app.js';
import type { BackendCandidate } from './backend-candidate.js';
import { cpuBackend } from './candidates/cpu.js';
import { tensorflowGpuBackend } from './candidates/tensorflow-gpu.js';
import { tensorflowBackend } from './candidates/tensorflow.js';
import { wasmOpenBlasBackend } from './candidates/wasm-openblas.js';
import { wasmThreadedBackend } from './candidates/wasm-threaded.js';
import { wasmBackend } from './candidates/wasm.js';
import { webGpuBackend } from './candidates/webgpu.js';

/**
 * Every backend by its name in the contract (`backendNames`, common/contract/app.ts, whose order is the order of
 * preference). A new backend is its file in `candidates/`, one line here and its name there.
 */
export const backendCandidates: Record<BackendName, BackendCandidate> = {
  'tensorflow-gpu': tensorflowGpuBackend,
  webgpu: webGpuBackend,
  tensorflow: tensorflowBackend,
  'wasm-openblas': wasmOpenBlasBackend,
  'wasm-threaded': wasmThreadedBackend,
  wasm: wasmBackend,
  cpu: cpuBackend,
};
