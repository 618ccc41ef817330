import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { ModelRecord } from '../../../common/contract/index.js';
import type {
  MatchReason,
  ReportMatch,
  SearchFilter,
  SearchRequest,
  SearchResponse,
  SearchResult,
} from '../../../common/contract/search.js';
import { libraryLabelRules } from '../labels/library-label-rules.js';
import { filterClause } from '../library/library-queries.js';
import type { ModelStore } from '../training/model-store.js';
import { affirmsExcluded, lexicalSearch, queryDenial, type LexicalHit } from './lexical-search.js';
import { meaningQuality } from '../../../common/meaning-quality.js';
import {
  meaningBar,
  minimumWordAgreement,
  unrelatedPairBars,
  wordAgreement,
  type UnrelatedPairBars,
} from './meaning-threshold.js';
import type { QueryEncoder } from './query-encoder.js';
import { parseQuery, semanticQueryTexts, type ParsedQuery } from './query-text.js';
import {
  queryWords,
  readReportWordHead,
  validationExamples,
  wordEvidence,
  wordEvidenceWeight,
  judgeWordHead,
  type QueryWords,
  type JudgedWordHead,
} from './word-evidence.js';
import { maximumNeighbours, type VectorIndex } from './vector-index.js';

/**
 * The cosine's nearest images that word evidence re-ranks: every image of a library up to this size. At 100,000
 * vectors finding them costs about 12 ms more than the nearest 20, and the evidence about 8 ms (bench/RESULTS.md);
 * re-ranking only the nearest 1,000 lost 0.02 of held-out Recall@10 on the demo library.
 */
const wordEvidenceCandidates = maximumNeighbours;

/** An image found by meaning: its cosine to the query, and the score it is ranked by where word evidence adds to it. */
interface SemanticHit {
  id: number;
  similarity: number;
  score?: number;
}

/** Reciprocal-rank fusion's constant (Cormack et al. 2009): ranks past the first few weigh about the same. */
const fusionConstant = 60;

interface Ranked {
  imageId: number;
  semantic: { rank: number; similarity: number } | null;
  lexical: (LexicalHit & { rank: number }) | null;
  score: number;
}

const resultColumns = `images.id AS imageId, studies.id AS studyId, studies.study_instance_uid AS studyInstanceUid,
  series.series_instance_uid AS seriesInstanceUid, images.sop_instance_uid AS sopInstanceUid, studies.accession_number AS accessionNumber,
  patients.pseudonym AS patientPseudonym, studies.study_date AS studyDate, series.modality AS modality, series.body_part AS bodyPart,
  images.view_position AS viewPosition`;

const imageJoins =
  'FROM images JOIN series ON series.id = images.series_id JOIN studies ON studies.id = series.study_id JOIN patients ON patients.id = studies.patient_id';

/**
 * Whether an image found by meaning alone (no report words) is a result: its similarity at or above the bar this query
 * set (`meaningBar`); no image when the bar is null (meaning adds nothing for this query). The researcher may lift the
 * cut-off to look at how the model ranks.
 */
function standsAlone(item: Ranked, bar: number | null, cutOff: SearchRequest['meaningCutOff']): boolean {
  if (!item.semantic) return false;
  if (cutOff === 'none') return true;
  return bar !== null && item.semantic.similarity >= bar;
}

/** The unit vector along the sum of unit vectors: their mean direction. */
function meanDirection(vectors: readonly Float32Array[]): Float32Array {
  const sum = new Float32Array(vectors[0]!.length);
  for (const vector of vectors) vector.forEach((value, index) => (sum[index]! += value));
  const norm = Math.hypot(...sum) || 1;
  return sum.map((value) => value / norm);
}

/** Semantic (the active model's text encoder and the vector index), lexical (FTS5 with negation) and hybrid search. */
export class SearchService {
  /** Per model and index build: computed once, from every vector of the library. */
  private readonly bars = new Map<string, UnrelatedPairBars | null>();
  /** Per model and index build: its word-prediction head judged on the validation images, or null without one. */
  private readonly wordHeads = new Map<string, JudgedWordHead | null>();
  private reportedImages: { key: string; ids: number[] } | null = null;

  constructor(
    private readonly database: Database.Database,
    private readonly models: ModelStore,
    private readonly index: VectorIndex,
    private readonly encoder: QueryEncoder,
    private readonly libraryPath: string,
  ) {}

