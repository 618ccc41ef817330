import type { StoredSamples } from '../decode-frame.js';
import { renderModule } from './render-binary.js';

/** Where each output sample reads from: the first source index and `taps` weights per output sample. */
export interface ResampleTable {
  starts: Int32Array;
  taps: number;
  weights: Float32Array;
}

interface RenderExports {
  memory: WebAssembly.Memory;
  resizeVertical(
    source: number,
    width: number,
    targetRows: number,
    starts: number,
    weights: number,
    taps: number,
    target: number,
  ): void;
  resizeHorizontal(
    source: number,
    sourceWidth: number,
    rows: number,
    starts: number,
    weights: number,
    paddedTaps: number,
    target: number,
    targetWidth: number,
  ): void;
  windowLinear(
    input: number,
    count: number,
    kind: number,
    gain: number,
    offset: number,
    inverted: boolean,
    output: number,
  ): void;
  quantise(source: number, width: number, height: number, target: number, stride: number): void;
  keepStoredBits16(address: number, count: number, bits: number, signed: boolean): void;
  unpackRleSegment(input: number, start: number, end: number, target: number, stride: number, pixels: number): number;
}

/** Where one RLE segment's bytes are and where its first output byte goes. */
export interface RleSegment {
  start: number;
  end: number;
  firstOutputByte: number;
}

/**
 * The linear VOI function folded with the modality rescale: clamp(stored · gain + offset, 0, 1), inverted for
 * MONOCHROME1.
 */
export interface LinearWindow {
  gain: number;
  offset: number;
  inverted: boolean;
}

/** A resize to `width` × `height` (one table per axis), or null where the size does not change. */
export interface ResizeStep {
  width: number;
  height: number;
  tables: { horizontal: ResampleTable; vertical: ResampleTable } | null;
}

let instance: RenderExports | null = null;

function kernels(): RenderExports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(renderModule, 'base64')))
    .exports as unknown as RenderExports;
  return instance;
}

/**
 * Areas of the module's memory for one call: byte sizes in, 16-byte aligned offsets out, each with 16 zeroed bytes
 * after it.
 */
function layOut(wasm: RenderExports, sizes: number[]): number[] {
  const slackBytes = 16;
  const offsets: number[] = [];
  let end = 0;
  for (const bytes of sizes) {
    offsets.push(end);
    end += Math.ceil((bytes + slackBytes) / 16) * 16;
  }
  const pages = Math.ceil((end - wasm.memory.buffer.byteLength) / 65536);
  if (pages > 0) wasm.memory.grow(pages);
  const memory = new Uint8Array(wasm.memory.buffer);
  sizes.forEach((bytes, index) => memory.fill(0, offsets[index]! + bytes, offsets[index]! + bytes + slackBytes));
  return offsets;
}

/** The sample types windowLinear reads, numbered as in assembly/render.ts. */
function sampleKind(values: StoredSamples): number {
  if (values instanceof Int32Array) return 0;
  if (values instanceof Float32Array) return 1;
  if (values instanceof Uint16Array) return 2;
  if (values instanceof Int16Array) return 3;
  if (values instanceof Uint8Array) return 4;
  return 5;
}

