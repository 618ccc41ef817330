import * as tf from '@tensorflow/tfjs';
import { contentWidth, EncoderConfig, patchesPerImage } from '../../common/encoder-config.js';
import { gatherRows } from './layers/gather-rows.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from './layers/layer-norm.js';
import { applyLinear, createLinear, linear, type LinearParameters } from './layers/linear.js';
import { sinusoidalPatchPositions } from './layers/sinusoidal-positions.js';
import { embedTokens } from './layers/token-embedding.js';
import {
  applyConvolutionalStem,
  createConvolutionalStem,
  type ConvolutionalStemParameters,
} from './layers/convolutional-stem.js';
import {
  applyHierarchicalStem,
  createHierarchicalStem,
  type HierarchicalStemParameters,
} from './layers/hierarchical-stem.js';
import {
  applyLateral,
  createParallelBranch,
  type BranchMap,
  type ParallelBranchParameters,
} from './layers/parallel-branch.js';
import {
  createBlockParts,
  createTransformerBlock,
  transformerBlock,
  type TransformerBlockParameters,
} from './layers/transformer-block.js';
import { type Initialiser, ParameterStore } from './parameter-store.js';

export type Modality = 'image' | 'text';

/** Large enough that exp() of it vanishes next to any real score, small enough to stay finite in float32. */
const paddingBias = -1e9;

interface ModalityParameters {
  /** Image, linear stem: patch pixels → content width. */
  patchEmbedding?: LinearParameters;
  /** Image, convolutional stem (MS-CLIP's early convolution), in place of the patch embedding. */
  convolutionalStem?: ConvolutionalStemParameters;
  /** Image, the hMLP stem, in place of the patch embedding. */
  hierarchicalStem?: HierarchicalStemParameters;
  /** Image: MS-CLIP's parallel convolutional branch, when configured. */
  parallelBranch?: ParallelBranchParameters;
  /** The shared stack as this modality runs it: shared parts, and its own copies of the parts not shared. */
  sharedStack: TransformerBlockParameters[];
  /** Text: vocabulary → content width. */
  tokenEmbedding?: tf.Variable;
  modalityFeature?: tf.Variable;
  modalityToken?: tf.Variable;
  /** Image only: the CLS token is a learned vector (text has [CLS] in its vocabulary). */
  classToken?: tf.Variable;
  positions: tf.Variable;
  early: TransformerBlockParameters[];
  /** The modality's own stack in the separate baseline; empty for the shared encoder. */
  ownStack: TransformerBlockParameters[];
  late: TransformerBlockParameters[];
  finalNorm: LayerNormParameters;
  projection: LinearParameters;
}

/** The patches each image keeps, as indices into the batch's patches flattened to [batch · patches]. */
export interface KeptPatches {
  flatIndices: Int32Array;
  perImage: number;
}

export interface TextBatch {
  /** [batch, maximumTextTokens] int32, [CLS] first, padded with the pad id. */
  tokenIds: tf.Tensor2D;
  /** [batch, maximumTextTokens], 1 for real tokens, 0 for padding. */
  attentionMask: tf.Tensor2D;
}

/**
 * The shared encoder of Roy et al. 2025 (one transformer stack for image patches and report tokens, told apart by a
 * learnable modality feature or token) and, with `architecture: 'separate'`, the two-stack CLIP baseline. Produces
 * L2-normalised embeddings of `embeddingSize` per image and per report; CLS pooling.
 */
export class ContrastiveEncoder {
  readonly config: EncoderConfig;
  readonly store: ParameterStore;
  readonly logitScale: tf.Variable;
  private readonly perModality: Record<Modality, ModalityParameters>;

