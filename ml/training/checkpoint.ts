import * as tf from '@tensorflow/tfjs';
import { restoreVariables, snapshotVariables } from '../model/model-tensors.js';
import { readTensorBundle, writeTensorBundle, type TensorBundle } from '../model/tensor-bundle.js';
import type { AdamW } from './adamw.js';

/** Variables to save or restore under a name prefix each: a model's weights, an optimiser's moments, a head. */
export type VariableGroups = Record<string, ReadonlyMap<string, tf.Variable>>;

/** Writes every group's variables under `prefix/name` and the caller's state as the header, atomically. */
export async function saveVariableGroups(
  file: string,
  groups: VariableGroups,
  state: Record<string, unknown>,
): Promise<void> {
  const tensors: TensorBundle['tensors'] = new Map();
  for (const [prefix, variables] of Object.entries(groups)) await snapshotVariables(`${prefix}/`, variables, tensors);
  writeTensorBundle(file, { metadata: state, tensors });
}

/** Restores what `saveVariableGroups` wrote into variables of the same shapes; returns the state. */
export function loadVariableGroups(file: string, groups: VariableGroups): Record<string, unknown> {
  const bundle = readTensorBundle(file);
  for (const [prefix, variables] of Object.entries(groups)) restoreVariables(`${prefix}/`, variables, bundle, file);
  return bundle.metadata;
}

/** An optimiser's moments as two groups named after `prefix`. */
export function optimizerGroups(prefix: string, optimizer: AdamW): VariableGroups {
  const { first, second } = optimizer.moments();
  return { [`${prefix}.first`]: first, [`${prefix}.second`]: second };
}
