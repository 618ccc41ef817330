import type { DataSet } from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../../../main/core/dicom/decode-frame.js';
import type { ImagePixelDescription } from '../../../../main/core/dicom/dicom-metadata.js';
import {
  defaultWindow,
  fitWithin,
  padToSquare,
  resizeGray,
  toBytes,
  toDisplayGray,
  type GrayImage,
} from '../../../../main/core/dicom/render-image.js';

const noDataSet = { elements: {} } as unknown as DataSet;

function description(overrides: Partial<ImagePixelDescription> = {}): ImagePixelDescription {
  return {
    rows: 2,
    columns: 3,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    bitsStored: 12,
    highBit: 11,
    pixelRepresentation: 0,
    photometricInterpretation: 'MONOCHROME2',
    planarConfiguration: 0,
    numberOfFrames: 1,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    windowCenter: null,
    windowWidth: null,
    floatPixelData: false,
    ...overrides,
  };
}

function frame(values: number[], width: number, photometricInterpretation = 'MONOCHROME2'): DecodedFrame {
  return {
    width,
    height: values.length / width,
    samplesPerPixel: 1,
    values: Int32Array.from(values),
    photometricInterpretation,
  };
}

/** The resampler written the plain way: each output sample a normalised triangle-weighted sum of its sources. */
function referenceResize(image: GrayImage, width: number, height: number): Float32Array {
  const weightsFor = (sourceSize: number, targetSize: number, target: number): number[] => {
    const scale = sourceSize / targetSize;
    const support = Math.max(1, scale);
    const center = (target + 0.5) * scale - 0.5;
    const weights = Array.from({ length: sourceSize }, (_, source) =>
      Math.max(0, 1 - Math.abs(source - center) / support),
    );
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return weights.map((weight) => weight / total);
  };
  const horizontal = Array.from({ length: width }, (_, column) => weightsFor(image.width, width, column));
  const vertical = Array.from({ length: height }, (_, row) => weightsFor(image.height, height, row));
  const rows = Array.from({ length: image.height }, (_, sourceRow) =>
    horizontal.map((weights) =>
      weights.reduce(
        (sum, weight, sourceColumn) => sum + weight * image.values[sourceRow * image.width + sourceColumn]!,
        0,
      ),
    ),
  );
  const output = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++)
      output[row * width + column] = vertical[row]!.reduce(
        (sum, weight, sourceRow) => sum + weight * rows[sourceRow]![column]!,
        0,
      );
  }
  return output;
}

describe('display rendering', () => {
  it('applies rescale, the stored window (PS3.3 C.11.2.1.2.1) and clamps', () => {
    const image = description({ rescaleSlope: 2, rescaleIntercept: -100, windowCenter: 100, windowWidth: 101 });
    const gray = toDisplayGray(frame([0, 50, 100, 75, 150, 200], 3), image, noDataSet);
    // modality values -100, 0, 100, 50, 200, 300; linear VOI: (x - 99.5) / 100 + 0.5.
    const expected = [0, 0, 0.505, 0.005, 1, 1];
    gray.values.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 6));
  });

  it('windows float pixel data the same way as integer samples', () => {
    const image = description({
      rescaleSlope: 2,
      rescaleIntercept: -100,
      windowCenter: 100,
      windowWidth: 101,
      floatPixelData: true,
    });
    const floats: DecodedFrame = {
      width: 3,
      height: 2,
      samplesPerPixel: 1,
      values: Float32Array.from([0, 100.25, 80, 75.25, 150, 200]),
      photometricInterpretation: 'MONOCHROME2',
    };
    const gray = toDisplayGray(floats, image, noDataSet);
    // modality values -100, 100.5, 60, 50.5, 200, 300.
    const expected = [0, 0.51, 0.105, 0.01, 1, 1];
    gray.values.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 6));
  });

  it('inverts MONOCHROME1 and uses a robust automatic window when the file has none', () => {
    const values = Array.from({ length: 1000 }, (_, index) => index);
    const image = description({ rows: 10, columns: 100, photometricInterpretation: 'MONOCHROME1' });
    const decoded = frame(values, 100, 'MONOCHROME1');
    const window = defaultWindow(decoded, image);
    expect(window.center).toBeCloseTo((5 + 995) / 2 + 0.5, 6);
    const gray = toDisplayGray(decoded, image, noDataSet);
    expect(gray.values[0]).toBe(1);
    expect(gray.values[999]).toBe(0);
    expect(gray.values[500]).toBeCloseTo(1 - ((500 - (window.center - 0.5)) / (window.width - 1) + 0.5), 6);
  });

  it.each([
    [7, 5, 3, 2],
    [470, 470, 256, 256],
    [301, 97, 160, 52],
    [470, 30, 200, 13],
    [3, 3, 8, 8],
    [1, 9, 1, 4],
  ])('resizes %i×%i to %i×%i as the plain weighted sum does', (sourceWidth, sourceHeight, width, height) => {
    const values = Float32Array.from(
      { length: sourceWidth * sourceHeight },
      (_, index) => ((index * 7919) % 1000) / 1000,
    );
    const image = { width: sourceWidth, height: sourceHeight, values };
    const fast = resizeGray(image, width, height).values;
    const expected = referenceResize(image, width, height);
    let largest = 0;
    for (let index = 0; index < expected.length; index++)
      largest = Math.max(largest, Math.abs(fast[index]! - expected[index]!));
    expect(largest).toBeLessThan(1e-5);
  });

  it('keeps a flat image flat, fits the longer side, and centres it on a black square', () => {
    const flat = { width: 400, height: 200, values: new Float32Array(400 * 200).fill(0.6) };
    const fitted = fitWithin(flat, 100);
    expect([fitted.width, fitted.height]).toEqual([100, 50]);
    expect(Math.max(...fitted.values.map((value) => Math.abs(value - 0.6)))).toBeLessThan(1e-6);
    expect(toBytes(fitted)[0]).toBe(153);
    const square = padToSquare(fitted, 100);
    expect(square[0]).toBe(0);
    expect(square[24 * 100]).toBe(0);
    expect(square[25 * 100]).toBe(153);
    expect(square[74 * 100 + 99]).toBe(153);
    expect(square[75 * 100]).toBe(0);
  });
});
