import { numericSeed } from '../../common/seeded-random.js';
import { embedItems } from '../embedding/library-embeddings.js';
import { Adaptor, adaptedFeatures, trainAdaptor } from './adaptor.js';
import { type LinearProbe, scoreLinearProbe, trainLinearProbe } from './linear-probe.js';
import type { StageContext } from './stage-context.js';

/** A fitted classifier, whatever the method: frozen-encoder ones here, the supervised ones in the registry. */
export interface FittedClassifier {
  /** Class probabilities of the items, [items, classes]. */
  score(indices: readonly number[]): Promise<Float32Array>;
  parameterCount: { trainable: number; frozen: number };
  describe: Record<string, unknown>;
  dispose(): void;
}

/** The rows a probe reads: [text ‖ image] from the two embedding arrays, or the image's alone. */
function probeRows(
  text: Float32Array,
  image: Float32Array,
  width: number,
  inputs: 'image+report' | 'image',
): Float32Array {
  if (inputs === 'image') return image;
  const rows = text.length / width;
  const features = new Float32Array(rows * 2 * width);
  for (let row = 0; row < rows; row++) {
    features.set(text.subarray(row * width, (row + 1) * width), row * 2 * width);
    features.set(image.subarray(row * width, (row + 1) * width), (row * 2 + 1) * width);
  }
  return features;
}

/** The encoder's embeddings of the given items, computed once and looked up by item index afterwards. */
class EmbeddingCache {
  private readonly row = new Map<number, number>();
  private text = new Float32Array(0);
  private image = new Float32Array(0);

  constructor(private readonly stage: StageContext) {}

  async fill(indices: readonly number[]): Promise<void> {
    const missing = [...new Set(indices)].filter((index) => !this.row.has(index));
    if (missing.length === 0) return;
    const embedded = await embedItems(
      this.stage.encoder,
      this.stage.batches,
      missing,
      ['image', 'text'],
      this.stage.task,
    );
    const offset = this.row.size;
    const grow = (old: Float32Array, added: Float32Array) => {
      const grown = new Float32Array(old.length + added.length);
      grown.set(old);
      grown.set(added, old.length);
      return grown;
    };
    this.text = grow(this.text, embedded.text);
    this.image = grow(this.image, embedded.image);
    missing.forEach((index, position) => this.row.set(index, offset + position));
  }

  rows(indices: readonly number[]): { text: Float32Array; image: Float32Array } {
    const width = this.stage.encoder.config.embeddingSize;
    const text = new Float32Array(indices.length * width);
    const image = new Float32Array(indices.length * width);
    indices.forEach((index, position) => {
      const row = this.row.get(index);
      if (row === undefined) throw new Error(`item ${index} was not embedded`);
      text.set(this.text.subarray(row * width, (row + 1) * width), position * width);
      image.set(this.image.subarray(row * width, (row + 1) * width), position * width);
    });
    return { text, image };
  }
}

/**
 * A linear head on fixed features: the probe itself for a binary task; one probe per class against the rest for a
 * multi-class one, their probabilities normalised to sum to one.
 */
function fitProbe(
  features: Float32Array,
  width: number,
  labelled: readonly number[],
  stage: StageContext,
): (rows: Float32Array) => Float32Array {
  const labels = labelled.map((index) => stage.items[index]!.label!);
  if (stage.classCount === 2) {
    const probe = trainLinearProbe(features, width, labels);
    return (rows) =>
      Float32Array.from(
        Array.from(scoreLinearProbe(probe, rows)).flatMap((probability) => [1 - probability, probability]),
      );
  }
  const probes: LinearProbe[] = Array.from({ length: stage.classCount }, (_, index) =>
    trainLinearProbe(
      features,
      width,
      labels.map((label) => (label === index ? 1 : 0)),
    ),
  );
  return (rows) => {
    const perClass = probes.map((probe) => scoreLinearProbe(probe, rows));
    const count = rows.length / width;
    const probabilities = new Float32Array(count * stage.classCount);
    for (let row = 0; row < count; row++) {
      const total = perClass.reduce((sum, scores) => sum + scores[row]!, 0);
      perClass.forEach((scores, index) => (probabilities[row * stage.classCount + index] = scores[row]! / total));
    }
    return probabilities;
  };
}

