import * as tf from '@tensorflow/tfjs';
import { clampLogitScale, symmetricInfoNce } from '../objectives/info-nce.js';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { gradientsByParameterName } from '../model/parameter-store.js';
import type { AdamW } from './adamw.js';

export interface StepResult {
  loss: number;
  gradientNorm: number;
}

/** The loss of a batch of paired images (as patches) and reports, without changing anything. */
export function contrastiveLoss(model: ContrastiveEncoder, patches: tf.Tensor3D, texts: TextBatch): tf.Scalar {
  return symmetricInfoNce(model.encode('image', patches), model.encode('text', texts), model.logitScale);
}

/** One optimisation step on the trainable (not frozen) parameters; leaves no tensor behind. */
export async function contrastiveStep(
  model: ContrastiveEncoder,
  optimizer: AdamW,
  patches: tf.Tensor3D,
  texts: TextBatch,
  learningRate: number,
  clipNorm: number,
): Promise<StepResult> {
  const trainable = model.store.trainable();
  const { value, grads } = tf.variableGrads(() => contrastiveLoss(model, patches, texts), [...trainable.values()]);
  try {
    const { gradientNorm } = await optimizer.step(gradientsByParameterName(trainable, grads), learningRate, clipNorm);
    clampLogitScale(model.logitScale, model.config.maximumLogitScale);
    return { loss: (await value.data())[0]!, gradientNorm };
  } finally {
    value.dispose();
    tf.dispose(grads);
  }
}
