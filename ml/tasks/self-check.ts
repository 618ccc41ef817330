import * as tf from '@tensorflow/tfjs';
import type { EngineTask } from '../../common/engine/engine-task.js';

/** Exact product of two small row-major matrices, the reference the backend's matMul is checked against. */
export function referenceMatMul(a: Float32Array, b: Float32Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let inner = 0; inner < size; inner++) {
      const left = a[row * size + inner]!;
      for (let column = 0; column < size; column++) out[row * size + column]! += left * b[inner * size + column]!;
    }
  }
  return out;
}

async function checkCorrectness(): Promise<number> {
  const size = 33;
  const a = Float32Array.from({ length: size * size }, (_, index) => Math.sin(index * 0.37));
  const b = Float32Array.from({ length: size * size }, (_, index) => Math.cos(index * 0.11));
  const expected = referenceMatMul(a, b, size);
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, [size, size]), tf.tensor2d(b, [size, size])));
  const actual = await product.data();
  product.dispose();
  let largestError = 0;
  for (let index = 0; index < expected.length; index++) {
    largestError = Math.max(largestError, Math.abs(actual[index]! - expected[index]!));
  }
  return largestError;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * A short backend benchmark with real tensor work: verifies matMul against an exact reference, times square
 * matMuls (with a dependent chain so nothing is skipped), and fails if any tensor outlives its step.
 */
export const runSelfCheck: EngineTask<'selfcheck'> = async (parameters, context) => {
  const tensorsBefore = tf.memory().numTensors;
  const largestError = await checkCorrectness();
  if (largestError > 1e-3)
    throw new Error(`matMul disagrees with the exact reference by ${largestError.toExponential(2)}`);

  const size = parameters.matrixSize;
  const weights = tf.tidy(() => tf.randomNormal([size, size], 0, 1 / Math.sqrt(size), 'float32', 7));
  let state = tf.tidy(() => tf.randomNormal([size, size], 0, 1, 'float32', 11));
  const timings: number[] = [];
  const tensorsPerStep: number[] = [];
  try {
    for (let iteration = 1; iteration <= parameters.iterations; iteration++) {
      if (context.isCancelled()) {
        return { outcome: 'cancelled', result: { completedIterations: iteration - 1 } };
      }
      const started = performance.now();
      const next = tf.tidy(() => tf.tanh(tf.matMul(state, weights)));
      await next.data();
      timings.push(performance.now() - started);
      state.dispose();
      state = next;
      tensorsPerStep.push(tf.memory().numTensors);
      context.reportProgress(
        iteration,
        parameters.iterations,
        `matMul ${size}×${size}: ${timings.at(-1)!.toFixed(1)} ms`,
      );
      await context.yieldToEvents();
    }
  } finally {
    state.dispose();
    weights.dispose();
  }
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  if (leakedTensors !== 0) throw new Error(`${leakedTensors} tensor(s) leaked during the self-check`);
  if (new Set(tensorsPerStep).size > 1)
    throw new Error(`tensor count drifted across steps: ${[...new Set(tensorsPerStep)].join(', ')}`);

  const medianMilliseconds = median(timings);
  return {
    outcome: 'succeeded',
    result: {
      backend: context.backend,
      matrixSize: size,
      iterations: parameters.iterations,
      largestErrorAgainstReference: largestError,
      medianMillisecondsPerMatMul: Number(medianMilliseconds.toFixed(3)),
      // Three significant figures: a small matrix on a loaded machine can run below 0.005 GFLOP/s.
      gigaflopsPerSecond: Number(((2 * size ** 3) / (medianMilliseconds / 1000) / 1e9).toPrecision(3)),
      leakedTensors,
    },
  };
};
