import type { DataSet } from 'dicom-parser';
import type { DecodedFrame } from './decode-frame.js';
import type { ImagePixelDescription } from './dicom-metadata.js';
import {
  renderLinearInWasm,
  resampleInWasm,
  windowInWasm,
  type LinearWindow,
  type ResampleTable,
  type ResizeStep,
} from './wasm-render/wasm-render.js';

/** A single-channel image with values in [0, 1], as a radiologist would see it with the stored window. */
export interface GrayImage {
  width: number;
  height: number;
  values: Float32Array;
}

interface PaletteChannel {
  entries: number;
  firstValue: number;
  bits: number;
  data: Uint16Array;
}

function readPaletteChannel(dataSet: DataSet, descriptorTag: string, dataTag: string): PaletteChannel | null {
  const element = dataSet.elements[dataTag];
  if (!element || !dataSet.elements[descriptorTag]) return null;
  const entries = dataSet.uint16(descriptorTag, 0) || 65536;
  const firstValue = dataSet.uint16(descriptorTag, 1) ?? 0;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  const count = Math.min(entries, Math.floor(element.length / 2));
  const data = new Uint16Array(count);
  for (let index = 0; index < count; index++)
    data[index] = dataSet.byteArrayParser.readUint16(dataSet.byteArray, element.dataOffset + index * 2);
  return { entries: count, firstValue, bits, data };
}

function luminance(red: number, green: number, blue: number): number {
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}

/** Robust display range when the file carries no window: the 0.5th to 99.5th percentile of the values. */
function percentileRange(values: Float32Array): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 65536));
  const sample: number[] = [];
  for (let index = 0; index < values.length; index += step) sample.push(values[index]!);
  sample.sort((left, right) => left - right);
  const low = sample[Math.floor(sample.length * 0.005)] ?? 0;
  const high = sample[Math.min(sample.length - 1, Math.ceil(sample.length * 0.995))] ?? 1;
  return high > low ? [low, high] : [low, low + 1];
}

export interface DisplayWindow {
  center: number;
  width: number;
}

function modalityValues(frame: DecodedFrame, image: ImagePixelDescription): Float32Array {
  const values = new Float32Array(frame.width * frame.height);
  for (let pixel = 0; pixel < values.length; pixel++)
    values[pixel] = frame.values[pixel]! * image.rescaleSlope + image.rescaleIntercept;
  return values;
}

function storedWindow(image: ImagePixelDescription): DisplayWindow | null {
  return image.windowWidth !== null && image.windowCenter !== null && image.windowWidth > 1
    ? { center: image.windowCenter, width: image.windowWidth }
    : null;
}

/** The window a reader starts from: the file's first stored window, else the robust range of the modality values. */
export function defaultWindow(frame: DecodedFrame, image: ImagePixelDescription): DisplayWindow {
  const stored = storedWindow(image);
  if (stored) return stored;
  const [low, high] = percentileRange(modalityValues(frame, image));
  return { center: (low + high) / 2 + 0.5, width: high - low + 1 };
}

/** Red, green and blue: each channel's descriptor tag and table tag. */
const paletteChannelTags = [
  ['x00281101', 'x00281201'],
  ['x00281102', 'x00281202'],
  ['x00281103', 'x00281203'],
] as const;

/** PALETTE COLOR with all three descriptors and tables; without them the values are shown as grayscale. */
function isPaletteColour(frame: DecodedFrame, dataSet: DataSet): boolean {
  return (
    frame.photometricInterpretation === 'PALETTE COLOR' &&
    paletteChannelTags.flat().every((tag) => dataSet.elements[tag] !== undefined)
  );
}

/**
 * For grayscale, the modality LUT (rescale slope/intercept), VOI LUT (the given window, else the first stored one,
 * else a robust automatic one) and MONOCHROME1 inversion as one linear function of the stored values; null for colour.
 */
function linearWindow(
  frame: DecodedFrame,
  image: ImagePixelDescription,
  dataSet: DataSet,
  window?: DisplayWindow,
): LinearWindow | null {
  if (frame.samplesPerPixel >= 3 || isPaletteColour(frame, dataSet)) return null;
  const chosen = window ?? defaultWindow(frame, image);
  // PS3.3 C.11.2.1.2.1, the linear VOI function, folded with the modality rescale into one multiply-add per pixel.
  const width = Math.max(1, chosen.width - 1);
  const gain = image.rescaleSlope / width;
  const offset = (image.rescaleIntercept - (chosen.center - 0.5)) / width + 0.5;
  return { gain, offset, inverted: frame.photometricInterpretation === 'MONOCHROME1' };
}