  /**
   * The model that answers semantic queries: the one asked for, else the library's search model
   * (ModelStore.searchModel).
   */
  activeModel(modelId?: string): ModelRecord | null {
    if (modelId) return this.models.get(modelId);
    return this.models.searchModel()?.model ?? null;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const rules = libraryLabelRules(this.database);
    const query = parseQuery(request.text, rules);
    const notices = [...query.notices];
    const wanted = request.k;
    let model: ModelRecord | null = null;
    let meaning: SearchResponse['meaning'] = null;
    let semantic: SemanticHit[] = [];
    let queryVector: Float32Array | null = null;
    let bars: UnrelatedPairBars | null = null;
    let imageWords: string[] = [];
    // A query of stop-words and punctuation alone ("the and of") names nothing: meaning would only return the images
    // nearest to nothing in particular.
    const namesSomething = query.terms.length + query.excluded.length > 0;
    if (request.mode !== 'lexical' && namesSomething) {
      model = this.activeModel(request.modelId);
      if (!model)
        notices.push('No trained model with embeddings yet: semantic search needs one (Train). Lexical results only.');
      else {
        try {
          this.index.ensure(model);
          bars = this.unrelatedBars(model);
          meaning = { quality: meaningQuality(model), minimumSimilarity: bars?.strict ?? null, wordAgreement: null };
          if (!meaning.quality.trusted) notices.push(meaning.quality.statement);
          // The query and its rewordings by the synonym table, averaged: one direction for what it means.
          const vector = meanDirection(await this.encoder.encode(model.weightsFile, semanticQueryTexts(query)));
          queryVector = vector;
          const head = this.wordHead(model);
          // A head that does not fit this model's embeddings (a damaged file) gives no evidence.
          const words = head && head.embeddingSize === vector.length ? queryWords(query, head) : null;
          const fetched = this.overFetch(wanted, request.filter, query.excluded.length > 0, request.onePerStudy);
          const nearest = this.index.nearest(
            model.id,
            'image',
            vector,
            words ? Math.max(fetched, wordEvidenceCandidates) : fetched,
          );
          semantic = this.withoutExcluded(this.filtered(nearest, request.filter), query);
          if (head && words) {
            semantic = this.byWordEvidence(model.id, semantic, words, head);
            imageWords = words.columns.map((column) => head.words[column]!);
          }
        } catch (error) {
          if (request.mode === 'semantic') throw error;
          notices.push(`Semantic search is unavailable: ${(error as Error).message}`);
        }
      }
    }
    // Filters apply after the word search, so with filters it hands over every hit rather than the best few.
    const lexicalLimit = Object.keys(request.filter).length === 0 ? 5 * wanted + 100 : Number.MAX_SAFE_INTEGER;
    // Meaning alone reads the word matches too, not as results: they calibrate its cut-off (meaningBarFor).
    const lexical = lexicalSearch(this.database, query, lexicalLimit);
    if (query.text.length === 0) notices.push('Type what to look for, e.g. "small right apical pneumothorax".');
    // Hybrid search with a model no better than chance ranks by report words alone.
    const trustedSemantic = request.mode === 'hybrid' && !meaning?.quality.trusted ? [] : semantic;
    const wordMatched = this.lexicalImages(lexical, request.filter);
    const bar =
      model && meaning && queryVector
        ? this.meaningBarFor(model.id, request.mode, meaning, bars, queryVector, wordMatched, notices)
        : null;
    if (meaning) meaning.minimumSimilarity = bar === null || !Number.isFinite(bar) ? null : bar;
    const fused = this.fuse(request.mode, trustedSemantic, wordMatched, request.semanticWeight).filter(
      (item) => item.lexical !== null || standsAlone(item, bar, request.meaningCutOff),
    );
    // Hybrid reads reports where there are some: an image whose own report rules the query out ("No pleural
    // effusion.") is not added by meaning against it. Meaning alone, asked for, shows what meaning finds.
    const additions = fused.filter((item) => item.lexical === null).map((item) => item.imageId);
    const denied =
      request.mode === 'hybrid' && additions.length > 0
        ? this.imagesWhoseReport(additions, queryDenial(query, rules))
        : new Set<number>();
    const candidates = fused.filter((item) => !denied.has(item.imageId));
    const ranked = (request.onePerStudy ? this.bestPerStudy(candidates) : candidates).slice(0, wanted);
    const meaningOnly = ranked.filter((item) => item.lexical === null).length;
    return {
      results: this.describe(ranked),
      counts: { wordMatches: ranked.length - meaningOnly, meaningOnly },
      meaning,
      mode: request.mode,
      interpreted: {
        terms: query.terms.map((term) => term.text),
        excludedTerms: query.excluded.map((term) => term.text),
        // Hybrid search with a model no better than chance ranks by report words alone: no image words read.
        imageWords: trustedSemantic.length > 0 ? imageWords : [],
      },
      notices,
      modelId: model?.id ?? null,
      milliseconds: performance.now() - started,
    };
  }

