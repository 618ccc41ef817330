import { nativeJpeg2000 } from './native-jpeg-2000.js';
import { decodeWithWasmCodec, type DecodedCodecFrame } from './wasm-codec.js';

/**
 * JPEG 2000 lossless and lossy (OpenJPEG); the inverse multi-component transform is applied by the codec. The system's
 * OpenJPEG where this process turned it on (import workers), else Cornerstone's WebAssembly build of it. Given
 * `neededLongerSide`, either decodes the lowest resolution level that still has it (resolution-reduction.ts).
 */
export async function decodeJpeg2000(
  encoded: Uint8Array,
  columns: number,
  rows: number,
  components: number,
  neededLongerSide?: number,
): Promise<DecodedCodecFrame> {
  const native = nativeJpeg2000();
  if (native) return native.decodeJpeg2000(encoded, columns, rows, components, neededLongerSide ?? 0);
  return decodeWithWasmCodec('@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder', encoded, neededLongerSide);
}