  constructor(config: EncoderConfig, seed: number) {
    this.config = EncoderConfig.parse(config);
    this.store = new ParameterStore(seed);
    const { width, heads, mlpRatio } = this.config;
    const block = (name: string, frozen = false) =>
      createTransformerBlock(this.store, name, width, heads, mlpRatio, { frozen });
    const stackLayers = this.config.architecture === 'shared' ? this.config.sharedLayers : this.config.sharedLayers / 2;
    const parts = this.config.sharedBlockParts;
    const sharedParts =
      this.config.architecture === 'shared'
        ? Array.from({ length: stackLayers }, (_, index) =>
            createBlockParts(this.store, `shared.${index}`, this.config, parts, {
              frozen: index < this.config.frozenSharedLayers,
            }),
          )
        : [];
    const ownParts = { layerNorms: !parts.layerNorms, attention: !parts.attention, mlp: !parts.mlp };
    // Every part shared: both modalities run the very same block objects, as the shared encoder always did.
    const sharedStack = (modality: Modality): TransformerBlockParameters[] =>
      sharedParts.map(
        (shared, index) =>
          ({
            ...shared,
            ...createBlockParts(this.store, `${modality}.shared.${index}`, this.config, ownParts, {
              frozen: index < this.config.frozenSharedLayers,
            }),
          }) as TransformerBlockParameters,
      );
    const build = (modality: Modality): ModalityParameters => {
      const content = contentWidth(this.config);
      const identifier = this.config.modalityIdentifier;
      const sequenceLength =
        (modality === 'image' ? patchesPerImage(this.config) + 1 : this.config.maximumTextTokens) +
        (identifier.kind === 'token' ? 1 : 0);
      const image = modality === 'image';
      return {
        patchEmbedding:
          image && this.config.imageStem === 'linear'
            ? createLinear(this.store, 'image.patchEmbedding', this.config.patchSize ** 2, content)
            : undefined,
        convolutionalStem:
          image && this.config.imageStem === 'convolutional'
            ? createConvolutionalStem(this.store, 'image.convolutionalStem', width, content, this.config.patchSize)
            : undefined,
        hierarchicalStem:
          image && this.config.imageStem === 'hierarchical'
            ? createHierarchicalStem(this.store, 'image.hierarchicalStem', width, content, this.config.patchSize)
            : undefined,
        parallelBranch:
          image && this.config.parallelBranchLayers.length > 0
            ? createParallelBranch(this.store, 'image.parallelBranch', {
                width,
                imageSize: this.config.imageSize,
                patchSize: this.config.patchSize,
                lateralCount: this.config.parallelBranchLayers.length,
              })
            : undefined,
        sharedStack: sharedStack(modality),
        tokenEmbedding:
          modality === 'text'
            ? this.store.create('text.tokenEmbedding', [this.config.vocabularySize, content], {
                kind: 'normal',
                standardDeviation: 0.02,
              })
            : undefined,
        modalityFeature:
          identifier.kind === 'feature'
            ? this.store.create(`${modality}.modalityFeature`, [identifier.featureWidth], {
                kind: 'normal',
                standardDeviation: identifier.initialStandardDeviation,
              })
            : undefined,
        modalityToken:
          identifier.kind === 'token'
            ? this.store.create(`${modality}.modalityToken`, [width], { kind: 'normal', standardDeviation: 0.02 })
            : undefined,
        classToken:
          modality === 'image'
            ? this.store.create('image.classToken', [width], { kind: 'normal', standardDeviation: width ** -0.5 })
            : undefined,
        positions: this.store.create(
          `${modality}.positions`,
          [sequenceLength, width],
          this.positionInitialiser(modality, sequenceLength),
        ),
        early: Array.from({ length: this.config.earlyLayers }, (_, index) => block(`${modality}.early.${index}`)),
        ownStack:
          this.config.architecture === 'separate'
            ? Array.from({ length: stackLayers }, (_, index) =>
                block(`${modality}.stack.${index}`, index < this.config.frozenSharedLayers),
              )
            : [],
        late: Array.from({ length: this.config.lateLayers }, (_, index) => block(`${modality}.late.${index}`)),
        finalNorm: createLayerNorm(this.store, `${modality}.finalNorm`, width),
        projection: createLinear(this.store, `${modality}.projection`, width, this.config.embeddingSize, {
          bias: false,
        }),
      };
    };
    this.perModality = { image: build('image'), text: build('text') };
    this.logitScale = this.store.create('logitScale', [], {
      kind: 'constant',
      value: Math.log(1 / this.config.initialTemperature),
    });
  }