  /**
   * A slice of a volume that is not one of its representative slices has no vector of its own: the nearest slice of
   * its series that has one stands in for it.
   */
  private standInVector(modelId: string, imageId: number): Float32Array | null {
    const slices = this.database
      .prepare(
        `SELECT other.id FROM images AS image JOIN images AS other ON other.series_id = image.series_id
         WHERE image.id = ? AND other.id != image.id
         ORDER BY abs(coalesce(other.instance_number, 0) - coalesce(image.instance_number, 0)), other.id`,
      )
      .pluck()
      .all(imageId) as number[];
    for (const slice of slices) {
      const vector = this.index.imageVector(modelId, slice);
      if (vector) return vector;
    }
    return null;
  }

  /** Images nearest to one image of the library ("find similar"), the image itself left out. */
  similar(imageId: number, k: number, filter: SearchFilter, modelId?: string): SearchResponse {
    const started = performance.now();
    const model = this.activeModel(modelId);
    if (!model) throw new ApiError('conflict', 'Finding similar images needs a trained model with embeddings (Train).');
    this.index.ensure(model);
    const vector = this.index.imageVector(model.id, imageId) ?? this.standInVector(model.id, imageId);
    if (!vector)
      throw new ApiError(
        'not-found',
        `Image ${imageId} has no vector in model ${model.name} (it was imported after the model was trained).`,
      );
    const hits = this.filtered(
      this.index.nearest(model.id, 'image', vector, this.overFetch(k + 1, filter)),
      filter,
    ).filter((hit) => hit.id !== imageId);
    const ranked = hits.slice(0, k).map((hit, rank): Ranked => ({
      imageId: hit.id,
      semantic: { rank: rank + 1, similarity: hit.similarity },
      lexical: null,
      score: hit.similarity,
    }));
    const quality = meaningQuality(model);
    return {
      results: this.describe(ranked),
      counts: { wordMatches: 0, meaningOnly: ranked.length },
      meaning: { quality, minimumSimilarity: null, wordAgreement: null },
      mode: 'semantic',
      interpreted: { terms: [], excludedTerms: [], imageWords: [] },
      notices: quality.trusted ? [] : [quality.statement],
      modelId: model.id,
      milliseconds: performance.now() - started,
    };
  }

  /** Reports nearest to an image in the model's shared space: what its text side would say about the image. */
  reportsForImage(imageId: number, k: number, modelId?: string): ReportMatch[] {
    const model = this.activeModel(modelId);
    if (!model)
      throw new ApiError('conflict', 'Finding reports for an image needs a trained model with embeddings (Train).');
    this.index.ensure(model);
    const vector = this.index.imageVector(model.id, imageId);
    if (!vector) throw new ApiError('not-found', `Image ${imageId} has no vector in model ${model.name}.`);
    const hits = this.index.nearest(model.id, 'report', vector, k);
    if (hits.length === 0) return [];
    const ownStudy = (
      this.database
        .prepare(
          'SELECT series.study_id AS studyId FROM images JOIN series ON series.id = images.series_id WHERE images.id = ?',
        )
        .get(imageId) as { studyId: number }
    ).studyId;
    const reports = new Map(
      (
        this.database
          .prepare('SELECT id, study_id AS studyId, text FROM reports WHERE id IN (SELECT value FROM json_each(?))')
          .all(JSON.stringify(hits.map((hit) => hit.id))) as Array<{ id: number; studyId: number | null; text: string }>
      ).map((row) => [row.id, row]),
    );
    return hits.flatMap((hit) => {
      const report = reports.get(hit.id);
      return report
        ? [
            {
              reportId: report.id,
              studyId: report.studyId,
              similarity: hit.similarity,
              excerpt: report.text.slice(0, 300),
              ownStudy: report.studyId === ownStudy,
            },
          ]
        : [];
    });
  }

