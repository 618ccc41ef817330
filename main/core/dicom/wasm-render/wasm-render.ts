import { renderModule } from './render-binary.js';

/** Where each output sample reads from: the first source index and `taps` weights per output sample. */
export interface ResampleTable {
  starts: Int32Array;
  taps: number;
  weights: Float32Array;
}

interface RenderExports {
  memory: WebAssembly.Memory;
  resizeVertical(source: number, width: number, targetRows: number, starts: number, weights: number, taps: number, target: number): void;
  resizeHorizontal(source: number, sourceWidth: number, rows: number, starts: number, weights: number, paddedTaps: number, target: number, targetWidth: number): void;
  windowLinear(input: number, count: number, inputIsFloat: boolean, gain: number, offset: number, inverted: boolean, output: number): void;
}

let instance: RenderExports | null = null;

function kernels(): RenderExports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(renderModule, 'base64'))).exports as unknown as RenderExports;
  return instance;
}

/** Areas of the module's memory for one call: byte sizes in, 16-byte aligned offsets out, each with 16 zeroed bytes after it. */
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

function place(wasm: RenderExports, offset: number, data: Float32Array | Int32Array): void {
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

/**
 * Resamples rows of `width` floats with the given tables (one entry per output column and per output row), vertical
 * pass first, in WebAssembly SIMD (assembly/render.ts).
 */
export function resampleInWasm(values: Float32Array, width: number, horizontal: ResampleTable, vertical: ResampleTable): Float32Array {
  const wasm = kernels();
  const [targetWidth, targetHeight] = [horizontal.starts.length, vertical.starts.length];
  const padded = padTaps(horizontal, width);
  const sizes = [values.byteLength, width * targetHeight * 4, targetWidth * targetHeight * 4, vertical.starts.byteLength, vertical.weights.byteLength, padded.starts.byteLength, padded.weights.byteLength];
  const [source, intermediate, target, verticalStarts, verticalWeights, horizontalStarts, horizontalWeights] = layOut(wasm, sizes) as [number, number, number, number, number, number, number];
  place(wasm, source, values);
  place(wasm, verticalStarts, vertical.starts);
  place(wasm, verticalWeights, vertical.weights);
  place(wasm, horizontalStarts, padded.starts);
  place(wasm, horizontalWeights, padded.weights);
  wasm.resizeVertical(source, width, targetHeight, verticalStarts, verticalWeights, vertical.taps, intermediate);
  wasm.resizeHorizontal(intermediate, width, targetHeight, horizontalStarts, horizontalWeights, padded.taps, target, targetWidth);
  return floatsAt(wasm, target, targetWidth * targetHeight);
}

/** clamp(value · gain + offset, 0, 1) per sample, inverted when asked (the linear VOI function; assembly/render.ts). */
export function windowInWasm(values: Int32Array | Float32Array, gain: number, offset: number, inverted: boolean): Float32Array {
  const wasm = kernels();
  const [input, output] = layOut(wasm, [values.byteLength, values.length * 4]) as [number, number];
  place(wasm, input, values);
  wasm.windowLinear(input, values.length, values instanceof Float32Array, gain, offset, inverted, output);
  return floatsAt(wasm, output, values.length);
}