  private positionInitialiser(modality: Modality, sequenceLength: number): Initialiser {
    if (modality === 'text' || this.config.imagePositionInitialisation === 'normal')
      return { kind: 'normal', standardDeviation: 0.01 };
    const patches = patchesPerImage(this.config);
    return {
      kind: 'values',
      values: sinusoidalPatchPositions(Math.sqrt(patches), this.config.width, sequenceLength - patches),
    };
  }

  /** The blocks a modality's tokens pass through, in order: early, shared (or its own stack), late. */
  layerNames(modality: Modality): string[] {
    const parameters = this.perModality[modality];
    const stack =
      this.config.architecture === 'shared'
        ? parameters.sharedStack.map((_, index) => `shared.${index}`)
        : parameters.ownStack.map((_, index) => `${modality}.stack.${index}`);
    return [
      ...parameters.early.map((_, index) => `${modality}.early.${index}`),
      ...stack,
      ...parameters.late.map((_, index) => `${modality}.late.${index}`),
    ];
  }

  /** Puts the modality feature in front of every content vector: [.., content] → [.., k + content] = [.., width]. */
  private withModalityFeature(content: tf.Tensor, parameters: ModalityParameters): tf.Tensor {
    if (!parameters.modalityFeature) return content;
    const [batch, tokens] = content.shape as [number, number, number];
    const feature = parameters.modalityFeature.reshape([1, 1, -1]).tile([batch, tokens, 1]);
    return tf.concat([feature, content], 2);
  }

  /**
   * Token sequences as they enter the first block: [batch, tokens, width], the CLS position, and the padding bias.
   * With `keptPatches` an image enters with only those patches (MAE-style masking); positions are added first, so each
   * kept patch still knows where it was.
   */
  embedSequence(
    modality: Modality,
    input: tf.Tensor | TextBatch,
    keptPatches?: KeptPatches,
  ): { sequence: tf.Tensor; classIndex: number; keyBias?: tf.Tensor } {
    const parameters = this.perModality[modality];
    const width = this.config.width;
    if (modality === 'image') {
      const patches = input as tf.Tensor3D;
      const [batch, patchCount] = patches.shape;
      const classToken = parameters.classToken!.reshape([1, 1, width]).tile([batch, 1, 1]);
      const prefix = parameters.modalityToken
        ? [parameters.modalityToken.reshape([1, 1, width]).tile([batch, 1, 1]), classToken]
        : [classToken];
      const prefixPositions = parameters.positions.slice([0, 0], [prefix.length, -1]);
      let patchTokens = this.withModalityFeature(this.patchContent(patches, keptPatches), parameters).add(
        parameters.positions.slice([prefix.length, 0], [-1, -1]),
      );
      if (keptPatches)
        patchTokens = gatherRows(patchTokens.reshape([batch * patchCount, width]), keptPatches.flatIndices).reshape([
          batch,
          keptPatches.perImage,
          width,
        ]);
      return {
        sequence: tf.concat([tf.concat(prefix, 1).add(prefixPositions), patchTokens], 1),
        classIndex: prefix.length - 1,
      };
    }
    const { tokenIds, attentionMask } = input as TextBatch;
    const batch = tokenIds.shape[0];
    let sequence = this.withModalityFeature(
      embedTokens(parameters.tokenEmbedding! as unknown as tf.Tensor2D, tokenIds),
      parameters,
    );
    let mask: tf.Tensor = attentionMask;
    if (parameters.modalityToken) {
      // After [CLS], as shared_encoder inserts it after its start token.
      const token = parameters.modalityToken.reshape([1, 1, width]).tile([batch, 1, 1]);
      sequence = tf.concat([sequence.slice([0, 0, 0], [-1, 1, -1]), token, sequence.slice([0, 1, 0], [-1, -1, -1])], 1);
      mask = tf.concat([mask.slice([0, 0], [-1, 1]), tf.ones([batch, 1]), mask.slice([0, 1], [-1, -1])], 1);
    }
    const keyBias = mask.toFloat().sub(1).mul(-paddingBias).reshape([batch, 1, 1, -1]);
    return { sequence: sequence.add(parameters.positions), classIndex: 0, keyBias };
  }

