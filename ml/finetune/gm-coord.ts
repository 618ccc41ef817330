import * as tf from '@tensorflow/tfjs';

/**
 * GM-Coord (Zhang et al. 2024, UMD §3.3, Eq. 10–13; reference: gmcoord/umd/modules/objectives.py), the OGM-GE-style
 * balance between modalities during supervised fine-tuning.
 */

/**
 * The classifier's last linear layer over [text features ‖ image features]: weight [textWidth + imageWidth, classes].
 */
export interface SplitHead {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D;
  textWidth: number;
}

export interface ModalityScores {
  text: number;
  image: number;
}

/**
 * Eq. 10–11: each modality's share of the head, out_m = f_m·W_m + b/2, scored as Σ over the batch of softmax(out_m)
 * at the true class.
 */
export async function modalityScores(
  textFeatures: tf.Tensor2D,
  imageFeatures: tf.Tensor2D,
  head: SplitHead,
  labels: readonly number[],
): Promise<ModalityScores> {
  const scores = tf.tidy(() => {
    const classes = head.weight.shape[1];
    const imageWidth = head.weight.shape[0] - head.textWidth;
    const halfBias = head.bias.div(2);
    const truth = tf.oneHot(tf.tensor1d([...labels], 'int32'), classes);
    const score = (features: tf.Tensor2D, weight: tf.Tensor2D) =>
      tf.softmax(tf.matMul(features, weight).add(halfBias)).mul(truth).sum();
    return tf.stack([
      score(textFeatures, head.weight.slice([0, 0], [head.textWidth, classes])),
      score(imageFeatures, head.weight.slice([head.textWidth, 0], [imageWidth, classes])),
    ]);
  });
  try {
    const [text, image] = await scores.data();
    return { text: text!, image: image! };
  } finally {
    scores.dispose();
  }
}

export interface CoordinationCoefficients {
  /** ρ = score_text / score_image. */
  ratio: number;
  text: number;
  image: number;
}

/**
 * Eq. 12: the modality that is ahead (ρ > 1: text; else image) has its gradients scaled by 1 − tanh(β·relu(ρ)) (or of
 * 1/ρ); the other keeps 1. As in the reference, relu(ρ) rather than relu(ρ − 1).
 */
export function coordinationCoefficients(scores: ModalityScores, beta = 0.1): CoordinationCoefficients {
  const ratio = scores.text / scores.image;
  const relu = (value: number) => Math.max(0, value);
  if (ratio > 1) return { ratio, text: 1 - Math.tanh(beta * relu(ratio)), image: 1 };
  return { ratio, text: 1, image: 1 - Math.tanh(beta * relu(1 / ratio)) };
}

/**
 * Eq. 13: g ← g·coefficient + N(0, σ(g) + 1e-8), the Gaussian "generalisation enhancement" noise added to both
 * modalities every step, its spread that of the gradient itself.
 */
export function modulateGradient(gradient: tf.Tensor, coefficient: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    // torch.std: the unbiased (n − 1) estimate, kept on the device so that no step waits on a read per parameter.
    const count = gradient.size;
    const spread = tf
      .moments(gradient)
      .variance.mul(count / Math.max(count - 1, 1))
      .sqrt()
      .add(1e-8);
    return gradient.mul(coefficient).add(tf.randomNormal(gradient.shape, 0, 1, 'float32', seed).mul(spread));
  });
}
