// A model's weights as a tensor bundle and back: what model files, checkpoints and exported models store.
import * as tf from '@tensorflow/tfjs';
import type { ContrastiveEncoder } from './contrastive-encoder.js';
import type { TensorBundle } from './tensor-bundle.js';

export async function snapshotVariables(
  prefix: string,
  variables: ReadonlyMap<string, tf.Variable>,
  into: TensorBundle['tensors'],
): Promise<void> {
  for (const [name, variable] of variables)
    into.set(prefix + name, { shape: variable.shape, values: (await variable.data()) as Float32Array });
}

export function restoreVariables(
  prefix: string,
  variables: ReadonlyMap<string, tf.Variable>,
  bundle: TensorBundle,
  file: string,
): void {
  for (const [name, variable] of variables) {
    const stored = bundle.tensors.get(prefix + name);
    if (!stored) throw new Error(`${file} has no ${prefix}${name}: it belongs to a different model configuration.`);
    if (stored.shape.join('×') !== variable.shape.join('×'))
      throw new Error(
        `${file}: ${prefix}${name} is ${stored.shape.join('×')}, the model expects ${variable.shape.join('×')}.`,
      );
    tf.tidy(() => variable.assign(tf.tensor(stored.values, variable.shape)));
  }
}

/** The weights of a model (all of them, frozen ones included), for exported models and embeddings. */
export async function modelTensors(model: ContrastiveEncoder): Promise<TensorBundle['tensors']> {
  const tensors: TensorBundle['tensors'] = new Map();
  await snapshotVariables('model/', model.store.variables, tensors);
  return tensors;
}

export function loadModelTensors(model: ContrastiveEncoder, bundle: TensorBundle, file: string): void {
  restoreVariables('model/', model.store.variables, bundle, file);
}
