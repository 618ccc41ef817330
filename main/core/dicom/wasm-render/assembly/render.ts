// The importer's per-pixel work in WebAssembly SIMD, in AssemblyScript (compiled by scripts/build-wasm.js): the VOI
// window and two resizes run on every imported image, and their JavaScript loops took ~2.6 ms of the ~6.6 ms an
// uncompressed image costs (bench/RESULTS.md).
//
// Addresses are byte offsets into this module's own memory, laid out by main/core/dicom/wasm-render/wasm-render.ts.
// Tables: for each output sample the first source index (i32) and `taps` weights (f32). The horizontal table's taps
// are padded to a multiple of 4 with zero weights; only rows narrower than that read past their end, so the caller
// leaves 16 zeroed bytes after the source.

/** target[row] = Σ_t weight[row][t] · source[start[row] + t], whole rows of `width` floats at a time. */
export function resizeVertical(source: usize, width: i32, targetRows: i32, starts: usize, weights: usize, taps: i32, target: usize): void {
  const rowBytes = <usize>width * 4;
  const vectorColumns = width & ~3;
  for (let row = 0; row < targetRows; row++) {
    const first = source + <usize>load<i32>(starts + <usize>row * 4) * rowBytes;
    const rowWeights = weights + <usize>(row * taps) * 4;
    const output = target + <usize>row * rowBytes;
    for (let column = 0; column < vectorColumns; column += 4) {
      let sum = f32x4.splat(0);
      let input = first + <usize>column * 4;
      for (let tap = 0; tap < taps; tap++) {
        sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(rowWeights + <usize>tap * 4), v128.load(input)));
        input += rowBytes;
      }
      v128.store(output + <usize>column * 4, sum);
    }
    for (let column = vectorColumns; column < width; column++) {
      let sum: f32 = 0;
      for (let tap = 0; tap < taps; tap++) sum += load<f32>(rowWeights + <usize>tap * 4) * load<f32>(first + <usize>tap * rowBytes + <usize>column * 4);
      store<f32>(output + <usize>column * 4, sum);
    }
  }
}

/** target[row][column] = Σ_t weight[column][t] · source[row][start[column] + t], four taps per SIMD product. */
export function resizeHorizontal(source: usize, sourceWidth: i32, rows: i32, starts: usize, weights: usize, paddedTaps: i32, target: usize, targetWidth: i32): void {
  for (let row = 0; row < rows; row++) {
    const input = source + <usize>(row * sourceWidth) * 4;
    const output = target + <usize>(row * targetWidth) * 4;
    for (let column = 0; column < targetWidth; column++) {
      let pixels = input + <usize>load<i32>(starts + <usize>column * 4) * 4;
      let columnWeights = weights + <usize>(column * paddedTaps) * 4;
      let sum = f32x4.splat(0);
      for (let tap = 0; tap < paddedTaps; tap += 4) {
        sum = f32x4.add(sum, f32x4.mul(v128.load(columnWeights), v128.load(pixels)));
        pixels += 16;
        columnWeights += 16;
      }
      store<f32>(output + <usize>column * 4, f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3)));
    }
  }
}

/**
 * output[i] = clamp(input[i] · gain + offset, 0, 1), or 1 minus that when `inverted` (MONOCHROME1): the linear VOI
 * function of PS3.3 C.11.2.1.2.1 with the modality rescale folded in. Input is i32 samples, or f32 for float pixel data.
 */
export function windowLinear(input: usize, count: i32, inputIsFloat: bool, gain: f32, offset: f32, inverted: bool, output: usize): void {
  const gains = f32x4.splat(gain);
  const offsets = f32x4.splat(offset);
  const zeros = f32x4.splat(0);
  const ones = f32x4.splat(1);
  const vectorCount = count & ~3;
  for (let index = 0; index < vectorCount; index += 4) {
    const address = <usize>index * 4;
    const samples = inputIsFloat ? v128.load(input + address) : f32x4.convert_i32x4_s(v128.load(input + address));
    const clamped = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(samples, gains), offsets), zeros), ones);
    v128.store(output + address, inverted ? f32x4.sub(ones, clamped) : clamped);
  }
  for (let index = vectorCount; index < count; index++) {
    const address = <usize>index * 4;
    const sample: f32 = inputIsFloat ? load<f32>(input + address) : <f32>load<i32>(input + address);
    const clamped = min(max(sample * gain + offset, <f32>0), <f32>1);
    store<f32>(output + address, inverted ? 1 - clamped : clamped);
  }
}

/**
 * target[row · stride + column] = grey level of source[row · width + column] (a value in [0, 1]): truncate(v · 255 +
 * 0.5), computed in f64 as JavaScript's typed-array assignment does, so this and the JavaScript path agree to the level.
 */
export function quantise(source: usize, width: i32, height: i32, target: usize, stride: i32): void {
  for (let row = 0; row < height; row++) {
    const input = source + <usize>(row * width) * 4;
    const output = target + <usize>(row * stride);
    for (let column = 0; column < width; column++) {
      const level = <f64>load<f32>(input + <usize>column * 4) * 255.0 + 0.5;
      // NaN (from float pixel data) becomes 0, as in JavaScript; the comparison also keeps the conversion from trapping.
      store<u8>(output + <usize>column, level > 0 ? <u8><i32>level : 0);
    }
  }
}
