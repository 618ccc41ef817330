import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../../../common/contract/index.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { unrelatedPairBars } from '../../../../main/core/search/meaning-threshold.js';
import { VectorIndex } from '../../../../main/core/search/vector-index.js';
import { writeLibraryEmbeddings } from '../../../../ml/embedding/library-embeddings-file.js';
import { importedDemoLibrary } from '../../../support/imported-demo-library.js';

const dimension = 8;

/** A unit vector along `axis`, tilted a little at random: the same content, as two encodings of it would differ. */
function near(axis: number, random: SeededRandom): number[] {
  const vector = Array.from({ length: dimension }, (_, index) => (index === axis ? 1 : 0) + random.between(-0.1, 0.1));
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

describe("the bars meaning must pass, from a library's own vectors", () => {
  const library = importedDemoLibrary(60, 'meaning-bars');

  it('measures the floor on unrelated studies: studies of the same finding as a report do not lift it', () => {
    // Two kinds of study, half the library each (as normal films are half a chest library): a report, and every image
    // of a study of its kind, point one way; the other kind another. Real models put a report as close to such images
    // as to its own.
    const database = library.catalog.database;
    const kindOfStudy = (studyId: number) => studyId % 2;
    const images = database
      .prepare(
        'SELECT images.id AS id, series.study_id AS studyId FROM images JOIN series ON series.id = images.series_id',
      )
      .all() as Array<{ id: number; studyId: number }>;
    const reports = database
      .prepare('SELECT id, study_id AS studyId FROM reports WHERE study_id IS NOT NULL')
      .all() as Array<{
      id: number;
      studyId: number;
    }>;
    const random = new SeededRandom('meaning bars');
    const embeddingsFile = path.join(library.path, 'two-kinds.unisight-tensors');
    writeLibraryEmbeddings(embeddingsFile, {
      size: dimension,
      imageIds: images.map((image) => image.id),
      reportIds: reports.map((report) => report.id),
      reportDigests: reports.map(() => ''),
      images: Float32Array.from(images.flatMap((image) => near(kindOfStudy(image.studyId), random))),
      reports: Float32Array.from(reports.flatMap((report) => near(kindOfStudy(report.studyId), random))),
    });
    database
      .prepare(
        "INSERT INTO models (id, name, origin, architecture, config_json, tokenizer_fingerprint, split_json, metrics_json, weights_file, weights_bytes, embeddings_file, created_at) VALUES ('two-kinds', 'two kinds', 'trained', 'shared', '{}', '', '{}', '{}', 'none', 0, ?, ?)",
      )
      .run(embeddingsFile, new Date().toISOString());
    const index = new VectorIndex(database, library.catalog.vectorExtensionError);
    index.ensure({ id: 'two-kinds', name: 'two kinds', embeddingsFile } as ModelRecord);

    const bars = unrelatedPairBars(database, index, 'two-kinds')!;
    // Any other study: half are of the report's kind, at a similarity near 1, so 1% of pairs reach that.
    expect(bars.strict).toBeGreaterThan(0.9);
    // Unrelated studies only (the report's kind is the more similar half): near 0, as unrelated content is.
    expect(bars.floor).toBeLessThan(0.4);
  });
});
