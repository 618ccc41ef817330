import { Worker } from 'node:worker_threads';

/** The sgemm export's arguments, in order (see assembly/sgemm.ts). */
export type SgemmArguments = readonly number[];
export const sgemmArgumentCount = 19;

// Per helper, one SharedArrayBuffer: four Int32 signals, then the arguments as Float64 (heap offsets may pass 2³¹).
// helperMain repeats these numbers: it runs from its source text and cannot see this module.
const requestSignal = 0;
const finishedSignal = 1;
const failedSignal = 2;
const readySignal = 3;
const argumentsByteOffset = 16;
// A helper that has not started by then never will (the thread could not be created or ran out of memory).
const helperStartMilliseconds = 30_000;

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
}

/**
 * Runs inside each helper thread, as the source of this function (it may use only its argument and globals). Says it
 * is ready, then waits for a request, runs sgemm on the shared heap and signals completion; a trap sets the failure
 * flag. Past start-up nothing else can fail here, so the caller's untimed wait cannot hang.
 */
function helperMain(data: HelperData): void {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const sgemm = instance.exports.sgemm as (...values: number[]) => void;
  const signals = new Int32Array(data.control, 0, 4);
  const values = new Float64Array(data.control, 16, 19);
  Atomics.store(signals, 3, 1);
  Atomics.notify(signals, 3);
  for (let seen = 0; ;) {
    Atomics.wait(signals, 0, seen);
    seen = Atomics.load(signals, 0);
    try {
      sgemm(...values);
    } catch {
      Atomics.store(signals, 2, 1);
    }
    Atomics.store(signals, 1, seen);
    Atomics.notify(signals, 1);
  }
}

interface Helper {
  worker: Worker;
  signals: Int32Array;
  values: Float64Array;
  generation: number;
}

/** Blocks until `helper` has started, or throws when it has not within helperStartMilliseconds. */
function awaitStart(helper: Helper): void {
  if (Atomics.load(helper.signals, readySignal) === 1) return;
  if (Atomics.wait(helper.signals, readySignal, 0, helperStartMilliseconds) === 'timed-out') {
    throw new Error(`a GEMM helper thread did not start within ${helperStartMilliseconds / 1000} s`);
  }
}

/** Blocks until `helper` has finished its current request; true when that request trapped. */
function awaitFinish(helper: Helper): boolean {
  for (
    let finished = Atomics.load(helper.signals, finishedSignal);
    finished !== helper.generation;
    finished = Atomics.load(helper.signals, finishedSignal)
  ) {
    Atomics.wait(helper.signals, finishedSignal, finished);
  }
  return Atomics.exchange(helper.signals, failedSignal, 0) !== 0;
}

/**
 * Helper threads for the GEMM, sharing tfjs's heap. A call hands one part to each helper and runs the first part on the
 * calling thread, then blocks until all are done (Atomics, no event loop: tfjs kernels are synchronous). Helpers are
 * unref'd so they never keep a process alive.
 */
export class GemmThreads {
  private readonly helpers: Helper[];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, helperCount: number) {
    this.helpers = Array.from({ length: helperCount }, () => {
      const control = new SharedArrayBuffer(argumentsByteOffset + sgemmArgumentCount * 8);
      const data: HelperData = { module, memory, control };
      const worker = new Worker(`(${helperMain.toString()})(require('node:worker_threads').workerData)`, {
        eval: true,
        workerData: data,
      });
      worker.unref();
      return {
        worker,
        signals: new Int32Array(control, 0, 4),
        values: new Float64Array(control, argumentsByteOffset, sgemmArgumentCount),
        generation: 0,
      };
    });
  }

  get count(): number {
    return this.helpers.length + 1;
  }

  /**
   * Runs parts[0] through `runHere` and parts[1…] on the helpers (at most one each); returns when all have finished.
   */
  run(parts: SgemmArguments[], runHere: (part: SgemmArguments) => void): void {
    if (parts.length > this.count) throw new Error(`${parts.length} GEMM parts for ${this.count} threads`);
    const busy = this.helpers.slice(0, parts.length - 1);
    busy.forEach((helper, index) => {
      helper.values.set(parts[index + 1]!);
      // The signal is an Int32: wrap as it does, or the comparison in awaitFinish would never hold again.
      helper.generation = (helper.generation + 1) | 0;
      Atomics.store(helper.signals, requestSignal, helper.generation);
      Atomics.notify(helper.signals, requestSignal);
    });
    let failure: unknown = null;
    try {
      runHere(parts[0]!);
    } catch (error) {
      failure = error;
    }
    // Even when this thread's part trapped, every helper must finish before its scratch or signals are reused.
    for (const helper of busy) awaitStart(helper);
    const helperTrapped = busy.map(awaitFinish).some(Boolean);
    if (failure) throw failure;
    if (helperTrapped) throw new Error('a GEMM helper thread trapped (an operand outside the heap?)');
  }

  dispose(): void {
    for (const helper of this.helpers) void helper.worker.terminate();
  }
}
