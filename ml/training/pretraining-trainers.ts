import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../common/seeded-random.js';
import { batchTensors, disposeBatch, type HostBatch } from '../data/pretraining-batches.js';
import { buildReconstructionBatch } from '../data/reconstruction-batch.js';
import { ReconstructionHeads, type ReconstructionWeights } from '../objectives/reconstruction-objectives.js';
import { prefixedTrainable, reconstructionStep } from './reconstruction-step.js';
import { clampLogitScale, symmetricInfoNce } from '../objectives/info-nce.js';
import { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import { AdamW, type AdamWOptions } from './adamw.js';
import { loadVariableGroups, optimizerGroups, saveVariableGroups, type VariableGroups } from './checkpoint.js';
import { contrastiveStep } from './contrastive-step.js';
import { EmaTeacher } from './ema-teacher.js';
import { ImageTextMatching } from '../objectives/image-text-matching.js';
import type { ReportWordHead } from '../objectives/report-words.js';

/** One pretraining objective: how a step trains, and what a checkpoint of it holds. */
export interface PretrainingTrainer {
  step(batch: HostBatch, step: number, learningRate: number): Promise<{ loss: number; parts: Record<string, number> }>;
  save(file: string, state: Record<string, unknown>): Promise<void>;
  /** Restores a checkpoint; returns the caller's state. */
  load(file: string): Record<string, unknown>;
  dispose(): void;
}

/** A trainer's save and load: these variable groups, and the optimizer's step count beside the caller's state. */
function checkpointing(groups: VariableGroups, optimizer: AdamW): Pick<PretrainingTrainer, 'save' | 'load'> {
  return {
    save: (file, state) => saveVariableGroups(file, groups, { ...state, optimizerSteps: optimizer.stepCount }),
    load: (file) => {
      const state = loadVariableGroups(file, groups);
      optimizer.stepCount = Number(state.optimizerSteps ?? 0);
      return state;
    },
  };
}

const adamSettings: AdamWOptions = { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0 };

/**
 * Symmetric InfoNCE, the shared encoder paper's objective; with a word head, plus `wordWeight` × its word-prediction
 * loss on the image embeddings (report-words.ts). Without one, checkpoints are as they always were.
 */
export function contrastiveTrainer(
  model: ContrastiveEncoder,
  weightDecay: number,
  clipNorm: number,
  words: { head: ReportWordHead; weight: number } | null = null,
): PretrainingTrainer {
  const trainable = new Map([...model.store.trainable(), ...(words?.head.store.trainable() ?? [])]);
  const optimizer = new AdamW(trainable, { ...adamSettings, weightDecay });
  const groups = {
    model: model.store.variables,
    ...(words ? { words: words.head.store.variables } : {}),
    ...optimizerGroups('adam', optimizer),
  };
  return {
    step: async (batch, _step, learningRate) => {
      const tensors = batchTensors(batch, model.config);
      const targets =
        words && batch.wordTargets ? tf.tensor2d(batch.wordTargets, [batch.size, words.head.words]) : null;
      try {
        const auxiliary =
          words && targets
            ? {
                name: 'wordPrediction',
                weight: words.weight,
                trainable: words.head.store.trainable(),
                loss: (images: tf.Tensor2D) => words.head.loss(images, targets),
              }
            : null;
        const result = await contrastiveStep(
          model,
          optimizer,
          tensors.patches,
          tensors.texts,
          learningRate,
          clipNorm,
          auxiliary,
        );
        return { loss: result.loss, parts: result.parts };
      } finally {
        disposeBatch(tensors);
        targets?.dispose();
      }
    },
    ...checkpointing(groups, optimizer),
    dispose: () => {
      optimizer.dispose();
      words?.head.dispose();
    },
  };
}

/** MR-Pretrain's settings (UMD: mim_prob 0.75, mlm_prob 0.15, EMA 0.995; every reconstruction term ×0.5, itm ×1). */
export const mrPretrainSettings = {
  patchMaskRatio: 0.75,
  tokenMaskProbability: 0.15,
  emaDecay: 0.995,
  decoderLayers: 1,
} as const;
const mrPretrainWeights: ReconstructionWeights = { maskedLanguage: 0.5, maskedImage: 0.5, feature: 0.5 };

/**
 * MR-Pretrain (UMD §3.1): masked image and language modelling, feature-level reconstruction against an EMA teacher,
 * and image–text matching with sampled negatives; with `withContrastive` the InfoNCE loss is added to them.
 */
export function mrPretrainTrainer(
  model: ContrastiveEncoder,
  seed: string,
  numericSeed: number,
  weightDecay: number,
  clipNorm: number,
  withContrastive: boolean,
): PretrainingTrainer {
  const teacherModel = new ContrastiveEncoder(model.config, numericSeed + 1);
  const ema = new EmaTeacher(model.store.variables, mrPretrainSettings.emaDecay, teacherModel.store.variables);
  const heads = new ReconstructionHeads(model, mrPretrainSettings.decoderLayers, numericSeed + 2);
  const matching = new ImageTextMatching(model.config.embeddingSize, numericSeed + 3);
  const optimizer = new AdamW(prefixedTrainable({ encoder: model.store, heads: heads.store, itm: matching.store }), {
    ...adamSettings,
    weightDecay,
  });
  const groups = {
    model: model.store.variables,
    heads: heads.store.variables,
    teacher: teacherModel.store.variables,
    itm: matching.store.variables,
    ...optimizerGroups('adam', optimizer),
  };
  return {
    step: async (batch, step, learningRate) => {
      const masks = buildReconstructionBatch(batch, model.config, mrPretrainSettings, seed, step);
      const random = new SeededRandom(`${seed}:itm:${step}`);
      const negatives = {
        textForImage: ImageTextMatching.sampleNegatives(batch.size, random),
        imageForText: ImageTextMatching.sampleNegatives(batch.size, random),
      };
      const tensors = batchTensors(batch, model.config);
      try {
        const extra = {
          stores: { itm: matching.store },
          losses: () => {
            const images = model.encode('image', tensors.patches);
            const texts = model.encode('text', tensors.texts);
            return {
              imageTextMatching: matching.loss(images, texts, negatives),
              ...(withContrastive ? { contrastive: symmetricInfoNce(images, texts, model.logitScale) } : {}),
            };
          },
        };
        const result = await reconstructionStep(
          model,
          heads,
          { model: teacherModel, ema },
          optimizer,
          { ...tensors, batch: masks },
          mrPretrainWeights,
          learningRate,
          clipNorm,
          extra,
        );
        if (withContrastive) clampLogitScale(model.logitScale, model.config.maximumLogitScale);
        return {
          loss: result.total,
          parts: {
            maskedImage: result.maskedImage,
            maskedLanguage: result.maskedLanguage,
            textFeature: result.textFeature,
            imageFeature: result.imageFeature,
            ...result.extra,
          },
        };
      } finally {
        disposeBatch(tensors);
      }
    },
    ...checkpointing(groups, optimizer),
    dispose: () => {
      optimizer.dispose();
      matching.dispose();
      heads.dispose();
      ema.dispose();
      teacherModel.dispose();
    },
  };
}
