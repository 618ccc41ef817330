import * as tf from '@tensorflow/tfjs';
import { reportWordTensors } from '../model/model-file.js';
import { ParameterStore } from '../model/parameter-store.js';

/**
 * Word prediction from the image: a linear head on the image embedding gives one logit per vocabulary word
 * (ReportWordTargets), trained with binary cross-entropy against the words the image's report asserts. It reads the
 * L2-normalised embedding that search and the probes read, so what it teaches is in that space.
 */
export class ReportWordHead {
  readonly store: ParameterStore;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  /** `shares`: how often each word is asserted; the bias starts at its log-odds, so the first steps learn images. */
  constructor(embeddingSize: number, shares: Float32Array, seed: number) {
    this.store = new ParameterStore(seed);
    this.weight = this.store.create(reportWordTensors.weight, [embeddingSize, shares.length], {
      kind: 'normal',
      standardDeviation: 0.02,
    });
    this.bias = this.store.create(reportWordTensors.bias, [shares.length], { kind: 'zeros' });
    const clipped = Array.from(shares, (share) => Math.min(1 - 1e-3, Math.max(1e-3, share)));
    const initial = tf.tensor1d(clipped.map((share) => Math.log(share / (1 - share))));
    this.bias.assign(initial);
    initial.dispose();
  }

  get words(): number {
    return this.bias.shape[0]!;
  }

  /** Mean binary cross-entropy over the batch and the vocabulary; `targets` is [batch, words] of 0 and 1. */
  loss(imageEmbeddings: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    const logits = imageEmbeddings.matMul(this.weight).add(this.bias);
    // max(x, 0) − x·z + log(1 + e^−|x|): the stable form of the logistic loss.
    return tf
      .relu(logits)
      .sub(logits.mul(targets))
      .add(tf.log1p(tf.exp(tf.abs(logits).neg())))
      .mean() as tf.Scalar;
  }

  dispose(): void {
    this.store.dispose();
  }
}
