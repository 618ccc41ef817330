/**
 * Fixed 2-D sine–cosine positions for a square grid of patches (MAE's get_2d_sincos_pos_embed): the first half of the
 * channels encode the row, the second half the column, each as sines then cosines over geometrically spaced
 * frequencies. Rows for the `prefixTokens` (CLS, modality token) come first and are zero; channels left over when the
 * width is not a multiple of 4 are zero too. Returns [prefixTokens + gridSide², width], row-major patches.
 */
export function sinusoidalPatchPositions(gridSide: number, width: number, prefixTokens: number): Float32Array {
  const frequencies = Math.floor(width / 4);
  const values = new Float32Array((prefixTokens + gridSide * gridSide) * width);
  for (let row = 0; row < gridSide; row++) {
    for (let column = 0; column < gridSide; column++) {
      const offset = (prefixTokens + row * gridSide + column) * width;
      for (let index = 0; index < frequencies; index++) {
        const omega = 1 / 10_000 ** (index / frequencies);
        values[offset + index] = Math.sin(row * omega);
        values[offset + frequencies + index] = Math.cos(row * omega);
        values[offset + 2 * frequencies + index] = Math.sin(column * omega);
        values[offset + 3 * frequencies + index] = Math.cos(column * omega);
      }
    }
  }
  return values;
}
