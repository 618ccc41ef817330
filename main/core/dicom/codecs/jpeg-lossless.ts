import { Decoder } from 'jpeg-lossless-decoder-js';
import type { DecodedCodecFrame } from './wasm-codec.js';

/** JPEG lossless, process 14 (any predictor) and SV1. */
export function decodeJpegLossless(encoded: Uint8Array): DecodedCodecFrame {
  const decoder = new Decoder();
  // A Node Buffer's slice() is a view into a shared pool: copy into an ArrayBuffer of our own.
  const copy = new Uint8Array(encoded);
  const output = decoder.decode(copy.buffer, 0, copy.length) as Uint8Array | Uint16Array;
  const precision = decoder.precision ?? 8;
  return {
    width: decoder.xDim,
    height: decoder.yDim,
    bitsPerSample: precision,
    componentCount: decoder.numComp,
    isSigned: false,
    bytes: new Uint8Array(output.buffer, output.byteOffset, output.byteLength),
  };
}
