import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../../../common/contract/index.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import {
  imagePlacements,
  meaningBar,
  unrelatedPairBars,
  type UnrelatedPairBars,
} from '../../../../main/core/search/meaning-threshold.js';
import { VectorIndex } from '../../../../main/core/search/vector-index.js';
import { heldOutByHash } from '../../../../ml/data/pretraining-dataset.js';
import { writeLibraryEmbeddings } from '../../../../ml/embedding/library-embeddings-file.js';
import { importedDemoLibrary } from '../../../support/imported-demo-library.js';

const dimension = 8;
/** A split that holds out four patients in ten, so a 60-study library has enough unseen pairs to measure. */
const split = { seed: 'meaning bars', validationFraction: 0.2, testFraction: 0.2 } as ModelRecord['split'];

/** A unit vector along `axis`, tilted a little at random: the same content, as two encodings of it would differ. */
function near(axis: number, random: SeededRandom, tiltTo?: { axis: number; weight: number }): number[] {
  const vector = Array.from({ length: dimension }, (_, index) => (index === axis ? 1 : 0) + random.between(-0.1, 0.1));
  if (tiltTo) vector[tiltTo.axis]! += tiltTo.weight;
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

describe("the bars meaning must pass, from a library's own vectors", () => {
  const library = importedDemoLibrary(60, 'meaning-bars');
  // Two kinds of study, half the library each (as normal films are half a chest library): a report, and every image of
  // a study of its kind, point one way; the other kind another. Real models put a report as close to such images as
  // to its own.
  const kindOfStudy = (studyId: number) => studyId % 2;

  /**
   * A model whose vectors are the library's two kinds; `unseenTilt` turns the images of held-out patients that far
   * towards a third direction, as a model fits the images it trained on more closely than those it never saw.
   */
  function twoKindModel(name: string, unseenTilt: number): Pick<ModelRecord, 'id' | 'split'> & { index: VectorIndex } {
    const database = library.catalog.database;
    const images = imagePlacements(database);
    const reports = database
      .prepare('SELECT id, study_id AS studyId FROM reports WHERE study_id IS NOT NULL')
      .all() as Array<{ id: number; studyId: number }>;
    const random = new SeededRandom(name);
    const embeddingsFile = path.join(library.path, `${name}.unisight-tensors`);
    writeLibraryEmbeddings(embeddingsFile, {
      size: dimension,
      imageIds: images.map((image) => image.id),
      reportIds: reports.map((report) => report.id),
      reportDigests: reports.map(() => ''),
      images: Float32Array.from(
        images.flatMap((image) =>
          near(
            kindOfStudy(image.studyId),
            random,
            heldOutByHash(image.patientKey, split) ? { axis: 2, weight: unseenTilt } : undefined,
          ),
        ),
      ),
      reports: Float32Array.from(reports.flatMap((report) => near(kindOfStudy(report.studyId), random))),
    });
    database
      .prepare(
        "INSERT INTO models (id, name, origin, architecture, config_json, tokenizer_fingerprint, split_json, metrics_json, weights_file, weights_bytes, embeddings_file, created_at) VALUES (?, ?, 'trained', 'shared', '{}', '', ?, '{}', 'none', 0, ?, ?)",
      )
      .run(name, name, JSON.stringify(split), embeddingsFile, new Date().toISOString());
    const index = new VectorIndex(database, library.catalog.vectorExtensionError);
    index.ensure({ id: name, name, embeddingsFile } as ModelRecord);
    return { id: name, split, index };
  }

  it('measures the floor on unrelated studies: studies of the same finding as a report do not lift it', () => {
    const model = twoKindModel('two-kinds', 0);
    const bars = unrelatedPairBars(library.catalog.database, model.index, model)!;
    // Any other study: half are of the report's kind, at a similarity near 1, so 1% of pairs reach that.
    expect(bars.strict).toBeGreaterThan(0.9);
    // Unrelated studies only (the report's kind is the more similar half): near 0, as unrelated content is.
    expect(bars.floor).toBeLessThan(0.4);
    // Seen and unseen images of a kind are alike here: nothing to take off.
    expect(bars.trainingLift).toBeLessThan(0.02);
  });

  it('measures how much closer images the model trained on sit to like reports than unseen images of their kind', () => {
    // Tilted by 0.75 towards a third axis, an unseen image is at cosine 0.8 to its kind, a seen one near 1.
    const model = twoKindModel('unseen-apart', 0.75);
    const bars = unrelatedPairBars(library.catalog.database, model.index, model)!;
    expect(bars.trainingLift).toBeGreaterThan(0.12);
    expect(bars.trainingLift).toBeLessThan(0.28);
    const database = library.catalog.database;
    const heldOut = (database.prepare('SELECT id FROM images').pluck().all() as number[]).filter((id) =>
      bars.heldOutImages.has(id),
    );
    expect(heldOut.length).toBeGreaterThan(10);
  });
});

describe('the bar a query with word matches sets', () => {
  const bars: UnrelatedPairBars = { strict: 0.9, floor: 0.3, trainingLift: 0.1, heldOutImages: new Set([4, 5]) };
  const matches = (similarities: number[]) => similarities.map((similarity, index) => ({ imageId: index, similarity }));

  it('counts each match the model trained on as the lift lower, and those it never saw as they are', () => {
    // Images 0–3 and 6 trained (0.8 → 0.7), 4 and 5 held out (0.75 stays): the median of what is left, 0.7.
    expect(meaningBar(bars, matches([0.8, 0.8, 0.8, 0.8, 0.75, 0.75, 0.8]))).toBeCloseTo(0.7, 10);
    expect(meaningBar({ ...bars, trainingLift: 0 }, matches([0.8, 0.8, 0.8, 0.8, 0.75, 0.75, 0.8]))).toBeCloseTo(
      0.8,
      10,
    );
  });

  it('never sets the bar below the floor, and adds nothing where the matches do not stand out from it', () => {
    expect(meaningBar(bars, matches([0.35, 0.35, 0.35, 0.35, 0.35]))).toBeCloseTo(0.3, 10);
    expect(meaningBar(bars, matches([0.25, 0.25, 0.25, 0.25, 0.25]))).toBeNull();
  });

  it('uses the strict bar where too few reports matched to say what the query looks like', () => {
    expect(meaningBar(bars, matches([0.8, 0.8]))).toBe(0.9);
  });
});
