// Judging a model from its stored embeddings of the library, with no model loaded: the image-side probe after
// pretraining, and the test split's retrieval recall for a model trained elsewhere (scale-out) and imported.
import type { ImageProbeResult, RetrievalMetrics } from '../../common/contract/evaluation.js';
import { splitByPatient, type PretrainingDataset } from '../data/pretraining-dataset.js';
import type { LibraryEmbeddings } from '../embedding/library-embeddings-file.js';
import { probeImageEmbeddings } from './image-probe.js';
import { studyFindings, studyRetrievalRecall } from './retrieval-recall.js';
import { studyGroups } from '../data/study-sampling.js';

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
      studyIds: dataset.items.map((item) => item.studyId),
      train: split.train,
      test: split.test,
    },
    dataset.probeTasks,
    options.seed,
  );
}

/**
 * Recall@K by study on a split (as pretraining evaluates) from the embeddings already stored; null when an image or
 * report of the split has no vector yet.
 */
export function storedRetrieval(
  { items, probeTasks }: Pick<PretrainingDataset, 'items' | 'probeTasks'>,
  embeddings: LibraryEmbeddings,
  split: 'validation' | 'test',
  settings: SplitSettings,
): RetrievalMetrics | null {
  const indices = splitByPatient(
    items,
    { validation: settings.validationFraction, test: settings.testFraction },
    settings.seed,
  )[split];
  const { imageStudies, studyItems } = studyGroups(items, indices);
  const width = embeddings.size;
  const rows = (ids: readonly number[], wanted: Array<number | null>, vectors: Float32Array): Float32Array | null => {
    const rowOf = new Map(ids.map((id, row) => [id, row]));
    const gathered = new Float32Array(wanted.length * width);
    for (const [position, id] of wanted.entries()) {
      const row = id === null ? undefined : rowOf.get(id);
      if (row === undefined) return null;
      gathered.set(vectors.subarray(row * width, (row + 1) * width), position * width);
    }
    return gathered;
  };
  const images = rows(
    embeddings.imageIds,
    indices.map((index) => items[index]!.imageId),
    embeddings.images,
  );
  const reports = rows(
    embeddings.reportIds,
    studyItems.map((index) => items[index]!.reportId),
    embeddings.reports,
  );
  return images && reports
    ? studyRetrievalRecall(images, imageStudies, reports, width, studyFindings(studyItems, probeTasks))
    : null;
}
