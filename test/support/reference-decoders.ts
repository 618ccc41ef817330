import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { debianPython } from './outside-tools.js';

/**
 * Decoders independent of ours, for pixel tests: neither reads a byte of the file through our parser. Each returns
 * frame 0 as integer samples (interleaved, stored bits masked and sign-extended), or null where it cannot decode it.
 */
export interface ReferenceFrame {
  tool: string;
  values: Int32Array;
}

/** pydicom's `pixel_array` (NumPy, with GDCM and Pillow for compressed syntaxes) for each file, in one Python run. */
export function pydicomFrames(files: string[], scratch: string): Array<ReferenceFrame | null> {
  const output = fs.mkdtempSync(path.join(scratch, 'pydicom-'));
  const script = path.join(import.meta.dirname, 'pydicom-frame.py');
  execFileSync(debianPython, [script, output, ...files], { stdio: 'ignore', timeout: 300_000 });
  return files.map((_, index) => {
    const file = path.join(output, `${index}.raw`);
    if (!fs.existsSync(file)) return null;
    const bytes = fs.readFileSync(file);
    return { tool: 'pydicom', values: new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) };
  });
}

/** dcmtk's decompressor for each codec; native files are only rewritten as explicit little endian. */
const dcmtkDecompressors: Record<string, [string, ...string[]]> = {
  native: ['dcmconv', '+te'],
  rle: ['dcmdrle'],
  'jpeg-baseline': ['dcmdjpeg'],
  'jpeg-extended': ['dcmdjpeg'],
  'jpeg-lossless': ['dcmdjpeg'],
  'jpeg-ls': ['dcmdjpls'],
};

/** The image pixel module as `dcmdump` prints it: "(0028,0010) US 512   #  2, 1 Rows". */
function dumpedNumber(dump: string, tag: string, fallback: number): number {
  const match = new RegExp(`^\\(${tag}\\) [A-Z]{2} \\[?(-?\\d+)`, 'm').exec(dump);
  return match ? Number(match[1]) : fallback;
}

/**
 * dcmtk's decode: the file decompressed by dcmtk (JPEG, JPEG-LS, RLE) or rewritten (native), then its pixel data
 * written raw by `dcmdump +W` and read back with the pixel module dcmdump prints. dcmtk has no JPEG 2000 codec.
 */
export function dcmtkFrame(file: string, codec: string, scratch: string): ReferenceFrame | null {
  const decompressor = dcmtkDecompressors[codec];
  if (!decompressor) return null;
  const [tool, ...options] = decompressor;
  const decompressed = path.join(scratch, `${path.basename(file)}.dcmtk.dcm`);
  const rawFolder = fs.mkdtempSync(path.join(scratch, 'dcmtk-raw-'));
  let dump: string;
  try {
    execFileSync(tool, [...options, file, decompressed], { stdio: 'ignore', timeout: 30_000 });
    dump = execFileSync('dcmdump', ['-q', '+W', rawFolder, decompressed], { encoding: 'utf8', timeout: 30_000 });
  } catch {
    return null;
  }
  const rawFiles = fs.readdirSync(rawFolder).filter((name) => name.endsWith('.raw'));
  if (rawFiles.length !== 1 || !/^\(7fe0,0010\) O[BW] /m.test(dump)) return null;
  const raw = fs.readFileSync(path.join(rawFolder, rawFiles[0]!));
  const rows = dumpedNumber(dump, '0028,0010', 0);
  const columns = dumpedNumber(dump, '0028,0011', 0);
  const samplesPerPixel = dumpedNumber(dump, '0028,0002', 1);
  const bitsAllocated = dumpedNumber(dump, '0028,0100', 0);
  const bitsStored = dumpedNumber(dump, '0028,0101', bitsAllocated);
  const highBit = dumpedNumber(dump, '0028,0102', bitsStored - 1);
  const signed = dumpedNumber(dump, '0028,0103', 0) === 1;
  const planar = dumpedNumber(dump, '0028,0006', 0) === 1;
  // dcmtk keeps pixel data as 16-bit words (OW), so 32-bit samples from a big-endian or RLE source come back with
  // their halves swapped: only 8- and 16-bit data are read back.
  if (rows === 0 || columns === 0 || ![8, 16].includes(bitsAllocated)) return null;
  const pixels = rows * columns;
  const count = pixels * samplesPerPixel;
  const bytesPerSample = bitsAllocated / 8;
  if (raw.length < count * bytesPerSample) return null;
  const shift = highBit + 1 - bitsStored;
  const values = new Int32Array(count);
  for (let index = 0; index < count; index++) {
    // `dcmdump +W` writes little endian whatever the data set's byte order was.
    const word = bytesPerSample === 1 ? raw[index]! : raw.readUInt16LE(index * 2);
    let sample = Math.floor(word / 2 ** shift) % 2 ** bitsStored;
    if (signed && sample >= 2 ** (bitsStored - 1)) sample -= 2 ** bitsStored;
    const target = planar ? (index % pixels) * samplesPerPixel + Math.floor(index / pixels) : index;
    values[target] = sample;
  }
  return { tool: 'dcmtk', values };
}
