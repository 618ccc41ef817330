import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { decodeHtj2k } from './codecs/htj2k.js';
import { decodeJpeg12Bit } from './codecs/jpeg-12-bit.js';
import { decodeJpeg2000 } from './codecs/jpeg-2000.js';
import { decodeJpegBaseline, markAsUntransformedRgb } from './codecs/jpeg-baseline.js';
import { decodeJpegLossless } from './codecs/jpeg-lossless.js';
import { decodeJpegLs } from './codecs/jpeg-ls.js';
import { decodeRle } from './codecs/rle.js';
import { reducedSide } from './codecs/resolution-reduction.js';
import type { DecodedCodecFrame } from './codecs/wasm-codec.js';
import type { ImagePixelDescription } from './dicom-metadata.js';
import { DicomImportError, type ParsedDicom } from './read-dicom.js';
import { transferSyntax } from './transfer-syntaxes.js';
import { keepStoredBitsInWasm } from './wasm-render/wasm-render.js';

/**
 * Stored values in the narrowest array that holds them: 8 and 16-bit integers for Bits Allocated up to 16 (half or a
 * quarter of the memory traffic of 32-bit for the usual 12-bit image), 32-bit integers above, floats for float data.
 */
export type StoredSamples = Int32Array | Float32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** One frame's stored pixel values: grayscale, or interleaved colour samples, before any LUT. */
export interface DecodedFrame {
  /** As decoded: the header's Columns × Rows, or less where DecodeOptions let a codec decode a lower resolution. */
  width: number;
  height: number;
  samplesPerPixel: number;
  values: StoredSamples;
  /** The colour space the values are in now (codecs turn YBR into RGB). */
  photometricInterpretation: string;
}

/** Largest image accepted (pixels × samples): bigger size fields are treated as hostile, not allocated. */
const maximumSamples = 16384 * 16384;

export function checkPixelDescription(image: ImagePixelDescription): void {
  const { rows, columns, samplesPerPixel, bitsAllocated, numberOfFrames } = image;
  if (rows <= 0 || columns <= 0)
    throw new DicomImportError('failed', `image has no size (rows ${rows}, columns ${columns})`);
  if (![1, 3, 4].includes(samplesPerPixel))
    throw new DicomImportError('failed', `unsupported samples per pixel ${samplesPerPixel}`);
  if (![1, 8, 16, 32, 64].includes(bitsAllocated))
    throw new DicomImportError('failed', `unsupported bits allocated ${bitsAllocated}`);
  if (image.bitsStored < 1 || image.bitsStored > bitsAllocated)
    throw new DicomImportError(
      'failed',
      `bits stored ${image.bitsStored} does not fit bits allocated ${bitsAllocated}`,
    );
  if (rows * columns * samplesPerPixel > maximumSamples)
    throw new DicomImportError('failed', `image of ${rows}×${columns}×${samplesPerPixel} exceeds the size limit`);
  if (numberOfFrames > 100_000)
    throw new DicomImportError('failed', `number of frames ${numberOfFrames} is implausible`);
}

/**
 * Bytes a decode of one frame allocates beyond the file itself, estimated from the header before anything is made:
 * the stored samples twice (a codec's output and the copy that keeps the stored bits; planar and YBR 4:2:2 colour
 * become 32-bit samples) and ten bytes a pixel for the float planes of display values and the resampler. Measured on
 * 2048² to 8192² grey and colour films, it errs high: 14 bytes a pixel estimated against ~11.5 measured for 16-bit
 * grey, 16 against ~10.5 for 8-bit RGB.
 */
export function frameDecodeBytes(image: ImagePixelDescription): number {
  const pixels = image.rows * image.columns;
  const widened =
    image.samplesPerPixel > 1 &&
    (image.planarConfiguration === 1 || image.photometricInterpretation === 'YBR_FULL_422');
  const storedBytes = widened ? 4 : Math.min(4, Math.max(1, image.bitsAllocated / 8));
  return pixels * image.samplesPerPixel * storedBytes * 2 + pixels * 10;
}

/**
 * Refuses a frame whose decode would take a worker past its memory budget, with the sizes in the reason: the worker's
 * memory watch would end it anyway, but only after the memory was taken and a second worker had tried.
 */
