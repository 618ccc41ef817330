import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argumentTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
}
type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const requireFromHere = createRequire(import.meta.url);
const threadedScript = 'tfjs-backend-wasm-threaded-simd';
const wasmPriority = 2;

/**
 * The pthread worker as a real file: tfjs hands Emscripten a `blob:` URL for it, which Node's worker_threads cannot
 * load. Written once per content hash so concurrent engine processes never see a half-written file.
 */
function workerFile(): string {
  const { wasmWorkerContents } = requireFromHere(
    `@tensorflow/tfjs-backend-wasm/wasm-out/${threadedScript}.worker.js`,
  ) as { wasmWorkerContents: string };
  // The string came out of a template literal, so its escaped newlines are real ones again (tfjs re-escapes them too).
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const target = path.join(os.tmpdir(), `unisight-tfjs-wasm-${hash}.worker.cjs`);
  if (!fs.existsSync(target)) {
    const partial = `${target}.${process.pid}.partial`;
    fs.writeFileSync(partial, source);
    fs.renameSync(partial, target);
  }
  return target;
}

/**
 * The backend caps its pool at half the logical cores (it assumes two hyper-threads per core), read once while the
 * module starts, through os.cpus() under Node; on a 2-core machine that would be one thread.
 */
async function withLogicalCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(cores, real.length) }, (_, index) => real[index % real.length]!);
  };
  try {
    return await start();
  } finally {
    os.cpus = cpus;
  }
}

/**
 * Replaces tfjs's 'wasm' backend factory with one that starts the multi-threaded SIMD build under Node, which tfjs
 * refuses to do (WASM_HAS_MULTITHREAD_SUPPORT is hard-coded false there; tensorflow/tfjs#3830). The kernels stay the
 * ones registered for 'wasm'; only the module behind them changes. Only XNNPACK kernels (GEMM, convolutions) use the
 * threads. The pthread workers keep the event loop alive: processes using this backend must exit explicitly.
 * Returns a function that puts the single-threaded factory back (when the threaded one fails to start).
 */
export function registerThreadedWasm(threads: number): () => void {
  const mainScript = requireFromHere.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${threadedScript}.js`);
  const wasmBinary = path.join(path.dirname(mainScript), `${threadedScript}.wasm`);
  const worker = workerFile();
  const factory = requireFromHere(mainScript) as EmscriptenFactory;
  const singleThreaded = tf.findBackendFactory('wasm');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await withLogicalCores(2 * threads, () =>
        factory({
          locateFile: (file: string, prefix: string) =>
            file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? wasmBinary : prefix + file,
          mainScriptUrlOrBlob: mainScript,
        }),
      );
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      setThreadsCount(threads);
      return new BackendWasm(module as never);
    },
    wasmPriority,
  );
  return () => {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', singleThreaded, wasmPriority);
  };
}
