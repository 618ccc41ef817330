import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContrastiveEncoder, type TextBatch } from '../../../ml/model/contrastive-encoder.js';
import {
  withoutModalitySpecificParts,
  countParameters,
  EncoderConfig,
  encoderPresets,
  patchesPerImage,
} from '../../../common/encoder-config.js';
import { AdamW } from '../../../ml/training/adamw.js';
import { contrastiveStep } from '../../../ml/training/contrastive-step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny: EncoderConfig = {
  ...withoutModalitySpecificParts,
  architecture: 'shared',
  width: 16,
  heads: 2,
  sharedLayers: 2,
  earlyLayers: 0,
  lateLayers: 0,
  frozenSharedLayers: 0,
  mlpRatio: 2,
  modalityIdentifier: { kind: 'feature', featureWidth: 4, initialStandardDeviation: 1 },
  imageSize: 16,
  patchSize: 8,
  vocabularySize: 20,
  maximumTextTokens: 6,
  embeddingSize: 8,
  initialTemperature: 0.07,
  maximumLogitScale: 100,
  imagePositionInitialisation: 'normal',
};

const models: ContrastiveEncoder[] = [];
function model(overrides: Partial<EncoderConfig> = {}, seed = 1): ContrastiveEncoder {
  const created = new ContrastiveEncoder({ ...tiny, ...overrides }, seed);
  models.push(created);
  return created;
}
afterEach(() => {
  for (const created of models.splice(0)) created.dispose();
});

function batch(size = 3): { patches: tf.Tensor3D; texts: TextBatch } {
  const patches = tf.randomUniform(
    [size, patchesPerImage(tiny), tiny.patchSize ** 2],
    0,
    1,
    'float32',
    9,
  ) as tf.Tensor3D;
  const ids = Array.from({ length: size }, (_, row) => [1, 5 + row, 7 + row, 2, ...(row === 0 ? [0, 0] : [9, 2])]);
  const mask = ids.map((row, index) => row.map((_, position) => (index === 0 && position >= 4 ? 0 : 1)));
  return { patches, texts: { tokenIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask) } };
}

function values(tensor: tf.Tensor): Float32Array {
  return tensor.dataSync() as Float32Array;
}

/** Both modalities' embeddings of a batch, as plain arrays to compare before and after a change. */
function embedBoth(encoder: ContrastiveEncoder, patches: tf.Tensor3D, texts: TextBatch) {
  return tf.tidy(() => ({
    image: Array.from(values(encoder.encode('image', patches))),
    text: Array.from(values(encoder.encode('text', texts))),
  }));
}

/** Moves one parameter by 0.5 everywhere, to see which embeddings depend on it. */
function perturbParameter(encoder: ContrastiveEncoder, name: string): void {
  tf.tidy(() => encoder.store.get(name).assign(encoder.store.get(name).add(0.5)));
}

/** Nudges each parameter in turn and checks that exactly the listed modalities' embeddings move. */
function expectOnlyMoved(
  encoder: ContrastiveEncoder,
  patches: tf.Tensor3D,
  texts: TextBatch,
  steps: Array<[string, Array<'image' | 'text'>]>,
): void {
  let previous = embedBoth(encoder, patches, texts);
  for (const [name, moved] of steps) {
    perturbParameter(encoder, name);
    const next = embedBoth(encoder, patches, texts);
    for (const modality of ['image', 'text'] as const) {
      if (moved.includes(modality)) expect(next[modality], `${name} moves ${modality}`).not.toEqual(previous[modality]);
      else expect(next[modality], `${name} leaves ${modality}`).toEqual(previous[modality]);
    }
    previous = next;
  }
}

/** AdamW as pretraining sets it up, with a weight decay high enough to show in a few steps. */
function adamW(encoder: ContrastiveEncoder): AdamW {
  return new AdamW(encoder.store.trainable(), { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.2 });
}

/** 40 steps on a fixed batch: the loss falls to under half, and every step leaves the same number of tensors. */
async function expectLearnsWithoutLeaks(encoder: ContrastiveEncoder): Promise<void> {
  const optimizer = adamW(encoder);
  const { patches, texts } = batch();
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let step = 0; step < 40; step++) {
    losses.push((await contrastiveStep(encoder, optimizer, patches, texts, 1e-3, 1)).loss);
    tensorCounts.push(tf.memory().numTensors);
  }
  expect(new Set(tensorCounts.slice(1)).size).toBe(1);
  expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
  optimizer.dispose();
  tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
}