export function checkDecodeBudget(image: ImagePixelDescription, heldBytes: number, budgetBytes: number): void {
  const needed = heldBytes + frameDecodeBytes(image);
  if (needed <= budgetBytes) return;
  const megabytes = (bytes: number) => Math.ceil(bytes / 1024 ** 2);
  throw new DicomImportError(
    'failed',
    `decoding this ${image.rows}×${image.columns}×${image.samplesPerPixel} image would need about ` +
      `${megabytes(needed)} MB, more than one import worker may use (${megabytes(budgetBytes)} MB); not imported`,
  );
}

/** Native YBR_FULL_422 keeps two samples per pixel (chroma shared by pixel pairs), not three. */
function storedSamplesPerPixel(image: ImagePixelDescription): number {
  return image.photometricInterpretation === 'YBR_FULL_422' && image.samplesPerPixel === 3 ? 2 : image.samplesPerPixel;
}

function frameByteLength(image: ImagePixelDescription): number {
  const bits = image.rows * image.columns * storedSamplesPerPixel(image) * image.bitsAllocated;
  return image.bitsAllocated === 1 ? Math.ceil(bits / 8) : bits / 8;
}

/*
 * Copies raw samples keeping the Bits Stored low bits, sign-extended when Pixel Representation says signed (the high
 * bits may hold overlays). 16-bit samples, every film's, in WebAssembly SIMD; 8-bit ones with one loop per case.
 * Shifting the stored bits to the top and back both masks and sign-extends.
 */
function keepStoredBits16(raw: Uint16Array, bitsStored: number, signed: boolean): Uint16Array | Int16Array {
  if (bitsStored >= 16 && !signed) return raw.slice();
  return keepStoredBitsInWasm(raw, bitsStored, signed);
}

function keepStoredBits8(raw: Uint8Array, bitsStored: number, signed: boolean): Uint8Array | Int8Array {
  const count = raw.length;
  if (signed) {
    const values = new Int8Array(count);
    const shift = 32 - bitsStored;
    for (let index = 0; index < count; index++) values[index] = (raw[index]! << shift) >> shift;
    return values;
  }
  if (bitsStored >= 8) return raw.slice();
  const values = new Uint8Array(count);
  const mask = (1 << bitsStored) - 1;
  for (let index = 0; index < count; index++) values[index] = raw[index]! & mask;
  return values;
}

/** 16-bit little-endian samples as a Uint16Array (the platforms Unisight runs on are little-endian): a view where the
 * bytes are aligned, else an aligned copy. */
function littleEndianWords(bytes: Uint8Array, count: number): Uint16Array {
  // new Uint8Array(typed array) always copies (a Buffer's slice would not).
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes.subarray(0, count * 2));
  return new Uint16Array(aligned.buffer, aligned.byteOffset, count);
}

function readNativeFrame(
  parsed: ParsedDicom,
  image: ImagePixelDescription,
  frameIndex: number,
  bigEndian: boolean,
): StoredSamples {
  const { dataSet } = parsed;
  const floatElement = dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009;
  const element = dataSet.elements.x7fe00010 ?? floatElement!;
  const bytesPerFrame = floatElement
    ? image.rows * image.columns * image.samplesPerPixel * (floatElement.tag === 'x7fe00009' ? 8 : 4)
    : frameByteLength(image);
  const start = element.dataOffset + frameIndex * bytesPerFrame;
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if ((frameIndex + 1) * bytesPerFrame > available) {
    throw new DicomImportError(
      'failed',
      `pixel data is truncated: frame ${frameIndex + 1} needs ${bytesPerFrame} bytes, ${Math.max(0, available - frameIndex * bytesPerFrame)} present`,
    );
  }
  const view = new DataView(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + start, bytesPerFrame);
  const count = image.rows * image.columns * storedSamplesPerPixel(image);
  const littleEndian = !bigEndian;
  if (floatElement) {
    const values = new Float32Array(count);
    const wide = floatElement.tag === 'x7fe00009';
    for (let index = 0; index < count; index++)
      values[index] = wide ? view.getFloat64(index * 8, littleEndian) : view.getFloat32(index * 4, littleEndian);
    return values;
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const signed = image.pixelRepresentation === 1;
  switch (image.bitsAllocated) {
    case 1: {
      const values = new Uint8Array(count);
      for (let index = 0; index < count; index++) values[index] = (view.getUint8(index >> 3) >> (index & 7)) & 1;
      return values;
    }
    case 8:
      return keepStoredBits8(bytes.subarray(0, count), Math.min(image.bitsStored, 8), signed);
    case 16: {
      if (littleEndian)
        return keepStoredBits16(littleEndianWords(bytes, count), Math.min(image.bitsStored, 16), signed);
      const words = new Uint16Array(count);
      for (let index = 0; index < count; index++) words[index] = view.getUint16(index * 2, false);
      return keepStoredBits16(words, Math.min(image.bitsStored, 16), signed);
    }
    default: {
      const values = new Int32Array(count);
      for (let index = 0; index < count; index++) {
        const raw = view.getUint32(index * 4, littleEndian);
        values[index] = signed ? raw | 0 : Math.min(raw, 0x7fffffff);
      }
      return values;
    }
  }
}

function encapsulatedFrame(dataSet: DataSet, element: Element, frameIndex: number, frameCount: number): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new DicomImportError('failed', 'encapsulated pixel data has no fragments');
  for (const fragment of fragments) {
    if (fragment.position + fragment.length > dataSet.byteArray.length)
      throw new DicomImportError('failed', 'pixel data fragment extends past the end of the file');
  }
  try {
    if (frameCount === 1)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
    if ((element.basicOffsetTable?.length ?? 0) > 0)
      return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex);
    if (fragments.length === frameCount)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1);
    const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex, table);
  } catch (error) {
    throw new DicomImportError(
      'failed',
      `cannot locate frame ${frameIndex + 1} in encapsulated pixel data: ${String(error)}`,
    );
  }
}

