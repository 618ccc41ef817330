import { z } from 'zod';
import { cachePackPath } from './cache-pack.js';
import { failureKinds } from './failure-kind.js';
import type { ProcessFileResult } from './process-file.js';

// A worker process handles hostile files, with native decoders among them, so what it sends back is checked like any
// other untrusted input before the catalog takes it: a worker subverted by a file must not be able to point the
// catalog at files outside the library's cache.

const text = z.string().max(65_536);
const maybeText = text.nullable();
const maybeNumber = z.number().finite().nullable();

const Metadata = z.strictObject({
  sopClassUid: maybeText,
  sopInstanceUid: maybeText,
  studyInstanceUid: maybeText,
  seriesInstanceUid: maybeText,
  patientId: maybeText,
  patientName: maybeText,
  patientSex: maybeText,
  studyDate: maybeText,
  accessionNumber: maybeText,
  studyDescription: maybeText,
  seriesDescription: maybeText,
  seriesNumber: maybeNumber,
  instanceNumber: maybeNumber,
  modality: maybeText,
  bodyPartExamined: maybeText,
  viewPosition: maybeText,
  specificCharacterSet: maybeText,
  hasPixelData: z.boolean(),
});

const PixelDescription = z.strictObject({
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  samplesPerPixel: z.number().int(),
  bitsAllocated: z.number().int(),
  bitsStored: z.number().int(),
  highBit: z.number().int(),
  pixelRepresentation: z.number().int(),
  photometricInterpretation: text,
  planarConfiguration: z.number().int(),
  numberOfFrames: z.number().int().positive(),
  rescaleSlope: z.number().finite(),
  rescaleIntercept: z.number().finite(),
  windowCenter: maybeNumber,
  windowWidth: maybeNumber,
  floatPixelData: z.boolean(),
});

const CachePack = z.string().regex(cachePackPath);
const Place = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 40);

const facts = {
  path: text,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
};

export const WorkerFileResult: z.ZodType<ProcessFileResult> = z.discriminatedUnion('outcome', [
  z.strictObject({
    ...facts,
    outcome: z.literal('image'),
    metadata: Metadata,
    image: PixelDescription,
    transferSyntaxUid: text,
    representativeFrame: z.number().int().nonnegative(),
    modelImagePath: CachePack,
    modelImageOffset: Place,
    thumbnailPath: CachePack,
    thumbnailOffset: Place,
    thumbnailWidth: z.number().int().positive().max(4096),
    thumbnailHeight: z.number().int().positive().max(4096),
  }),
  z.strictObject({
    ...facts,
    outcome: z.literal('structured-report'),
    metadata: Metadata,
    text: z.string().max(16 * 1024 ** 2),
  }),
  z.strictObject({ ...facts, outcome: z.literal('report-text'), text: z.string().max(16 * 1024 ** 2) }),
  z.strictObject({ ...facts, outcome: z.literal('copy'), copyOf: text }),
  z.strictObject({
    ...facts,
    outcome: z.enum(['skipped', 'failed']),
    reason: text,
    failureKind: z.enum(failureKinds).optional(),
  }),
]);

/** What a worker process sends back: a file's result, or its last word before it ends when asked to stop. */
export const WorkerReply = z.union([
  z.strictObject({
    taskId: z.number().int().positive(),
    result: WorkerFileResult,
    /** The worker's peak resident set so far, so the import can report the memory of all its processes. */
    peakResidentBytes: z.number().nonnegative(),
  }),
  z.strictObject({ stopping: z.literal(true), peakResidentBytes: z.number().nonnegative() }),
]);
export type WorkerReply = z.infer<typeof WorkerReply>;
