import * as tf from '@tensorflow/tfjs';
import { parallelBranchStages, type ParallelBranchGeometry } from '../../../common/convolution-shapes.js';
import type { ParameterStore } from '../parameter-store.js';
import { depthwiseConvolution, patchMajor, type MapShape, type Window } from './convolution.js';
import { applyConvolutionStage, createConvolutionStage, type ConvolutionStage } from './convolution-stage.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from './layer-norm.js';
import { applyLinear } from './linear.js';

/**
 * MS-CLIP's parallel convolutional branch (PARALLEL_IN_V) with its lateral adapters. The branch runs beside the image's
 * transformer blocks, one 3 × 3 stage before each chosen block (stride 2 until its map is the patch grid, then 1;
 * channels doubling up to the width), and each adapter writes the branch into the patch tokens ("top to bottom"):
 *   tokens ← LN(norm(depthwise 3 × 3 of the token grid) + pointwise(norm(depthwise k × k, stride k, of the map)))
 * with k the map's size over the grid (the T2B kernels, [8, 4, 2, 1, 1] for B/16). The CLS token passes through the
 * same LN (PRALLEL_T2B_USECLS). BatchNorm becomes a per-position LayerNorm, as in the stages (convolution-stage.ts).
 */
interface LateralAdapter {
  /** [k², channels]: the depthwise k × k, stride k, that brings the branch's map down to the patch grid. */
  mapFilter: tf.Variable;
  mapNorm: LayerNormParameters;
  /** [channels, width]: the pointwise convolution into the token width. */
  pointwise: tf.Variable;
  /** [9, width]: the depthwise 3 × 3 over the token grid. */
  tokenFilter: tf.Variable;
  tokenNorm: LayerNormParameters;
  mergeNorm: LayerNormParameters;
}

export interface ParallelBranchParameters {
  stages: ConvolutionStage[];
  adapters: LateralAdapter[];
}

export function createParallelBranch(
  store: ParameterStore,
  name: string,
  geometry: ParallelBranchGeometry,
): ParallelBranchParameters {
  const shapes = parallelBranchStages(geometry);
  const grid = geometry.imageSize / geometry.patchSize;
  const stages = shapes.map(({ channels, stride }, stage) =>
    createConvolutionStage(store, `${name}.stage.${stage}`, stage === 0 ? 1 : shapes[stage - 1]!.channels, channels, {
      kernel: 3,
      stride,
      padding: 1,
    }),
  );
  const adapters = shapes.map(({ channels: branchChannels, mapSize }, index): LateralAdapter => {
    const kernel = mapSize / grid;
    const adapter = `${name}.adapter.${index}`;
    return {
      mapFilter: store.create(`${adapter}.mapFilter`, [kernel * kernel, branchChannels], {
        kind: 'normal',
        standardDeviation: 1 / kernel,
      }),
      mapNorm: createLayerNorm(store, `${adapter}.mapNorm`, branchChannels),
      pointwise: store.create(`${adapter}.pointwise`, [branchChannels, geometry.width], {
        kind: 'normal',
        standardDeviation: 1 / Math.sqrt(branchChannels),
      }),
      tokenFilter: store.create(`${adapter}.tokenFilter`, [9, geometry.width], {
        kind: 'normal',
        standardDeviation: 1 / 3,
      }),
      tokenNorm: createLayerNorm(store, `${adapter}.tokenNorm`, geometry.width),
      mergeNorm: createLayerNorm(store, `${adapter}.mergeNorm`, geometry.width),
    };
  });
  return { stages, adapters };
}

/** The branch's state between blocks: its latest map, [batch · size², channels]. */
export interface BranchMap {
  map: tf.Tensor2D;
  shape: MapShape;
}

/**
 * Runs stage `index` (from the image for the first, else from the previous map) and writes the result into the
 * tokens [batch, prefix + grid², width], the prefix (CLS and any modality token) first.
 */
export function applyLateral(
  index: number,
  branch: ParallelBranchParameters,
  tokens: tf.Tensor3D,
  prefixLength: number,
  input: { patches: tf.Tensor3D; imageSize: number; patchSize: number } | BranchMap,
): { tokens: tf.Tensor3D; branch: BranchMap } {
  const stage = branch.stages[index]!;
  const stepped =
    'patches' in input
      ? applyConvolutionStage(
          input.patches.reshape([-1, 1]),
          { batch: input.patches.shape[0], height: input.imageSize, width: input.imageSize },
          stage,
          { name: `patches-${input.patchSize}`, rowOf: patchMajor(input.imageSize, input.patchSize) },
        )
      : applyConvolutionStage(input.map, input.shape, stage);
  const adapter = branch.adapters[index]!;
  const [batch, tokenCount, width] = tokens.shape;
  const grid = Math.sqrt(tokenCount - prefixLength);
  const kernel = stepped.shape.height / grid;
  const pooling: Window = { kernel, stride: kernel, padding: 0 };
  const fromMap = depthwiseConvolution(stepped.output, stepped.shape, adapter.mapFilter as tf.Tensor2D, pooling);
  const intoTokens = applyLinear(layerNorm(fromMap.output, adapter.mapNorm), adapter.pointwise);
  const gridTokens = tokens.slice([0, prefixLength, 0], [-1, -1, -1]).reshape([batch * grid * grid, width]);
  const filtered = depthwiseConvolution(
    gridTokens as tf.Tensor2D,
    { batch, height: grid, width: grid },
    adapter.tokenFilter as tf.Tensor2D,
    { kernel: 3, stride: 1, padding: 1 },
  );
  const merged = layerNorm(filtered.output, adapter.tokenNorm)
    .add(intoTokens)
    .reshape([batch, grid * grid, width]);
  // PRALLEL_T2B_USECLS adds the CLS token to itself before the shared LN; LN makes that the CLS token's own LN.
  const prefix = tokens.slice([0, 0, 0], [-1, prefixLength, -1]);
  return {
    tokens: layerNorm(tf.concat([prefix, merged], 1), adapter.mergeNorm) as tf.Tensor3D,
    branch: { map: stepped.output, shape: stepped.shape },
  };
}