  /**
   * The similarity an image found by meaning alone needs for this query (see `meaningBar`), null when meaning adds no
   * image of its own, saying why. A library too thin to calibrate leaves a semantic-mode search uncut (the researcher
   * asked for meaning alone) and a hybrid one without additions.
   */
  private meaningBarFor(
    modelId: string,
    mode: SearchRequest['mode'],
    meaning: NonNullable<SearchResponse['meaning']>,
    bars: UnrelatedPairBars | null,
    queryVector: Float32Array,
    wordMatches: ReadonlyArray<{ imageId: number; coverage: number }>,
    notices: string[],
  ): number | null {
    if (!bars) {
      notices.push(
        'Too few reports are linked to calibrate this model: nothing is added by meaning alone in hybrid search.',
      );
      return meaning.quality.trusted && mode === 'semantic' ? Number.NEGATIVE_INFINITY : null;
    }
    if (wordMatches.length === 0) return bars.strict;
    // The reports that affirm the most of the query stand for what it looks like: "a handwritten seven" is the reports
    // of handwritten sevens, not every report that says "handwritten". The rest are measured against.
    const bestCoverage = wordMatches.reduce((best, hit) => Math.max(best, hit.coverage), 0);
    const matchedIds = wordMatches.filter((hit) => hit.coverage >= bestCoverage - 1e-9).map((hit) => hit.imageId);
    const matched = this.index
      .similarities(modelId, 'image', queryVector, matchedIds)
      .map(({ id, similarity }) => ({ imageId: id, similarity }));
    const bestSet = new Set(matchedIds);
    const others = this.imagesWithReports().filter((imageId) => !bestSet.has(imageId));
    const agreement = wordAgreement(
      matched.map((match) => match.similarity),
      this.index.similarities(modelId, 'image', queryVector, others).map((other) => other.similarity),
    );
    meaning.wordAgreement = Number.isNaN(agreement) ? null : agreement;
    if (meaning.wordAgreement !== null && meaning.wordAgreement < minimumWordAgreement) {
      if (meaning.quality.trusted)
        notices.push(
          `By meaning, the model does not rank this query's report-word matches first (agreement ${meaning.wordAgreement.toFixed(2)}, ${minimumWordAgreement} needed): it adds no images of its own.`,
        );
      return null;
    }
    const bar = meaningBar(bars, matched);
    if (bar === null && meaning.quality.trusted)
      notices.push(
        "By meaning, this query's report-word matches are no closer to it than unrelated images: it adds no images of its own.",
      );
    return bar;
  }

  /**
   * The images whose study has a linked report: every query with word matches compares them all, so they are read
   * once per state of the catalog (the linked reports and the images), not per query.
   */
  private imagesWithReports(): readonly number[] {
    const state = this.database
      .prepare(
        `SELECT (SELECT max(id) FROM images) AS lastImage, (SELECT max(id) FROM reports) AS lastReport,
           (SELECT count(*) FROM reports WHERE study_id IS NOT NULL) AS linked`,
      )
      .get() as { lastImage: number | null; lastReport: number | null; linked: number };
    const key = `${state.lastImage}:${state.lastReport}:${state.linked}`;
    if (this.reportedImages?.key !== key)
      this.reportedImages = {
        key,
        ids: this.database
          .prepare(
            `SELECT images.id FROM images JOIN series ON series.id = images.series_id
             WHERE EXISTS (SELECT 1 FROM reports WHERE reports.study_id = series.study_id)`,
          )
          .pluck()
          .all() as number[],
      };
    return this.reportedImages.ids;
  }

  /** Evidence is an addition: a head that cannot be read or judged leaves the cosine to rank, as without one. */
  private judgedWordHead(model: ModelRecord): JudgedWordHead | null {
    try {
      const head = readReportWordHead(model.weightsFile);
      if (!head) return null;
      return judgeWordHead(
        head,
        validationExamples(this.database, this.libraryPath, model, (ids) => this.index.imageVectorsOf(model.id, ids)),
      );
    } catch {
      return null;
    }
  }

  private wordHead(model: ModelRecord): JudgedWordHead | null {
    const key = this.indexBuild(model);
    if (!this.wordHeads.has(key)) this.wordHeads.set(key, this.judgedWordHead(model));
    return this.wordHeads.get(key)!;
  }

