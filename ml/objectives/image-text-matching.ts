import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../common/seeded-random.js';
import { gatherRows } from '../model/layers/gather-rows.js';
import { ParameterStore } from '../model/parameter-store.js';

/**
 * Image–text matching, MR-Pretrain's `itm` objective: a two-way head on [text ‖ image] tells matched pairs from
 * mismatched ones. Each image meets its own report and one sampled other report, each report its own image and one
 * other image (ALBEF/M3AE's scheme), so a batch gives B matched and 2B mismatched pairs; weight 1 as in UMD.
 */
export class ImageTextMatching {
  readonly store: ParameterStore;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(embeddingSize: number, seed: number) {
    this.store = new ParameterStore(seed);
    this.weight = this.store.create('itm.weight', [2 * embeddingSize, 2], { kind: 'normal', standardDeviation: 0.02 });
    this.bias = this.store.create('itm.bias', [2], { kind: 'zeros' });
  }

  /** For each row, another row of the batch chosen uniformly (never itself). */
  static sampleNegatives(size: number, random: SeededRandom): Int32Array {
    return Int32Array.from({ length: size }, (_, row) => {
      const other = random.integer(0, size - 2);
      return other >= row ? other + 1 : other;
    });
  }

  /** Cross-entropy of the matched / mismatched decision over the 3B pairs. */
  loss(
    imageEmbeddings: tf.Tensor2D,
    textEmbeddings: tf.Tensor2D,
    negatives: { textForImage: Int32Array; imageForText: Int32Array },
  ): tf.Scalar {
    const size = imageEmbeddings.shape[0];
    const pairs = tf.concat(
      [
        tf.concat([textEmbeddings, imageEmbeddings], 1),
        tf.concat([gatherRows(textEmbeddings, negatives.textForImage), imageEmbeddings], 1),
        tf.concat([textEmbeddings, gatherRows(imageEmbeddings, negatives.imageForText)], 1),
      ],
      0,
    );
    const logits = pairs.matMul(this.weight).add(this.bias);
    const truth = tf.oneHot(
      tf.tensor1d([...Array<number>(size).fill(1), ...Array<number>(2 * size).fill(0)], 'int32'),
      2,
    );
    return tf.logSoftmax(logits).mul(truth).sum(1).mean().neg() as tf.Scalar;
  }

  dispose(): void {
    this.store.dispose();
  }
}
