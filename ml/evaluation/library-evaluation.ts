// Judging a model from its stored embeddings of the library, with no model loaded: the image-side probe after
// pretraining, and the test split's retrieval recall for a model trained elsewhere (scale-out) and imported.
import type { ImageProbeResult, RetrievalMetrics } from '../../common/contract/evaluation.js';
import { splitByPatient, type PretrainingDataset, type PretrainingItem } from '../data/pretraining-dataset.js';
import type { LibraryEmbeddings } from '../embedding/library-embeddings-file.js';
import { probeImageEmbeddings } from './image-probe.js';
import { retrievalRecall } from './retrieval-recall.js';

/** A run's split: its seed and fractions place every patient. */
export interface SplitSettings {
  seed: string;
  validationFraction: number;
  testFraction: number;
}

/**
 * The image-side probe on the embeddings just made: every image with a label takes part, reports or not, split by
 * patient with the run's seed and fractions, which place each patient as pretraining did (only in a library too small
 * for the hash alone to fill the test split may the top-up that splitByPatient makes differ).
 */
export function probeLibraryImages(
  dataset: PretrainingDataset,
  embeddings: LibraryEmbeddings,
  options: SplitSettings,
): ImageProbeResult[] {
  if (dataset.probeTasks.length === 0) return [];
  const width = embeddings.size;
  const rowOfImage = new Map(embeddings.imageIds.map((imageId, row) => [imageId, row]));
  const features = new Float32Array(dataset.items.length * width);
  dataset.items.forEach((item, index) => {
    const row = rowOfImage.get(item.imageId)!;
    features.set(embeddings.images.subarray(row * width, (row + 1) * width), index * width);
  });
  const split = splitByPatient(
    dataset.items,
    { validation: options.validationFraction, test: options.testFraction },
    options.seed,
    { includeImagesWithoutReports: true },
  );
  return probeImageEmbeddings(
    {
      features,
      width,
      patientKeys: dataset.items.map((item) => item.patientKey),
      train: split.train,
      test: split.test,
    },
    dataset.probeTasks,
    options.seed,
  );
}

/**
 * Recall@K on a split's image–report pairs (one per study, as pretraining evaluates) from the embeddings already
 * stored; null when an image or report of the split has no vector yet.
 */
export function storedRetrieval(
  items: readonly PretrainingItem[],
  embeddings: LibraryEmbeddings,
  split: 'validation' | 'test',
  settings: SplitSettings,
): RetrievalMetrics | null {
  const indices = splitByPatient(
    items,
    { validation: settings.validationFraction, test: settings.testFraction },
    settings.seed,
  )[split];
  const seenStudies = new Set<number>();
  const pairs = indices.filter((index) => {
    const { studyId } = items[index]!;
    if (seenStudies.has(studyId)) return false;
    seenStudies.add(studyId);
    return true;
  });
  const width = embeddings.size;
  const imageRow = new Map(embeddings.imageIds.map((id, row) => [id, row]));
  const reportRow = new Map(embeddings.reportIds.map((id, row) => [id, row]));
  const images = new Float32Array(pairs.length * width);
  const texts = new Float32Array(pairs.length * width);
  for (const [position, index] of pairs.entries()) {
    const item = items[index]!;
    const image = imageRow.get(item.imageId);
    const report = item.reportId === null ? undefined : reportRow.get(item.reportId);
    if (image === undefined || report === undefined) return null;
    images.set(embeddings.images.subarray(image * width, (image + 1) * width), position * width);
    texts.set(embeddings.reports.subarray(report * width, (report + 1) * width), position * width);
  }
  return retrievalRecall(images, texts, width);
}
