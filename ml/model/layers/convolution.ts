import * as tf from '@tensorflow/tfjs';
import { gatherRows } from './gather-rows.js';
import { applyLinear } from './linear.js';

/**
 * Convolutions written as a gather of each output position's neighbourhood (im2col) and a matrix product: the wasm
 * backend has no filter gradient for tf.conv2d, and this way the products run on the same fast kernels as the
 * transformer's (platform.md), with the gather's gradient already written out.
 *
 * Feature maps are rows of a matrix, [batch · height · width, channels], positions row-major within each image. A
 * padded position reads an extra all-zero row appended to the source.
 */

/** Where pixel (image, row, column) of a map lives among the source rows. */
export type RowOf = (image: number, row: number, column: number) => number;

export interface MapShape {
  batch: number;
  height: number;
  width: number;
}

/** Row-major maps, the layout every convolution here produces. */
export const rowMajor =
  (shape: MapShape): RowOf =>
  (image, row, column) =>
    (image * shape.height + row) * shape.width + column;

/**
 * Images handed over as patches ([patch][row in patch][column in patch], patches row-major: the encoder's input), read
 * as a one-channel map without rearranging them.
 */
export const patchMajor =
  (imageSize: number, patchSize: number): RowOf =>
  (image, row, column) => {
    const grid = imageSize / patchSize;
    const patchRow = Math.floor(row / patchSize);
    const patchColumn = Math.floor(column / patchSize);
    return (
      ((image * grid + patchRow) * grid + patchColumn) * patchSize * patchSize +
      (row - patchRow * patchSize) * patchSize +
      (column - patchColumn * patchSize)
    );
  };

export interface Window {
  kernel: number;
  stride: number;
  padding: number;
}

export function outputSize(size: number, window: Window): number {
  return Math.floor((size + 2 * window.padding - window.kernel) / window.stride) + 1;
}

const neighbourhoods = new Map<string, Int32Array>();

/**
 * For each output position (row-major) and each kernel tap (row-major), the source row it reads; `zeroRow` where the
 * tap falls in the padding. Cached per shape: the same few shapes recur every step.
 */
function neighbourhoodIndices(shape: MapShape, window: Window, layout: string, rowOf: RowOf): Int32Array {
  const key = `${layout}:${shape.batch}x${shape.height}x${shape.width}:${window.kernel}/${window.stride}/${window.padding}`;
  const cached = neighbourhoods.get(key);
  if (cached) return cached;
  const outputHeight = outputSize(shape.height, window);
  const outputWidth = outputSize(shape.width, window);
  const zeroRow = shape.batch * shape.height * shape.width;
  const taps = window.kernel * window.kernel;
  const indices = new Int32Array(shape.batch * outputHeight * outputWidth * taps);
  let next = 0;
  for (let image = 0; image < shape.batch; image++)
    for (let outputRow = 0; outputRow < outputHeight; outputRow++)
      for (let outputColumn = 0; outputColumn < outputWidth; outputColumn++)
        for (let tapRow = 0; tapRow < window.kernel; tapRow++)
          for (let tapColumn = 0; tapColumn < window.kernel; tapColumn++) {
            const row = outputRow * window.stride - window.padding + tapRow;
            const column = outputColumn * window.stride - window.padding + tapColumn;
            const inside = row >= 0 && column >= 0 && row < shape.height && column < shape.width;
            indices[next++] = inside ? rowOf(image, row, column) : zeroRow;
          }
  // Shapes are few (one per layer and batch size); bounded anyway so a long session cannot grow it without end.
  if (neighbourhoods.size > 64) neighbourhoods.clear();
  neighbourhoods.set(key, indices);
  return indices;
}

/** [positions · taps, channels]: every output position's neighbourhood, taps in row-major order. */
function gatherNeighbourhoods(
  source: tf.Tensor2D,
  shape: MapShape,
  window: Window,
  layout: { name: string; rowOf: RowOf },
): { taps: tf.Tensor2D; output: MapShape } {
  const channels = source.shape[1];
  const padded = tf.concat([source, tf.zeros([1, channels])], 0) as tf.Tensor2D;
  const indices = neighbourhoodIndices(shape, window, layout.name, layout.rowOf);
  return {
    taps: gatherRows(padded, indices),
    output: { batch: shape.batch, height: outputSize(shape.height, window), width: outputSize(shape.width, window) },
  };
}

/**
 * A full convolution: [rows, inChannels] → [outputRows, outChannels], the weight [kernel² · inChannels, outChannels]
 * with taps outermost (PyTorch's [out, in, kh, kw] permuted to [kh, kw, in, out] and flattened).
 */
export function convolution(
  source: tf.Tensor2D,
  shape: MapShape,
  weight: tf.Tensor2D,
  window: Window,
  layout = { name: 'row-major', rowOf: rowMajor(shape) },
): { output: tf.Tensor2D; shape: MapShape } {
  const channels = source.shape[1];
  const { taps, output } = gatherNeighbourhoods(source, shape, window, layout);
  const positions = output.batch * output.height * output.width;
  return {
    output: applyLinear(taps.reshape([positions, window.kernel * window.kernel * channels]), weight) as tf.Tensor2D,
    shape: output,
  };
}

/** One filter per channel (groups = channels): the weight is [kernel², channels], taps in row-major order. */
export function depthwiseConvolution(
  source: tf.Tensor2D,
  shape: MapShape,
  weight: tf.Tensor2D,
  window: Window,
): { output: tf.Tensor2D; shape: MapShape } {
  const channels = source.shape[1];
  const { taps, output } = gatherNeighbourhoods(source, shape, window, { name: 'row-major', rowOf: rowMajor(shape) });
  const positions = output.batch * output.height * output.width;
  return {
    output: taps
      .reshape([positions, window.kernel * window.kernel, channels])
      .mul(weight)
      .sum(1) as tf.Tensor2D,
    shape: output,
  };
}
