import * as tf from '@tensorflow/tfjs';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { gradientsByParameterName } from '../model/parameter-store.js';
import { globalNormClipping, type AdamW } from '../training/adamw.js';
import {
  coordinationCoefficients,
  type CoordinationCoefficients,
  modalityScores,
  modulateGradient,
} from './gm-coord.js';
import type { ClassifierFeatures, SplitHeadClassifier } from './split-head-classifier.js';

export interface SupervisedStepResult {
  loss: number;
  /** GM-Coord's ratio and coefficients of this step; null without GM-Coord. */
  coordination: CoordinationCoefficients | null;
}

export interface SupervisedOptimisers {
  encoder: AdamW;
  head: AdamW;
}

/**
 * Weights GM-Coord modulates: a modality's own (embeddings, positions, identifier, early/late layers, norm,
 * projection), never the shared stack.
 */
export function modalityOfParameter(name: string): 'image' | 'text' | null {
  if (name.startsWith('image.')) return 'image';
  if (name.startsWith('text.')) return 'text';
  return null;
}

/**
 * One supervised step of encoder + split head on cross-entropy. With `gmCoord`, the step's modality scores (Eq. 10–11)
 * give the coefficients (Eq. 12), and every modality-specific gradient becomes g·coefficient + N(0, σ(g)) (Eq. 13)
 * before the update. The head learns at its own rate (UMD: head ×10 for classification).
 */
export async function supervisedStep(
  encoder: ContrastiveEncoder,
  classifier: SplitHeadClassifier,
  optimisers: SupervisedOptimisers,
  input: { patches: tf.Tensor3D; texts: TextBatch; labels: readonly number[] },
  rates: { encoder: number; head: number },
  clipNorm: number,
  gmCoord: { beta: number; seed: number } | null,
): Promise<SupervisedStepResult> {
  const encoderTrainable = encoder.store.trainable();
  const headTrainable = classifier.store.trainable();
  const kept: ClassifierFeatures[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const features = classifier.features(encoder, input.patches, input.texts);
    kept.push({ text: tf.keep(features.text), image: tf.keep(features.image) });
    const truth = tf.oneHot(tf.tensor1d([...input.labels], 'int32'), classifier.classes);
    return tf.logSoftmax(classifier.logits(features)).mul(truth).sum(1).mean().neg() as tf.Scalar;
  }, [...encoderTrainable.values(), ...headTrainable.values()]);
  const features = kept[0]!;
  try {
    const encoderGradients = gradientsByParameterName(encoderTrainable, grads);
    let coordination: CoordinationCoefficients | null = null;
    const modulated: tf.Tensor[] = [];
    if (gmCoord) {
      coordination = coordinationCoefficients(
        await modalityScores(features.text, features.image, classifier.splitHead(), input.labels),
        gmCoord.beta,
      );
      let parameterIndex = 0;
      for (const [name, gradient] of Object.entries(encoderGradients)) {
        parameterIndex += 1;
        const modality = modalityOfParameter(name);
        if (!modality) continue;
        const replaced = modulateGradient(gradient, coordination[modality], gmCoord.seed * 1000 + parameterIndex);
        modulated.push(replaced);
        encoderGradients[name] = replaced;
      }
    }
    const headGradients = gradientsByParameterName(headTrainable, grads);
    // One clipping norm over encoder and head together, as the reference's trainer clips all parameters at once.
    const { scale } = await globalNormClipping(
      [...Object.values(encoderGradients), ...Object.values(headGradients)],
      clipNorm,
    );
    const clip = (gradients: tf.NamedTensorMap) =>
      scale === 1
        ? gradients
        : Object.fromEntries(Object.entries(gradients).map(([name, gradient]) => [name, gradient.mul(scale)]));
    const clippedEncoder = clip(encoderGradients);
    const clippedHead = clip(headGradients);
    try {
      await optimisers.encoder.step(clippedEncoder, rates.encoder);
      await optimisers.head.step(clippedHead, rates.head);
    } finally {
      tf.dispose(modulated);
      if (scale !== 1) tf.dispose([...Object.values(clippedEncoder), ...Object.values(clippedHead)]);
    }
    return { loss: (await value.data())[0]!, coordination };
  } finally {
    value.dispose();
    tf.dispose(grads);
    tf.dispose([features.text, features.image]);
  }
}
