import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomMetadata } from '../../../../main/core/dicom/dicom-metadata.js';
import { decodeFrame, type DecodedFrame } from '../../../../main/core/dicom/decode-frame.js';
import { DicomImportError, parseDicomBytes } from '../../../../main/core/dicom/read-dicom.js';
import { transferSyntax } from '../../../../main/core/dicom/transfer-syntaxes.js';
import { listSampleFiles, sampleDicomDirectory } from '../../../support/dicom-samples.js';
import { missingOutsideTool } from '../../../support/outside-tools.js';
import { dcmtkFrame, pydicomFrames, type ReferenceFrame } from '../../../support/reference-decoders.js';

const missing = missingOutsideTool(
  'pixel decoding against pydicom and dcmtk (reference-decode.test.ts)',
  'pydicom',
  'dcmtk',
);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-reference-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Sample files we refuse though a reference returns pixels for them, each checked by hand. */
const expectedRefusals: Record<string, string> = {
  'debian-python3-pydicom-2.3.1-1/test_files/JPEG2000-embedded-sequence-delimiter.dcm':
    'its SIZ marker declares 4,292,730,882 tiles, which OpenJPEG and GDCM refuse; pydicom returns noise for it',
  'debian-python3-pydicom-2.3.1-1/test_files/SC_rgb_jpeg.dcm':
    'its data set runs past the end of the file (dcmtk refuses it too); pydicom reads it leniently',
};

interface OurDecode {
  frame: DecodedFrame | null;
  error: string | null;
  codec: string;
  lossless: boolean;
}

async function decodeOurs(bytes: Uint8Array): Promise<OurDecode> {
  let codec = 'native';
  let lossless = true;
  try {
    const parsed = parseDicomBytes(bytes);
    codec = transferSyntax(parsed.transferSyntaxUid)?.codec ?? 'native';
    lossless = transferSyntax(parsed.transferSyntaxUid)?.lossless ?? true;
    const metadata = readDicomMetadata(parsed.dataSet);
    if (!metadata.image) throw new DicomImportError('skipped', 'no pixel data');
    return { frame: await decodeFrame(parsed, metadata.image, 0), error: null, codec, lossless };
  } catch (error) {
    if (!(error instanceof DicomImportError)) throw error;
    return { frame: null, error: error.message, codec, lossless };
  }
}

function largestDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  if (left.length !== right.length) return Number.POSITIVE_INFINITY;
  let largest = 0;
  for (let index = 0; index < left.length; index++) largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

/**
 * One log line: "ok" when some independent reference equals ours (within 3 grey levels for lossy syntaxes),
 * "MISMATCH" when references decode the image and none agrees, or ours fails where one decodes it.
 */
function judge(name: string, ours: OurDecode, references: ReferenceFrame[]): string {
  if (references.length === 0) return `${name}: no reference decodes it; ours: ${ours.error ?? 'decoded'}`;
  const tools = references.map((reference) => reference.tool).join(' and ');
  if (!ours.frame && expectedRefusals[name]) return `refused ${name}: ${ours.error}; ${expectedRefusals[name]}`;
  if (!ours.frame) return `MISMATCH ${name}: ${tools} decode it, ours failed: ${ours.error}`;
  const tolerance = ours.lossless ? 0 : 3;
  const differences = references.map((reference) => ({
    tool: reference.tool,
    largest: largestDifference(ours.frame!.values, reference.values),
  }));
  const verdict = differences.some((difference) => difference.largest <= tolerance) ? 'ok' : 'MISMATCH';
  const { width, height, samplesPerPixel, photometricInterpretation } = ours.frame;
  const against = differences.map((difference) => `${difference.tool} max|diff| ${difference.largest}`).join(', ');
  return `${verdict} ${name} (${ours.codec}${ours.lossless ? '' : ', lossy'}): ${width}×${height}×${samplesPerPixel} ${photometricInterpretation}; ${against}`;
}

function references(pydicom: ReferenceFrame | null, file: string, codec: string): ReferenceFrame[] {
  return [pydicom, dcmtkFrame(file, codec, scratch)].filter((reference) => reference !== null);
}

describe.skipIf(missing !== null)(
  'pixel decoding against independent decoders (pydicom, dcmtk) on the real sample files',
  () => {
    it('decodes every image a reference decodes to the same values, and reports the others clearly', async () => {
      const files = listSampleFiles().filter(
        (file) => !/\.(txt|md|debian)$|COPYRIGHT|README|FileInfo|LICENSE/i.test(file),
      );
      const report: string[] = [];
      const pydicom = pydicomFrames(files, scratch);
      for (const [index, file] of files.entries()) {
        const ours = await decodeOurs(fs.readFileSync(file));
        report.push(
          judge(path.relative(sampleDicomDirectory, file), ours, references(pydicom[index]!, file, ours.codec)),
        );
      }
      console.log(report.join('\n'));
      expect(report.filter((line) => line.startsWith('MISMATCH'))).toEqual([]);
      expect(report.filter((line) => line.startsWith('ok')).length).toBeGreaterThanOrEqual(130);
      expect(report.filter((line) => line.startsWith('refused'))).toHaveLength(Object.keys(expectedRefusals).length);
    }, 300_000);

    it('fails an uncompressed file whose pixels our side reads wrongly (one sample changed in our copy)', async () => {
      const original = path.join(sampleDicomDirectory, 'debian-python3-pydicom-2.3.1-1', 'test_files', 'CT_small.dcm');
      const bytes = fs.readFileSync(original);
      const independent = references(pydicomFrames([original], scratch)[0]!, original, 'native');
      expect(independent.map((reference) => reference.tool)).toEqual(['pydicom', 'dcmtk']);
      expect(judge('CT_small.dcm', await decodeOurs(bytes), independent)).toMatch(/^ok /);

      // CT_small is 16-bit little endian: flipping the lowest bit of its first sample's high byte moves it by 256.
      const corrupted = Buffer.from(bytes);
      const highByte = parseDicomBytes(bytes).dataSet.elements.x7fe00010!.dataOffset + 1;
      corrupted[highByte] = corrupted[highByte]! ^ 0x01;
      const line = judge('CT_small.dcm, corrupted', await decodeOurs(corrupted), independent);
      expect(line).toMatch(/^MISMATCH .*pydicom max\|diff\| 256, dcmtk max\|diff\| 256$/);
    });
  },
);
