import { createRequire } from 'node:module';
import { reducedSide, resolutionReduction } from './resolution-reduction.js';
import { codestreamHeader } from './wavelet-levels.js';

const require = createRequire(import.meta.url);

/** The shape all four Cornerstone WASM decoders share. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  readHeader?(): void;
  /** The wavelet codecs (OpenJPEG, OpenJPH): decoding a lower resolution level. */
  decodeSubResolution?(level: number, layer: number): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete?(): void;
}

export interface DecodedCodecFrame {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
  bytes: Uint8Array;
  /** Resolution levels skipped (each halves both sides); absent or 0 for a full-size decode. */
  resolutionReduction?: number;
}

const modules = new Map<string, Promise<Record<string, new () => WasmDecoder>>>();

/**
 * Loads a codec's WASM module once per process (worker) and decodes one encoded frame with it; a wavelet codec given
 * `neededLongerSide` decodes the lowest resolution level whose longer side still has that many pixels.
 */
export async function decodeWithWasmCodec(
  moduleSpecifier: string,
  decoderClass: string,
  encoded: Uint8Array,
  neededLongerSide?: number,
): Promise<DecodedCodecFrame> {
  let loading = modules.get(moduleSpecifier);
  if (!loading) {
    const factory = require(moduleSpecifier) as (module: object) => Promise<Record<string, new () => WasmDecoder>>;
    // The codecs narrate every tile on stdout; failures still surface as exceptions.
    loading = factory({ print: () => undefined, printErr: () => undefined });
    modules.set(moduleSpecifier, loading);
  }
  const codec = await loading;
  const decoder = new codec[decoderClass]!();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    let reduction = 0;
    if (neededLongerSide && decoder.decodeSubResolution) {
      // The codestream's own markers say how many levels there are (this OpenJPEG build's readHeader leaves the
      // frame info empty until a decode).
      const header = codestreamHeader(encoded);
      if (header && !header.offsetOrigin)
        reduction = resolutionReduction(header.width, header.height, header.levels, neededLongerSide);
    }
    if (reduction > 0) decoder.decodeSubResolution!(reduction, 0);
    else decoder.decode();
    // The frame info keeps the full size after a reduced decode.
    const info = decoder.getFrameInfo();
    return {
      width: reducedSide(info.width, reduction),
      height: reducedSide(info.height, reduction),
      bitsPerSample: info.bitsPerSample,
      componentCount: info.componentCount,
      isSigned: Boolean(info.isSigned),
      bytes: decoder.getDecodedBuffer().slice(),
      resolutionReduction: reduction,
    };
  } finally {
    decoder.delete?.();
  }
}
