import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../../../common/contract/index.js';
import type { Cohort, CohortMember, SearchRequest, SearchResponse } from '../../../../common/contract/search.js';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import { pathRange } from '../../../../main/core/library/path-range.js';
import {
  evaluateSearchQuality,
  heldOutQueries,
  relevantImages,
  relevantImagesFor,
  tuningQueries,
} from '../../../../main/core/search/search-quality.js';
import { reportTextDigest } from '../../../../ml/embedding/library-embeddings.js';
import { readLibraryEmbeddings } from '../../../../ml/embedding/library-embeddings-file.js';
import { copyTree, demoExport, importedAndPretrained, runCli } from '../../../support/demo-export.js';
import {
  callOk,
  jobFinished,
  startServeProcess,
  waitUntil,
  type ServeProcess,
} from '../../../support/serve-process.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';
import { libraryLabelRules } from '../../../../main/core/labels/library-label-rules.js';
import { parseQuery } from '../../../../main/core/search/query-text.js';
import {
  judgeWordHead,
  queryWords,
  readReportWordHead,
  validationExamples,
  wordEvidence,
  wordEvidenceWeight,
} from '../../../../main/core/search/word-evidence.js';

describe('search through the core API', () => {
  const workspace = temporaryLibrary();
  const library = path.join(workspace.path, 'library');
  let server: ServeProcess;
  let catalog: Database.Database;
  const search = (request: Partial<SearchRequest> & { text: string }) =>
    callOk<SearchResponse>(server, 'search.query', request);

  let laterExport: string;
  let editedExport: string;

  beforeAll(async () => {
    importedAndPretrained(library, 120, 3);
    // Generated before the server starts: generating blocks this process long enough for an idle keep-alive
    // connection to the server to time out.
    laterExport = demoExport(50, 'later');
    editedExport = demoExport(50, 'edited');
    server = await startServeProcess(library);
    catalog = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
  }, 400_000);
  afterAll(async () => {
    catalog?.close();
    await server?.stop();
    workspace.remove();
  });

  it('scores the fixed query set per mode, hybrid at least as good as the better single mode', async () => {
    const { modes: qualities, chanceRecallAt10 } = await evaluateSearchQuality(catalog, (request) => search(request));
    console.log(
      qualities
        .map(
          (quality) =>
            `${quality.mode}: Recall@10 ${quality.recallAt10.toFixed(3)}, nDCG@10 ${quality.ndcgAt10.toFixed(3)}`,
        )
        .join('\n'),
    );
    const [semantic, lexical, hybrid] = qualities;
    expect(hybrid!.recallAt10).toBeGreaterThanOrEqual(Math.max(semantic!.recallAt10, lexical!.recallAt10) - 1e-9);
    expect(hybrid!.ndcgAt10).toBeGreaterThanOrEqual(Math.max(semantic!.ndcgAt10, lexical!.ndcgAt10) - 1e-9);
    expect(lexical!.recallAt10).toBeGreaterThan(0.5);
    expect(chanceRecallAt10).toBeGreaterThan(0);
    expect(chanceRecallAt10).toBeLessThan(lexical!.recallAt10);
  }, 120_000);

  it('judges the held-out set: 30+ queries of its own; a side narrows by the ground truth, a combination intersects', () => {
    expect(heldOutQueries.length).toBeGreaterThanOrEqual(30);
    const tuned = new Set(tuningQueries.map((query) => query.text));
    expect(heldOutQueries.filter((query) => tuned.has(query.text))).toEqual([]);
    const truth = new Map(
      fs
        .readFileSync(path.join(demoExport(120), 'ground-truth.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (line) => JSON.parse(line) as { accession_number: string; findings: Array<{ name: string; side: string }> },
        )
        .map((study) => [study.accession_number, study.findings] as const),
    );
    // 120 studies hold every single finding on each side; combinations may be missing from so few.
    for (const query of heldOutQueries.filter((candidate) => candidate.all.length === 1))
      expect(relevantImagesFor(catalog, query, truth).size, query.text).toBeGreaterThan(0);
    const anySide = relevantImagesFor(
      catalog,
      { text: 'pneumothorax', all: [{ finding: 'pneumothorax', present: true }] },
      truth,
    );
    const left = relevantImagesFor(
      catalog,
      heldOutQueries.find((query) => query.text === 'left pneumothorax')!,
      truth,
    );
    const right = relevantImagesFor(
      catalog,
      heldOutQueries.find((query) => query.text === 'right pneumothorax')!,
      truth,
    );
    expect(left.size + right.size).toBe(anySide.size);
    expect([...left].every((id) => anySide.has(id) && !right.has(id))).toBe(true);
    // Without ground truth a side cannot be judged: the finding alone decides.
    expect(
      relevantImagesFor(
        catalog,
        heldOutQueries.find((query) => query.text === 'left pneumothorax')!,
        null,
      ),
    ).toEqual(anySide);
    const both = relevantImagesFor(
      catalog,
      heldOutQueries.find((query) => query.text === 'effusion and consolidation')!,
      truth,
    );
    const effusion = relevantImages(catalog, 'effusion', true);
    expect([...both].every((id) => effusion.has(id))).toBe(true);
    expect(both.size).toBeLessThan(effusion.size);
  });

  it('respects negation: "pneumothorax" finds affirmed ones, "no pneumothorax" reports that rule it out', async () => {
    const withFinding = relevantImages(catalog, 'pneumothorax', true);
    const affirmed = await search({ text: 'pneumothorax', mode: 'lexical', k: 50 });
    expect(affirmed.results.length).toBeGreaterThan(0);
    for (const result of affirmed.results)
      expect(withFinding.has(result.imageId), result.why.lexical!.snippet).toBe(true);
    const result = affirmed.results[0]!;
    const [start, end] = result.why.lexical!.highlights[0]!;
    expect(result.why.lexical!.snippet.slice(start, end).toLowerCase()).toContain('pneumothorax');
    const ruledOut = await search({ text: 'no pneumothorax', mode: 'lexical', k: 50 });
    expect(ruledOut.interpreted.excludedTerms).toEqual(['pneumothorax']);
    expect(ruledOut.results.length).toBeGreaterThan(0);
    for (const hit of ruledOut.results) expect(withFinding.has(hit.imageId)).toBe(false);
    // By meaning too: an image whose report affirms the finding is not offered for "no pneumothorax".
    const reported = new Set(
      (
        catalog
          .prepare(
            'SELECT images.id AS id FROM images JOIN series ON series.id = images.series_id WHERE EXISTS (SELECT 1 FROM reports WHERE reports.study_id = series.study_id)',
          )
          .all() as Array<{ id: number }>
      ).map((row) => row.id),
    );
    const byMeaning = await search({ text: 'no pneumothorax', mode: 'semantic', k: 60, meaningCutOff: 'none' });
    expect(byMeaning.results.length).toBeGreaterThan(0);
    for (const hit of byMeaning.results)
      if (reported.has(hit.imageId)) expect(withFinding.has(hit.imageId)).toBe(false);
  });

  it("reads queries and reports by the library's label rules once labels.fromReports is given others", async () => {
    const withEffusion = relevantImages(catalog, 'effusion', true);
    const before = await search({ text: 'water on the lung', mode: 'lexical', k: 20 });
    expect(before.interpreted.terms).not.toContain('water on the lung');
    expect((await search({ text: 'effusion is absent', mode: 'lexical' })).interpreted.excludedTerms).toEqual([]);

    const rules = {
      ...chestRadiographRules,
      trailingNegationCues: [...chestRadiographRules.trailingNegationCues, 'is absent'],
      searchSynonyms: [...chestRadiographRules.searchSynonyms, ['effusion', 'water on the lung']],
    };
    await callOk(server, 'labels.fromReports', { rules });
    const layTerms = await search({ text: 'water on the lung', mode: 'lexical', k: 20 });
    expect(layTerms.interpreted.terms).toEqual(['water on the lung']);
    expect(layTerms.results.length).toBeGreaterThan(0);
    for (const hit of layTerms.results) expect(withEffusion.has(hit.imageId), hit.why.lexical!.snippet).toBe(true);
    const absent = await search({ text: 'effusion is absent', mode: 'lexical', k: 20 });
    expect(absent.interpreted.excludedTerms).toEqual(['effusion']);
    for (const hit of absent.results) expect(withEffusion.has(hit.imageId)).toBe(false);

    // Labelling again without rules keeps the library's, not the built-in set.
    await callOk(server, 'labels.fromReports', {});
    expect((await search({ text: 'effusion is absent', mode: 'lexical' })).interpreted.excludedTerms).toEqual([
      'effusion',
    ]);
    await callOk(server, 'labels.fromReports', { rules: chestRadiographRules });
    expect((await search({ text: 'effusion is absent', mode: 'lexical' })).interpreted.excludedTerms).toEqual([]);
  });

  it('answers concurrent queries, encoded together, exactly as each alone', async () => {
    const texts = ['pneumothorax', 'pleural effusion', 'enlarged heart', 'nodule in the left upper zone', 'no acute'];
    // Scores to five places: a batch may sum in another order than a single text.
    const ranking = (response: SearchResponse) =>
      response.results.map((result) => [result.imageId, result.score.toFixed(5)]);
    const alone: SearchResponse[] = [];
    const request = (text: string) => ({ text, mode: 'semantic' as const, k: 10, meaningCutOff: 'none' as const });
    for (const text of texts) alone.push(await search(request(text)));
    const together = await Promise.all(texts.map((text) => search(request(text))));
    for (const [index, response] of together.entries()) expect(ranking(response)).toEqual(ranking(alone[index]!));
    expect(new Set(alone.map((response) => JSON.stringify(ranking(response)))).size).toBe(texts.length);
  });

  it('returns identifiers and reasons, applies filters, finds similar images', async () => {
    const response = await search({ text: 'pleural effusion', k: 10 });
    expect(response.modelId).not.toBeNull();
    const first = response.results[0]!;
    expect(first).toMatchObject({
      studyInstanceUid: expect.any(String),
      seriesInstanceUid: expect.any(String),
      sopInstanceUid: expect.any(String),
      score: expect.any(Number),
    });
    expect(first.why.semantic ?? first.why.lexical).not.toBeNull();
    const bodyPart = (
      catalog.prepare('SELECT body_part AS bodyPart FROM series WHERE body_part IS NOT NULL LIMIT 1').get() as {
        bodyPart: string;
      }
    ).bodyPart;
    const filtered = await search({ text: 'pleural effusion', k: 20, filter: { bodyPart } });
    for (const result of filtered.results) expect(result.bodyPart).toBe(bodyPart);
    const none = await search({ text: 'pleural effusion', filter: { bodyPart: 'KNEE' } });
    expect(none.results).toEqual([]);
    const similar = await callOk<SearchResponse>(server, 'search.similar', { imageId: first.imageId, k: 5 });
    expect(similar.results).toHaveLength(5);
    expect(similar.results.map((result) => result.imageId)).not.toContain(first.imageId);
    for (let index = 1; index < similar.results.length; index++)
      expect(similar.results[index]!.score).toBeLessThanOrEqual(similar.results[index - 1]!.score);
    const reports = await callOk<Array<{ reportId: number; similarity: number; ownStudy: boolean; excerpt: string }>>(
      server,
      'search.reportsForImage',
      { imageId: first.imageId, k: 4 },
    );
    expect(reports).toHaveLength(4);
    for (let index = 1; index < reports.length; index++)
      expect(reports[index]!.similarity).toBeLessThanOrEqual(reports[index - 1]!.similarity);
    expect(reports.every((report) => report.excerpt.length > 0 && typeof report.ownStudy === 'boolean')).toBe(true);
  });

  it('adds images by meaning alone only from a model better than chance, above its calibrated similarity', async () => {
    const images = (catalog.prepare('SELECT count(*) AS count FROM images').get() as { count: number }).count;
    const hybrid = await search({ text: 'pleural effusion', k: 200 });
    const { quality, minimumSimilarity, wordAgreement } = hybrid.meaning!;
    // The query's word matches tell how well meaning reads it (AUROC against the other reported images).
    expect(wordAgreement).toBeGreaterThanOrEqual(0);
    expect(wordAgreement).toBeLessThanOrEqual(1);
    const meaningOnly = hybrid.results.filter((result) => result.why.lexical === null);
    expect(hybrid.counts).toEqual({
      wordMatches: hybrid.results.length - meaningOnly.length,
      meaningOnly: meaningOnly.length,
    });
    expect(hybrid.counts.wordMatches).toBeGreaterThan(0);
    if (minimumSimilarity === null) expect(meaningOnly).toEqual([]);
    for (const result of meaningOnly)
      expect(result.why.semantic!.similarity).toBeGreaterThanOrEqual(minimumSimilarity!);
    if (!quality.trusted) {
      expect(meaningOnly).toEqual([]);
      expect(hybrid.notices).toContain(quality.statement);
    }
    // Meaning alone, asked for: cut off at the bar its word matches set, as in hybrid (they are not results here).
    const semantic = await search({ text: 'pleural effusion', mode: 'semantic', k: 1000 });
    expect(semantic.meaning!.minimumSimilarity).toBe(minimumSimilarity);
    expect(semantic.meaning!.wordAgreement).toBe(wordAgreement);
    expect(semantic.results.every((result) => result.why.lexical === null)).toBe(true);
    if (minimumSimilarity === null) expect(semantic.results).toEqual([]);
    for (const result of semantic.results)
      expect(result.why.semantic!.similarity).toBeGreaterThanOrEqual(minimumSimilarity!);
    expect(semantic.results.length).toBeLessThan(images);
    // With no word match to go by, the strict bar: not every image comes back.
    const unmatched = await search({ text: 'coin lesion', mode: 'semantic', k: 1000 });
    const strict = unmatched.meaning!.minimumSimilarity!;
    expect(strict).toBeGreaterThan(-1);
    expect(strict).toBeLessThan(1);
    expect(unmatched.results.length).toBeLessThan(images);
    for (const result of unmatched.results) expect(result.why.semantic!.similarity).toBeGreaterThanOrEqual(strict);
    const uncut = await search({ text: 'pleural effusion', mode: 'semantic', k: 1000, meaningCutOff: 'none' });
    expect(uncut.results.length).toBe(images);
  });

  it.each([
    ['only stop-words', 'the and of'],
    ['an injection no report mentions', '"; DROP TABLE studies; --'],
  ])('pads no result by meaning for a query that matches no report (%s)', async (_name, text) => {
    const response = await search({ text, k: 200 });
    expect(response.counts.wordMatches).toBe(0);
    for (const result of response.results)
      expect(result.why.semantic!.similarity).toBeGreaterThanOrEqual(response.meaning!.minimumSimilarity!);
    if (!response.meaning?.quality.trusted) expect(response.results).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['10k characters', 'effusion '.repeat(1200)],
    ['only stop-words', 'the of and with'],
    ['unbalanced quotes', '"pneumothorax'],
    ['SQL injection', `'; DROP TABLE reports; --`],
    ['FTS syntax', 'NEAR(effusion pneumothorax) OR effusion* AND -nodule ^heart'],
    ['non-Latin scripts', '气胸 пневмоторакс استرواح'],
    ['emoji and control characters', '🫁 \u0000\u0007 effusion'],
  ])('answers a pathological query (%s) with results or a notice, never an error', async (_name, text) => {
    for (const mode of ['semantic', 'lexical', 'hybrid'] as const) {
      const reply = await server.call<SearchResponse>('search.query', { text, mode });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const response = reply.body.result!;
      expect(
        response.results.length > 0 ||
          response.notices.length > 0 ||
          response.interpreted.terms.length > 0 ||
          mode !== 'lexical',
      ).toBe(true);
    }
    expect((catalog.prepare('SELECT count(*) AS count FROM reports').get() as { count: number }).count).toBeGreaterThan(
      0,
    );
  });

  it('refuses a query over the size limit at the boundary', async () => {
    expect((await server.call('search.query', { text: 'x'.repeat(20_001) })).status).toBe(400);
  });

  it('saves a result set as a cohort and exports its identifiers', async () => {
    const response = await search({ text: 'cardiomegaly', k: 8 });
    const cohort = await callOk<Cohort>(server, 'cohorts.save', {
      name: 'big hearts',
      query: { text: 'cardiomegaly' },
      members: response.results.map((result) => ({ imageId: result.imageId, score: result.score })),
    });
    expect(cohort).toMatchObject({ name: 'big hearts', size: response.results.length });
    const members = await callOk<CohortMember[]>(server, 'cohorts.members', { cohortId: cohort.id });
    expect(members.map((member) => member.sopInstanceUid)).toEqual(
      response.results.map((result) => result.sopInstanceUid),
    );
    expect(members[0]!.patientPseudonym).toMatch(/^P[0-9a-f]+$/);
    expect(
      (
        await server.call('cohorts.save', {
          name: 'big hearts',
          members: [{ imageId: response.results[0]!.imageId, score: 1 }],
        })
      ).status,
    ).toBe(409);
    expect((await callOk<Cohort[]>(server, 'cohorts.list')).map((entry) => entry.name)).toEqual(['big hearts']);
  });

  it('embeds images imported after training by itself, so they are found by meaning too', async () => {
    const before = await callOk<{ images: number }>(server, 'search.index', {});
    const imported = await callOk<{ id: string }>(server, 'import.start', { folder: laterExport });
    const embedJob = await waitUntil(async () => {
      const jobs = await callOk<Array<{ id: string; kind: string; state: string; createdAt: string }>>(
        server,
        'jobs.list',
        { limit: 20 },
      );
      const importJob = jobs.find((job) => job.id === imported.id)!;
      const embed = jobs.find((job) => job.kind === 'model.embed' && job.createdAt >= importJob.createdAt);
      return embed && embed.state !== 'queued' && embed.state !== 'running' ? embed : null;
    }, 120_000);
    expect(embedJob.state).toBe('succeeded');
    const after = await callOk<{ images: number }>(server, 'search.index', {});
    const catalogued = (catalog.prepare('SELECT count(*) AS count FROM images').get() as { count: number }).count;
    expect(after.images).toBeGreaterThan(before.images);
    expect(after.images).toBe(catalogued);
    const newest = (catalog.prepare('SELECT max(id) AS id FROM images').get() as { id: number }).id;
    const similar = await callOk<SearchResponse>(server, 'search.similar', { imageId: newest, k: 3 });
    expect(similar.results).toHaveLength(3);
  }, 180_000);

  it('embeds a report again when its text changes, and its vector in the index follows', async () => {
    const importAndEmbed = async (folder: string) => {
      const imported = await callOk<{ id: string }>(server, 'import.start', { folder });
      return waitUntil(async () => {
        const jobs = await callOk<Array<{ id: string; kind: string; state: string; createdAt: string }>>(
          server,
          'jobs.list',
          { limit: 20 },
        );
        const importJob = jobs.find((job) => job.id === imported.id)!;
        const embed = jobs.find((job) => job.kind === 'model.embed' && job.createdAt >= importJob.createdAt);
        return embed && embed.state !== 'queued' && embed.state !== 'running' ? embed : null;
      }, 120_000);
    };
    // A copy: the generated export is shared between test runs and must stay as generated.
    const edited = copyTree(editedExport, path.join(workspace.path, 'edited-export'));
    expect((await importAndEmbed(edited)).state).toBe('succeeded');
    // A loose text report that is its study's first report, the one its images are embedded with.
    const report = catalog
      .prepare(
        `SELECT id, source_path AS file FROM reports AS report WHERE source = 'text-file' AND source_path >= ? AND source_path < ? AND study_id IS NOT NULL
        AND id = (SELECT min(id) FROM reports WHERE study_id = report.study_id) ORDER BY id LIMIT 1`,
      )
      .get(...pathRange(edited)) as { id: number; file: string };
    const { modelId } = await callOk<{ modelId: string }>(server, 'search.index', {});
    const vectors = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    sqliteVec.load(vectors);
    const reportTable = vectors
      .prepare('SELECT report_table FROM vector_indexes WHERE model_id = ?')
      .pluck()
      .get(modelId) as string;
    const indexed = () =>
      (
        vectors.prepare(`SELECT embedding FROM ${reportTable} WHERE item_id = ?`).get(report.id) as {
          embedding: Buffer;
        }
      ).embedding;
    const before = indexed();
    const text = 'Findings: Large left pleural effusion with compressive atelectasis. Impression: Large left effusion.';
    fs.writeFileSync(report.file, text);
    const again = await importAndEmbed(edited);
    expect(again.state).toBe('succeeded');
    expect(catalog.prepare('SELECT text FROM reports WHERE id = ?').pluck().get(report.id)).toBe(text);
    expect(indexed().equals(before)).toBe(false);
    const embeddingsFile = catalog
      .prepare('SELECT embeddings_file FROM models WHERE id = ?')
      .pluck()
      .get(modelId) as string;
    const embeddings = readLibraryEmbeddings(path.join(library, embeddingsFile))!;
    expect(embeddings.reportDigests[embeddings.reportIds.indexOf(report.id)]).toBe(reportTextDigest(text));
    vectors.close();
  }, 300_000);

  it('prints results with UIDs as the last JSON line of unisight search --json', () => {
    const run = runCli(['search', 'pneumothorax', '--k', '3', '--mode', 'hybrid', '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as SearchResponse;
    expect(last.results).toHaveLength(3);
    expect(last.results[0]).toMatchObject({
      studyInstanceUid: expect.any(String),
      seriesInstanceUid: expect.any(String),
      sopInstanceUid: expect.any(String),
      score: expect.any(Number),
    });
    expect(last.results[0]!).toHaveProperty('accessionNumber');
    expect(last.results[0]!.why).toBeDefined();
  });

  it('ranks meaning by the cosine plus the evidence of the words its head predicts on the validation images', async () => {
    const [model] = await callOk<ModelRecord[]>(server, 'models.list', {});
    const head = readReportWordHead(model!.weightsFile);
    expect(head, 'cpu-fast predicts report words, and the model file keeps its head').not.toBeNull();
    const embeddings = readLibraryEmbeddings(model!.embeddingsFile!)!;
    const rowOf = new Map(embeddings.imageIds.map((imageId, row) => [imageId, row]));
    const vectorOf = (imageId: number) =>
      embeddings.images.subarray(rowOf.get(imageId)! * embeddings.size, (rowOf.get(imageId)! + 1) * embeddings.size);
    const examples = validationExamples(
      catalog,
      library,
      model!,
      (ids) => new Map(ids.map((id) => [id, vectorOf(id)])),
    );
    // The model's own validation split of this library: its images with a report, at least one a pair.
    expect(examples.length).toBeGreaterThanOrEqual(model!.split.validationPairs);
    // Whether this small model predicts "effusion" better than chance on so few images depends on its split; either
    // way search must score each image as the head, judged so, says.
    const judged = judgeWordHead(head!, examples);
    const words = queryWords(parseQuery('pleural effusion', libraryLabelRules(catalog)), judged);
    const response = await search({ text: 'pleural effusion', mode: 'semantic', meaningCutOff: 'none', k: 30 });
    expect(response.results).toHaveLength(30);
    for (const result of response.results) {
      const similarity = result.why.semantic!.similarity;
      if (!words) expect(result.score).toBe(similarity);
      else
        expect(result.score).toBeCloseTo(
          judged.logitScale * similarity + wordEvidenceWeight * wordEvidence(vectorOf(result.imageId), words, judged),
          3,
        );
    }
    const scores = response.results.map((result) => result.score);
    expect(scores).toEqual([...scores].sort((left, right) => right - left));
    // The response says which of the query's words were read in the images.
    expect(response.interpreted.imageWords).toEqual(words ? words.columns.map((column) => judged.words[column]) : []);
    const lexical = await search({ text: 'pleural effusion', mode: 'lexical' });
    expect(lexical.interpreted.imageWords).toEqual([]);
  });

  it('searches with the model the researcher chose, not whichever model is newest', async () => {
    const [trained] = await callOk<ModelRecord[]>(server, 'models.list', {});
    expect(await callOk(server, 'search.model', {})).toEqual({ modelId: trained!.id, chosen: false });

    // A second model, newer: imported from an export of the first, it has no embeddings until it embeds the library.
    const file = path.join(workspace.path, 'second.unisight');
    await callOk(server, 'models.export', { modelId: trained!.id, file });
    const second = await callOk<ModelRecord>(server, 'models.import', { file, name: 'second' });
    const refused = await server.call('search.chooseModel', { modelId: second.id });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/has not embedded this library yet/);
    const embedding = await callOk<{ id: string }>(server, 'search.embedLibrary', { modelId: second.id });
    expect((await jobFinished(server, embedding.id)).state).toBe('succeeded');
    expect(await callOk(server, 'search.model', {})).toEqual({ modelId: second.id, chosen: false });

    await callOk(server, 'search.chooseModel', { modelId: trained!.id });
    expect(await callOk(server, 'search.model', {})).toEqual({ modelId: trained!.id, chosen: true });
    expect((await search({ text: 'pneumothorax', mode: 'semantic', k: 3 })).modelId).toBe(trained!.id);
    expect((await search({ text: 'pneumothorax', mode: 'semantic', k: 3, modelId: second.id })).modelId).toBe(
      second.id,
    );
  }, 300_000);
});
