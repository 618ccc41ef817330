import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/** High-Throughput JPEG 2000 (OpenJPH); given `neededLongerSide`, at the lowest resolution level that still has it. */
export const decodeHtj2k = (encoded: Uint8Array, neededLongerSide?: number): Promise<DecodedCodecFrame> =>
  decodeWithWasmCodec('@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KDecoder', encoded, neededLongerSide);