/** Linear probe: L2 logistic regression on the frozen encoder's [report ‖ image] embeddings. */
export async function fitLinearProbe(stage: StageContext, labelled: readonly number[]): Promise<FittedClassifier> {
  const cache = new EmbeddingCache(stage);
  const inputs = stage.options.inputs;
  const width = (inputs === 'image' ? 1 : 2) * stage.encoder.config.embeddingSize;
  const embed = async (indices: readonly number[]) => {
    await cache.fill(indices);
    const rows = cache.rows(indices);
    return probeRows(rows.text, rows.image, stage.encoder.config.embeddingSize, inputs);
  };
  const head = fitProbe(await embed(labelled), width, labelled, stage);
  const probes = stage.classCount === 2 ? 1 : stage.classCount;
  return {
    score: async (indices) => head(await embed(indices)),
    parameterCount: { trainable: probes * (width + 1), frozen: stage.encoder.store.count() },
    describe: {},
    dispose: () => undefined,
  };
}

/**
 * Adaptor (Qin et al. 2024): the frozen encoder's embeddings are computed once; the module learns contrastively on
 * every image–report pair of the training split (labels unused), then a linear head (the probe) on its adapted
 * [report ‖ image] features learns from the labelled budget.
 */
export async function fitAdaptor(
  stage: StageContext,
  trainingPairs: readonly number[],
  labelled: readonly number[],
  onEpoch: (epoch: number, loss: number) => Promise<void>,
): Promise<FittedClassifier> {
  const { options } = stage;
  if (trainingPairs.length < 2)
    throw new Error(
      `The Adaptor learns from image–report pairs of the training split and this task has ${trainingPairs.length}; import reports or choose the linear probe.`,
    );
  const size = stage.encoder.config.embeddingSize;
  const cache = new EmbeddingCache(stage);
  await cache.fill([...trainingPairs, ...labelled]);
  const adaptor = new Adaptor(
    size,
    {
      projectionSize: options.adaptorProjectionSize,
      layers: options.adaptorLayers,
      feedForwardWidth: options.adaptorFeedForwardWidth,
    },
    numericSeed(`${options.seed}:adaptor`),
  );
  try {
    const pairs = cache.rows(trainingPairs);
    const positionOf = new Map(trainingPairs.map((index, position) => [index, position]));
    await trainAdaptor(
      adaptor,
      pairs.image,
      pairs.text,
      size,
      {
        epochs: options.adaptorEpochs,
        batchSize: Math.min(options.adaptorBatchSize, stage.batches.pairsPerEpoch(trainingPairs, options.studyImages)),
        peakLearningRate: options.adaptorLearningRate,
        weightDecay: 0.01,
        seed: options.seed,
      },
      (epoch) =>
        stage.batches.epochOrder(trainingPairs, epoch, options.studyImages).map((index) => positionOf.get(index)!),
      onEpoch,
    );
    const adapt = async (indices: readonly number[]) => {
      await cache.fill(indices);
      const rows = cache.rows(indices);
      return adaptedFeatures(adaptor, rows.image, options.inputs === 'image' ? null : rows.text, size);
    };
    const width = (options.inputs === 'image' ? 1 : 2) * options.adaptorProjectionSize;
    const head = fitProbe(await adapt(labelled), width, labelled, stage);
    return {
      score: async (indices) => head(await adapt(indices)),
      parameterCount: {
        trainable: adaptor.store.count() + (stage.classCount === 2 ? 1 : stage.classCount) * (width + 1),
        frozen: stage.encoder.store.count(),
      },
      describe: { adaptorParameters: adaptor.store.count() },
      dispose: () => adaptor.dispose(),
    };
  } catch (error) {
    adaptor.dispose();
    throw error;
  }
}
