import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The shape all four Cornerstone WASM decoders share. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  readHeader?(): void;
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
}

const modules = new Map<string, Promise<Record<string, new () => WasmDecoder>>>();

/** Loads a codec's WASM module once per process (worker) and decodes one encoded frame with it. */
export async function decodeWithWasmCodec(
  moduleSpecifier: string,
  decoderClass: string,
  encoded: Uint8Array,
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
    decoder.decode();
    const info = decoder.getFrameInfo();
    return {
      width: info.width,
      height: info.height,
      bitsPerSample: info.bitsPerSample,
      componentCount: info.componentCount,
      isSigned: Boolean(info.isSigned),
      bytes: decoder.getDecodedBuffer().slice(),
    };
  } finally {
    decoder.delete?.();
  }
}
