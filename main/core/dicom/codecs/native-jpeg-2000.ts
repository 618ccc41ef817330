import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DecoderRoute } from '../../../../common/contract/index.js';
import { packageRoot } from '../../install-paths.js';
import type { DecodedCodecFrame } from './wasm-codec.js';

/** The optional addon built by `npm run build:native` (native/jpeg-2000/jpeg_2000.c). */
interface NativeJpeg2000 {
  /**
   * Refuses a stream whose own header disagrees with the stated size before allocating anything. A non-zero
   * `neededLongerSide` decodes the lowest resolution level whose longer side still has that many pixels.
   */
  decodeJpeg2000(
    encoded: Uint8Array,
    columns: number,
    rows: number,
    components: number,
    neededLongerSide?: number,
  ): DecodedCodecFrame;
  openjpegVersion(): string;
}

export const nativeJpeg2000AddonPath = path.join('native', 'jpeg-2000', 'build', 'jpeg_2000.node');

/** Loads the addon (loading decodes nothing, so any process may probe it) or says why it cannot. */
export function loadNativeJpeg2000(): { decoder: NativeJpeg2000 } | { unavailable: string } {
  if (process.env.UNISIGHT_NATIVE_JPEG2000 === '0') return { unavailable: 'turned off by UNISIGHT_NATIVE_JPEG2000=0' };
  const file = path.join(packageRoot, nativeJpeg2000AddonPath);
  if (!fs.existsSync(file))
    return {
      unavailable:
        'the optional OpenJPEG addon is not built (`npm run build:native`; needs a C compiler and libopenjp2-7-dev)',
    };
  try {
    return { decoder: createRequire(import.meta.url)(file) as NativeJpeg2000 };
  } catch (error) {
    return { unavailable: `the OpenJPEG addon at ${file} failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** How the importer's workers decode JPEG 2000 on this installation, and why. */
export function describeJpeg2000Route(): DecoderRoute {
  const loaded = loadNativeJpeg2000();
  if ('unavailable' in loaded) return { route: 'webassembly', reason: loaded.unavailable };
  return {
    route: 'native',
    reason: `the system's OpenJPEG ${loaded.decoder.openjpegVersion()} in import workers (WebAssembly elsewhere)`,
  };
}

let active: NativeJpeg2000 | null = null;

/**
 * Routes JPEG 2000 to the system's OpenJPEG in this process. Only the importer's worker processes call this: a native
 * decoder that crashes on a hostile file ends one worker there, while in the core it would end the app.
 */
export function useNativeJpeg2000(): DecoderRoute {
  const loaded = loadNativeJpeg2000();
  if ('unavailable' in loaded) return { route: 'webassembly', reason: loaded.unavailable };
  active = loaded.decoder;
  return { route: 'native', reason: `the system's OpenJPEG ${active.openjpegVersion()}` };
}

/** The native decoder when this process turned it on, else null (decode with WebAssembly). */
export function nativeJpeg2000(): NativeJpeg2000 | null {
  return active;
}
