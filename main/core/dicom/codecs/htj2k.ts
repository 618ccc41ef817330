import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/** High-Throughput JPEG 2000 (OpenJPH). */
export const decodeHtj2k = (encoded: Uint8Array): Promise<DecodedCodecFrame> =>
  decodeWithWasmCodec('@cornerstonejs/codec-openjph/wasmjs', 'HTJ2KDecoder', encoded);
