/**
 * How many resolution levels a wavelet decode (JPEG 2000, HTJ2K) can skip while the frame's longer side keeps at
 * least `neededLongerSide` pixels: each level skipped halves both sides (rounding up) and saves most of the decoding
 * work, since the skipped levels' code blocks are never entropy-decoded. A 2,500-px film needed at 256 px skips three.
 * The native addon (native/jpeg-2000/jpeg_2000.c) applies the same rule.
 */
export function resolutionReduction(
  columns: number,
  rows: number,
  availableLevels: number,
  neededLongerSide: number | undefined,
): number {
  if (!neededLongerSide) return 0;
  const longer = Math.max(columns, rows);
  let reduction = 0;
  while (reduction < availableLevels && Math.ceil(longer / 2 ** (reduction + 1)) >= neededLongerSide) reduction++;
  return reduction;
}

/** A side of a frame decoded `reduction` levels down, as JPEG 2000 defines it for an image starting at the origin. */
export const reducedSide = (side: number, reduction: number): number => Math.ceil(side / 2 ** reduction);
