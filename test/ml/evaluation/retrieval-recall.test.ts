import { describe, expect, it } from 'vitest';
import {
  noFinding,
  retrievalRecall,
  studyFindings,
  studyRetrievalRecall,
} from '../../../ml/evaluation/retrieval-recall.js';

// Unit vectors in 2-D at the given angles (degrees), flattened row by row.
const atAngles = (...degrees: number[]) =>
  new Float32Array(degrees.flatMap((angle) => [Math.cos((angle * Math.PI) / 180), Math.sin((angle * Math.PI) / 180)]));

describe('retrieval recall', () => {
  it('counts hits at K in both directions and prints chance as K / N', () => {
    // Image 0 and 1 each find their own text first; image 2's nearest text is text 1, its own is second.
    const images = atAngles(0, 90, 60);
    const texts = atAngles(0, 80, 10);
    const metrics = retrievalRecall(images, texts, 2);
    expect(metrics.pairs).toBe(3);
    expect(metrics.imageToText.recall['1']).toBeCloseTo(2 / 3, 6);
    expect(metrics.imageToText.recall['5']).toBe(1);
    // Text 2 (10°) is nearest image 0 (0°); texts 0 and 1 find their own images.
    expect(metrics.textToImage.recall['1']).toBeCloseTo(2 / 3, 6);
    expect(metrics.textToImage.chance).toEqual({ '1': 1 / 3, '5': 1, '10': 1 });
  });

  it('counts a tie against the query, so identical embeddings score no better than chance allows', () => {
    const same = atAngles(30, 30, 30, 30);
    const metrics = retrievalRecall(same, same, 2);
    expect(metrics.imageToText.recall['1']).toBe(0);
    expect(metrics.textToImage.recall['1']).toBe(0);
  });

  it('counts by study: a report finds its study through any of its images, whose other images never count against it', () => {
    // Study 0: three slices, one of them (10°) nearest its report (0°), the others far off (170°, 175°); study 1: one
    // film at 90° beside its report at 95°; study 2: one film at 50°, nearer report 0 than its own (130°).
    const images = atAngles(170, 10, 175, 90, 50);
    const imageStudies = Int32Array.from([0, 0, 0, 1, 2]);
    const reports = atAngles(0, 95, 130);
    const metrics = studyRetrievalRecall(images, imageStudies, reports, 2);
    expect(metrics.pairs).toBe(3);
    // Report 0 finds slice 10° first; report 1 finds 90°; report 2 (130°) finds 90° (study 1) before 170° and 50°.
    expect(metrics.textToImage.recall['1']).toBeCloseTo(2 / 3, 6);
    // Study 0 through its 10° slice, study 1 through 90°; study 2's film ranks report 0 above its own.
    expect(metrics.imageToText.recall['1']).toBeCloseTo(2 / 3, 6);
    // Chance, averaged over the studies: report → any of m images among N = 5 at K = 1 is m / N.
    expect(metrics.textToImage.chance['1']).toBeCloseTo((3 / 5 + 1 / 5 + 1 / 5) / 3, 6);
    // Image → report: 1 − (1 − 1/3)^m per study.
    expect(metrics.imageToText.chance['1']).toBeCloseTo((1 - (2 / 3) ** 3 + 1 / 3 + 1 / 3) / 3, 6);
    expect(metrics.textToImage.chance['5']).toBe(1);
  });

  it("gives text → image recall of each finding's reports, among every image, with their own chance", () => {
    // The same three studies; study 0 has a nodule, studies 1 and 2 none, so its report's recall is apart.
    const images = atAngles(170, 10, 175, 90, 50);
    const imageStudies = Int32Array.from([0, 0, 0, 1, 2]);
    const reports = atAngles(0, 95, 130);
    // Items 0–4 are the images; study s's first item is its report's row: items 0, 3 and 4.
    const nodule = { task: 'nodule', labels: [1, 1, 1, 0, 0] as Array<0 | 1 | null> };
    const effusion = { task: 'effusion', labels: [0, 0, 0, 0, null] as Array<0 | 1 | null> };
    const findings = studyFindings([0, 3, 4], [nodule, effusion]);
    // Study 2 is unlabelled on effusion, so it is in no finding group; effusion has no positive study.
    expect(findings).toEqual([
      { finding: noFinding, studies: [1] },
      { finding: 'nodule', studies: [0] },
      { finding: 'effusion', studies: [] },
    ]);
    const metrics = studyRetrievalRecall(images, imageStudies, reports, 2, findings);
    expect(metrics.textToImageByFinding).toEqual([
      {
        finding: noFinding,
        studies: 1,
        recall: { '1': 1, '5': 1, '10': 1 },
        chance: { '1': expect.closeTo(1 / 5, 10), '5': 1, '10': 1 },
      },
      {
        finding: 'nodule',
        studies: 1,
        recall: { '1': 1, '5': 1, '10': 1 },
        chance: { '1': expect.closeTo(3 / 5, 10), '5': 1, '10': 1 },
      },
    ]);
    expect(studyRetrievalRecall(images, imageStudies, reports, 2).textToImageByFinding).toBeUndefined();
    expect(studyFindings([0, 3, 4], [])).toEqual([]);
  });

  it('is the paired recall when every study has one image', () => {
    const images = atAngles(0, 90, 60, 200);
    const texts = atAngles(0, 80, 10, 190);
    expect(studyRetrievalRecall(images, Int32Array.from([0, 1, 2, 3]), texts, 2)).toEqual(
      retrievalRecall(images, texts, 2),
    );
  });
});