/**
 * Modality LUT (rescale slope/intercept), VOI LUT (the first stored window, else a robust automatic one) and
 * MONOCHROME1 inversion for grayscale; YBR→RGB, palette lookup and luminance for colour.
 */
export function toDisplayGray(
  frame: DecodedFrame,
  image: ImagePixelDescription,
  dataSet: DataSet,
  window?: DisplayWindow,
): GrayImage {
  const linear = linearWindow(frame, image, dataSet, window);
  if (linear)
    return {
      width: frame.width,
      height: frame.height,
      values: windowInWasm(frame.values, linear.gain, linear.offset, linear.inverted),
    };
  const pixels = frame.width * frame.height;
  const photometric = frame.photometricInterpretation;
  if (frame.samplesPerPixel >= 3) {
    const output = new Float32Array(pixels);
    const maximum = 2 ** Math.min(image.bitsStored, 16) - 1;
    const half = (maximum + 1) / 2;
    const ybr = photometric.startsWith('YBR_FULL');
    for (let pixel = 0; pixel < pixels; pixel++) {
      let [first, second, third] = [
        frame.values[pixel * frame.samplesPerPixel]!,
        frame.values[pixel * frame.samplesPerPixel + 1]!,
        frame.values[pixel * frame.samplesPerPixel + 2]!,
      ];
      if (ybr)
        [first, second, third] = [
          first + 1.402 * (third - half),
          first - 0.344136 * (second - half) - 0.714136 * (third - half),
          first + 1.772 * (second - half),
        ];
      output[pixel] = Math.min(1, Math.max(0, luminance(first, second, third) / maximum));
    }
    return { width: frame.width, height: frame.height, values: output };
  }
  const channels = paletteChannelTags.map(([descriptor, table]) => readPaletteChannel(dataSet, descriptor, table)!);
  const output = new Float32Array(pixels);
  const maximum = 2 ** channels[0]!.bits - 1;
  const lookup = (channel: PaletteChannel, value: number): number =>
    channel.data[Math.min(channel.entries - 1, Math.max(0, value - channel.firstValue))]!;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const value = frame.values[pixel]!;
    output[pixel] =
      luminance(lookup(channels[0]!, value), lookup(channels[1]!, value), lookup(channels[2]!, value)) / maximum;
  }
  return { width: frame.width, height: frame.height, values: output };
}

/**
 * Weights of a triangle (bilinear) filter widened by the scale when shrinking, so downsampling averages, not aliases.
 * Flat arrays with a fixed number of taps per output sample keep the inner loops free of allocation and indirection.
 */
function computeResampleTable(sourceSize: number, targetSize: number): ResampleTable {
  const scale = sourceSize / targetSize;
  const support = Math.max(1, scale);
  // Only sources strictly inside (center - support, center + support) weigh anything: at most floor(2·support) + 1.
  const taps = Math.min(sourceSize, Math.floor(support * 2) + 1);
  const starts = new Int32Array(targetSize);
  const weights = new Float32Array(targetSize * taps);
  for (let target = 0; target < targetSize; target++) {
    const center = (target + 0.5) * scale - 0.5;
    const start = Math.min(Math.max(0, Math.floor(center - support) + 1), sourceSize - taps);
    starts[target] = start;
    let total = 0;
    for (let tap = 0; tap < taps; tap++) {
      const weight = Math.max(0, 1 - Math.abs(start + tap - center) / support);
      weights[target * taps + tap] = weight;
      total += weight;
    }
    for (let tap = 0; tap < taps; tap++)
      weights[target * taps + tap] = total > 0 ? weights[target * taps + tap]! / total : 0;
  }
  return { starts, taps, weights };
}

/** Tables computed before: an import resizes thousands of images of a handful of sizes. */
const recentTables = new Map<string, ResampleTable>();
const recentTablesLimit = 64;

function resampleTable(sourceSize: number, targetSize: number): ResampleTable {
  const key = `${sourceSize}:${targetSize}`;
  let table = recentTables.get(key);
  if (!table) {
    if (recentTables.size >= recentTablesLimit) recentTables.delete(recentTables.keys().next().value!);
    table = computeResampleTable(sourceSize, targetSize);
    recentTables.set(key, table);
  }
  return table;
}

