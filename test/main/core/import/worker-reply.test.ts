import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendToPack } from '../../../../main/core/import/cache-pack.js';
import { WorkerReply } from '../../../../main/core/import/worker-reply.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('what the core accepts from an import worker', () => {
  const library = temporaryLibrary();
  afterAll(() => library.remove());
  const stored = appendToPack(library.path, new Uint8Array(16));
  const image = {
    taskId: 1,
    peakResidentBytes: 50_000_000,
    result: {
      path: '/export/IM1',
      sha256: 'ab'.repeat(32),
      outcome: 'image',
      metadata: {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
        sopInstanceUid: '2.25.1',
        studyInstanceUid: '2.25.2',
        seriesInstanceUid: '2.25.3',
        patientId: 'P',
        patientName: 'N',
        patientSex: null,
        studyDate: '20200101',
        accessionNumber: 'A',
        studyDescription: null,
        seriesDescription: null,
        seriesNumber: 1,
        instanceNumber: 1,
        modality: 'DX',
        bodyPartExamined: 'CHEST',
        viewPosition: 'PA',
        specificCharacterSet: null,
        hasPixelData: true,
      },
      image: {
        rows: 4,
        columns: 4,
        samplesPerPixel: 1,
        bitsAllocated: 16,
        bitsStored: 12,
        highBit: 11,
        pixelRepresentation: 0,
        photometricInterpretation: 'MONOCHROME2',
        planarConfiguration: 0,
        numberOfFrames: 1,
        rescaleSlope: 1,
        rescaleIntercept: 0,
        windowCenter: null,
        windowWidth: null,
        floatPixelData: false,
      },
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      representativeFrame: 0,
      modelImagePath: stored.path,
      modelImageOffset: stored.offset,
      thumbnailPath: stored.path,
      thumbnailOffset: 16,
      thumbnailWidth: 160,
      thumbnailHeight: 120,
    },
  };

  it('takes a reply whose cache places are packs this code names', () => {
    expect(WorkerReply.safeParse(image).success).toBe(true);
    expect(WorkerReply.safeParse({ stopping: true, peakResidentBytes: 1 }).success).toBe(true);
  });

  it.each([
    ['a model image outside the cache', { modelImagePath: path.join('..', '..', 'etc', 'passwd') }],
    ['a thumbnail in another cache folder', { thumbnailPath: path.join('cache', 'other', path.basename(stored.path)) }],
    ['an absolute path', { modelImagePath: path.join(library.path, stored.path) }],
    ['a negative offset', { thumbnailOffset: -1 }],
    ['a field the core does not know', { extra: 1 }],
  ])('refuses %s', (_what, change) => {
    expect(WorkerReply.safeParse({ ...image, result: { ...image.result, ...change } }).success).toBe(false);
  });
});