function place(wasm: RenderExports, offset: number, data: StoredSamples): void {
  new Uint8Array(wasm.memory.buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
}

function floatsAt(wasm: RenderExports, offset: number, count: number): Float32Array {
  return new Float32Array(wasm.memory.buffer, offset, count).slice();
}

/**
 * The horizontal kernel takes four taps per SIMD product: pad each output sample's weights with zeros, and where the
 * padded window would run past the row's end, start it earlier (zeros first) so that it reads only its own row.
 * Rows narrower than the padded window still read past their end: into the next row or the zeroed slack, at weight 0.
 */
function padTaps(table: ResampleTable, sourceWidth: number): ResampleTable {
  const taps = Math.ceil(table.taps / 4) * 4;
  if (taps === table.taps) return table;
  const starts = new Int32Array(table.starts.length);
  const weights = new Float32Array(table.starts.length * taps);
  for (let sample = 0; sample < table.starts.length; sample++) {
    const start = table.starts[sample]!;
    const shift = Math.min(start, Math.max(0, start + taps - sourceWidth));
    starts[sample] = start - shift;
    weights.set(table.weights.subarray(sample * table.taps, (sample + 1) * table.taps), sample * taps + shift);
  }
  return { starts, taps, weights };
}

/** The memory one resize needs, after the sizes already laid out: its intermediate, its output and its four tables. */
function resizeSizes(sourceWidth: number, step: ResizeStep): number[] {
  if (!step.tables) return [0, 0, 0, 0, 0, 0];
  const { horizontal, vertical } = step.tables;
  const paddedTaps = Math.ceil(horizontal.taps / 4) * 4;
  return [
    sourceWidth * step.height * 4,
    step.width * step.height * 4,
    vertical.starts.byteLength,
    vertical.weights.byteLength,
    horizontal.starts.byteLength,
    step.width * paddedTaps * 4,
  ];
}

/** Runs one resize laid out by resizeSizes (vertical pass first) and returns where its output is. */
function runResize(
  wasm: RenderExports,
  source: number,
  sourceWidth: number,
  step: ResizeStep,
  offsets: number[],
): number {
  if (!step.tables) return source;
  const { horizontal, vertical } = step.tables;
  const padded = padTaps(horizontal, sourceWidth);
  const [intermediate, target, verticalStarts, verticalWeights, horizontalStarts, horizontalWeights] = offsets as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  place(wasm, verticalStarts, vertical.starts);
  place(wasm, verticalWeights, vertical.weights);
  place(wasm, horizontalStarts, padded.starts);
  place(wasm, horizontalWeights, padded.weights);
  wasm.resizeVertical(source, sourceWidth, step.height, verticalStarts, verticalWeights, vertical.taps, intermediate);
  wasm.resizeHorizontal(
    intermediate,
    sourceWidth,
    step.height,
    horizontalStarts,
    horizontalWeights,
    padded.taps,
    target,
    step.width,
  );
  return target;
}

/**
 * Resamples rows of `width` floats with the given tables (one entry per output column and per output row), vertical
 * pass first, in WebAssembly SIMD (assembly/render.ts).
 */
export function resampleInWasm(
  values: Float32Array,
  width: number,
  horizontal: ResampleTable,
  vertical: ResampleTable,
): Float32Array {
  const wasm = kernels();
  const step: ResizeStep = {
    width: horizontal.starts.length,
    height: vertical.starts.length,
    tables: { horizontal, vertical },
  };
  const [source, ...resize] = layOut(wasm, [values.byteLength, ...resizeSizes(width, step)]) as [number, ...number[]];
  place(wasm, source, values);
  return floatsAt(wasm, runResize(wasm, source, width, step, resize), step.width * step.height);
}

/**
 * The importer's whole per-pixel path for grayscale in one visit to WebAssembly, with no copies in between: the
 * linear window, the resize to the model size, letterboxing onto a black `canvasSize` square and 8-bit grey levels,
 * then the thumbnail resized from the fitted image. Gives what windowInWasm, resampleInWasm and JavaScript's
 * quantising give one after the other, level for level (tested).
 */
export function renderLinearInWasm(
  values: StoredSamples,
  width: number,
  height: number,
  window: LinearWindow,
  fit: ResizeStep,
  canvasSize: number,
  thumbnail: ResizeStep,
): { canvas: Uint8Array; thumbnail: Uint8Array } {
  const wasm = kernels();
  const count = width * height;
  const sizes = [
    values.byteLength,
    count * 4,
    canvasSize * canvasSize,
    thumbnail.width * thumbnail.height,
    ...resizeSizes(width, fit),
    ...resizeSizes(fit.width, thumbnail),
  ];
  const [input, windowed, canvas, thumbnailBytes, ...resizes] = layOut(wasm, sizes) as [
    number,
    number,
    number,
    number,
    ...number[],
  ];
  new Uint8Array(wasm.memory.buffer).fill(0, canvas, canvas + canvasSize * canvasSize);
  place(wasm, input, values);
  wasm.windowLinear(input, count, sampleKind(values), window.gain, window.offset, window.inverted, windowed);
  const fitted = runResize(wasm, windowed, width, fit, resizes.slice(0, 6));
  const left = Math.floor((canvasSize - fit.width) / 2);
  const top = Math.floor((canvasSize - fit.height) / 2);
  wasm.quantise(fitted, fit.width, fit.height, canvas + top * canvasSize + left, canvasSize);
  const small = runResize(wasm, fitted, fit.width, thumbnail, resizes.slice(6));
  wasm.quantise(small, thumbnail.width, thumbnail.height, thumbnailBytes, thumbnail.width);
  const memory = new Uint8Array(wasm.memory.buffer);
  return {
    canvas: memory.slice(canvas, canvas + canvasSize * canvasSize),
    thumbnail: memory.slice(thumbnailBytes, thumbnailBytes + thumbnail.width * thumbnail.height),
  };
}

/** clamp(value · gain + offset, 0, 1) per sample, inverted when asked (the linear VOI function; assembly/render.ts). */
export function windowInWasm(values: StoredSamples, gain: number, offset: number, inverted: boolean): Float32Array {
  const wasm = kernels();
  const [input, output] = layOut(wasm, [values.byteLength, values.length * 4]) as [number, number];
  place(wasm, input, values);
  wasm.windowLinear(input, values.length, sampleKind(values), gain, offset, inverted, output);
  return floatsAt(wasm, output, values.length);
}

/**
 * 16-bit samples keeping their low `bits`, sign-extended when `signed` (assembly/render.ts): about a third of the
 * time of the plain JavaScript loop on a 470² film, copies in and out included.
 */
export function keepStoredBitsInWasm(words: Uint16Array, bits: number, signed: boolean): Uint16Array | Int16Array {
  const wasm = kernels();
  const [area] = layOut(wasm, [words.byteLength]) as [number];
  place(wasm, area, words);
  wasm.keepStoredBits16(area, words.length, bits, signed);
  const bytes = new Uint8Array(wasm.memory.buffer).slice(area, area + words.byteLength);
  return signed ? new Int16Array(bytes.buffer) : new Uint16Array(bytes.buffer);
}

/**
 * Unpacks the PackBits segments of one RLE frame (checked by the caller) into `outputBytes` bytes, each segment into
 * every `stride`-th byte from its first; says how many pixels each wrote (assembly/render.ts).
 */
export function unpackRleInWasm(
  encoded: Uint8Array,
  segments: RleSegment[],
  stride: number,
  pixels: number,
  outputBytes: number,
): { output: Uint8Array; written: number[] } {
  const wasm = kernels();
  const [input, output] = layOut(wasm, [encoded.length, outputBytes]) as [number, number];
  place(wasm, input, encoded);
  const memory = new Uint8Array(wasm.memory.buffer);
  memory.fill(0, output, output + outputBytes);
  const written = segments.map((segment) =>
    wasm.unpackRleSegment(input, segment.start, segment.end, output + segment.firstOutputByte, stride, pixels),
  );
  return { output: memory.slice(output, output + outputBytes), written };
}
