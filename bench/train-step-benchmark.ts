// `npm run bench:train`: one training step of the reference transformer (pre-LN, 4 layers, d 256, 4 heads, MLP 1024,
// 32 sequences × 65 tokens, AdamW) built from the engine's own layers, on each CPU backend this machine can use, then
// the identical model in PyTorch (bench/train_step_reference.py), and last the ratio of the app's default backend to
// PyTorch. WebGPU is timed where a hardware adapter exists (a software one, SwiftShader, is slower than WebAssembly
// and is only named). Figures belong in bench/RESULTS.md with date, machine and command.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../ml/backends/select-backend.js';
import { registerPureWasmGemm, registerWasmKernelReplacements } from '../ml/backends/wasm-kernels.js';
import type { BackendName } from '../common/contract/index.js';
import { loadWasmBlas, registerBlasMatMul } from '../ml/backends/wasm-blas-matmul.js';
import { registerThreadedWasm } from '../ml/backends/wasm-threaded-build.js';
import { describeAdapter, startWebGpu, stopWebGpu, WebGpuUnavailable } from '../ml/backends/webgpu-device.js';
import { reference, timeReferenceSteps } from './reference-step.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '5' }, 'include-cpu': { type: 'boolean', default: false } },
});
const timedSteps = Number(values.steps);
const timeSteps = (backend: string) => timeReferenceSteps(backend, timedSteps);

console.log(
  `train-step benchmark: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.versions.node}, tfjs ${tf.version.tfjs}`,
);
console.log(
  `reference: ${reference.layers} layers, d ${reference.width}, ${reference.heads} heads, MLP ${reference.width * reference.mlpRatio}, ${reference.batch} × ${reference.tokens} tokens, AdamW; median of ${timedSteps} steps after a warm-up`,
);

// Each CPU route in turn: single-threaded wasm with tfjs's own XNNPACK products (the baseline the GEMM replaces) and
// with Unisight's GEMM, the same with OpenBLAS products (when the optional addon is built), then the multi-threaded
// build with the GEMM on every core. The app's default is selected last, only to name it.
registerWasmKernelReplacements();
const cores = os.availableParallelism();
const times: Partial<Record<BackendName, number>> = {};
const timeRoute = async (route: string): Promise<number> => {
  const { seconds, leakFree } = await timeSteps('wasm');
  console.log(`  tfjs ${route.padEnd(30)} ${seconds.toFixed(2)} s/step${leakFree ? '' : '  (TENSOR COUNT GREW)'}`);
  return seconds;
};
await timeRoute('wasm, XNNPACK products');
// The app's own registration, so the figure is for the products the app would use (XNNPACK where relaxed SIMD is
// missing).
const withGemm = async (threads: number, time: () => Promise<number>): Promise<number> => {
  const gemm = registerPureWasmGemm(threads);
  console.log(`  (${gemm.products})`);
  try {
    return await time();
  } finally {
    gemm.restore();
  }
};
times.wasm = await withGemm(1, () => timeRoute('wasm'));
try {
  const restoreMatMul = registerBlasMatMul(loadWasmBlas(), cores);
  times['wasm-openblas'] = await timeRoute('wasm-openblas');
  restoreMatMul();
} catch (error) {
  console.log(`  tfjs wasm-openblas   not measured: ${(error as Error).message}`);
}
registerThreadedWasm(cores);
await timeRoute(`wasm-threaded, XNNPACK products`);
times['wasm-threaded'] = await withGemm(cores, () => timeRoute('wasm-threaded'));
if (values['include-cpu']) {
  const cpu = await timeSteps('cpu');
  console.log(`  tfjs cpu            ${cpu.seconds.toFixed(2)} s/step`);
}
try {
  const adapter = await startWebGpu(false);
  const gpu = await timeSteps('webgpu');
  times.webgpu = gpu.seconds;
  console.log(
    `  tfjs webgpu          ${gpu.seconds.toFixed(3)} s/step${gpu.leakFree ? '' : '  (TENSOR COUNT GREW)'} on ${describeAdapter(adapter)}`,
  );
  await tf.setBackend('cpu');
  stopWebGpu();
} catch (error) {
  if (!(error instanceof WebGpuUnavailable)) throw error;
  console.log(`  tfjs webgpu          not measured: no hardware adapter (${error.message})`);
}
const selected = await selectBackend(null);
console.log(
  `app default backend: ${selected.backend} (${selected.attempts.find((attempt) => attempt.chosen)?.reason})`,
);

const script = path.join(import.meta.dirname, '..', '..', 'bench', 'train_step_reference.py');
const torch = spawnSync('/usr/bin/python3', [script, String(timedSteps)], {
  encoding: 'utf8',
  env: { ...process.env, OPENBLAS_NUM_THREADS: String(os.availableParallelism()) },
});
if (torch.status !== 0) {
  console.log(
    `  PyTorch reference did not run: ${(torch.stderr || torch.error?.message || '').trim().split('\n').at(-1)} (Debian: apt install python3-torch libopenblas0-pthread)`,
  );
} else {
  const result = JSON.parse(torch.stdout.trim().split('\n').at(-1)!) as {
    seconds: number;
    threads: number;
    blas: string;
  };
  console.log(
    `  PyTorch ${result.seconds.toFixed(2)} s/step (torch.set_num_threads(${result.threads}), ${result.blas})`,
  );
  const defaultTime = times[selected.backend] ?? times.wasm!;
  const pureWasm = Math.min(times.wasm!, times['wasm-threaded'] ?? Number.POSITIVE_INFINITY);
  console.log(`pure wasm (best of single- and multi-threaded) / PyTorch: ${(pureWasm / result.seconds).toFixed(2)}×`);
  console.log(
    `ratio, app default backend (${selected.backend}) / PyTorch: ${(defaultTime / result.seconds).toFixed(2)}×  (target ≤ 1.5×; pure wasm ≤ 3.5×)`,
  );
}
// The threaded build's pthread workers keep the event loop alive.
process.exit(0);
