import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { decodeFrame } from '../../../../main/core/dicom/decode-frame.js';
import { DicomImportError, parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { transferSyntax } from '../../../../main/core/dicom/transfer-syntaxes.js';
import { listSampleFiles, sampleDicomDirectory } from '../../../support/dicom-samples.js';

const referenceToolsAvailable = (() => {
  try {
    execFileSync('dcmconv', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const referenceTools: Record<string, [string, ...string[]]> = {
  rle: ['dcmdrle'],
  'jpeg-baseline': ['dcmdjpeg'],
  'jpeg-extended': ['dcmdjpeg'],
  'jpeg-lossless': ['dcmdjpeg'],
  'jpeg-ls': ['dcmdjpls'],
  native: ['dcmconv', '+te'],
};

/**
 * dcmtk's own decode, written uncompressed: the reference our pixels must equal. dcmtk has no JPEG 2000 codec, so
 * GDCM (Debian libgdcm-tools, OpenJPEG inside) is the reference there.
 */
function referenceDecode(file: string, codec: string, scratch: string): { bytes: Uint8Array; tool: string } | null {
  const output = path.join(scratch, `${path.basename(file)}.ref.dcm`);
  const [tool, ...options] = referenceTools[codec] ?? ['gdcmconv', '--raw'];
  try {
    execFileSync(tool, [...options, file, output], { stdio: 'ignore', timeout: 30_000 });
    return { bytes: fs.readFileSync(output), tool };
  } catch {
    return null;
  }
}

/** pydicom's decode of frame 0 as int32 samples, the third opinion where dcmtk and GDCM disagree with us. */
function pydicomFrame(file: string, scratch: string): Int32Array | null {
  const output = path.join(scratch, `${path.basename(file)}.pydicom.raw`);
  try {
    execFileSync(
      '/usr/bin/python3',
      [path.join(import.meta.dirname, '../../../support/pydicom-frame.py'), file, output],
      { stdio: 'ignore', timeout: 30_000 },
    );
    const bytes = fs.readFileSync(output);
    return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  } catch {
    return null;
  }
}

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) return Number.POSITIVE_INFINITY;
  let largest = 0;
  for (let index = 0; index < left.length; index++) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

describe.skipIf(!referenceToolsAvailable)('pixel decoding against dcmtk on the real sample files', () => {
  const files = listSampleFiles().filter((file) => !/\.(txt|md|debian)$|COPYRIGHT|README|FileInfo/i.test(file));

  it('decodes every image dcmtk decodes to the same values, and reports the others clearly', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-reference-'));
    const report: string[] = [];
    let compared = 0;
    for (const file of files) {
      const name = path.relative(sampleDicomDirectory, file);
      let ours: Awaited<ReturnType<typeof decodeFrame>> | null = null;
      let ourError: string | null = null;
      let lossless = true;
      let codec = 'native';
      try {
        const parsed = parseDicomBytes(fs.readFileSync(file));
        lossless = transferSyntax(parsed.transferSyntaxUid)?.lossless ?? true;
        codec = transferSyntax(parsed.transferSyntaxUid)?.codec ?? 'native';
        const metadata = readDicomMetadata(parsed.dataSet);
        if (!metadata.image) throw new DicomImportError('skipped', 'no pixel data');
        ours = await decodeFrame(parsed, metadata.image, 0);
      } catch (error) {
        expect(error, `${name}: ${String(error)}`).toBeInstanceOf(DicomImportError);
        ourError = (error as Error).message;
      }
      const referenceFile = referenceDecode(file, codec, scratch);
      let reference: Awaited<ReturnType<typeof decodeFrame>> | null = null;
      if (referenceFile) {
        try {
          const parsed = parseDicomBytes(referenceFile.bytes);
          const metadata = readDicomMetadata(parsed.dataSet);
          if (metadata.image) reference = await decodeFrame(parsed, metadata.image, 0);
        } catch {
          reference = null;
        }
      }
      if (!reference) {
        report.push(`${name}: the reference tool gives no image; ours: ${ourError ?? 'decoded'}`);
        continue;
      }
      if (!ours) {
        report.push(`MISMATCH ${name}: ${referenceFile!.tool} decodes it, ours failed: ${ourError}`);
        continue;
      }
      const tolerance = lossless ? 0 : 3;
      let largest = largestDifference(ours.values, reference.values);
      let referenceName = referenceFile!.tool;
      if (largest > tolerance) {
        const second = pydicomFrame(file, scratch);
        if (second && largestDifference(ours.values, second) <= tolerance) {
          referenceName = `pydicom (${referenceFile!.tool} differs by ${largest})`;
          largest = largestDifference(ours.values, second);
        }
      }
      const ok = largest <= tolerance;
      report.push(
        `${ok ? 'ok' : 'MISMATCH'} ${name}: ${ours.width}×${ours.height}×${ours.samplesPerPixel} ${ours.photometricInterpretation}/${reference.photometricInterpretation} max|diff| ${largest}${lossless ? '' : ' (lossy)'} vs ${referenceName}`,
      );
      compared += 1;
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    console.log(report.join('\n'));
    expect(report.filter((line) => line.startsWith('MISMATCH'))).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(128);
  }, 300_000);
});
