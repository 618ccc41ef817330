import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/** JPEG-LS lossless and near-lossless (CharLS). */
export const decodeJpegLs = (encoded: Uint8Array): Promise<DecodedCodecFrame> =>
  decodeWithWasmCodec('@cornerstonejs/codec-charls/decodewasmjs', 'JpegLSDecoder', encoded);
