import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceMatMul, runSelfCheck } from '../../../ml/tasks/self-check.js';
import type { TaskContext } from '../../../common/engine/engine-task.js';

function context(options: { cancelAfter?: number } = {}): TaskContext & { progress: number[] } {
  const progress: number[] = [];
  return {
    progress,
    reportProgress: (done) => progress.push(done),
    reportMetrics: () => undefined,
    log: () => undefined,
    isCancelled: () => options.cancelAfter !== undefined && progress.length >= options.cancelAfter,
    yieldToEvents: () => Promise.resolve(),
    backend: 'cpu',
  };
}

describe('engine self-check', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the exact reference multiplies matrices', () => {
    const product = referenceMatMul(Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), 2);
    expect([...product]).toEqual([19, 22, 43, 50]);
  });

  it('reports progress per step, measures throughput and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const run = context();
    const outcome = await runSelfCheck({ iterations: 6, matrixSize: 32 }, run);
    expect(outcome.outcome).toBe('succeeded');
    expect(run.progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outcome.result).toMatchObject({ backend: 'cpu', iterations: 6, matrixSize: 32, leakedTensors: 0 });
    expect(outcome.result!.largestErrorAgainstReference as number).toBeLessThan(1e-3);
    expect(outcome.result!.gigaflopsPerSecond as number).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at a cancel between steps, keeping the steps done, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const run = context({ cancelAfter: 3 });
    const outcome = await runSelfCheck({ iterations: 1000, matrixSize: 16 }, run);
    expect(outcome).toEqual({ outcome: 'cancelled', result: { completedIterations: 3 } });
    expect(tf.memory().numTensors).toBe(before);
  });
});
