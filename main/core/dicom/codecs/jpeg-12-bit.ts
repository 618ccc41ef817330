import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DecodedCodecFrame } from './wasm-codec.js';

interface JpegImage {
  parse(data: Uint8Array): void;
  colorTransform: boolean;
  width: number;
  height: number;
  components: unknown[];
  getData16(width: number, height: number): Uint16Array;
}

let loading: Promise<new () => JpegImage> | undefined;

/**
 * Cornerstone's DCT decoder is the only maintained JavaScript one that keeps 12-bit precision. The package does not
 * export it, so it is loaded by file; patches/ fixes its level shift for 12-bit samples (upstream adds 15 to every
 * value).
 */
function loadDecoder(): Promise<new () => JpegImage> {
  loading ??= (async () => {
    const packageFile = createRequire(import.meta.url).resolve('@cornerstonejs/dicom-image-loader/package.json');
    const module = (await import(
      pathToFileURL(path.join(path.dirname(packageFile), 'dist', 'esm', 'codecs', 'jpeg.js')).href
    )) as { default: new () => JpegImage };
    return module.default;
  })();
  return loading;
}

/** JPEG Extended (process 2 and 4) with 12-bit samples; 8-bit streams go to libjpeg-turbo instead. */
export async function decodeJpeg12Bit(encoded: Uint8Array): Promise<DecodedCodecFrame> {
  const JpegImage = await loadDecoder();
  const image = new JpegImage();
  try {
    image.parse(encoded);
  } catch (error) {
    // The decoder throws plain strings.
    throw new Error(String(error instanceof Error ? error.message : error), { cause: error });
  }
  image.colorTransform = false;
  const values = image.getData16(image.width, image.height);
  return {
    width: image.width,
    height: image.height,
    bitsPerSample: 12,
    componentCount: image.components.length,
    isSigned: false,
    bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}
