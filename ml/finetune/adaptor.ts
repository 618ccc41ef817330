import * as tf from '@tensorflow/tfjs';
import { symmetricInfoNce } from '../objectives/info-nce.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from '../model/layers/layer-norm.js';
import { createLinear, linear, type LinearParameters } from '../model/layers/linear.js';
import { gradientsByParameterName, ParameterStore } from '../model/parameter-store.js';
import { AdamW } from '../training/adamw.js';

export interface AdaptorSettings {
  /** Width both modalities are projected to (Adaptor `--projection_dim`, 768 in the paper). */
  projectionSize: number;
  /** Transformer layers of the module (paper: 2). */
  layers: number;
  /** Hidden width of each layer's feed-forward part (paper: 2048). */
  feedForwardWidth: number;
}

interface AdaptorLayer {
  value: LinearParameters;
  output: LinearParameters;
  attentionNorm: LayerNormParameters;
  feedForwardIn: LinearParameters;
  feedForwardOut: LinearParameters;
  feedForwardNorm: LayerNormParameters;
}

/**
 * The Adaptor of Qin et al. 2024 on the frozen encoder's cached embeddings: bias-free projections of each modality,
 * L2-normalised, then post-LN transformer layers where the image attends to the report and the report to the updated
 * image, one layer's weights for both directions (adaptor.py). The inputs are single pooled vectors, so each
 * cross-attention is exactly W_o·W_v·(other) — heads and softmax drop out, as in the reference run on pooled outputs.
 * Dropout (0.1 in the reference) is left out so runs are deterministic.
 */
export class Adaptor {
  readonly store: ParameterStore;
  readonly logitScale: tf.Variable;
  private readonly imageProjection: LinearParameters;
  private readonly textProjection: LinearParameters;
  private readonly layers: AdaptorLayer[];

  constructor(
    embeddingSize: number,
    readonly settings: AdaptorSettings,
    seed: number,
  ) {
    const { projectionSize, feedForwardWidth } = settings;
    this.store = new ParameterStore(seed);
    this.imageProjection = createLinear(this.store, 'projection.image', embeddingSize, projectionSize, { bias: false });
    this.textProjection = createLinear(this.store, 'projection.text', embeddingSize, projectionSize, { bias: false });
    this.layers = Array.from({ length: settings.layers }, (_, index) => ({
      value: createLinear(this.store, `layer.${index}.value`, projectionSize, projectionSize),
      output: createLinear(this.store, `layer.${index}.output`, projectionSize, projectionSize),
      attentionNorm: createLayerNorm(this.store, `layer.${index}.attentionNorm`, projectionSize),
      feedForwardIn: createLinear(this.store, `layer.${index}.feedForwardIn`, projectionSize, feedForwardWidth),
      feedForwardOut: createLinear(this.store, `layer.${index}.feedForwardOut`, feedForwardWidth, projectionSize),
      feedForwardNorm: createLayerNorm(this.store, `layer.${index}.feedForwardNorm`, projectionSize),
    }));
    this.logitScale = this.store.create('logitScale', [], { kind: 'constant', value: Math.log(1 / 0.07) });
  }

  private static normalise(values: tf.Tensor): tf.Tensor2D {
    return values.div(values.square().sum(1, true).add(1e-12).sqrt()) as tf.Tensor2D;
  }

  private static layer(query: tf.Tensor, source: tf.Tensor, layer: AdaptorLayer): tf.Tensor {
    const attended = layerNorm(query.add(linear(linear(source, layer.value), layer.output)), layer.attentionNorm);
    return layerNorm(
      attended.add(linear(tf.relu(linear(attended, layer.feedForwardIn)), layer.feedForwardOut)),
      layer.feedForwardNorm,
    );
  }

  /** Adapted, L2-normalised embeddings of image–report pairs, [batch, projectionSize] each. */
  forward(imageEmbeddings: tf.Tensor2D, textEmbeddings: tf.Tensor2D): { image: tf.Tensor2D; text: tf.Tensor2D } {
    let image: tf.Tensor = Adaptor.normalise(linear(imageEmbeddings, this.imageProjection));
    let text: tf.Tensor = Adaptor.normalise(linear(textEmbeddings, this.textProjection));
    for (const layer of this.layers) {
      image = Adaptor.layer(image, text, layer);
      text = Adaptor.layer(text, image, layer);
    }
    return { image: Adaptor.normalise(image), text: Adaptor.normalise(text) };
  }

