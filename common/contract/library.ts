// The catalogue: studies, their images and reports, rendered images and DICOM tags.
import { z } from 'zod';
import { NoInput } from './inputs.js';
import { StudyFilter } from './study-filter.js';

export const LibrarySummary = z.object({
  patients: z.number().int(),
  studies: z.number().int(),
  series: z.number().int(),
  images: z.number().int(),
  reports: z.number().int(),
  unmatchedReports: z.number().int(),
  studiesWithoutReports: z.number().int(),
  labels: z.number().int(),
  modalities: z.array(z.string()),
  bodyParts: z.array(z.string()),
  labelTasks: z.array(z.string()),
  /** Each task's stored values with how many studies carry each, so a filter offers them rather than asking. */
  labelValues: z.record(z.string(), z.array(z.object({ value: z.string(), studies: z.number().int() }))),
  viewPositions: z.array(z.string()),
  /** Fine-tuned classifiers whose predictions are stored, newest first: the prediction filter offers them. */
  classifiers: z.array(
    z.object({ runId: z.string(), name: z.string(), task: z.string(), predictedClasses: z.array(z.string()) }),
  ),
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

export const StudyListItem = z.object({
  id: z.number().int(),
  studyInstanceUid: z.string(),
  patientPseudonym: z.string(),
  studyDate: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  description: z.string().nullable(),
  modalities: z.string().nullable(),
  bodyParts: z.string().nullable(),
  imageCount: z.number().int(),
  firstImageId: z.number().int().nullable(),
  hasReport: z.boolean(),
  /** Under a classifier filter: the highest score that classifier gave an image of the study (of the class chosen). */
  predictionScore: z.number().nullable().optional(),
});
export type StudyListItem = z.infer<typeof StudyListItem>;

export const StudyDetail = z.object({
  study: StudyListItem,
  images: z.array(
    z.object({
      id: z.number().int(),
      sopInstanceUid: z.string(),
      seriesInstanceUid: z.string(),
      seriesNumber: z.number().int().nullable(),
      seriesDescription: z.string().nullable(),
      /** The image's place in its series (Instance Number); the images come ordered by series, then by this. */
      instanceNumber: z.number().int().nullable(),
      modality: z.string().nullable(),
      bodyPart: z.string().nullable(),
      viewPosition: z.string().nullable(),
      rows: z.number().int(),
      columns: z.number().int(),
      numberOfFrames: z.number().int(),
      transferSyntaxUid: z.string(),
      /** The transfer syntax's name ("JPEG 2000 Lossless"), or the UID when it is not one the importer knows. */
      transferSyntaxName: z.string(),
      photometricInterpretation: z.string(),
      windowCenter: z.number().nullable(),
      windowWidth: z.number().nullable(),
    }),
  ),
  reports: z.array(z.object({ id: z.number().int(), source: z.string(), sourcePath: z.string(), text: z.string() })),
  labels: z.array(z.object({ task: z.string(), value: z.string(), source: z.string() })),
});
export type StudyDetail = z.infer<typeof StudyDetail>;

/** One top-level element of an image's DICOM file, as the viewer's tag panel shows it. */
export const ImageTag = z.object({
  /** "(0010,0020)". */
  tag: z.string(),
  /** The data dictionary's keyword; null for a private or unknown tag. */
  name: z.string().nullable(),
  vr: z.string().nullable(),
  value: z.string(),
});
export type ImageTag = z.infer<typeof ImageTag>;

export const RenderedImage = z.object({
  dataUrl: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  windowCenter: z.number(),
  windowWidth: z.number(),
  defaultWindowCenter: z.number(),
  defaultWindowWidth: z.number(),
});
export type RenderedImage = z.infer<typeof RenderedImage>;

export const libraryApiMethods = {
  'library.summary': {
    input: NoInput,
    output: LibrarySummary,
    summary: 'Counts of what the library holds and the values its filters offer.',
  },
  'library.studies': {
    input: z.strictObject({
      filter: StudyFilter.default({}),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    output: z.object({ total: z.number().int(), studies: z.array(StudyListItem) }),
    summary: 'Studies matching the filters, newest first, a page at a time.',
  },
  'library.study': {
    input: z.strictObject({ studyId: z.number().int().positive() }),
    output: StudyDetail,
    summary: 'One study with its images, reports and labels.',
  },
  'library.thumbnail': {
    input: z.strictObject({ imageId: z.number().int().positive() }),
    output: z.object({ dataUrl: z.string() }),
    summary: 'A PNG thumbnail of one image as a data URL.',
  },
  'library.renderImage': {
    input: z.strictObject({
      imageId: z.number().int().positive(),
      windowCenter: z.number().finite().optional(),
      windowWidth: z.number().finite().positive().optional(),
      maximumSize: z.number().int().min(64).max(4096).default(1024),
    }),
    output: RenderedImage,
    summary: 'An image rendered from its DICOM file with a window (centre/width in modality units), as a PNG data URL.',
  },
  'library.imageTags': {
    input: z.strictObject({ imageId: z.number().int().positive() }),
    output: z.object({ tags: z.array(ImageTag), withheld: z.number().int() }),
    summary:
      "An image's DICOM attributes, named: the Patient ID as its pseudonym, names and the patient's identifying attributes withheld.",
  },
  'library.unmatchedReports': {
    input: z.strictObject({ limit: z.number().int().min(1).max(10_000).default(500) }),
    output: z.array(
      z.object({
        id: z.number().int(),
        source: z.string(),
        sourcePath: z.string(),
        matchKey: z.string().nullable(),
        excerpt: z.string(),
      }),
    ),
    summary: 'Reports no study was found for, with where they came from.',
  },
} as const;
