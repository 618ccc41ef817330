import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReconstructionBatch } from '../../../ml/data/reconstruction-batch.js';
import { Adaptor, adaptedFeatures, trainAdaptor } from '../../../ml/finetune/adaptor.js';
import { ReconstructionHeads, tdCalibWeights } from '../../../ml/objectives/reconstruction-objectives.js';
import { SplitHeadClassifier } from '../../../ml/finetune/split-head-classifier.js';
import { modalityOfParameter, supervisedStep } from '../../../ml/finetune/supervised-step.js';
import { prefixedTrainable, reconstructionStep } from '../../../ml/training/reconstruction-step.js';
import { ContrastiveEncoder } from '../../../ml/model/contrastive-encoder.js';
import { withoutModalitySpecificParts, type EncoderConfig, patchesPerImage } from '../../../common/encoder-config.js';
import { AdamW } from '../../../ml/training/adamw.js';
import { EmaTeacher } from '../../../ml/training/ema-teacher.js';

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
  modalityIdentifier: { kind: 'feature', featureWidth: 4, initialStandardDeviation: 0.02 },
  imageSize: 16,
  patchSize: 4,
  vocabularySize: 30,
  maximumTextTokens: 8,
  embeddingSize: 8,
  initialTemperature: 0.07,
  maximumLogitScale: 100,
  imagePositionInitialisation: 'sinusoidal',
};

const disposables: Array<{ dispose(): void }> = [];
const keep = <T extends { dispose(): void }>(value: T): T => {
  disposables.push(value);
  return value;
};
afterEach(() => {
  for (const value of disposables.splice(0)) value.dispose();
});

function hostBatch(size: number) {
  const patches = Float32Array.from({ length: size * patchesPerImage(tiny) * 16 }, (_, index) =>
    Math.sin(index * 0.7 + Math.floor(index / 256)),
  );
  const tokenIds = new Int32Array(size * 8);
  const attentionMask = new Float32Array(size * 8);
  for (let row = 0; row < size; row++) {
    [1, 5 + row, 6 + (row % 3), 7, 8 + row, 9, 2].forEach((id, position) => {
      tokenIds[row * 8 + position] = id;
      attentionMask[row * 8 + position] = 1;
    });
  }
  return { size, patches, tokenIds, attentionMask };
}

function tensorsOf(host: ReturnType<typeof hostBatch>, tokenIds = host.tokenIds) {
  return {
    patches: tf.tensor3d(host.patches, [host.size, patchesPerImage(tiny), 16]),
    texts: {
      tokenIds: tf.tensor2d(tokenIds, [host.size, 8], 'int32'),
      attentionMask: tf.tensor2d(host.attentionMask, [host.size, 8]),
    },
  };
}

const snapshot = (variables: ReadonlyMap<string, tf.Variable>) =>
  new Map([...variables].map(([name, variable]) => [name, Array.from(variable.dataSync())]));

describe('TD-Calib step', () => {
  it('lowers the masked reconstruction losses on a fixed batch, moves the teacher by the EMA rule, keeps frozen layers, and leaks nothing', async () => {
    const student = keep(new ContrastiveEncoder({ ...tiny, frozenSharedLayers: 1 }, 3));
    const teacherModel = keep(new ContrastiveEncoder({ ...tiny, frozenSharedLayers: 1 }, 99));
    const heads = keep(new ReconstructionHeads(student, 1, 4));
    const ema = keep(new EmaTeacher(student.store.variables, 0.995, teacherModel.store.variables));
    const optimizer = keep(
      new AdamW(prefixedTrainable({ encoder: student.store, heads: heads.store }), {
        beta1: 0.9,
        beta2: 0.98,
        epsilon: 1e-8,
        weightDecay: 0,
      }),
    );
    const host = hostBatch(4);
    const masks = buildReconstructionBatch(host, tiny, { patchMaskRatio: 0.75, tokenMaskProbability: 0.3 }, 'test', 0);
    const tensors = tensorsOf(host);
    const frozenBefore = snapshot(
      new Map([...student.store.variables].filter(([name]) => name.startsWith('shared.0.'))),
    );
    const results = [];
    let tensorCount = -1;
    for (let step = 0; step < 25; step++) {
      const teacherBefore = step === 0 ? snapshot(teacherModel.store.variables) : null;
      results.push(
        await reconstructionStep(
          student,
          heads,
          { model: teacherModel, ema },
          optimizer,
          { ...tensors, batch: masks },
          { ...tdCalibWeights, feature: 0.5 },
          3e-3,
          1,
        ),
      );
      if (teacherBefore) {
        const name = 'text.tokenEmbedding';
        const after = teacherModel.store.get(name).dataSync();
        const studentNow = student.store.get(name).dataSync();
        [0, 7, 40].forEach((index) =>
          expect(after[index]).toBeCloseTo(0.995 * teacherBefore.get(name)![index]! + 0.005 * studentNow[index]!, 6),
        );
      }
      if (step > 0) expect(tf.memory().numTensors).toBe(tensorCount);
      tensorCount = tf.memory().numTensors;
    }
    for (const key of ['maskedImage', 'maskedLanguage'] as const)
      expect(results.at(-1)![key]).toBeLessThan(results[0]![key] * 0.8);
    expect(results[0]!.total).toBeCloseTo(
      0.5 * results[0]!.maskedImage +
        0.5 * results[0]!.maskedLanguage +
        0.5 * (results[0]!.textFeature + results[0]!.imageFeature),
      4,
    );
    for (const [name, values] of frozenBefore) expect(Array.from(student.store.get(name).dataSync())).toEqual(values);
    tf.dispose([tensors.patches, tensors.texts.tokenIds, tensors.texts.attentionMask]);
  });
});