  /**
   * The image alone through the module, each layer as self-attention: the reference's downstream path (no report read).
   */
  forwardImage(imageEmbeddings: tf.Tensor2D): tf.Tensor2D {
    let image: tf.Tensor = Adaptor.normalise(linear(imageEmbeddings, this.imageProjection));
    for (const layer of this.layers) image = Adaptor.layer(image, image, layer);
    return Adaptor.normalise(image);
  }

  dispose(): void {
    this.store.dispose();
  }
}

export interface AdaptorTraining {
  epochs: number;
  batchSize: number;
  peakLearningRate: number;
  weightDecay: number;
  seed: string;
}

/**
 * Contrastive training of the module on cached pairs (CLIP loss, image and text halves weighted 0.5 each, learnable
 * scale, no clamp as in the reference); linear warm-up over 2% of the steps then linear decay
 * (get_linear_schedule_with_warmup). Returns the mean loss of each epoch.
 */
export async function trainAdaptor(
  adaptor: Adaptor,
  images: Float32Array,
  texts: Float32Array,
  embeddingSize: number,
  training: AdaptorTraining,
  order: (epoch: number) => number[],
  onEpoch: (epoch: number, loss: number) => Promise<void>,
): Promise<number[]> {
  // An epoch is what `order` gives: every row, or one image a study.
  const stepsPerEpoch = Math.max(1, Math.floor(order(0).length / training.batchSize));
  const totalSteps = stepsPerEpoch * training.epochs;
  const warmupSteps = Math.max(1, Math.round(totalSteps * 0.02));
  const trainable = adaptor.store.trainable();
  const optimizer = new AdamW(trainable, {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: training.weightDecay,
  });
  const losses: number[] = [];
  try {
    let step = 0;
    for (let epoch = 0; epoch < training.epochs; epoch++) {
      const shuffled = order(epoch);
      let sum = 0;
      for (let batch = 0; batch < stepsPerEpoch; batch++) {
        const chosen = shuffled.slice(batch * training.batchSize, (batch + 1) * training.batchSize);
        const gather = (source: Float32Array) => {
          const values = new Float32Array(chosen.length * embeddingSize);
          chosen.forEach((row, position) =>
            values.set(source.subarray(row * embeddingSize, (row + 1) * embeddingSize), position * embeddingSize),
          );
          return tf.tensor2d(values, [chosen.length, embeddingSize]);
        };
        const imageBatch = gather(images);
        const textBatch = gather(texts);
        const rate =
          step < warmupSteps
            ? (training.peakLearningRate * (step + 1)) / warmupSteps
            : (training.peakLearningRate * (totalSteps - step)) / Math.max(1, totalSteps - warmupSteps);
        try {
          const { value, grads } = tf.variableGrads(() => {
            const adapted = adaptor.forward(imageBatch, textBatch);
            return symmetricInfoNce(adapted.image, adapted.text, adaptor.logitScale);
          }, [...trainable.values()]);
          try {
            await optimizer.step(gradientsByParameterName(trainable, grads), rate);
            sum += (await value.data())[0]!;
          } finally {
            value.dispose();
            tf.dispose(grads);
          }
        } finally {
          tf.dispose([imageBatch, textBatch]);
        }
        step += 1;
      }
      losses.push(sum / stepsPerEpoch);
      await onEpoch(epoch, sum / stepsPerEpoch);
    }
    return losses;
  } finally {
    optimizer.dispose();
  }
}

/**
 * Adapted features of every row for the linear head, [text ‖ image] or (no texts) the image's alone; the module stays
 * frozen.
 */
export async function adaptedFeatures(
  adaptor: Adaptor,
  images: Float32Array,
  texts: Float32Array | null,
  embeddingSize: number,
): Promise<Float32Array> {
  const rows = images.length / embeddingSize;
  const features = tf.tidy(() => {
    const imageBatch = tf.tensor2d(images, [rows, embeddingSize]);
    if (!texts) return adaptor.forwardImage(imageBatch);
    const adapted = adaptor.forward(imageBatch, tf.tensor2d(texts, [rows, embeddingSize]));
    return tf.concat([adapted.text, adapted.image], 1);
  });
  try {
    return (await features.data()) as Float32Array;
  } finally {
    features.dispose();
  }
}