/** Separable resampling with the triangle filter, in WebAssembly SIMD (wasm-render: every import resizes twice). */
export function resizeGray(image: GrayImage, width: number, height: number): GrayImage {
  if (width === image.width && height === image.height) return image;
  const values = resampleInWasm(
    image.values,
    image.width,
    resampleTable(image.width, width),
    resampleTable(image.height, height),
  );
  return { width, height, values };
}

/** The size that makes the longer side `size` (a smaller image keeps its size unless `enlarge`). */
function fittedSize(width: number, height: number, size: number, enlarge: boolean): { width: number; height: number } {
  const scale = enlarge ? size / Math.max(width, height) : Math.min(1, size / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Scales the image so its longer side is `size`; a smaller one is enlarged only when `enlarge` says so. */
export function fitWithin(image: GrayImage, size: number, enlarge = false): GrayImage {
  const fitted = fittedSize(image.width, image.height, size, enlarge);
  return resizeGray(image, fitted.width, fitted.height);
}

interface Size {
  width: number;
  height: number;
}

function resizeStep(from: Size, to: Size): ResizeStep {
  const same = to.width === from.width && to.height === from.height;
  return {
    ...to,
    tables: same
      ? null
      : { horizontal: resampleTable(from.width, to.width), vertical: resampleTable(from.height, to.height) },
  };
}

export interface LibraryImages {
  /** The model input: the image fitted into a black `modelImageSize` square, 8-bit, row by row. */
  modelImage: Uint8Array;
  thumbnail: { width: number; height: number; pixels: Uint8Array };
}

/** A thumbnail no larger than the frame itself: it is made from the (possibly enlarged) model image. */
export function thumbnailSide(frame: { width: number; height: number }, thumbnailSize: number): number {
  return Math.min(thumbnailSize, Math.max(frame.width, frame.height));
}

/**
 * The two images the catalog keeps of a frame, as fitWithin, padToSquare and toBytes make them from toDisplayGray's
 * output; for grayscale, in one pass through WebAssembly (the importer runs this on every image). Their sizes follow
 * the header's Columns × Rows, so a frame decoded at a lower resolution gives images of the same geometry.
 */
export function renderLibraryImages(
  frame: DecodedFrame,
  image: ImagePixelDescription,
  dataSet: DataSet,
  modelImageSize: number,
  thumbnailSize: number,
): LibraryImages {
  const linear = linearWindow(frame, image, dataSet);
  const header = { width: image.columns, height: image.rows };
  // The model image fills its square whatever the source size: a 28-px image left at 28 px in a 256-px square is
  // a few patches of content in a black field, and the encoder learns nothing from it. Thumbnails are never enlarged.
  const fitted = fittedSize(header.width, header.height, modelImageSize, true);
  const smallSize = fittedSize(fitted.width, fitted.height, thumbnailSide(header, thumbnailSize), false);
  if (linear) {
    const fit = resizeStep(frame, fitted);
    const small = resizeStep(fitted, smallSize);
    const rendered = renderLinearInWasm(frame.values, frame.width, frame.height, linear, fit, modelImageSize, small);
    return {
      modelImage: rendered.canvas,
      thumbnail: { width: small.width, height: small.height, pixels: rendered.thumbnail },
    };
  }
  const fittedImage = resizeGray(toDisplayGray(frame, image, dataSet), fitted.width, fitted.height);
  const small = resizeGray(fittedImage, smallSize.width, smallSize.height);
  return {
    modelImage: padToSquare(fittedImage, modelImageSize),
    thumbnail: { width: small.width, height: small.height, pixels: toBytes(small) },
  };
}

/** Values in [0, 1] to rounded 8-bit grey levels. */
export function toBytes(image: GrayImage): Uint8Array {
  const bytes = new Uint8Array(image.values.length);
  for (let index = 0; index < bytes.length; index++) bytes[index] = image.values[index]! * 255 + 0.5;
  return bytes;
}

/** Centres an image no larger than `size` on a black square of `size`, as 8-bit values. */
export function padToSquare(image: GrayImage, size: number): Uint8Array {
  const output = new Uint8Array(size * size);
  const left = Math.floor((size - image.width) / 2);
  const top = Math.floor((size - image.height) / 2);
  for (let row = 0; row < image.height; row++) {
    const outputOffset = (top + row) * size + left;
    const inputOffset = row * image.width;
    for (let column = 0; column < image.width; column++)
      output[outputOffset + column] = image.values[inputOffset + column]! * 255 + 0.5;
  }
  return output;
}