  /**
   * Each patch's content vector, [batch, patches, content]. A convolution sees past its patch's edges, so with masking
   * the patches left out are blacked out first: the kept ones must not see what the model is asked to reconstruct.
   */
  private patchContent(patches: tf.Tensor3D, keptPatches?: KeptPatches): tf.Tensor {
    const parameters = this.perModality.image;
    // The hMLP stem never looks past a patch: masked patches cannot leak into kept ones.
    if (parameters.hierarchicalStem) return applyHierarchicalStem(patches, parameters.hierarchicalStem);
    if (!parameters.convolutionalStem) return linear(patches, parameters.patchEmbedding!);
    let visible: tf.Tensor3D = patches;
    if (keptPatches) {
      const [batch, patchCount] = patches.shape;
      const keep = new Float32Array(batch * patchCount);
      for (const index of keptPatches.flatIndices) keep[index] = 1;
      visible = patches.mul(tf.tensor3d(keep, [batch, patchCount, 1]));
    }
    return applyConvolutionalStem(visible, parameters.convolutionalStem, this.config.imageSize, this.config.patchSize);
  }

  /** Tokens in front of an image's patches (CLS, and the modality token when there is one). */
  imagePrefixLength(): number {
    return this.config.modalityIdentifier.kind === 'token' ? 2 : 1;
  }

  /**
   * Every token's state after the last block and the final norm, [batch, tokens, width]: what the reconstruction
   * objectives read. Text keeps the modality token (when configured) after [CLS].
   */
  tokenStates(modality: Modality, input: tf.Tensor | TextBatch, keptPatches?: KeptPatches): tf.Tensor3D {
    const { sequence, keyBias } = this.embedSequence(modality, input, keptPatches);
    return layerNorm(
      this.runBlocks(modality, sequence, input, keyBias, keptPatches),
      this.perModality[modality].finalNorm,
    ) as tf.Tensor3D;
  }

  /**
   * The blocks in order, MS-CLIP's parallel branch writing into the image tokens before each of its layers. The branch
   * reads the whole patch grid, so it cannot run on a masked image.
   */
  private runBlocks(
    modality: Modality,
    sequence: tf.Tensor,
    input: tf.Tensor | TextBatch,
    keyBias?: tf.Tensor,
    keptPatches?: KeptPatches,
  ): tf.Tensor {
    const parameters = this.perModality[modality];
    const branch = parameters.parallelBranch;
    if (branch && keptPatches)
      throw new Error('the parallel convolutional branch needs every patch: it cannot be combined with patch masking');
    const lateralLayers = this.config.parallelBranchLayers;
    let hidden = sequence;
    let branchMap: BranchMap | undefined;
    this.blocks(modality).forEach((block, index) => {
      const lateral = branch ? lateralLayers.indexOf(index) : -1;
      if (lateral >= 0) {
        const source = branchMap ?? {
          patches: input as tf.Tensor3D,
          imageSize: this.config.imageSize,
          patchSize: this.config.patchSize,
        };
        ({ tokens: hidden, branch: branchMap } = applyLateral(
          lateral,
          branch!,
          hidden as tf.Tensor3D,
          this.imagePrefixLength(),
          source,
        ));
      }
      hidden = transformerBlock(hidden, block, keyBias);
    });
    return hidden;
  }

  private blocks(modality: Modality): TransformerBlockParameters[] {
    const parameters = this.perModality[modality];
    return [
      ...parameters.early,
      ...(this.config.architecture === 'shared' ? parameters.sharedStack : parameters.ownStack),
      ...parameters.late,
    ];
  }

  /** [batch, embeddingSize], L2-normalised. Images come as patches: [batch, patches, patchSize²]. */
  encode(modality: Modality, input: tf.Tensor | TextBatch): tf.Tensor2D {
    const parameters = this.perModality[modality];
    const { sequence, classIndex, keyBias } = this.embedSequence(modality, input);
    const hidden = this.runBlocks(modality, sequence, input, keyBias);
    const pooled = layerNorm(hidden.slice([0, classIndex, 0], [-1, 1, -1]).squeeze([1]), parameters.finalNorm);
    const projected = applyLinear(pooled, parameters.projection.weight) as tf.Tensor2D;
    return projected.div(projected.square().sum(1, true).add(1e-12).sqrt());
  }

  dispose(): void {
    this.store.dispose();
  }
}
