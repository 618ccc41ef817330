import * as tf from '@tensorflow/tfjs';

/**
 * Table lookup whose gradient is a one-hot product instead of tfjs's UnsortedSegmentSum, which the wasm backend lacks.
 */
export function embedTokens(table: tf.Tensor2D, tokenIds: tf.Tensor): tf.Tensor {
  const flatIds = tokenIds.reshape([-1]) as tf.Tensor1D;
  const [vocabularySize, width] = table.shape;
  const lookup = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [weights, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    save([flatIds]);
    return {
      value: tf.gather(weights, flatIds),
      gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.matMul(tf.transpose(tf.oneHot(saved[0] as tf.Tensor1D, vocabularySize)), outputGradient as tf.Tensor2D),
    };
  });
  return lookup(table).reshape([...tokenIds.shape, width]);
}
