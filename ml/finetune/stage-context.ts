import * as tf from '@tensorflow/tfjs';
import type { FinetuneRequest } from '../../common/contract/finetune.js';
import type { StudyImages } from '../../common/contract/training.js';
import type { ClassificationItem } from '../data/classification-dataset.js';
import type { PretrainingBatches } from '../data/pretraining-batches.js';
import type { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import type { TaskContext } from '../../common/engine/engine-task.js';
import type { FinetuneMetrics } from '../../common/engine/finetune-task.js';

/** What every stage of a fine-tuning run works with. */
export interface StageContext {
  encoder: ContrastiveEncoder;
  batches: PretrainingBatches;
  items: readonly ClassificationItem[];
  /** Classes of the task (2 for a binary task). */
  classCount: number;
  options: FinetuneRequest;
  runDirectory: string;
  task: TaskContext<FinetuneMetrics>;
  /** Reports the stage's progress as part of the whole run's. */
  progress(stageDone: number, message: string): void;
}

/** Throws when a step left tensors behind: every engine loop checks this after each step. */
export class LeakCheck {
  private expected: number | null = null;

  after(step: number): void {
    const count = tf.memory().numTensors;
    if (this.expected !== null && count !== this.expected)
      throw new Error(`Tensor leak: ${count - this.expected} tensor(s) left behind by step ${step}.`);
    this.expected = count;
  }
}

/**
 * The items of each step: epoch by epoch, the run's study policy over a seeded shuffle (one image a study, or every
 * image), cut into batches (the remainder of an epoch is dropped).
 */
export class EpochBatches {
  private order: number[] = [];
  private orderEpoch = -1;
  readonly stepsPerEpoch: number;

  constructor(
    private readonly batches: PretrainingBatches,
    private readonly indices: readonly number[],
    private readonly batchSize: number,
    private readonly policy: StudyImages,
  ) {
    this.stepsPerEpoch = Math.max(1, Math.floor(batches.pairsPerEpoch(indices, policy) / batchSize));
  }

  at(step: number): number[] {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.orderEpoch) {
      this.order = this.batches.epochOrder(this.indices, epoch, this.policy);
      this.orderEpoch = epoch;
    }
    const position = (step % this.stepsPerEpoch) * this.batchSize;
    return this.order.slice(position, position + this.batchSize);
  }
}
