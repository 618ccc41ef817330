import * as tf from '@tensorflow/tfjs';

/**
 * Symmetric InfoNCE (CLIP): logits = exp(logScale)·I·Tᵀ over L2-normalised embeddings; the i-th image and the i-th
 * text are the positive pair; the loss is the mean of the image→text and text→image cross-entropies.
 */
export function symmetricInfoNce(
  imageEmbeddings: tf.Tensor2D,
  textEmbeddings: tf.Tensor2D,
  logScale: tf.Tensor,
): tf.Scalar {
  const batch = imageEmbeddings.shape[0];
  const logits = tf.matMul(imageEmbeddings, tf.transpose(textEmbeddings)).mul(tf.exp(logScale));
  const diagonal = tf.eye(batch);
  const imageToText = tf.logSoftmax(logits).mul(diagonal).sum().neg().div(batch);
  const textToImage = tf.logSoftmax(tf.transpose(logits)).mul(diagonal).sum().neg().div(batch);
  return imageToText.add(textToImage).div(2) as tf.Scalar;
}

/** Keeps the learnable log logit scale in [0, log(maximum)], as CLIP and shared_encoder do after every step. */
export function clampLogitScale(logScale: tf.Variable, maximumLogitScale: number): void {
  tf.tidy(() => logScale.assign(tf.clipByValue(logScale, 0, Math.log(maximumLogitScale))));
}
