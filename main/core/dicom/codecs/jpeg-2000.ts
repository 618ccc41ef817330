import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/** JPEG 2000 lossless and lossy (OpenJPEG); the inverse multi-component transform is applied by the codec. */
export const decodeJpeg2000 = (encoded: Uint8Array): Promise<DecodedCodecFrame> =>
  decodeWithWasmCodec('@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder', encoded);