function codecValues(frame: DecodedCodecFrame, image: ImagePixelDescription): StoredSamples {
  const count = frame.width * frame.height * frame.componentCount;
  const signed = image.pixelRepresentation === 1;
  if (frame.bitsPerSample > 16) {
    const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    if (frame.bytes.byteLength < count * 4)
      throw new DicomImportError('failed', 'decoded frame is shorter than its declared size');
    const values = new Int32Array(count);
    for (let index = 0; index < count; index++) {
      const raw = view.getUint32(index * 4, true);
      values[index] = signed ? raw | 0 : Math.min(raw, 0x7fffffff);
    }
    return values;
  }
  if (frame.bitsPerSample > 8) {
    if (frame.bytes.byteLength < count * 2)
      throw new DicomImportError('failed', 'decoded frame is shorter than its declared size');
    const words = littleEndianWords(frame.bytes, count);
    // A codec that says its samples are signed has sign-extended them to 16 bits already.
    if (frame.isSigned) return new Int16Array(words.buffer, words.byteOffset, count).slice();
    return keepStoredBits16(words, Math.min(image.bitsStored, 16), signed);
  }
  if (frame.bytes.byteLength < count)
    throw new DicomImportError('failed', 'decoded frame is shorter than its declared size');
  if (frame.isSigned) return new Int8Array(frame.bytes.buffer, frame.bytes.byteOffset, count).slice();
  return keepStoredBits8(frame.bytes.subarray(0, count), Math.min(image.bitsStored, 8), signed);
}

/** Native YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels; spread it to one Y Cb Cr triple per pixel. */
function expandYbr422(values: StoredSamples, width: number, height: number): Int32Array {
  const expanded = new Int32Array(width * height * 3);
  for (let pair = 0; pair < (width * height) / 2; pair++) {
    const [y1, y2, cb, cr] = [values[pair * 4]!, values[pair * 4 + 1]!, values[pair * 4 + 2]!, values[pair * 4 + 3]!];
    expanded.set([y1, cb, cr, y2, cb, cr], pair * 6);
  }
  return expanded;
}

function interleave(values: StoredSamples, pixels: number, samples: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let pixel = 0; pixel < pixels; pixel++)
    for (let sample = 0; sample < samples; sample++) out[pixel * samples + sample] = values[sample * pixels + pixel]!;
  return out;
}

export interface DecodeOptions {
  /**
   * The longer side the caller will make of the frame (the importer: the model image's). Codecs that can decode a
   * lower resolution directly (JPEG 2000 and HTJ2K resolution levels) stop at the lowest that still has it, and the
   * frame comes back that much smaller than the header's size; every other codec decodes the full frame.
   */
  neededLongerSide?: number;
}

