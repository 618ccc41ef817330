// Search's part of the API contract.
import { z } from 'zod';
import { NoInput } from './inputs.js';
import { Job } from './jobs.js';
import { ModelRecord } from './models.js';
import { StudyFilter } from './study-filter.js';

export const searchModes = ['semantic', 'lexical', 'hybrid'] as const;

/** Study filters plus the image's view; all optional. */
export const SearchFilter = StudyFilter;
export type SearchFilter = z.infer<typeof SearchFilter>;

export const SearchRequest = z.strictObject({
  /** Free text as a clinician would type it, or a whole report pasted in. */
  text: z.string().max(20_000),
  mode: z.enum(searchModes).default('hybrid'),
  k: z.number().int().min(1).max(1000).default(20),
  /**
   * Hybrid only: 1 = semantic ranking alone, 0 = lexical alone (reciprocal-rank fusion weights). The default favours
   * report words, which were far more precise than the CPU model's embeddings on the demo library (bench/RESULTS.md);
   * a stronger model deserves a higher weight.
   */
  semanticWeight: z.number().min(0).max(1).default(0.2),
  filter: SearchFilter.default({}),
  /**
   * Images found by meaning alone are results only above the model's calibrated similarity (`calibrated`); `none`
   * shows the nearest ones whatever their similarity, to look at how a model ranks (hybrid search still adds none from
   * a model no better than chance).
   */
  meaningCutOff: z.enum(['calibrated', 'none']).default('calibrated'),
  /**
   * A study is one result, by its best-placed image: its other views or slices share its report and would crowd the
   * list (a CT series matched by report words is hundreds of images). False lists every image.
   */
  onePerStudy: z.boolean().default(true),
  /**
   * The model that encodes the query; left out, the one chosen with `search.chooseModel`, else the newest model that
   * has embedded the library.
   */
  modelId: z.string().min(1).max(100).optional(),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export const SimilarRequest = z.strictObject({
  imageId: z.number().int().positive(),
  k: z.number().int().min(1).max(1000).default(20),
  filter: SearchFilter.default({}),
  modelId: z.string().min(1).max(100).optional(),
});

/** Why a result matched: its place and score in each ranking it came from, and the report terms that matched. */
export const MatchReason = z.object({
  semantic: z.object({ rank: z.number().int(), similarity: z.number() }).nullable(),
  lexical: z
    .object({
      rank: z.number().int(),
      score: z.number(),
      matchedTerms: z.array(z.string()),
      /** An excerpt of the report around the matches, and the [start, end) character ranges to highlight in it. */
      snippet: z.string(),
      highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
    })
    .nullable(),
});
export type MatchReason = z.infer<typeof MatchReason>;

export const SearchResult = z.object({
  imageId: z.number().int(),
  studyId: z.number().int(),
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  sopInstanceUid: z.string(),
  accessionNumber: z.string().nullable(),
  patientPseudonym: z.string(),
  studyDate: z.string().nullable(),
  modality: z.string().nullable(),
  bodyPart: z.string().nullable(),
  viewPosition: z.string().nullable(),
  score: z.number(),
  why: MatchReason,
});
export type SearchResult = z.infer<typeof SearchResult>;

/** How far a model's matches by meaning can be trusted, from its held-out test split. */
export const MeaningQuality = z.object({
  recallAt10: z.number().nullable(),
  chanceAt10: z.number().nullable(),
  testPairs: z.number().int(),
  /** Clearly better than chance (at least 2×, p < 0.01): only then does hybrid search add images by meaning alone. */
  trusted: z.boolean(),
  /** In plain words, for the screen. */
  statement: z.string(),
});
export type MeaningQuality = z.infer<typeof MeaningQuality>;

export const SearchResponse = z.object({
  results: z.array(SearchResult),
  /** How the results were found: by report words (with or without meaning's ranking) and by meaning alone. */
  counts: z.object({ wordMatches: z.number().int(), meaningOnly: z.number().int() }),
  /**
   * The model that read the query, how far it can be trusted, and the similarity an image needed to be found by meaning
   * alone for this query: as close as the median image whose report matched the words (and above what 5% of pairs of
   * a report and an image of another study reach), or without word matches what only 1% of such pairs reach. Null
   * without a model.
   */
  meaning: z
    .object({
      quality: MeaningQuality,
      minimumSimilarity: z.number().nullable(),
      /**
       * How well the query's vector ranks its own report-word matches above the other reported images (AUROC); below
       * 0.8 meaning adds no image of its own. Null without word matches.
       */
      wordAgreement: z.number().nullable(),
    })
    .nullable(),
  mode: z.enum(searchModes),
  /** What the query was read as: terms searched in reports (synonyms added), terms it asks to be absent. */
  interpreted: z.object({
    terms: z.array(z.string()),
    excludedTerms: z.array(z.string()),
    /**
     * The query's words that the model's image side predicts (word prediction), whose evidence ranked the images
     * found by meaning beside the cosine; empty where it reads none of them, or in lexical mode.
     */
    imageWords: z.array(z.string()),
  }),
  /** Things the user should know: the query was cut, had only stop-words, semantic search is unavailable… */
  notices: z.array(z.string()),
  modelId: z.string().nullable(),
  milliseconds: z.number(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const Cohort = z.object({
  id: z.number().int(),
  name: z.string(),
  query: z.record(z.string(), z.unknown()),
  size: z.number().int(),
  createdAt: z.string(),
});
export type Cohort = z.infer<typeof Cohort>;

export const CohortMember = z.object({
  rank: z.number().int(),
  score: z.number(),
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  sopInstanceUid: z.string(),
  accessionNumber: z.string().nullable(),
  patientPseudonym: z.string(),
});
export type CohortMember = z.infer<typeof CohortMember>;

export const ReportMatch = z.object({
  reportId: z.number().int(),
  studyId: z.number().int().nullable(),
  similarity: z.number(),
  excerpt: z.string(),
  /** Whether the report belongs to the image's own study. */
  ownStudy: z.boolean(),
});
export type ReportMatch = z.infer<typeof ReportMatch>;

export const searchApiMethods = {
  'search.query': {
    input: SearchRequest,
    output: SearchResponse,
    summary:
      "Images by free text: semantic (the model's text encoder), lexical (report words, negation-aware) or hybrid, with filters; each result says why it matched.",
  },
  'search.similar': {
    input: SimilarRequest,
    output: SearchResponse,
    summary: 'Images most like one image of the library.',
  },
  'search.reportsForImage': {
    input: z.strictObject({
      imageId: z.number().int().positive(),
      k: z.number().int().min(1).max(100).default(5),
      modelId: z.string().min(1).max(100).optional(),
    }),
    output: z.array(ReportMatch),
    summary: "The reports nearest to an image in the model's shared space (image → reports).",
  },
  'search.index': {
    input: z.strictObject({ modelId: z.string().min(1).max(100).optional() }),
    output: z.object({
      modelId: z.string(),
      dimension: z.number().int(),
      images: z.number().int(),
      reports: z.number().int(),
      buildMilliseconds: z.number(),
    }),
    summary: 'Build or bring up to date the vector index of a model (the search model by default).',
  },
  'search.embedLibrary': {
    input: z.strictObject({ modelId: z.string().min(1).max(100).optional() }),
    output: Job,
    summary:
      'Embed the images and reports a model has not seen yet (imported after its training) and update its vector index; runs after every import by itself.',
  },
  'search.model': {
    input: NoInput,
    output: z.object({ modelId: z.string().nullable(), chosen: z.boolean() }),
    summary:
      'The model searches use unless told otherwise, and whether the researcher chose it (else it is the newest with embeddings).',
  },
  'search.chooseModel': {
    input: z.strictObject({ modelId: z.string().min(1).max(100) }),
    output: ModelRecord,
    summary: 'Make a model with embeddings the one searches use and new imports are embedded by.',
  },
  'cohorts.save': {
    input: z.strictObject({
      name: z.string().trim().min(1).max(200),
      query: z.record(z.string(), z.unknown()).default({}),
      members: z
        .array(z.strictObject({ imageId: z.number().int().positive(), score: z.number() }))
        .min(1)
        .max(100_000),
    }),
    output: Cohort,
    summary: 'Save a result set as a named cohort.',
  },
  'cohorts.list': { input: NoInput, output: z.array(Cohort), summary: 'Saved cohorts, newest first.' },
  'cohorts.members': {
    input: z.strictObject({ cohortId: z.number().int().positive() }),
    output: z.array(CohortMember),
    summary:
      "A cohort's images with study/series/instance UIDs, accession number, pseudonymised patient and score: the export rows.",
  },
} as const;
