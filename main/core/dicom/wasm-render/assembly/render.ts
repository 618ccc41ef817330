// The importer's per-pixel work in WebAssembly (SIMD where it pays), in AssemblyScript (compiled by
// scripts/build-wasm.js): stored-bits masking, RLE segments, the VOI window, two resizes and 8-bit quantising run on
// every imported image, and their JavaScript loops took most of an uncompressed image's time (bench/RESULTS.md).
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

/** Σ_t weight[column][t] · row[start[column] + t] for one output column, as four partial sums (one per lane). */
@inline
function partialSums(input: usize, starts: usize, weights: usize, paddedTaps: i32, column: i32): v128 {
  let pixels = input + <usize>load<i32>(starts + <usize>column * 4) * 4;
  let columnWeights = weights + <usize>(column * paddedTaps) * 4;
  let sum = f32x4.splat(0);
  for (let tap = 0; tap < paddedTaps; tap += 4) {
    sum = f32x4.add(sum, f32x4.mul(v128.load(columnWeights), v128.load(pixels)));
    pixels += 16;
    columnWeights += 16;
  }
  return sum;
}

/**
 * target[row][column] = Σ_t weight[column][t] · source[row][start[column] + t], four taps per SIMD product. Four
 * output columns are finished together: their partial sums are transposed and added, so one store writes four
 * outputs instead of three lane extractions and three scalar adds for each.
 */
export function resizeHorizontal(source: usize, sourceWidth: i32, rows: i32, starts: usize, weights: usize, paddedTaps: i32, target: usize, targetWidth: i32): void {
  const vectorColumns = targetWidth & ~3;
  for (let row = 0; row < rows; row++) {
    const input = source + <usize>(row * sourceWidth) * 4;
    const output = target + <usize>(row * targetWidth) * 4;
    for (let column = 0; column < vectorColumns; column += 4) {
      const first = partialSums(input, starts, weights, paddedTaps, column);
      const second = partialSums(input, starts, weights, paddedTaps, column + 1);
      const third = partialSums(input, starts, weights, paddedTaps, column + 2);
      const fourth = partialSums(input, starts, weights, paddedTaps, column + 3);
      // [a0+a2, b0+b2, a1+a3, b1+b3] for each pair, then the halves of both pairs added: [Σa, Σb, Σc, Σd].
      const firstPair = f32x4.add(v128.shuffle<f32>(first, second, 0, 4, 1, 5), v128.shuffle<f32>(first, second, 2, 6, 3, 7));
      const secondPair = f32x4.add(v128.shuffle<f32>(third, fourth, 0, 4, 1, 5), v128.shuffle<f32>(third, fourth, 2, 6, 3, 7));
      const sums = f32x4.add(v128.shuffle<f32>(firstPair, secondPair, 0, 1, 4, 5), v128.shuffle<f32>(firstPair, secondPair, 2, 3, 6, 7));
      v128.store(output + <usize>column * 4, sums);
    }
    for (let column = vectorColumns; column < targetWidth; column++) {
      const sum = partialSums(input, starts, weights, paddedTaps, column);
      store<f32>(output + <usize>column * 4, f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 2) + (f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 3)));
    }
  }
}

// Sample types windowLinear reads, as numbered by wasm-render.ts.
const samplesI32 = 0;
const samplesF32 = 1;
const samplesU16 = 2;
const samplesI16 = 3;
const samplesU8 = 4;
const samplesI8 = 5;

/** Four samples from `index` on, as f32. */
@inline
function loadFour(input: usize, index: i32, kind: i32): v128 {
  switch (kind) {
    case samplesF32:
      return v128.load(input + <usize>index * 4);
    case samplesU16:
      return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(v128.load64_zero(input + <usize>index * 2)));
    case samplesI16:
      return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(v128.load64_zero(input + <usize>index * 2)));
    case samplesU8:
      return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(input + <usize>index))));
    case samplesI8:
      return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(input + <usize>index))));
    default:
      return f32x4.convert_i32x4_s(v128.load(input + <usize>index * 4));
  }
}

@inline
function loadOne(input: usize, index: i32, kind: i32): f32 {
  switch (kind) {
    case samplesF32:
      return load<f32>(input + <usize>index * 4);
    case samplesU16:
      return <f32>load<u16>(input + <usize>index * 2);
    case samplesI16:
      return <f32>load<i16>(input + <usize>index * 2);
    case samplesU8:
      return <f32>load<u8>(input + <usize>index);
    case samplesI8:
      return <f32>load<i8>(input + <usize>index);
    default:
      return <f32>load<i32>(input + <usize>index * 4);
  }
}

