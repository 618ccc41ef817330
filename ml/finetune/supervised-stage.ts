import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { numericSeed } from '../../common/seeded-random.js';
import { AdamW } from '../training/adamw.js';
import { loadVariableGroups, optimizerGroups, saveVariableGroups } from '../training/checkpoint.js';
import { warmupCosineRate } from '../training/learning-rate-schedule.js';
import { SplitHeadClassifier } from './split-head-classifier.js';
import { batchTensors, disposeBatch } from '../data/pretraining-batches.js';
import { EpochBatches, LeakCheck, type StageContext } from './stage-context.js';
import { supervisedStep } from './supervised-step.js';

const checkpointName = 'supervised-checkpoint.bin';
const scoringBatchSize = 64;

/**
 * Steps of the supervised stage: the epochs over the labelled items (images, or studies under a one-a-study policy),
 * kept between the request's minimum and maximum.
 */
export function supervisedSteps(labelled: number, options: StageContext['options']): number {
  const stepsPerEpoch = Math.max(1, Math.floor(labelled / Math.min(options.batchSize, labelled)));
  return Math.min(options.maximumSteps, Math.max(options.minimumSteps, stepsPerEpoch * options.epochs));
}

/** Each item's class probabilities, [items, classes], from the encoder and head as they are (no augmentation). */
export async function scoreWithClassifier(
  stage: StageContext,
  classifier: SplitHeadClassifier,
  indices: readonly number[],
): Promise<Float32Array> {
  const scores = new Float32Array(indices.length * classifier.classes);
  for (let start = 0; start < indices.length; start += scoringBatchSize) {
    const tensors = batchTensors(
      stage.batches.build(indices.slice(start, start + scoringBatchSize), null),
      stage.encoder.config,
    );
    try {
      const probabilities = tf.tidy(() =>
        tf.softmax(classifier.logits(classifier.features(stage.encoder, tensors.patches, tensors.texts))),
      );
      scores.set(await probabilities.data(), start * classifier.classes);
      probabilities.dispose();
    } finally {
      disposeBatch(tensors);
    }
    await stage.task.yieldToEvents();
  }
  return scores;
}

/**
 * Supervised fine-tuning of encoder + split head on the labelled budget, with GM-Coord's modulation when `gmCoord`
 * (β from the request) or plain (full / partial fine-tuning). Warm-up then cosine; checkpoints every N steps and on
 * cancel; the coefficients are reported with the loss. `validate` is called about ten times for the run's curve
 * (validation never picks a checkpoint: the run is judged as it ends). Returns the head, or null when cancelled.
 */
export async function runSupervised(
  stage: StageContext,
  labelled: readonly number[],
  gmCoord: boolean,
  validate: (classifier: SplitHeadClassifier, step: number) => Promise<void>,
): Promise<SplitHeadClassifier | null> {
  const { encoder, options, task, items } = stage;
  const seed = numericSeed(`${options.seed}:supervised`);
  const classifier = new SplitHeadClassifier(encoder.config.embeddingSize, stage.classCount, seed, options.inputs);
  // GM-Coord balances two modalities; with the image alone there is nothing to balance.
  const coordinate = gmCoord && options.inputs === 'image+report';
  if (gmCoord && !coordinate)
    task.log('warn', 'GM-Coord needs both modalities; with image-only input the encoder is fine-tuned without it.');
  const adamSettings = { beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: options.weightDecay };
  const optimisers = {
    encoder: new AdamW(encoder.store.trainable(), adamSettings),
    head: new AdamW(classifier.store.trainable(), adamSettings),
  };
  const checkpointFile = path.join(stage.runDirectory, checkpointName);
  const groups = {
    encoder: encoder.store.variables,
    head: classifier.store.variables,
    ...optimizerGroups('adam.encoder', optimisers.encoder),
    ...optimizerGroups('adam.head', optimisers.head),
  };
  const pairs = stage.batches.pairsPerEpoch(labelled, options.studyImages);
  const batchSize = Math.min(options.batchSize, pairs);
  const totalSteps = supervisedSteps(pairs, options);
  const warmupSteps = Math.round(totalSteps * options.warmupFraction);
  const validateEvery = Math.max(1, Math.floor(totalSteps / 10));
  let finished = false;
  try {
    let step = 0;
    if (fs.existsSync(checkpointFile)) {
      const state = loadVariableGroups(checkpointFile, groups);
      step = Number(state.step ?? 0);
      optimisers.encoder.stepCount = step;
      optimisers.head.stepCount = step;
      task.log('info', `Resuming fine-tuning at step ${step} of ${totalSteps}.`);
    }
    const checkpoint = () => saveVariableGroups(checkpointFile, groups, { step });
    const leaks = new LeakCheck();
    const epochs = new EpochBatches(stage.batches, labelled, batchSize, options.studyImages);
    while (step < totalSteps) {
      if (task.isCancelled()) {
        await checkpoint();
        return null;
      }
      const chosen = epochs.at(step);
      const tensors = batchTensors(
        stage.batches.build(chosen, { settings: options.augmentation, step }),
        encoder.config,
      );
      const learningRate = warmupCosineRate(step, totalSteps, warmupSteps, options.peakLearningRate);
      let result: Awaited<ReturnType<typeof supervisedStep>>;
      try {
        result = await supervisedStep(
          encoder,
          classifier,
          optimisers,
          { ...tensors, labels: chosen.map((index) => items[index]!.label!) },
          { encoder: learningRate, head: learningRate * options.headLearningRateMultiplier },
          options.gradientClipNorm,
          coordinate ? { beta: options.gmCoordBeta, seed: seed + step } : null,
        );
      } finally {
        disposeBatch(tensors);
      }
      if (!Number.isFinite(result.loss))
        throw new Error(
          `The fine-tuning loss became ${result.loss} at step ${step + 1}; lower the learning rate (now ${options.peakLearningRate}).`,
        );
      step += 1;
      leaks.after(step);
      stage.progress(step, `fine-tuning step ${step}/${totalSteps}, loss ${result.loss.toFixed(3)}`);
      const coordination = result.coordination
        ? {
            modalityRatio: result.coordination.ratio,
            textCoefficient: result.coordination.text,
            imageCoefficient: result.coordination.image,
          }
        : {};
      task.reportMetrics({
        kind: 'train',
        stage: 'supervised',
        step,
        learningRate,
        loss: result.loss,
        ...coordination,
      });
      if (step % options.checkpointEverySteps === 0) await checkpoint();
      if (step % validateEvery === 0 || step === totalSteps) await validate(classifier, step);
      await task.yieldToEvents();
    }
    await checkpoint();
    finished = true;
    return classifier;
  } finally {
    optimisers.encoder.dispose();
    optimisers.head.dispose();
    if (!finished) classifier.dispose();
  }
}
