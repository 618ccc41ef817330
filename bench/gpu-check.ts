// `npm run bench:gpu`: the GPU figures of issue 21, sized for a short lease of a GPU machine (under 8 minutes): the
// Vulkan driver (`vulkaninfo --summary`), the WebGPU adapter Dawn picks, then the time of one training step on
// webgpu for the reference transformer and for the `balanced` and `paper` presets' encoders, the same `balanced` step
// on the best CPU route for comparison, and the reference step in PyTorch on CUDA, with the ratios the issue sets
// goals for. Needs on that machine, without internet: this repository built (`npm ci` ships Dawn's prebuilt
// dawn.node inside the `webgpu` package), Node 22, the Vulkan loader (libvulkan1) and the GPU vendor's Vulkan driver
// (NVIDIA's ships nvidia_icd.json with the driver), and python3 with a CUDA PyTorch for the reference.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerPureWasmGemm, registerWasmKernelReplacements } from '../ml/backends/wasm-kernels.js';
import { registerThreadedWasm } from '../ml/backends/wasm-threaded-build.js';
import { describeAdapter, startWebGpu, stopWebGpu, WebGpuUnavailable } from '../ml/backends/webgpu-device.js';
import { encoderPresets } from '../common/encoder-config.js';
import { timeContrastiveSteps, timeReferenceSteps, type StepTiming } from './reference-step.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3' },
    // A software adapter (SwiftShader) is slower than WebAssembly: it is timed only when asked, to try the script.
    'allow-software': { type: 'boolean', default: false },
    'skip-cpu': { type: 'boolean', default: false },
    // Which presets' steps to time besides the reference transformer (`none` for a quick try).
    presets: { type: 'string', default: 'balanced,paper' },
  },
});
const steps = Number(values.steps);
const batchSize = 32;
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const show = (label: string, timing: StepTiming) =>
  console.log(
    `  ${label.padEnd(44)} ${timing.seconds.toFixed(3)} s/step${timing.leakFree ? '' : '  (TENSOR COUNT GREW)'}`,
  );

console.log(`GPU check: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.versions.node}`);
const vulkan = spawnSync('vulkaninfo', ['--summary'], { encoding: 'utf8', timeout: 60_000 });
console.log(
  vulkan.status === 0
    ? vulkan.stdout
        .split('\n')
        .filter((line) => /deviceName|driverName|driverInfo|apiVersion|deviceType/.test(line))
        .join('\n')
    : `vulkaninfo: ${vulkan.error ? 'not installed (apt install vulkan-tools)' : vulkan.stderr.trim().split('\n')[0]}`,
);

let adapter;
try {
  adapter = await startWebGpu(values['allow-software']);
} catch (error) {
  if (!(error instanceof WebGpuUnavailable)) throw error;
  console.log(`webgpu: no hardware adapter (${error.message})`);
  process.exit(1);
}
console.log(`webgpu adapter: ${describeAdapter(adapter)}`);

const presets = values.presets
  .split(',')
  .filter((name): name is 'balanced' | 'paper' => ['balanced', 'paper'].includes(name));
const reference = await timeReferenceSteps('webgpu', steps);
show('webgpu, reference transformer', reference);
const gpuPresets: Partial<Record<'balanced' | 'paper', StepTiming>> = {};
for (const name of presets) {
  gpuPresets[name] = await timeContrastiveSteps('webgpu', encoderPresets[name], batchSize, steps);
  show(`webgpu, ${name} preset (batch ${batchSize})`, gpuPresets[name]);
}
console.log(`  (${elapsed()} so far)`);
await tf.setBackend('cpu');
stopWebGpu();

if (!values['skip-cpu'] && gpuPresets.balanced) {
  // The best CPU route without optional addons: multi-threaded WebAssembly with Unisight's GEMM on every core.
  registerWasmKernelReplacements();
  registerThreadedWasm(os.availableParallelism());
  const gemm = registerPureWasmGemm(os.availableParallelism());
  const cpu = await timeContrastiveSteps('wasm', encoderPresets.balanced, batchSize, 1);
  gemm.restore();
  show(`wasm-threaded, balanced preset (${os.availableParallelism()} threads)`, cpu);
  console.log(
    `balanced preset, wasm-threaded / webgpu: ${(cpu.seconds / gpuPresets.balanced.seconds).toFixed(1)}× faster on the GPU (goal ≥ 20×)`,
  );
}

const script = path.join(import.meta.dirname, '..', '..', 'bench', 'train_step_reference.py');
const torch = spawnSync('python3', [script, String(Math.max(steps, 5)), '--device=cuda'], { encoding: 'utf8' });
if (torch.status !== 0) {
  console.log(`PyTorch on CUDA did not run: ${(torch.stderr || torch.error?.message || '').trim().split('\n').at(-1)}`);
} else {
  const result = JSON.parse(torch.stdout.trim().split('\n').at(-1)!) as { seconds: number; device: string };
  console.log(`  PyTorch ${result.device}, reference transformer     ${result.seconds.toFixed(4)} s/step`);
  console.log(`reference step, webgpu / PyTorch CUDA: ${(reference.seconds / result.seconds).toFixed(1)}× (goal ≤ 5×)`);
}
console.log(`done in ${elapsed()}`);
// The threaded build's pthread workers keep the event loop alive.
process.exit(0);
