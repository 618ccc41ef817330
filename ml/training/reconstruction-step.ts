import * as tf from '@tensorflow/tfjs';
import type { ReconstructionBatch } from '../data/reconstruction-batch.js';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { gradientsByParameterName } from '../model/parameter-store.js';
import type { AdamW } from './adamw.js';
import type { EmaTeacher } from './ema-teacher.js';
import type { ReconstructionHeads, ReconstructionWeights } from '../objectives/reconstruction-objectives.js';

export interface ReconstructionStepResult {
  total: number;
  maskedLanguage: number;
  maskedImage: number;
  textFeature: number;
  imageFeature: number;
  /** Values of the `extra` losses, by name. */
  extra: Record<string, number>;
}

/** Objectives trained together with the reconstruction ones (MR-Pretrain: image–text matching, contrastive). */
export interface ExtraObjectives {
  stores: Record<string, { trainable(): Map<string, tf.Variable> }>;
  losses(): Record<string, tf.Scalar>;
}

/** Trainable weights of several stores as one map, each under its store's prefix, for one optimiser. */
export function prefixedTrainable(
  stores: Record<string, { trainable(): Map<string, tf.Variable> }>,
): Map<string, tf.Variable> {
  return new Map(
    Object.entries(stores).flatMap(([prefix, store]) =>
      [...store.trainable()].map(([name, variable]) => [`${prefix}/${name}`, variable] as const),
    ),
  );
}

/**
 * One step of TD-Calib (and of MR-Pretrain's reconstruction terms): the EMA teacher reads the unmasked batch, the
 * student and the heads learn from the masked one, then the teacher follows the student (every step, as UMD's
 * callback does). Leaves no tensor behind.
 */
export async function reconstructionStep(
  student: ContrastiveEncoder,
  heads: ReconstructionHeads,
  teacher: { model: ContrastiveEncoder; ema: EmaTeacher },
  optimizer: AdamW,
  input: { patches: tf.Tensor3D; texts: TextBatch; batch: ReconstructionBatch },
  weights: ReconstructionWeights,
  learningRate: number,
  clipNorm: number,
  extra?: ExtraObjectives,
): Promise<ReconstructionStepResult> {
  const teacherStates = tf.tidy(() => ({
    image: teacher.model.tokenStates('image', input.patches),
    text: teacher.model.tokenStates('text', input.texts),
  }));
  const trainable = prefixedTrainable({ encoder: student.store, heads: heads.store, ...(extra?.stores ?? {}) });
  const parts: tf.Scalar[] = [];
  const extraNames: string[] = [];
  try {
    const { value, grads } = tf.variableGrads(() => {
      const losses = heads.losses(input.patches, input.texts, input.batch, teacherStates, weights);
      parts.push(
        ...[losses.maskedLanguage, losses.maskedImage, losses.textFeature, losses.imageFeature].map((loss) =>
          tf.keep(loss),
        ),
      );
      let total: tf.Scalar = losses.total;
      for (const [name, loss] of Object.entries(extra?.losses() ?? {})) {
        extraNames.push(name);
        parts.push(tf.keep(loss));
        total = total.add(loss) as tf.Scalar;
      }
      return total;
    }, [...trainable.values()]);
    try {
      await optimizer.step(gradientsByParameterName(trainable, grads), learningRate, clipNorm);
      teacher.ema.update(student.store.variables);
      const [maskedLanguage, maskedImage, textFeature, imageFeature, ...extraValues] = (await Promise.all(
        parts.map(async (part) => (await part.data())[0]!),
      )) as [number, number, number, number, ...number[]];
      const extraLosses = Object.fromEntries(extraNames.map((name, index) => [name, extraValues[index]!]));
      return {
        total: (await value.data())[0]!,
        maskedLanguage,
        maskedImage,
        textFeature,
        imageFeature,
        extra: extraLosses,
      };
    } finally {
      value.dispose();
      tf.dispose(grads);
    }
  } finally {
    tf.dispose([teacherStates.image, teacherStates.text, ...parts]);
  }
}
