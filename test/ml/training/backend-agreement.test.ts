import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import type { EncoderConfig } from '../../../common/encoder-config.js';
import { threeTinySteps } from '../../support/tiny-training.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('training on the wasm backend', () => {
  it('has every kernel a training step needs, leaks nothing, and agrees with the cpu backend', async () => {
    const reference = await threeTinySteps('cpu');
    const wasm = await threeTinySteps('wasm');
    expect(new Set(wasm.tensorCounts).size).toBe(1);
    wasm.losses.forEach((loss, index) => expect(loss).toBeCloseTo(reference.losses[index]!, 3));
  });

  it('agrees with the cpu backend with every MS-CLIP option on (per-modality norms, convolutional stem, branch)', async () => {
    const msClip: Partial<EncoderConfig> = {
      sharedBlockParts: { attention: true, mlp: true, layerNorms: false },
      imageStem: 'convolutional',
      parallelBranchLayers: [1, 2, 3],
    };
    const reference = await threeTinySteps('cpu', msClip);
    const wasm = await threeTinySteps('wasm', msClip);
    expect(new Set(wasm.tensorCounts).size).toBe(1);
    wasm.losses.forEach((loss, index) => expect(loss).toBeCloseTo(reference.losses[index]!, 3));
  });

  it('agrees with the cpu backend with the hMLP stem', async () => {
    const reference = await threeTinySteps('cpu', { imageStem: 'hierarchical' });
    const wasm = await threeTinySteps('wasm', { imageStem: 'hierarchical' });
    expect(new Set(wasm.tensorCounts).size).toBe(1);
    wasm.losses.forEach((loss, index) => expect(loss).toBeCloseTo(reference.losses[index]!, 3));
  });
});