describe('contrastive encoder', () => {
  it('concatenates the k-wide modality feature in front of (d − k)-wide content on every token', () => {
    const encoder = model();
    expect(encoder.store.get('image.patchEmbedding.weight').shape).toEqual([64, 12]);
    expect(encoder.store.get('text.tokenEmbedding').shape).toEqual([20, 12]);
    const { patches, texts } = batch();
    tf.tidy(() => {
      for (const modality of ['image', 'text'] as const) {
        const { sequence } = encoder.embedSequence(modality, modality === 'image' ? patches : texts);
        const withoutPositions = sequence.sub(encoder.store.get(`${modality}.positions`));
        const tokens = modality === 'image' ? patchesPerImage(tiny) + 1 : tiny.maximumTextTokens;
        expect(sequence.shape).toEqual([3, tokens, 16]);
        const feature = Array.from(values(encoder.store.get(`${modality}.modalityFeature`)));
        // Image position 0 is the full-width CLS token; every other token carries the feature in its first k channels.
        const firstContentToken = modality === 'image' ? 1 : 0;
        for (let token = firstContentToken; token < tokens; token++) {
          const front = Array.from(values(withoutPositions.slice([2, token, 0], [1, 1, 4])));
          front.forEach((value, index) => expect(value).toBeCloseTo(feature[index]!, 5));
        }
      }
    });
    expect(encoder.store.get('image.modalityFeature').dataSync()).not.toEqual(
      encoder.store.get('text.modalityFeature').dataSync(),
    );
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  it('prepends one learnable token in token mode (after CLS for text) and keeps it visible to attention', () => {
    const encoder = model({ modalityIdentifier: { kind: 'token' } });
    expect(encoder.store.get('image.patchEmbedding.weight').shape).toEqual([64, 16]);
    const { patches, texts } = batch();
    tf.tidy(() => {
      const image = encoder.embedSequence('image', patches);
      expect(image.sequence.shape).toEqual([3, patchesPerImage(tiny) + 2, 16]);
      expect(image.classIndex).toBe(1);
      const text = encoder.embedSequence('text', texts);
      expect(text.sequence.shape).toEqual([3, tiny.maximumTextTokens + 1, 16]);
      const inserted = text.sequence.sub(encoder.store.get('text.positions')).slice([0, 1, 0], [1, 1, -1]);
      expect(Array.from(values(inserted))).toEqual(
        Array.from(values(encoder.store.get('text.modalityToken'))).map((value) => expect.closeTo(value, 5)),
      );
      // Row 0 pads its last two tokens: the bias hides exactly those.
      expect(Array.from(values(text.keyBias!.slice([0, 0, 0, 0], [1, 1, 1, -1])))).toEqual([0, 0, 0, 0, 0, -1e9, -1e9]);
    });
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  it('wires early and late layers per modality around the shared stack (Eq. 2)', () => {
    const encoder = model({ earlyLayers: 1, lateLayers: 1 });
    expect(encoder.layerNames('image')).toEqual(['image.early.0', 'shared.0', 'shared.1', 'image.late.0']);
    expect(encoder.layerNames('text')).toEqual(['text.early.0', 'shared.0', 'shared.1', 'text.late.0']);
    const { patches, texts } = batch();
    expectOnlyMoved(encoder, patches, texts, [
      ['text.early.0.mlpIn.weight', ['text']],
      ['image.late.0.mlpIn.weight', ['image']],
      ['shared.1.mlpIn.weight', ['image', 'text']],
    ]);
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  it('MS-CLIP: keeps LayerNorms per modality while attention and MLP stay shared', () => {
    const encoder = model({ sharedBlockParts: { attention: true, mlp: true, layerNorms: false } });
    expect(encoder.layerNames('image')).toEqual(['shared.0', 'shared.1']);
    expect(() => encoder.store.get('shared.0.attentionNorm.gain')).toThrow('no parameter');
    const { patches, texts } = batch();
    expectOnlyMoved(encoder, patches, texts, [
      ['image.shared.1.mlpNorm.shift', ['image']],
      ['text.shared.0.attentionNorm.gain', ['text']],
      ['shared.1.attention.value.weight', ['image', 'text']],
    ]);
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  /**
   * Keeps patches 0 and 3 of each 2 × 2 grid and changes 1 and 2 completely: the kept tokens must not move, the
   * unmasked embedding must. Returns the batch and the kept patches for further checks (the caller disposes them).
   */
  function expectNoMaskLeak(encoder: ContrastiveEncoder) {
    expect(() => encoder.store.get('image.patchEmbedding.weight')).toThrow('no parameter');
    const { patches, texts } = batch(2);
    const kept = { flatIndices: Int32Array.from([0, 3, 4, 7]), perImage: 2 };
    const changed = tf.tidy(() => {
      const keep = tf.tensor3d([1, 0, 0, 1, 1, 0, 0, 1], [2, 4, 1]);
      return patches.mul(keep).add(tf.randomNormal(patches.shape, 0, 5, 'float32', 3).mul(tf.scalar(1).sub(keep)));
    }) as tf.Tensor3D;
    const states = (input: tf.Tensor3D) => tf.tidy(() => Array.from(values(encoder.tokenStates('image', input, kept))));
    expect(states(changed)).toEqual(states(patches));
    const unmasked = (input: tf.Tensor3D) => tf.tidy(() => Array.from(values(encoder.encode('image', input))));
    expect(unmasked(changed)).not.toEqual(unmasked(patches));
    tf.dispose([changed, texts.tokenIds, texts.attentionMask]);
    return { patches, kept };
  }

  it('MS-CLIP: the convolutional stem lets no kept patch see a masked one, and the parallel branch refuses masking', () => {
    const { patches, kept } = expectNoMaskLeak(model({ imageStem: 'convolutional' }));
    const branched = model({ parallelBranchLayers: [1] });
    expect(() => branched.tokenStates('image', patches, kept)).toThrow('cannot be combined with patch masking');
    patches.dispose();
  });

  it('hMLP: the hierarchical stem lets no kept patch see a masked one, and learns without leaving a tensor', async () => {
    expectNoMaskLeak(model({ imageStem: 'hierarchical' })).patches.dispose();
    await expectLearnsWithoutLeaks(model({ imageStem: 'hierarchical', earlyLayers: 1 }));
  });

  it('MS-CLIP: the parallel branch writes into the image tokens, never the text', () => {
    const encoder = model({ parallelBranchLayers: [1] });
    const { patches, texts } = batch();
    expectOnlyMoved(encoder, patches, texts, [
      ['image.parallelBranch.stage.0.weight', ['image']],
      ['image.parallelBranch.adapter.0.pointwise', ['image']],
      ['image.parallelBranch.adapter.0.mergeNorm.gain', ['image']],
    ]);
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  it('MS-CLIP: learns with every option on, and no step leaves a tensor behind', async () => {
    const encoder = model({
      sharedBlockParts: { attention: true, mlp: true, layerNorms: false },
      earlyLayers: 1,
      imageStem: 'convolutional',
      parallelBranchLayers: [1, 2],
    });
    await expectLearnsWithoutLeaks(encoder);
  });

  it('gives the separate baseline two stacks with the same parameter count as the shared encoder', () => {
    const shared = model();
    const separate = model({ architecture: 'separate' });
    expect(separate.layerNames('image')).toEqual(['image.stack.0']);
    expect(separate.layerNames('text')).toEqual(['text.stack.0']);
    expect(separate.store.count()).toBe(shared.store.count());
  });

  it('counts its parameters as countParameters predicts for every identifier and layer layout', () => {
    const layouts: Array<Partial<EncoderConfig>> = [
      {},
      { architecture: 'separate' },
      { modalityIdentifier: { kind: 'token' }, earlyLayers: 1 },
      { modalityIdentifier: { kind: 'none' }, lateLayers: 2, frozenSharedLayers: 1 },
      { sharedBlockParts: { attention: true, mlp: true, layerNorms: false }, earlyLayers: 1 },
      { sharedBlockParts: { attention: false, mlp: true, layerNorms: true } },
      { imageStem: 'convolutional', parallelBranchLayers: [0, 1] },
      { imageStem: 'convolutional', imageSize: 32, patchSize: 8, parallelBranchLayers: [0, 1, 2], lateLayers: 1 },
      { imageStem: 'hierarchical' },
      { imageStem: 'hierarchical', imageSize: 32, patchSize: 16, width: 64 },
    ];
    for (const layout of layouts) expect(model(layout).store.count()).toBe(countParameters({ ...tiny, ...layout }));
  });

  it('returns unit-length embeddings and ignores what padding holds', () => {
    const encoder = model();
    const { patches, texts } = batch();
    tf.tidy(() => {
      const embeddings = encoder.encode('text', texts);
      expect(embeddings.shape).toEqual([3, 8]);
      Array.from(values(embeddings.square().sum(1))).forEach((norm) => expect(norm).toBeCloseTo(1, 5));
      const changedPadding = {
        tokenIds: tf.tensor2d([[1, 5, 7, 2, 13, 17]], undefined, 'int32'),
        attentionMask: texts.attentionMask.slice([0, 0], [1, -1]) as tf.Tensor2D,
      };
      const original = {
        tokenIds: texts.tokenIds.slice([0, 0], [1, -1]) as tf.Tensor2D,
        attentionMask: changedPadding.attentionMask,
      };
      const difference = encoder
        .encode('text', changedPadding)
        .sub(encoder.encode('text', original))
        .abs()
        .max()
        .dataSync()[0]!;
      expect(difference).toBeLessThan(1e-6);
    });
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  it('keeps frozen shared layers unchanged through a training step while the rest learn', async () => {
    const encoder = model({ frozenSharedLayers: 1 });
    const optimizer = adamW(encoder);
    const snapshot = new Map(
      [...encoder.store.variables].map(([name, variable]) => [name, Array.from(variable.dataSync())]),
    );
    const { patches, texts } = batch();
    const { loss } = await contrastiveStep(encoder, optimizer, patches, texts, 1e-3, 1);
    expect(Number.isFinite(loss)).toBe(true);
    for (const [name, variable] of encoder.store.variables) {
      const unchanged = Array.from(variable.dataSync()).every((value, index) => value === snapshot.get(name)![index]);
      if (name.startsWith('shared.0.')) expect(unchanged, name).toBe(true);
      if (name.startsWith('shared.1.') && name.endsWith('.weight')) expect(unchanged, name).toBe(false);
    }
    expect(encoder.store.isFrozen('shared.0.attention.query.weight')).toBe(true);
    optimizer.dispose();
    tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
  });

  // Random embeddings first fall to the plateau near log N (everything alike), then separate: 40 steps cover both.
  it('learns: the loss on a fixed batch falls, and no step leaves a tensor behind', async () => {
    const encoder = model();
    await expectLearnsWithoutLeaks(encoder);
  });

  it('is reproducible: the same seed gives the same weights, another seed different ones', () => {
    const first = Array.from(model({}, 7).store.get('shared.0.mlpIn.weight').dataSync());
    expect(Array.from(model({}, 7).store.get('shared.0.mlpIn.weight').dataSync())).toEqual(first);
    expect(Array.from(model({}, 8).store.get('shared.0.mlpIn.weight').dataSync())).not.toEqual(first);
  });

  it('builds every preset, and the paper preset is the published ViT-B/16-like setting', () => {
    for (const preset of Object.values(encoderPresets)) expect(() => EncoderConfig.parse(preset)).not.toThrow();
    expect(encoderPresets.paper).toMatchObject({
      width: 768,
      heads: 12,
      sharedLayers: 12,
      imageSize: 224,
      patchSize: 16,
      modalityIdentifier: { kind: 'feature', featureWidth: 20, initialStandardDeviation: 1 },
      imagePositionInitialisation: 'normal',
    });
  });

  it('starts image positions from 2-D sine–cosine values when asked, with the CLS row at zero, and text positions small', () => {
    const sinusoidal = model({ imagePositionInitialisation: 'sinusoidal' });
    const positions = sinusoidal.store.get('image.positions').arraySync() as number[][];
    expect(positions).toHaveLength(1 + patchesPerImage(tiny));
    expect(positions[0]!.every((value) => value === 0)).toBe(true);
    // Patch (row 0, column 1) of the 2×2 grid: row channels are sin 0 / cos 0, the first column channel is sin 1.
    expect(positions[2]![0]).toBeCloseTo(0);
    expect(positions[2]![4]).toBeCloseTo(1);
    expect(positions[2]![8]).toBeCloseTo(Math.sin(1));
    expect(Math.max(...(sinusoidal.store.get('text.positions').dataSync() as Float32Array).map(Math.abs))).toBeLessThan(
      0.1,
    );
    const normal = model({ imagePositionInitialisation: 'normal' })
      .store.get('image.positions')
      .dataSync() as Float32Array;
    expect(Math.max(...normal.map(Math.abs))).toBeLessThan(0.1);
  });

  it('refuses configurations that cannot be built', () => {
    expect(() => EncoderConfig.parse({ ...tiny, width: 15 })).toThrow(/divisible/);
    expect(() => EncoderConfig.parse({ ...tiny, modalityIdentifier: { kind: 'feature', featureWidth: 16 } })).toThrow(
      /narrower/,
    );
    expect(() => EncoderConfig.parse({ ...tiny, architecture: 'separate', sharedLayers: 3 })).toThrow(/even/);
    const ownNorms = { attention: true, mlp: true, layerNorms: false };
    expect(() => EncoderConfig.parse({ ...tiny, architecture: 'separate', sharedBlockParts: ownNorms })).toThrow(
      /shared encoder only/,
    );
    expect(() => EncoderConfig.parse({ ...tiny, imageSize: 24, patchSize: 12, imageStem: 'convolutional' })).toThrow(
      /not a power of two/,
    );
    expect(() => EncoderConfig.parse({ ...tiny, parallelBranchLayers: [2] })).toThrow(/past the image's 2 blocks/);
    expect(() => EncoderConfig.parse({ ...tiny, parallelBranchLayers: [1, 0] })).toThrow(/increasing order/);
  });

  it('reads a configuration saved before the MS-CLIP options as the seed-000 encoder', () => {
    const { sharedBlockParts, imageStem, parallelBranchLayers, ...saved } = tiny;
    expect(EncoderConfig.parse(saved)).toMatchObject({ sharedBlockParts, imageStem, parallelBranchLayers });
  });
});
