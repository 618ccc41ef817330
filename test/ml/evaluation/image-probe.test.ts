import { describe, expect, it } from 'vitest';
import { probeImageEmbeddings } from '../../../ml/evaluation/image-probe.js';
import type { ProbeTask } from '../../../ml/data/pretraining-dataset.js';
import { SeededRandom } from '../../../common/seeded-random.js';

/**
 * 400 images of 200 patients (two each, labelled alike), 8-wide features; the task's label is carried by feature 3
 * alone. A patient's two images are two studies, or with `imagesPerStudy` 2 the two views of one.
 */
function library(signal: number, imagesPerStudy = 1) {
  const random = new SeededRandom('probe-test');
  const count = 400;
  const width = 8;
  const labels = Array.from({ length: count }, (_, index) => (Math.floor(index / 2) % 3 === 0 ? 1 : 0) as 0 | 1);
  const features = new Float32Array(count * width);
  for (let index = 0; index < count; index++)
    for (let column = 0; column < width; column++)
      features[index * width + column] = random.between(-1, 1) + (column === 3 ? signal * labels[index]! : 0);
  const patientKeys = Array.from({ length: count }, (_, index) => `P${Math.floor(index / 2)}`);
  const studyIds = Array.from({ length: count }, (_, index) => Math.floor(index / imagesPerStudy));
  const indices = Array.from({ length: count }, (_, index) => index);
  return {
    data: {
      features,
      width,
      patientKeys,
      studyIds,
      train: indices.filter((index) => index < 300),
      test: indices.slice(300),
    },
    labels,
  };
}

describe('the image-side linear probe', () => {
  it('finds a label the embeddings carry, at 1% and at all labels, with intervals around the estimate', () => {
    const { data, labels } = library(3);
    const [result] = probeImageEmbeddings(data, [{ task: 'finding', labels }], 'seed');
    expect(result).toMatchObject({ task: 'finding', testImages: 100 });
    expect(result!.testPositives).toBe(labels.slice(300).filter((label) => label === 1).length);
    const [few, all] = result!.results;
    // 1% of 300 training images: one per class (at least one of each is kept), five draws.
    expect(few).toMatchObject({ labelFraction: 0.01, labelledImages: 3, labelledStudies: 3, draws: 5 });
    expect(all).toMatchObject({ labelFraction: 1, labelledImages: 300, labelledStudies: 300, draws: 1 });
    expect(all!.auroc.estimate).toBeGreaterThan(0.95);
    for (const { auroc } of [few!, all!]) {
      expect(auroc.lower).toBeLessThanOrEqual(auroc.estimate);
      expect(auroc.upper).toBeGreaterThanOrEqual(auroc.estimate);
      expect(auroc.upper).toBeLessThanOrEqual(1);
    }
  });

  it('reports chance for embeddings that carry nothing, and is the same on every run', () => {
    const { data, labels } = library(0);
    const tasks: ProbeTask[] = [{ task: 'finding', labels }];
    const first = probeImageEmbeddings(data, tasks, 'seed');
    expect(first[0]!.results[1]!.auroc.estimate).toBeGreaterThan(0.35);
    expect(first[0]!.results[1]!.auroc.estimate).toBeLessThan(0.65);
    expect(first[0]!.results[1]!.auroc.lower).toBeLessThan(0.5);
    expect(probeImageEmbeddings(data, tasks, 'seed')).toEqual(first);
  });

  it('leaves out a task whose training or test images lack a class, and images without a label', () => {
    const { data, labels } = library(3);
    const onlyNegativeInTest = labels.map((label, index) => (index >= 300 ? 0 : label));
    const halfUnlabelled = labels.map((label, index) => (index % 2 === 0 ? null : label));
    const results = probeImageEmbeddings(
      data,
      [
        { task: 'no positive test image', labels: onlyNegativeInTest },
        { task: 'half labelled', labels: halfUnlabelled },
      ],
      'seed',
    );
    expect(results.map((result) => result.task)).toEqual(['half labelled']);
    expect(results[0]!.testImages).toBe(50);
    expect(results[0]!.results[1]!.labelledImages).toBe(150);
  });

  it('draws labels by study and judges each test study once, on the mean score of its images', () => {
    const { data, labels } = library(3, 2);
    const [result] = probeImageEmbeddings(data, [{ task: 'finding', labels }], 'seed');
    const testStudies = labels.slice(300).filter((_, index) => index % 2 === 0);
    expect(result).toMatchObject({
      testImages: 100,
      testStudies: 50,
      testPositives: testStudies.filter((label) => label === 1).length,
    });
    const [few, all] = result!.results;
    // 1% of 150 training studies: one of each class, each bringing its two images.
    expect(few).toMatchObject({ labelledStudies: 2, labelledImages: 4 });
    expect(all).toMatchObject({ labelledStudies: 150, labelledImages: 300 });
    expect(all!.auroc.estimate).toBeGreaterThan(0.95);
  });
});
