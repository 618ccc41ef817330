import * as tf from '@tensorflow/tfjs';
import type { ReconstructionBatch } from '../data/reconstruction-batch.js';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { gradientsByParameterName } from '../model/parameter-store.js';
import type { AdamW } from '../training/adamw.js';
import type { EmaTeacher } from '../training/ema-teacher.js';
import type { ReconstructionHeads, ReconstructionWeights } from './reconstruction-objectives.js';

export interface ReconstructionStepResult {
  total: number;
  maskedLanguage: number;
  maskedImage: number;
  textFeature: number;
  imageFeature: number;
}

/** Trainable weights of several stores as one map, each under its store's prefix, for one optimiser. */
export function prefixedTrainable(stores: Record<string, { trainable(): Map<string, tf.Variable> }>): Map<string, tf.Variable> {
  return new Map(Object.entries(stores).flatMap(([prefix, store]) => [...store.trainable()].map(([name, variable]) => [`${prefix}/${name}`, variable] as const)));
}

/**
 * One step of TD-Calib (and of MR-Pretrain's reconstruction terms): the EMA teacher reads the unmasked batch, the
 * student and the heads learn from the masked one, then the teacher follows the student (every step, as UMD's
 * callback does). Leaves no tensor behind.
 */
export function reconstructionStep(
  student: ContrastiveEncoder,
  heads: ReconstructionHeads,
  teacher: { model: ContrastiveEncoder; ema: EmaTeacher },
  optimizer: AdamW,
  input: { patches: tf.Tensor3D; texts: TextBatch; batch: ReconstructionBatch },
  weights: ReconstructionWeights,
  learningRate: number,
  clipNorm: number,
): ReconstructionStepResult {
  const teacherStates = tf.tidy(() => ({ image: teacher.model.tokenStates('image', input.patches), text: teacher.model.tokenStates('text', input.texts) }));
  const trainable = prefixedTrainable({ encoder: student.store, heads: heads.store });
  const parts: tf.Scalar[] = [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const losses = heads.losses(input.patches, input.texts, input.batch, teacherStates, weights);
      parts.push(...[losses.maskedLanguage, losses.maskedImage, losses.textFeature, losses.imageFeature].map((loss) => tf.keep(loss)));
      return losses.total;
    }, [...trainable.values()]);
    try {
      optimizer.step(gradientsByParameterName(trainable, grads), learningRate, clipNorm);
      teacher.ema.update(student.store.variables);
      const [maskedLanguage, maskedImage, textFeature, imageFeature] = parts.map((part) => part.dataSync()[0]!) as [number, number, number, number];
      return { total: value.dataSync()[0]!, maskedLanguage, maskedImage, textFeature, imageFeature };
    } finally {
      value.dispose();
      tf.dispose(grads);
    }
  } finally {
    tf.dispose([teacherStates.image, teacherStates.text, ...parts]);
  }
}
