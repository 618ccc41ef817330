import { describe, expect, it } from 'vitest';
import { keepStoredBitsInWasm } from '../../../../../main/core/dicom/wasm-render/wasm-render.js';

describe('keeping the stored bits of 16-bit samples (WebAssembly SIMD)', () => {
  // High bits set everywhere (as overlays in the unused bits would be), a length that leaves a scalar tail.
  const words = Uint16Array.from({ length: 8 * 37 + 5 }, (_, index) => (index * 40503 + 12345) & 0xffff);

  it.each([
    [12, false],
    [12, true],
    [10, true],
    [16, true],
    [15, false],
    [1, false],
    [1, true],
  ])('keeps %i bits (signed %s) as the shift-up-and-back formula does', (bits, signed) => {
    const kept = keepStoredBitsInWasm(words, bits, signed);
    expect(kept).toBeInstanceOf(signed ? Int16Array : Uint16Array);
    const shift = 32 - bits;
    const expected = Array.from(words, (word) => (signed ? (word << shift) >> shift : (word << shift) >>> shift));
    expect(Array.from(kept)).toEqual(expected);
    expect(words[0]).toBe(12345);
  });
});