/**
 * output[i] = clamp(input[i] · gain + offset, 0, 1), or 1 minus that when `inverted` (MONOCHROME1): the linear VOI
 * function of PS3.3 C.11.2.1.2.1 with the modality rescale folded in. Input is stored samples in the narrowest type
 * that holds them (8, 16 or 32-bit integers), or f32 for float pixel data; `kind` says which.
 */
export function windowLinear(input: usize, count: i32, kind: i32, gain: f32, offset: f32, inverted: bool, output: usize): void {
  const gains = f32x4.splat(gain);
  const offsets = f32x4.splat(offset);
  const zeros = f32x4.splat(0);
  const ones = f32x4.splat(1);
  const vectorCount = count & ~3;
  for (let index = 0; index < vectorCount; index += 4) {
    const clamped = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(loadFour(input, index, kind), gains), offsets), zeros), ones);
    v128.store(output + <usize>index * 4, inverted ? f32x4.sub(ones, clamped) : clamped);
  }
  for (let index = vectorCount; index < count; index++) {
    const clamped = min(max(loadOne(input, index, kind) * gain + offset, <f32>0), <f32>1);
    store<f32>(output + <usize>index * 4, inverted ? 1 - clamped : clamped);
  }
}

/**
 * target[row · stride + column] = grey level of source[row · width + column] (a value in [0, 1]): truncate(v · 255 +
 * 0.5), computed in f64 as JavaScript's typed-array assignment does (exactly: an f32 times 255 fits an f64's
 * mantissa), so this and the JavaScript path agree to the level. NaN (from float pixel data) becomes 0 in both.
 */
export function quantise(source: usize, width: i32, height: i32, target: usize, stride: i32): void {
  const scale = f64x2.splat(255.0);
  const half = f64x2.splat(0.5);
  const vectorColumns = width & ~3;
  for (let row = 0; row < height; row++) {
    const input = source + <usize>(row * width) * 4;
    const output = target + <usize>(row * stride);
    for (let column = 0; column < vectorColumns; column += 4) {
      const values = v128.load(input + <usize>column * 4);
      const upper = v128.shuffle<u32>(values, values, 2, 3, 0, 1);
      const low = i32x4.trunc_sat_f64x2_s_zero(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(values), scale), half));
      const high = i32x4.trunc_sat_f64x2_s_zero(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(upper), scale), half));
      const levels = v128.shuffle<u32>(low, high, 0, 1, 4, 5);
      const words = i16x8.narrow_i32x4_s(levels, levels);
      v128.store32_lane(output + <usize>column, i8x16.narrow_i16x8_u(words, words), 0);
    }
    for (let column = vectorColumns; column < width; column++) {
      const level = <f64>load<f32>(input + <usize>column * 4) * 255.0 + 0.5;
      store<u8>(output + <usize>column, level > 0 ? <u8><i32>level : 0);
    }
  }
}

/**
 * In place on `count` 16-bit samples: keep the low `bits` (the rest may hold overlays), sign-extended when `signed`.
 * Shifting the stored bits to the top of each lane and back both masks and sign-extends.
 */
export function keepStoredBits16(address: usize, count: i32, bits: i32, signed: bool): void {
  const shift = 16 - bits;
  const vectorCount = count & ~7;
  for (let index = 0; index < vectorCount; index += 8) {
    const at = address + <usize>index * 2;
    const top = i16x8.shl(v128.load(at), shift);
    v128.store(at, signed ? i16x8.shr_s(top, shift) : i16x8.shr_u(top, shift));
  }
  for (let index = vectorCount; index < count; index++) {
    const at = address + <usize>index * 2;
    const top = <i32>load<u16>(at) << (16 + shift);
    store<u16>(at, <u16>(signed ? top >> (16 + shift) : <i32>(<u32>top >>> (16 + shift))));
  }
}

/**
 * One PackBits segment of DICOM RLE (PS3.5 G.3.2): decodes input[start, end) into every `stride`-th byte of the
 * output from `target` on, at most `pixels` bytes, and returns how many it wrote (fewer: the segment ended early).
 * A run's value byte is read even at the segment's end, as the JavaScript decoder did (the caller leaves a zeroed
 * byte after the input).
 */
export function unpackRleSegment(input: usize, start: i32, end: i32, target: usize, stride: i32, pixels: i32): i32 {
  let position = start;
  let written = 0;
  let output = target;
  while (position < end && written < pixels) {
    const control = <i32>load<i8>(input + <usize>position);
    position++;
    if (control >= 0) {
      for (let count = 0; count <= control && position < end && written < pixels; count++, written++) {
        store<u8>(output, load<u8>(input + <usize>position));
        position++;
        output += <usize>stride;
      }
    } else if (control != -128) {
      const value = load<u8>(input + <usize>position);
      position++;
      for (let count = 0; count < 1 - control && written < pixels; count++, written++) {
        store<u8>(output, value);
        output += <usize>stride;
      }
    }
  }
  return written;
}
