import * as tf from '@tensorflow/tfjs';
import type { ReconstructionBatch } from '../data/reconstruction-batch.js';
import type { ContrastiveEncoder, TextBatch } from '../model/contrastive-encoder.js';
import { patchesPerImage } from '../../common/encoder-config.js';
import { gatherRows } from '../model/layers/gather-rows.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from '../model/layers/layer-norm.js';
import { createLinear, linear, type LinearParameters } from '../model/layers/linear.js';
import { sinusoidalPatchPositions } from '../model/layers/sinusoidal-positions.js';
import {
  createTransformerBlock,
  transformerBlock,
  type TransformerBlockParameters,
} from '../model/layers/transformer-block.js';
import { ParameterStore } from '../model/parameter-store.js';

/**
 * Loss weights of UMD's objectives (objectives.py): masked language and image modelling ×0.5 each; the feature-level
 * terms ×0.5 in MR-Pretrain and ×10⁻⁵ in TD-Calib.
 */
export interface ReconstructionWeights {
  maskedLanguage: number;
  maskedImage: number;
  feature: number;
}

export const tdCalibWeights: ReconstructionWeights = { maskedLanguage: 0.5, maskedImage: 0.5, feature: 1e-5 };

export interface ReconstructionLosses {
  maskedLanguage: tf.Scalar;
  maskedImage: tf.Scalar;
  textFeature: tf.Scalar;
  imageFeature: tf.Scalar;
  total: tf.Scalar;
}

/** The teacher's view of the unmasked batch: every token's state, computed outside the gradient. */
export interface TeacherStates {
  image: tf.Tensor3D;
  text: tf.Tensor3D;
}

/**
 * The heads of UMD's reconstruction objectives on top of the encoder: an MAE decoder (decoder embedding, mask token,
 * its own positions, transformer blocks, pixel head; UMD uses 4 blocks of width 384, CPU runs fewer at the encoder's
 * width), an MLM head over the vocabulary, and the projection the feature-level terms compare in (`feal_proj`).
 */
export class ReconstructionHeads {
  readonly store: ParameterStore;
  private readonly decoderEmbedding: LinearParameters;
  private readonly maskToken: tf.Variable;
  private readonly decoderPositions: tf.Variable;
  private readonly decoderBlocks: TransformerBlockParameters[];
  private readonly decoderNorm: LayerNormParameters;
  private readonly pixelHead: LinearParameters;
  private readonly languageHead: LinearParameters;
  private readonly featureProjection: LinearParameters;

  constructor(
    private readonly encoder: ContrastiveEncoder,
    decoderLayers: number,
    seed: number,
  ) {
    const { width, heads, mlpRatio, patchSize, vocabularySize } = encoder.config;
    const patches = patchesPerImage(encoder.config);
    this.store = new ParameterStore(seed);
    this.decoderEmbedding = createLinear(this.store, 'decoder.embedding', width, width);
    this.maskToken = this.store.create('decoder.maskToken', [width], { kind: 'normal', standardDeviation: 0.02 });
    this.decoderPositions = this.store.create(
      'decoder.positions',
      [patches, width],
      { kind: 'values', values: sinusoidalPatchPositions(Math.sqrt(patches), width, 0) },
      { frozen: true },
    );
    this.decoderBlocks = Array.from({ length: decoderLayers }, (_, index) =>
      createTransformerBlock(this.store, `decoder.${index}`, width, heads, mlpRatio),
    );
    this.decoderNorm = createLayerNorm(this.store, 'decoder.norm', width);
    this.pixelHead = createLinear(this.store, 'decoder.pixels', width, patchSize ** 2);
    this.languageHead = createLinear(this.store, 'language.head', width, vocabularySize);
    this.featureProjection = createLinear(this.store, 'feature.projection', width, width);
  }

  /**
   * The decoder's view of every patch from the encoder's states of the kept ones: `embedded`, the decoder-embedded
   * rows unshuffled with the mask token in the masked places ([batch · patches, width]), and `states`, what the
   * decoder blocks make of them ([batch, patches, width]).
   */
  private decode(keptStates: tf.Tensor3D, batch: ReconstructionBatch): { embedded: tf.Tensor2D; states: tf.Tensor3D } {
    const [size, , width] = keptStates.shape;
    const prefix = this.encoder.imagePrefixLength();
    const embedded = linear(keptStates, this.decoderEmbedding) as tf.Tensor3D;
    const keptRows = embedded.slice([0, prefix, 0], [-1, -1, -1]).reshape([size * batch.keptPerImage, width]);
    const rows = tf.concat([keptRows, this.maskToken.reshape([1, width])], 0) as tf.Tensor2D;
    const unshuffled = gatherRows(rows, batch.unshuffle);
    const patches = unshuffled.reshape([size, -1, width]).add(this.decoderPositions);
    let hidden: tf.Tensor = tf.concat([embedded.slice([0, 0, 0], [-1, prefix, -1]), patches], 1);
    for (const block of this.decoderBlocks) hidden = transformerBlock(hidden, block);
    return {
      embedded: unshuffled,
      states: layerNorm(hidden.slice([0, prefix, 0], [-1, -1, -1]), this.decoderNorm) as tf.Tensor3D,
    };
  }

