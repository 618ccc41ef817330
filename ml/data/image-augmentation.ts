import type { SeededRandom } from '../../common/seeded-random.js';
import type { AugmentationSettings } from '../../common/contract/augmentation-settings.js';

/** Where an output image samples its source: a rotated window around a centre, plus an intensity change. */
export interface ImageTransform {
  /** Window size and centre as fractions of the source side. */
  windowWidth: number;
  windowHeight: number;
  centreX: number;
  centreY: number;
  rotationRadians: number;
  brightness: number;
  contrast: number;
}

export const identityTransform: ImageTransform = {
  windowWidth: 1,
  windowHeight: 1,
  centreX: 0.5,
  centreY: 0.5,
  rotationRadians: 0,
  brightness: 0,
  contrast: 1,
};

export function sampleTransform(random: SeededRandom, settings: AugmentationSettings): ImageTransform {
  const area = random.between(settings.cropAreaRange[0], settings.cropAreaRange[1]);
  const logAspect = random.between(Math.log(settings.aspectRatioRange[0]), Math.log(settings.aspectRatioRange[1]));
  const aspect = Math.exp(logAspect);
  const windowWidth = Math.min(1, Math.sqrt(area * aspect));
  const windowHeight = Math.min(1, Math.sqrt(area / aspect));
  const shift = settings.maximumTranslation;
  return {
    windowWidth,
    windowHeight,
    centreX: random.between(windowWidth / 2, 1 - windowWidth / 2) + random.between(-shift, shift),
    centreY: random.between(windowHeight / 2, 1 - windowHeight / 2) + random.between(-shift, shift),
    rotationRadians: (random.between(-1, 1) * settings.maximumRotationDegrees * Math.PI) / 180,
    brightness: random.between(-1, 1) * settings.maximumBrightnessChange,
    contrast: 1 + random.between(-1, 1) * settings.maximumContrastChange,
  };
}

/** Fixed normalisation of 8-bit grey to about zero mean and unit spread; stored with nothing, so never change it. */
const pixelMean = 0.5;
const pixelSpread = 0.25;

/**
 * Renders a square 8-bit source through `transform` into `outputSize`² normalised floats, written straight in patch
 * order ([patch][row in patch][column in patch], patches row-major) so the model needs no reshape. Bilinear sampling;
 * outside the source is black, as the letterbox already is. With the identity transform and a 2:1 size ratio every
 * output pixel is the mean of a 2×2 block.
 */
export function renderPatches(
  source: Uint8Array,
  sourceSize: number,
  transform: ImageTransform,
  outputSize: number,
  patchSize: number,
  output: Float32Array,
  offset: number,
): void {
  const patchesPerRow = outputSize / patchSize;
  const cos = Math.cos(transform.rotationRadians);
  const sin = Math.sin(transform.rotationRadians);
  const stepX = (transform.windowWidth * sourceSize) / outputSize;
  const stepY = (transform.windowHeight * sourceSize) / outputSize;
  const centreX = transform.centreX * sourceSize;
  const centreY = transform.centreY * sourceSize;
  const half = outputSize / 2;
  const last = sourceSize - 1;
  const sample = (x: number, y: number): number =>
    x < 0 || y < 0 || x > last || y > last ? 0 : source[y * sourceSize + x]!;
  for (let row = 0; row < outputSize; row++) {
    const dy = (row + 0.5 - half) * stepY;
    const patchRow = Math.floor(row / patchSize);
    const rowInPatch = row - patchRow * patchSize;
    for (let column = 0; column < outputSize; column++) {
      const dx = (column + 0.5 - half) * stepX;
      const x = centreX + cos * dx - sin * dy - 0.5;
      const y = centreY + sin * dx + cos * dy - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const top = sample(x0, y0) * (1 - fx) + sample(x0 + 1, y0) * fx;
      const bottom = sample(x0, y0 + 1) * (1 - fx) + sample(x0 + 1, y0 + 1) * fx;
      const grey = (top * (1 - fy) + bottom * fy) / 255;
      const adjusted = (grey - 0.5) * transform.contrast + 0.5 + transform.brightness;
      const patchColumn = Math.floor(column / patchSize);
      const index =
        offset +
        (patchRow * patchesPerRow + patchColumn) * patchSize * patchSize +
        rowInPatch * patchSize +
        (column - patchColumn * patchSize);
      output[index] = (adjusted - pixelMean) / pixelSpread;
    }
  }
}
