import type { RecallAtK, RecallByFinding, RetrievalMetrics } from '../../common/contract/evaluation.js';

export const recallCutoffs = [1, 5, 10] as const;

/**
 * Recall@1/5/10 in both directions for N paired, L2-normalised embeddings (row i of each is one pair): every study
 * one image (see studyRetrievalRecall).
 */
export function retrievalRecall(
  imageEmbeddings: Float32Array,
  textEmbeddings: Float32Array,
  size: number,
): RetrievalMetrics {
  const pairs = imageEmbeddings.length / size;
  if (!Number.isInteger(pairs) || textEmbeddings.length !== imageEmbeddings.length)
    throw new Error('image and text embeddings must be N × size each');
  return studyRetrievalRecall(
    imageEmbeddings,
    Int32Array.from({ length: pairs }, (_, image) => image),
    textEmbeddings,
    size,
  );
}

/** The studies (rows of the text embeddings) of one finding. */
export interface StudyFinding {
  finding: string;
  studies: readonly number[];
}

/** The finding studies are grouped by for recall: no finding, then each labelled task's positives. */
export const noFinding = 'no finding';

/**
 * The studies of each labelled task's positives, and those negative on every task (`no finding`), from the labels of
 * each study's first item. A study unlabelled on some task is in no `no finding` group: it may have that finding.
 */
export function studyFindings(
  studyItems: readonly number[],
  tasks: ReadonlyArray<{ task: string; labels: ReadonlyArray<0 | 1 | null> }>,
): StudyFinding[] {
  if (tasks.length === 0) return [];
  const studies = studyItems.map((_, study) => study);
  return [
    {
      finding: noFinding,
      studies: studies.filter((study) => tasks.every((task) => task.labels[studyItems[study]!] === 0)),
    },
    ...tasks.map((task) => ({
      finding: task.task,
      studies: studies.filter((study) => task.labels[studyItems[study]!] === 1),
    })),
  ];
}

/** The chance that a random order puts at least one of `own` items among the first `k` of `total`. */
function chanceOfAny(own: number, total: number, k: number): number {
  let none = 1;
  for (let position = 0; position < Math.min(k, total); position++)
    none *= Math.max(0, total - own - position) / (total - position);
  return 1 - none;
}

/**
 * Recall@1/5/10 with the study as the unit: `imageStudies[i]` is the study (0 … S−1) of image row i, and text row s is
 * study s's report. Text → image: a report finds its study when any of the study's images is among the K nearest of
 * all images; image → text: a study finds its report when any of its images has it among its K nearest reports. The
 * study's other images never count against it; other ties do: a hit at K needs fewer than K others scoring at least
 * as high. Chance is the same event under a random order, averaged over the studies: 1 − C(N−m, K)/C(N, K) for a study
 * of m images among N, and 1 − (1 − K/S)^m. With one image a study both are the paired recall and K/N.
 */
export function studyRetrievalRecall(
  imageEmbeddings: Float32Array,
  imageStudies: Int32Array,
  textEmbeddings: Float32Array,
  size: number,
  findings: readonly StudyFinding[] = [],
): RetrievalMetrics {
  const images = imageStudies.length;
  const studies = textEmbeddings.length / size;
  if (imageEmbeddings.length !== images * size || !Number.isInteger(studies))
    throw new Error('image embeddings must be one row per image, text embeddings one row per study');
  const similarity = new Float32Array(images * studies);
  for (let image = 0; image < images; image++) {
    for (let text = 0; text < studies; text++) {
      let dot = 0;
      for (let index = 0; index < size; index++)
        dot += imageEmbeddings[image * size + index]! * textEmbeddings[text * size + index]!;
      similarity[image * studies + text] = dot;
    }
  }
  const imagesOf = Array.from({ length: studies }, () => [] as number[]);
  imageStudies.forEach((study, image) => imagesOf[study]!.push(image));
  // The fewest others scoring at least as high as the study's best-placed image (text → image) or as its report does
  // for its best image (image → text).
  const textRanks = imagesOf.map((own, study) => {
    const best = Math.max(...own.map((image) => similarity[image * studies + study]!));
    let better = 0;
    for (let image = 0; image < images; image++)
      if (imageStudies[image] !== study && similarity[image * studies + study]! >= best) better++;
    return better;
  });
  const imageRanks = imagesOf.map((own, study) =>
    Math.min(
      ...own.map((image) => {
        const score = similarity[image * studies + study]!;
        let better = 0;
        for (let text = 0; text < studies; text++)
          if (text !== study && similarity[image * studies + text]! >= score) better++;
        return better;
      }),
    ),
  );
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const summarise = (
    ranks: number[],
    chance: (k: number, own: number) => number,
    members: readonly number[] = ranks.map((_, study) => study),
  ): RecallAtK => ({
    recall: Object.fromEntries(
      recallCutoffs.map((k) => [k, members.filter((study) => ranks[study]! < k).length / members.length]),
    ) as RecallAtK['recall'],
    chance: Object.fromEntries(
      recallCutoffs.map((k) => [k, mean(members.map((study) => chance(k, imagesOf[study]!.length)))]),
    ) as RecallAtK['chance'],
  });
  const textChance = (k: number, own: number) => chanceOfAny(own, images, k);
  const byFinding = findings
    .filter((finding) => finding.studies.length > 0)
    .map((finding): RecallByFinding => ({
      finding: finding.finding,
      studies: finding.studies.length,
      ...summarise(textRanks, textChance, finding.studies),
    }));
  return {
    pairs: studies,
    imageToText: summarise(imageRanks, (k, own) => 1 - (1 - Math.min(1, k / studies)) ** own),
    textToImage: summarise(textRanks, textChance),
    ...(byFinding.length > 0 ? { textToImageByFinding: byFinding } : {}),
  };
}
