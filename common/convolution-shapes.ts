/**
 * Shapes of MS-CLIP's convolutional parts, without TensorFlow: the model builds from them, and the core counts
 * parameters from them without loading it.
 */

/** Channels of each stage of the early convolution: log2(patch size) stages, the last at the full width. */
export function stemChannels(width: number, patchSize: number): number[] {
  const stages = Math.log2(patchSize);
  return Array.from({ length: stages }, (_, stage) => Math.max(1, width / 2 ** (stages - 1 - stage)));
}

/**
 * Block sides of the hMLP stem's three stages: a quarter of the patch first, then 2 × 2 of those twice, [4, 2, 2] for
 * the paper's 16-px patches, [8, 2, 2] for 32-px ones (a 256-px image at the token count of a 128-px one, where 4 × 4
 * first blocks cost as much as the whole transformer here). Null where the patch size is not a multiple of 4.
 */
export function hierarchicalStemStages(patchSize: number): number[] | null {
  return patchSize % 4 === 0 && patchSize >= 4 ? [patchSize / 4, 2, 2] : null;
}

/** Output channels of each hMLP stage: a quarter of the width (at least 8), the last the content width. */
export function hierarchicalStemChannels(width: number, contentWidth: number, patchSize: number): number[] {
  const sides = hierarchicalStemStages(patchSize) ?? [];
  return sides.map((_, stage) => (stage === sides.length - 1 ? contentWidth : Math.max(8, width / 4)));
}

export interface ParallelBranchGeometry {
  width: number;
  imageSize: number;
  patchSize: number;
  /** How many blocks the branch feeds: one stage and one adapter each. */
  lateralCount: number;
}

/**
 * Each stage of the parallel branch: its channels (doubling up to the width, as width/16 … width in MS-CLIP), the
 * side of its map (halved until it is the patch grid), and its stride.
 */
export function parallelBranchStages(
  geometry: ParallelBranchGeometry,
): Array<{ channels: number; mapSize: number; stride: number }> {
  const grid = geometry.imageSize / geometry.patchSize;
  let size = geometry.imageSize;
  return Array.from({ length: geometry.lateralCount }, (_, stage) => {
    const stride = size > grid ? 2 : 1;
    size /= stride;
    return {
      channels: Math.max(1, geometry.width / 2 ** (geometry.lateralCount - 1 - stage)),
      mapSize: size,
      stride,
    };
  });
}
