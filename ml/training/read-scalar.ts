import type * as tf from '@tensorflow/tfjs';

/**
 * A scalar's value, read asynchronously, and the tensor disposed. The WebGPU backend cannot read a tensor
 * synchronously under Node (tfjs does it through an OffscreenCanvas), so the engine never calls `dataSync`.
 */
export async function readScalar(tensor: tf.Tensor): Promise<number> {
  try {
    return (await tensor.data())[0]!;
  } finally {
    tensor.dispose();
  }
}