export async function decodeFrame(
  parsed: ParsedDicom,
  image: ImagePixelDescription,
  frameIndex: number,
  options: DecodeOptions = {},
): Promise<DecodedFrame> {
  checkPixelDescription(image);
  const syntax = transferSyntax(parsed.transferSyntaxUid);
  if (!syntax) throw new DicomImportError('failed', `unknown transfer syntax ${parsed.transferSyntaxUid}`);
  if (!syntax.codec)
    throw new DicomImportError('skipped', `${syntax.name}: ${syntax.notImported ?? 'no decoder for it'}`);
  const { rows, columns, samplesPerPixel } = image;
  let photometric = image.photometricInterpretation;
  let values: StoredSamples;
  let [width, height] = [columns, rows];

  if (syntax.codec === 'native') {
    const native = readNativeFrame(parsed, image, frameIndex, Boolean(syntax.bigEndian));
    const integers = !(native instanceof Float32Array);
    if (photometric === 'YBR_FULL_422' && integers) {
      values = expandYbr422(native, columns, rows);
      photometric = 'YBR_FULL';
    } else {
      values =
        samplesPerPixel > 1 && image.planarConfiguration === 1 && integers
          ? interleave(native, rows * columns, samplesPerPixel)
          : native;
    }
  } else {
    const pixelData = parsed.dataSet.elements.x7fe00010;
    if (!pixelData?.encapsulatedPixelData)
      throw new DicomImportError('failed', `${syntax.name} declared but the pixel data is not encapsulated`);
    const encoded = encapsulatedFrame(parsed.dataSet, pixelData, frameIndex, image.numberOfFrames);
    if (syntax.codec === 'rle') {
      const bytes = decodeRle(encoded, rows, columns, samplesPerPixel, image.bitsAllocated);
      values = codecValues(
        {
          width: columns,
          height: rows,
          componentCount: samplesPerPixel,
          bitsPerSample: image.bitsAllocated,
          isSigned: false,
          bytes,
        },
        image,
      );
    } else {
      const frame = await decodeEncapsulated(syntax.codec, encoded, image, options.neededLongerSide);
      const reduction = frame.resolutionReduction ?? 0;
      [width, height] = [reducedSide(columns, reduction), reducedSide(rows, reduction)];
      if (frame.width !== width || frame.height !== height) {
        const level = reduction > 0 ? ` (${reduction} resolution levels down: ${width}×${height})` : '';
        throw new DicomImportError(
          'failed',
          `codec produced ${frame.width}×${frame.height}, the header says ${columns}×${rows}${level}`,
        );
      }
      values = codecValues(frame, image);
      if (frame.componentCount === 3 && syntax.codec !== 'jpeg-ls') photometric = 'RGB';
    }
  }
  return { width, height, samplesPerPixel, values, photometricInterpretation: photometric };
}

/** The codecs that can decode a lower resolution level directly. */
const waveletCodecs = new Set(['jpeg-2000', 'htj2k']);

async function decodeEncapsulated(
  codec: string,
  encoded: Uint8Array,
  image: ImagePixelDescription,
  neededLongerSide: number | undefined,
): Promise<DecodedCodecFrame> {
  if (neededLongerSide && waveletCodecs.has(codec)) {
    try {
      return await decodeWithCodec(codec, encoded, image, neededLongerSide);
    } catch {
      // A stream whose tiles or components carry fewer resolution levels than its main header says fails a reduced
      // decode; the full decode below decides whether the file is readable at all, with its own error.
    }
  }
  return decodeWithCodec(codec, encoded, image, undefined);
}

/** One frame through its codec; only the wavelet codecs (JPEG 2000, HTJ2K) read `neededLongerSide`. */
async function decodeWithCodec(
  codec: string,
  encoded: Uint8Array,
  image: ImagePixelDescription,
  neededLongerSide: number | undefined,
): Promise<DecodedCodecFrame> {
  try {
    switch (codec) {
      case 'jpeg-baseline':
        return await decodeJpegBaseline(
          image.photometricInterpretation === 'RGB' ? markAsUntransformedRgb(encoded) : encoded,
        );
      case 'jpeg-extended':
        if (image.bitsStored > 8) return await decodeJpeg12Bit(encoded);
        return await decodeJpegBaseline(
          image.photometricInterpretation === 'RGB' ? markAsUntransformedRgb(encoded) : encoded,
        );
      case 'jpeg-lossless':
        return decodeJpegLossless(encoded);
      case 'jpeg-ls':
        return await decodeJpegLs(encoded);
      case 'jpeg-2000':
        return await decodeJpeg2000(encoded, image.columns, image.rows, image.samplesPerPixel, neededLongerSide);
      case 'htj2k':
        return await decodeHtj2k(encoded, neededLongerSide);
      default:
        throw new DicomImportError('failed', `no decoder for ${codec}`);
    }
  } catch (error) {
    if (error instanceof DicomImportError) throw error;
    const message =
      error instanceof Error ? error.message : typeof error === 'number' ? `codec error code ${error}` : String(error);
    throw new DicomImportError('failed', `${codec} decode failed: ${message}`);
  }
}