  /** A model's index as built now: what is computed from its vectors is kept under this key until it is rebuilt. */
  private indexBuild(model: ModelRecord): string {
    return `${model.id}@${this.index.vectors(model.id, 'image')?.builtAt ?? ''}`;
  }

  /** Meaning's hits ranked by their cosine and the head's evidence for the query's words (word-evidence.ts). */
  private byWordEvidence(modelId: string, hits: SemanticHit[], words: QueryWords, head: JudgedWordHead): SemanticHit[] {
    const vectors = this.index.imageVectorsOf(
      modelId,
      hits.map((hit) => hit.id),
    );
    return hits
      .map((hit) => {
        const vector = vectors.get(hit.id);
        const evidence = vector ? wordEvidence(vector, words, head) : Number.NEGATIVE_INFINITY;
        return { ...hit, score: head.logitScale * hit.similarity + wordEvidenceWeight * evidence };
      })
      .sort((left, right) => right.score - left.score || left.id - right.id);
  }

  private unrelatedBars(model: ModelRecord): UnrelatedPairBars | null {
    const key = this.indexBuild(model);
    if (!this.bars.has(key)) this.bars.set(key, unrelatedPairBars(this.database, this.index, model));
    return this.bars.get(key)!;
  }

  /**
   * Neighbours to ask the index for: k, unless filters or excluded terms will narrow the candidates after the
   * nearest-neighbour step; with one result a study, its other views and slices take places too, so a few times k.
   */
  private overFetch(k: number, filter: SearchFilter, excludes = false, onePerStudy = false): number {
    if (Object.keys(filter).length > 0 || excludes) return Math.min(maximumNeighbours, Math.max(20 * k, 1000));
    return onePerStudy ? Math.min(maximumNeighbours, 6 * k) : k;
  }

  /** A query's "must be absent" holds for images found by meaning too: their study's report must not affirm it. */
  private withoutExcluded<T extends { id: number }>(hits: T[], query: ParsedQuery): T[] {
    if (query.excluded.length === 0) return hits;
    const affirming = this.imagesWhoseReport(
      hits.map((hit) => hit.id),
      (text) => affirmsExcluded(text, query),
    );
    return hits.filter((hit) => !affirming.has(hit.id));
  }

  /** Of these images, those whose study's reports (read as one text) pass the test. */
  private imagesWhoseReport(imageIds: readonly number[], test: (text: string) => boolean): Set<number> {
    if (imageIds.length === 0) return new Set();
    const reports = this.database
      .prepare(
        `SELECT images.id AS imageId, group_concat(reports.text, char(10)) AS text FROM images JOIN series ON series.id = images.series_id
         JOIN reports ON reports.study_id = series.study_id WHERE images.id IN (SELECT value FROM json_each(?)) GROUP BY images.id`,
      )
      .all(JSON.stringify(imageIds)) as Array<{ imageId: number; text: string }>;
    return new Set(reports.filter((report) => test(report.text)).map((report) => report.imageId));
  }

  private filtered<T extends { id: number }>(hits: T[], filter: SearchFilter): T[] {
    if (hits.length === 0 || Object.keys(filter).length === 0) return hits;
    const allowed = this.allowedImages(
      hits.map((hit) => hit.id),
      filter,
    );
    return hits.filter((hit) => allowed.has(hit.id));
  }

  private allowedImages(imageIds: readonly number[], filter: SearchFilter): Set<number> {
    const { viewPosition, ...studyFilter } = filter;
    const { where, parameters } = filterClause(studyFilter);
    const conditions = [
      where.replace(/^WHERE /, ''),
      viewPosition ? 'images.view_position = @viewPosition' : '',
      `images.id IN (SELECT value FROM json_each(@imageIds))`,
    ].filter(Boolean);
    const rows = this.database
      .prepare(`SELECT images.id AS id ${imageJoins} WHERE ${conditions.join(' AND ')}`)
      .all({ ...parameters, ...(viewPosition ? { viewPosition } : {}), imageIds: JSON.stringify(imageIds) }) as Array<{
      id: number;
    }>;
    return new Set(rows.map((row) => row.id));
  }