describe('supervised step with GM-Coord', () => {
  async function run(gmCoord: boolean) {
    const encoder = keep(new ContrastiveEncoder(tiny, 5));
    const classifier = keep(new SplitHeadClassifier(tiny.embeddingSize, 2, 6));
    tf.tidy(() => classifier.weight.assign(tf.randomNormal([2 * tiny.embeddingSize, 2], 0, 1, 'float32', 7)));
    const settings = { beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0 };
    const optimisers = {
      encoder: keep(new AdamW(encoder.store.trainable(), settings)),
      head: keep(new AdamW(classifier.store.trainable(), settings)),
    };
    const host = hostBatch(4);
    const tensors = tensorsOf(host);
    const result = await supervisedStep(
      encoder,
      classifier,
      optimisers,
      { ...tensors, labels: [0, 1, 1, 0] },
      { encoder: 1e-2, head: 1e-1 },
      Number.POSITIVE_INFINITY,
      gmCoord ? { beta: 0.1, seed: 11 } : null,
    );
    tf.dispose([tensors.patches, tensors.texts.tokenIds, tensors.texts.attentionMask]);
    return { result, weights: snapshot(encoder.store.variables) };
  }

  it("scales and noises only the modality-specific gradients, leaving the shared stack's update as without it", async () => {
    const plain = await run(false);
    const before = tf.memory().numTensors;
    const coordinated = await run(true);
    expect(plain.result.coordination).toBeNull();
    const { ratio, text, image } = coordinated.result.coordination!;
    expect(ratio).toBeGreaterThan(0);
    expect(Math.min(text, image)).toBeLessThan(1);
    expect(Math.max(text, image)).toBe(1);
    expect(coordinated.result.loss).toBeCloseTo(plain.result.loss, 6);
    let modalityWeightsChanged = 0;
    for (const [name, values] of plain.weights) {
      const other = coordinated.weights.get(name)!;
      if (modalityOfParameter(name) === null) expect(other).toEqual(values);
      else if (other.some((value, index) => Math.abs(value - values[index]!) > 1e-7)) modalityWeightsChanged += 1;
    }
    expect(modalityWeightsChanged).toBeGreaterThan(5);
    // Models, optimisers and heads of the second run are still held; the step itself left nothing.
    expect(tf.memory().numTensors - before).toBe(plain.weights.size * 3 + 2 * 3);
  });
});

describe('Adaptor', () => {
  it('learns to match paired embeddings contrastively and gives normalised adapted features', async () => {
    const rows = 64;
    const size = 8;
    const images = Float32Array.from({ length: rows * size }, (_, index) => Math.sin(index * 1.3));
    const texts = Float32Array.from(
      { length: rows * size },
      (_, index) => Math.sin(index * 1.3) + 0.1 * Math.cos(index * 0.7),
    );
    const adaptor = keep(new Adaptor(size, { projectionSize: 16, layers: 2, feedForwardWidth: 32 }, 1));
    const order = (epoch: number) => Array.from({ length: rows }, (_, index) => (index * (epoch * 2 + 1)) % rows);
    const before = tf.memory().numTensors;
    const losses = await trainAdaptor(
      adaptor,
      images,
      texts,
      size,
      { epochs: 30, batchSize: 16, peakLearningRate: 1e-2, weightDecay: 0.01, seed: 's' },
      order,
      async () => undefined,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    const imageOnly = await adaptedFeatures(adaptor, images, null, size);
    expect(imageOnly.length).toBe(rows * 16);
    expect(Math.hypot(...imageOnly.subarray(0, 16))).toBeCloseTo(1, 4);
    const features = await adaptedFeatures(adaptor, images, texts, size);
    expect(features.length).toBe(rows * 32);
    const norm = Math.hypot(...features.subarray(0, 16));
    expect(norm).toBeCloseTo(1, 4);
    expect(adaptor.store.count()).toBe(
      2 * 8 * 16 + 2 * (2 * (16 * 16 + 16) + 2 * 16 * 2 + 16 * 32 + 32 + 32 * 16 + 16) + 1,
    );
  });
});