  /**
   * One batch's reconstruction losses: masked image modelling on normalised pixels of the masked patches, masked
   * language modelling on the chosen tokens, and, against the EMA teacher's states of the unmasked batch, the
   * feature-level terms: every text token through the feature projection (`feal`), and the masked patches as the
   * decoder embeds them — the student's unshuffled rows with mask tokens against the teacher's states (`feai`, as
   * UMD's compute_feai).
   */
  losses(
    patches: tf.Tensor3D,
    texts: TextBatch,
    batch: ReconstructionBatch,
    teacher: TeacherStates,
    weights: ReconstructionWeights,
  ): ReconstructionLosses {
    const width = this.encoder.config.width;
    const patchValues = this.encoder.config.patchSize ** 2;
    const size = patches.shape[0];

    const keptStates = this.encoder.tokenStates('image', patches, {
      flatIndices: batch.keptFlat,
      perImage: batch.keptPerImage,
    });
    const decoded = this.decode(keptStates, batch);
    const decodedMasked = gatherRows(decoded.states.reshape([-1, width]), batch.maskedFlat);
    const predictedPixels = linear(decodedMasked, this.pixelHead);
    const maskedImage = predictedPixels
      .sub(tf.tensor2d(batch.pixelTargets, [batch.maskedFlat.length, patchValues]))
      .square()
      .mean() as tf.Scalar;

    const maskedTexts: TextBatch = {
      tokenIds: tf.tensor2d(batch.maskedTokenIds, texts.tokenIds.shape, 'int32'),
      attentionMask: texts.attentionMask,
    };
    const textStates = this.withoutModalityToken(this.encoder.tokenStates('text', maskedTexts));
    let maskedLanguage: tf.Scalar = tf.scalar(0);
    if (batch.tokenPositions.length > 0) {
      const chosen = gatherRows(textStates.reshape([-1, width]), batch.tokenPositions);
      const logits = linear(chosen, this.languageHead);
      const truth = tf.oneHot(tf.tensor1d(batch.tokenTargets, 'int32'), this.encoder.config.vocabularySize);
      maskedLanguage = tf.logSoftmax(logits).mul(truth).sum(1).mean().neg() as tf.Scalar;
    }

    const project = (states: tf.Tensor) => linear(states, this.featureProjection);
    const tokenWeights = texts.attentionMask.reshape([size, -1, 1]);
    const textDifference = project(textStates)
      .sub(project(this.withoutModalityToken(teacher.text)))
      .square()
      .mean(2, true)
      .mul(tokenWeights);
    const textFeature = textDifference.sum().div(tokenWeights.sum()) as tf.Scalar;
    const teacherPatches = teacher.image
      .slice([0, this.encoder.imagePrefixLength(), 0], [-1, -1, -1])
      .reshape([-1, width]);
    const teacherEmbedded = linear(
      tf.gather(teacherPatches, tf.tensor1d(batch.maskedFlat, 'int32')),
      this.decoderEmbedding,
    );
    const imageFeature = gatherRows(decoded.embedded, batch.maskedFlat)
      .sub(teacherEmbedded)
      .square()
      .mean() as tf.Scalar;

    const total = maskedLanguage
      .mul(weights.maskedLanguage)
      .add(maskedImage.mul(weights.maskedImage))
      .add(textFeature.add(imageFeature).mul(weights.feature)) as tf.Scalar;
    return { maskedLanguage, maskedImage, textFeature, imageFeature, total };
  }

  /** Text states aligned with token positions: drops the modality token the encoder puts after [CLS], if any. */
  private withoutModalityToken(states: tf.Tensor3D): tf.Tensor3D {
    if (this.encoder.config.modalityIdentifier.kind !== 'token') return states;
    return tf.concat([states.slice([0, 0, 0], [-1, 1, -1]), states.slice([0, 2, 0], [-1, -1, -1])], 1) as tf.Tensor3D;
  }

  dispose(): void {
    this.store.dispose();
  }
}
