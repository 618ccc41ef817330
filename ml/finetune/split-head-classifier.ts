import * as tf from '@tensorflow/tfjs';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { ParameterStore } from '../model/parameter-store.js';
import type { SplitHead } from './gm-coord.js';

export interface ClassifierFeatures {
  text: tf.Tensor2D;
  image: tf.Tensor2D;
}

/**
 * A study classifier on the encoder: the report's and the image's embeddings side by side, [text ‖ image], into one
 * linear layer. That layer is the split head GM-Coord reads (UMD scores each modality through the head's last linear
 * layer; here it is the only one, which also keeps the few weights a 1% label budget can fit).
 */
export class SplitHeadClassifier {
  readonly store: ParameterStore;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly embeddingSize: number,
    readonly classes: number,
    seed: number,
    /** `image`: the report is not read; its half of the head sees zeros and learns nothing. */
    readonly inputs: 'image+report' | 'image' = 'image+report',
  ) {
    this.store = new ParameterStore(seed);
    this.weight = this.store.create('head.weight', [2 * embeddingSize, classes], { kind: 'zeros' });
    this.bias = this.store.create('head.bias', [classes], { kind: 'zeros' });
  }

  features(encoder: ContrastiveEncoder, patches: tf.Tensor3D, texts: TextBatch): ClassifierFeatures {
    const image = encoder.encode('image', patches);
    return { text: this.inputs === 'image' ? tf.zerosLike(image) : encoder.encode('text', texts), image };
  }

  logits(features: ClassifierFeatures): tf.Tensor2D {
    return tf.concat([features.text, features.image], 1).matMul(this.weight).add(this.bias) as tf.Tensor2D;
  }

  splitHead(): SplitHead {
    return {
      weight: this.weight as unknown as tf.Tensor2D,
      bias: this.bias as unknown as tf.Tensor1D,
      textWidth: this.embeddingSize,
    };
  }

  dispose(): void {
    this.store.dispose();
  }
}
