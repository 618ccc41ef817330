import * as tf from '@tensorflow/tfjs';

/**
 * Rows of a matrix by index, [rows, width] → [indices, width], with its gradient written out as a scatter that sums
 * repeated rows: tfjs differentiates gather through UnsortedSegmentSum, which the wasm backend does not have.
 */
export function gatherRows(source: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const gather = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [matrix, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc];
    const indexTensor = tf.tensor1d(indices, 'int32');
    save([indexTensor]);
    return {
      value: tf.gather(matrix, indexTensor),
      gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [
        tf.scatterND(saved[0]!.reshape([-1, 1]), outputGradient as tf.Tensor2D, matrix.shape),
      ],
    };
  });
  return gather(source) as tf.Tensor2D;
}
