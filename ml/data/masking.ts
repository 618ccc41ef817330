import type { SeededRandom } from '../../common/seeded-random.js';

/**
 * MAE-style random patch masking (UMD `random_masking`, mask ratio 0.75): exactly floor(patches·(1 − ratio)) patches
 * are kept, the rest masked, chosen uniformly per image.
 */
export function randomPatchMask(
  patches: number,
  ratio: number,
  random: SeededRandom,
): { kept: number[]; masked: number[] } {
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`A mask ratio is in [0, 1); got ${ratio}.`);
  const order = random.shuffle(Array.from({ length: patches }, (_, index) => index));
  const keep = Math.floor(patches * (1 - ratio));
  return {
    kept: order.slice(0, keep).sort((left, right) => left - right),
    masked: order.slice(keep).sort((left, right) => left - right),
  };
}

/**
 * MAE's normalised pixel targets (`norm_pix_loss`): each patch's pixels minus their mean, over √(variance + 10⁻⁶).
 * `patches` holds `count` patches of `size` values each.
 */
export function normalisedPatchTargets(patches: Float32Array, size: number): Float32Array {
  const targets = new Float32Array(patches.length);
  for (let offset = 0; offset < patches.length; offset += size) {
    let mean = 0;
    for (let index = 0; index < size; index++) mean += patches[offset + index]!;
    mean /= size;
    let variance = 0;
    for (let index = 0; index < size; index++) variance += (patches[offset + index]! - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / size + 1e-6);
    for (let index = 0; index < size; index++) targets[offset + index] = (patches[offset + index]! - mean) * scale;
  }
  return targets;
}

export interface MaskedTokens {
  inputIds: Int32Array;
  /** The original id where a token was chosen for prediction, −1 elsewhere. */
  targets: Int32Array;
}

/**
 * BERT's masked language modelling (UMD `mlm_prob` 0.15): each real, non-special token is chosen with `probability`;
 * a chosen token becomes [MASK] 80% of the time, a random vocabulary token 10%, and stays 10%.
 */
export function maskTokens(
  tokenIds: Int32Array,
  attentionMask: Float32Array,
  options: { probability: number; maskId: number; firstOrdinaryId: number; vocabularySize: number },
  random: SeededRandom,
): MaskedTokens {
  const inputIds = Int32Array.from(tokenIds);
  const targets = new Int32Array(tokenIds.length).fill(-1);
  for (let index = 0; index < tokenIds.length; index++) {
    const id = tokenIds[index]!;
    if (attentionMask[index] === 0 || id < options.firstOrdinaryId || !random.chance(options.probability)) continue;
    targets[index] = id;
    const roll = random.next();
    if (roll < 0.8) inputIds[index] = options.maskId;
    else if (roll < 0.9) inputIds[index] = random.integer(options.firstOrdinaryId, options.vocabularySize - 1);
  }
  return { inputIds, targets };
}
