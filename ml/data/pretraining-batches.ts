import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../common/seeded-random.js';
import type { TextBatch } from '../model/contrastive-encoder.js';
import type { EncoderConfig } from '../../common/encoder-config.js';
import { patchesPerImage } from '../../common/encoder-config.js';
import type { BpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { identityTransform, renderPatches, sampleTransform } from './image-augmentation.js';
import { readFileRange } from './read-file-range.js';
import type { ReportWordTargets } from './report-word-targets.js';
import { epochOrder, pairsPerEpoch } from './study-sampling.js';
import { sampleReportText } from './text-sampling.js';
import type { PretrainingItem } from './pretraining-dataset.js';
import type { AugmentationSettings } from '../../common/contract/augmentation-settings.js';
import type { TextSamplingSettings } from '../../common/contract/text-sampling-settings.js';
import type { StudyImages } from '../../common/contract/training.js';

/** One batch as plain arrays, built in JS so tensors are made once per step and nothing else lives in tfjs. */
export interface HostBatch {
  size: number;
  /** [size, patches, patchSize²] */
  patches: Float32Array;
  /** [size, maximumTextTokens] */
  tokenIds: Int32Array;
  attentionMask: Float32Array;
  /** [size, words]: 1 where the item's report asserts the word; only when batches were made with word targets. */
  wordTargets?: Float32Array;
}

/**
 * Streams batches from the library cache: each step reads only its own images from disk, so memory does not grow
 * with the library. Every random choice derives from (seed, epoch) or (seed, step), so a run resumed at step s sees
 * exactly the batches an uninterrupted run would.
 */
export class PretrainingBatches {
  private readonly patchValues: number;

  constructor(
    private readonly items: readonly PretrainingItem[],
    private readonly tokenizer: BpeTokenizer,
    private readonly config: EncoderConfig,
    private readonly seed: string,
    private readonly reportWords: ReportWordTargets | null = null,
  ) {
    this.patchValues = patchesPerImage(config) * config.patchSize ** 2;
  }

  /** The training order of one epoch under a study policy (study-sampling.ts): `every` is a seeded shuffle. */
  epochOrder(indices: readonly number[], epoch: number, policy: StudyImages): number[] {
    return epochOrder(this.items, indices, epoch, policy, this.seed);
  }

  /** How many items an epoch of `indices` has under the policy. */
  pairsPerEpoch(indices: readonly number[], policy: StudyImages): number {
    return pairsPerEpoch(this.items, indices, policy);
  }

  /**
   * Images and texts of `indices`; augmented with draws seeded by `step` when `augmentation` is given, and with
   * `textSampling` each report may be read as one of its sentences or a short span (a stream of draws of its own, so
   * the images are augmented the same with or without it).
   */
  build(
    indices: readonly number[],
    augmentation: { settings: AugmentationSettings; step: number; textSampling?: TextSamplingSettings } | null,
  ): HostBatch {
    const { imageSize, patchSize, maximumTextTokens } = this.config;
    const batch: HostBatch = {
      size: indices.length,
      patches: new Float32Array(indices.length * this.patchValues),
      tokenIds: new Int32Array(indices.length * maximumTextTokens),
      attentionMask: new Float32Array(indices.length * maximumTextTokens),
    };
    const words = this.reportWords;
    if (words) {
      // From the whole report, whatever part of it the text side reads: the image shows all of it.
      const targets = new Float32Array(indices.length * words.words.length);
      indices.forEach((itemIndex, position) => {
        for (const word of words.of(this.items[itemIndex]!)) targets[position * words.words.length + word] = 1;
      });
      batch.wordTargets = targets;
    }
    const random = augmentation ? new SeededRandom(`${this.seed}:augment:${augmentation.step}`) : null;
    const textSampling = augmentation?.textSampling;
    const textRandom = textSampling ? new SeededRandom(`${this.seed}:text:${augmentation.step}`) : null;
    indices.forEach((itemIndex, position) => {
      const item = this.items[itemIndex]!;
      const source = readModelImage(item);
      const transform = random && augmentation ? sampleTransform(random, augmentation.settings) : identityTransform;
      renderPatches(
        source,
        item.imageSize,
        transform,
        imageSize,
        patchSize,
        batch.patches,
        position * this.patchValues,
      );
      const reportText =
        textSampling && textRandom ? sampleReportText(item.reportText, textSampling, textRandom) : item.reportText;
      const text = this.tokenizer.encode(reportText, maximumTextTokens);
      batch.tokenIds.set(text.tokenIds, position * maximumTextTokens);
      batch.attentionMask.set(text.attentionMask, position * maximumTextTokens);
    });
    return batch;
  }
}

function readModelImage(item: PretrainingItem): Uint8Array {
  const expected = item.imageSize ** 2;
  let bytes: Buffer;
  try {
    bytes = readFileRange(item.imageFile, item.imageOffset, expected);
  } catch (error) {
    throw new Error(
      `The cached image of image ${item.imageId} cannot be read (${(error as Error).message}); re-import its folder to rebuild the cache.`,
      { cause: error },
    );
  }
  if (bytes.length !== expected)
    throw new Error(
      `The cached image of image ${item.imageId} is damaged (${bytes.length} bytes, expected ${expected}); re-import its folder.`,
    );
  return bytes;
}

/** A batch as the encoder's input tensors, made once per step. */
export function batchTensors(batch: HostBatch, config: EncoderConfig): { patches: tf.Tensor3D; texts: TextBatch } {
  return {
    patches: tf.tensor3d(batch.patches, [batch.size, patchesPerImage(config), config.patchSize ** 2]),
    texts: {
      tokenIds: tf.tensor2d(batch.tokenIds, [batch.size, config.maximumTextTokens], 'int32'),
      attentionMask: tf.tensor2d(batch.attentionMask, [batch.size, config.maximumTextTokens]),
    },
  };
}

export function disposeBatch(tensors: { patches: tf.Tensor3D; texts: TextBatch }): void {
  tf.dispose([tensors.patches, tensors.texts.tokenIds, tensors.texts.attentionMask]);
}
