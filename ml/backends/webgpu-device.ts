import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The GPU adapter a WebGPU backend runs on, as `unisight info`, the status bar and the Train page show it. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU rasteriser behind WebGPU (SwiftShader, lavapipe, llvmpipe): correct, and slower than WebAssembly. */
  software: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** Why WebGPU is not used here: no driver, only a software adapter, or Dawn cannot load. */
export class WebGpuUnavailable extends Error {}

const softwareAdapterPattern = /swiftshader|lavapipe|llvmpipe|software/i;

export function describeAdapter(adapter: WebGpuAdapter): string {
  const gibibytes = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(bytes >= 1024 ** 3 ? 0 : 2)} GiB`;
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${adapter.description ? ` (${adapter.description})` : ''}${adapter.software ? ', a software adapter' : ''}; buffers up to ${gibibytes(adapter.maxBufferSize)}, bindings up to ${gibibytes(adapter.maxStorageBufferBindingSize)}`;
}

/**
 * Binds Google's Dawn (the `webgpu` package, a Node-API addon shipped prebuilt in its npm tarball, so it installs
 * offline) to `navigator.gpu`, asks for a high-performance adapter and starts tfjs's WebGPU backend on it. A software
 * adapter is refused unless `forced` (UNISIGHT_BACKEND=webgpu): it is exact but slower than the WebAssembly routes.
 * Order matters: tfjs-backend-webgpu looks for `navigator.gpu` when its module loads, and a process holding
 * `navigator.gpu` does not exit on its own, so every failure takes it away again.
 */
export async function startWebGpu(forced: boolean): Promise<WebGpuAdapter> {
  const gpu = await dawnInstance();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new WebGpuUnavailable(
      'no WebGPU adapter: no Vulkan driver was found (a GPU driver and libvulkan1 bring one; VK_ICD_FILENAMES can name it)',
    );
  const info = adapter.info;
  const found: WebGpuAdapter = {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    software:
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      softwareAdapterPattern.test(`${info.vendor} ${info.architecture} ${info.description}`),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
  if (found.software && !forced)
    throw new WebGpuUnavailable(
      `only a software adapter, ${describeAdapter(found)}: slower than WebAssembly (UNISIGHT_BACKEND=webgpu forces it)`,
    );
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    // By default tfjs computes small tensors on the CPU and copies them back and forth; the engine keeps a model's
    // tensors on the GPU from step to step, and tests must exercise the GPU's kernels.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    if (!(await tf.setBackend('webgpu'))) throw new WebGpuUnavailable("tf.setBackend('webgpu') refused to initialise");
    await tf.ready();
    watchDevice((tf.backend() as WebGPUBackend).device);
  } catch (error) {
    stopWebGpu();
    throw error instanceof WebGpuUnavailable ? error : new WebGpuUnavailable((error as Error).message);
  }
  return found;
}

// One Dawn instance per process: a second one, made while the first is alive, has crashed Dawn's Vulkan threads.
let instance: GPU | null = null;

async function dawnInstance(): Promise<GPU> {
  if (instance) return instance;
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (error) {
    throw new WebGpuUnavailable(`Dawn (the webgpu package) failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
  Object.assign(globalThis, dawn.globals);
  instance = dawn.create([]);
  return instance;
}

const failureListeners: Array<(reason: string) => void> = [];
let failure: string | null = null;

/**
 * Calls `listener` once, with the reason, when the GPU fails: out of memory, a buffer larger than the adapter allows,
 * any other error WebGPU reports, or the device lost. tfjs creates its buffers without error scopes, so after such an
 * error it goes on computing with invalid buffers and returns wrong numbers without a word: a job must stop there.
 */
export function onGpuFailure(listener: (reason: string) => void): void {
  if (failure !== null) listener(failure);
  else failureListeners.push(listener);
}

function failed(reason: string): void {
  if (failure !== null) return;
  failure = reason;
  for (const listener of failureListeners.splice(0)) listener(reason);
}

function watchDevice(device: GPUDevice): void {
  device.addEventListener('uncapturederror', (event) => {
    const { error } = event as GPUUncapturedErrorEvent;
    const first = error.message.split('\n')[0]!.trim();
    failed(
      error.constructor.name === 'GPUOutOfMemoryError' || /exceeds the max buffer size/i.test(first)
        ? `the GPU ran out of memory (${first})`
        : `the GPU reported an error (${first})`,
    );
  });
  void device.lost.then((info) => failed(`the GPU device was lost (${info.reason}: ${info.message})`));
}

/** Takes `navigator.gpu` away, so the process can exit (Dawn keeps it alive while it is reachable). */
export function stopWebGpu(): void {
  if (globalThis.navigator && 'gpu' in globalThis.navigator) Reflect.deleteProperty(globalThis.navigator, 'gpu');
}