  /** The first (best-placed) image of each study, in order. */
  private bestPerStudy(ranked: Ranked[]): Ranked[] {
    if (ranked.length === 0) return ranked;
    const studyOf = new Map(
      (
        this.database
          .prepare(
            'SELECT images.id AS imageId, series.study_id AS studyId FROM images JOIN series ON series.id = images.series_id WHERE images.id IN (SELECT value FROM json_each(?))',
          )
          .all(JSON.stringify(ranked.map((item) => item.imageId))) as Array<{ imageId: number; studyId: number }>
      ).map((row) => [row.imageId, row.studyId]),
    );
    const seen = new Set<number>();
    return ranked.filter((item) => {
      const study = studyOf.get(item.imageId);
      if (study === undefined || seen.has(study)) return false;
      seen.add(study);
      return true;
    });
  }

  /** Each report's hit goes to every image of its study (the best report of a study wins). */
  private lexicalImages(hits: LexicalHit[], filter: SearchFilter): Array<LexicalHit & { imageId: number }> {
    if (hits.length === 0) return [];
    const byStudy = new Map<number, LexicalHit>();
    for (const hit of hits) if (!byStudy.has(hit.studyId)) byStudy.set(hit.studyId, hit);
    const images = this.database
      .prepare(
        `SELECT images.id AS imageId, series.study_id AS studyId FROM images JOIN series ON series.id = images.series_id WHERE series.study_id IN (SELECT value FROM json_each(?)) ORDER BY images.id`,
      )
      .all(JSON.stringify([...byStudy.keys()])) as Array<{ imageId: number; studyId: number }>;
    const expanded = images
      .map((image) => ({ ...byStudy.get(image.studyId)!, imageId: image.imageId }))
      .sort((left, right) => right.score - left.score || left.imageId - right.imageId);
    const allowed =
      Object.keys(filter).length === 0
        ? null
        : this.allowedImages(
            expanded.map((hit) => hit.imageId),
            filter,
          );
    return allowed ? expanded.filter((hit) => allowed.has(hit.imageId)) : expanded;
  }

  private fuse(
    mode: SearchRequest['mode'],
    semantic: SemanticHit[],
    lexical: Array<LexicalHit & { imageId: number }>,
    semanticWeight: number,
  ): Ranked[] {
    const meaningScores = new Map(semantic.map((hit) => [hit.id, hit.score ?? hit.similarity]));
    const ranked = new Map<number, Ranked>();
    const entry = (imageId: number) =>
      ranked.get(imageId) ?? ranked.set(imageId, { imageId, semantic: null, lexical: null, score: 0 }).get(imageId)!;
    if (mode !== 'lexical')
      semantic.forEach((hit, index) => (entry(hit.id).semantic = { rank: index + 1, similarity: hit.similarity }));
    if (mode !== 'semantic')
      lexical.forEach((hit, index) => (entry(hit.imageId).lexical = { ...hit, rank: index + 1 }));
    for (const item of ranked.values()) {
      if (mode === 'semantic') item.score = meaningScores.get(item.imageId)!;
      else if (mode === 'lexical') item.score = item.lexical!.score;
      else
        item.score =
          (item.semantic ? semanticWeight / (fusionConstant + item.semantic.rank) : 0) +
          (item.lexical ? (1 - semanticWeight) / (fusionConstant + item.lexical.rank) : 0);
    }
    // Hybrid keeps the reports' word matches in tiers (all query terms affirmed, then most…) and lets the fused ranks
    // order each tier; images found by meaning alone (no report, or other words) follow.
    const tier = (item: Ranked) => (mode === 'hybrid' && semanticWeight < 1 ? (item.lexical?.coverage ?? 0) : 0);
    return [...ranked.values()].sort(
      (left, right) => tier(right) - tier(left) || right.score - left.score || left.imageId - right.imageId,
    );
  }

  private describe(ranked: Ranked[]): SearchResult[] {
    if (ranked.length === 0) return [];
    const rows = this.database
      .prepare(`SELECT ${resultColumns} ${imageJoins} WHERE images.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ranked.map((item) => item.imageId))) as Array<Omit<SearchResult, 'score' | 'why'>>;
    const byId = new Map(rows.map((row) => [row.imageId, row]));
    return ranked.flatMap((item) => {
      const row = byId.get(item.imageId);
      if (!row) return [];
      const why: MatchReason = {
        semantic: item.semantic,
        lexical: item.lexical
          ? {
              rank: item.lexical.rank,
              score: item.lexical.score,
              matchedTerms: item.lexical.matchedTerms,
              snippet: item.lexical.snippet,
              highlights: item.lexical.highlights,
            }
          : null,
      };
      return [{ ...row, score: item.score, why }];
    });
  }
}
