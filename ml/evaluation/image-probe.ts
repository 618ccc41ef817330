import { byStudy, sampleStudyLabelBudget } from '../data/study-sampling.js';
import type { ProbeTask } from '../data/pretraining-dataset.js';
import { scoreLinearProbe, trainLinearProbe } from '../finetune/linear-probe.js';
import { auroc, bootstrapResamples, type ScoredExample } from '../../common/binary-classification-metrics.js';
import type { ImageProbeResult } from '../../common/contract/evaluation.js';

/** The label shares reported after every pretraining run: the 1% of the label-efficiency papers, and all. */
export const probeLabelFractions = [0.01, 1] as const;
const drawsBelowAll = 5;
const resamplesPerDraw = 200;

export interface ProbeData {
  /** Image embeddings, one row of `width` per dataset item. */
  features: Float32Array;
  width: number;
  /** Each item's patient, for the grouped bootstrap. */
  patientKeys: readonly string[];
  /** Each item's study: labels are drawn by study and each test study is judged once. */
  studyIds: readonly number[];
  train: readonly number[];
  test: readonly number[];
}

function rowsOf(data: ProbeData, indices: readonly number[]): Float32Array {
  const rows = new Float32Array(indices.length * data.width);
  indices.forEach((item, row) =>
    rows.set(data.features.subarray(item * data.width, (item + 1) * data.width), row * data.width),
  );
  return rows;
}

/**
 * Whether the image side learned, without reading a report: a linear probe (logistic regression) on the frozen image
 * embeddings for each labelled task, fitted on the images of 1% and of all of the labelled training studies and judged
 * on the test split's studies (each on the mean score of its images). A task whose training or test images lack either
 * class is left out.
 */
export function probeImageEmbeddings(data: ProbeData, tasks: readonly ProbeTask[], seed: string): ImageProbeResult[] {
  const studyOf = data.studyIds.map((studyId) => ({ studyId }));
  return tasks.flatMap((task): ImageProbeResult[] => {
    const labelled = (indices: readonly number[]) => indices.filter((index) => task.labels[index] !== null);
    const train = labelled(data.train);
    const test = labelled(data.test);
    const classesIn = (indices: number[]) => new Set(indices.map((index) => task.labels[index])).size;
    if (classesIn(train) < 2 || classesIn(test) < 2) return [];
    const testFeatures = rowsOf(data, test);
    const rowOf = new Map(test.map((index, row) => [index, row]));
    const testStudies = byStudy(studyOf, test);
    const results = probeLabelFractions.map((labelFraction) => {
      const draws = labelFraction < 1 ? drawsBelowAll : 1;
      const points: number[] = [];
      const pooled: number[] = [];
      let labelledImages = 0;
      let labelledStudies = 0;
      for (let draw = 0; draw < draws; draw++) {
        const chosen = sampleStudyLabelBudget(
          studyOf,
          train,
          (index) => String(task.labels[index]),
          { fraction: labelFraction },
          `${seed}:probe:${task.task}:${draw}`,
        );
        labelledImages = chosen.length;
        labelledStudies = byStudy(studyOf, chosen).length;
        const probe = trainLinearProbe(
          rowsOf(data, chosen),
          data.width,
          chosen.map((index) => task.labels[index]!),
        );
        const scores = scoreLinearProbe(probe, testFeatures);
        const examples: ScoredExample[] = testStudies.map((images) => ({
          score: images.reduce((sum, index) => sum + scores[rowOf.get(index)!]!, 0) / images.length,
          positive: task.labels[images[0]!] === 1,
          group: data.patientKeys[images[0]!]!,
        }));
        points.push(auroc(examples));
        for (const sample of bootstrapResamples(examples, {
          resamples: resamplesPerDraw,
          seed: `${seed}:probe-bootstrap:${task.task}:${draw}`,
          groupOf: (example) => example.group!,
        })) {
          const value = auroc(sample);
          if (!Number.isNaN(value)) pooled.push(value);
        }
      }
      pooled.sort((left, right) => left - right);
      // A test split of a few patients can leave every resample one class short: then nothing bounds the AUROC.
      const percentile = (fraction: number, unknown: number) =>
        pooled.length === 0 ? unknown : pooled[Math.round(fraction * (pooled.length - 1))]!;
      return {
        labelFraction,
        labelledImages,
        labelledStudies,
        draws,
        auroc: {
          estimate: points.reduce((sum, value) => sum + value, 0) / points.length,
          lower: percentile(0.025, 0),
          upper: percentile(0.975, 1),
        },
      };
    });
    return [
      {
        task: task.task,
        testImages: test.length,
        testStudies: testStudies.length,
        testPositives: testStudies.filter((images) => task.labels[images[0]!] === 1).length,
        results,
      },
    ];
  });
}
