import * as tf from '@tensorflow/tfjs';
import { clampLogitScale, symmetricInfoNce } from '../objectives/info-nce.js';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { gradientsByParameterName } from '../model/parameter-store.js';
import type { AdamW } from './adamw.js';

export interface StepResult {
  loss: number;
  gradientNorm: number;
  /** The contrastive and the auxiliary term, where there is an auxiliary one. */
  parts: Record<string, number>;
}

/** A term added to the contrastive loss that reads the image embeddings, with the parameters of its own. */
export interface AuxiliaryImageLoss {
  name: string;
  weight: number;
  trainable: ReadonlyMap<string, tf.Variable>;
  loss(imageEmbeddings: tf.Tensor2D): tf.Scalar;
}

/** The loss of a batch of paired images (as patches) and reports, without changing anything. */
export function contrastiveLoss(model: ContrastiveEncoder, patches: tf.Tensor3D, texts: TextBatch): tf.Scalar {
  return symmetricInfoNce(model.encode('image', patches), model.encode('text', texts), model.logitScale);
}

/**
 * One optimisation step on the trainable (not frozen) parameters, and the auxiliary term's where there is one (the
 * optimizer must hold both); leaves no tensor behind.
 */
export async function contrastiveStep(
  model: ContrastiveEncoder,
  optimizer: AdamW,
  patches: tf.Tensor3D,
  texts: TextBatch,
  learningRate: number,
  clipNorm: number,
  auxiliary: AuxiliaryImageLoss | null = null,
): Promise<StepResult> {
  const trainable = new Map([...model.store.trainable(), ...(auxiliary?.trainable ?? [])]);
  const kept: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    if (!auxiliary) return contrastiveLoss(model, patches, texts);
    const images = model.encode('image', patches);
    const contrastive = symmetricInfoNce(images, model.encode('text', texts), model.logitScale);
    const extra = auxiliary.loss(images);
    kept.push(tf.keep(contrastive), tf.keep(extra));
    return contrastive.add(extra.mul(auxiliary.weight)) as tf.Scalar;
  }, [...trainable.values()]);
  try {
    const { gradientNorm } = await optimizer.step(gradientsByParameterName(trainable, grads), learningRate, clipNorm);
    clampLogitScale(model.logitScale, model.config.maximumLogitScale);
    const parts: Record<string, number> = auxiliary
      ? { contrastive: (await kept[0]!.data())[0]!, [auxiliary.name]: (await kept[1]!.data())[0]! }
      : {};
    return { loss: (await value.data())[0]!, gradientNorm, parts };
  } finally {
    value.dispose();
    tf.dispose(grads);
    tf.dispose(kept);
  }
}
