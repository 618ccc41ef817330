import * as tf from '@tensorflow/tfjs';
import type { ContrastiveEncoder } from '../model/contrastive-encoder.js';
import { readTensorBundle, writeTensorBundle, type TensorBundle } from '../model/tensor-bundle.js';
import type { AdamW } from './adamw.js';

function snapshot(prefix: string, variables: Map<string, tf.Variable>, into: TensorBundle['tensors']): void {
  for (const [name, variable] of variables) into.set(prefix + name, { shape: variable.shape, values: variable.dataSync() as Float32Array });
}

function restore(prefix: string, variables: Map<string, tf.Variable>, bundle: TensorBundle, file: string): void {
  for (const [name, variable] of variables) {
    const stored = bundle.tensors.get(prefix + name);
    if (!stored) throw new Error(`${file} has no ${prefix}${name}: it belongs to a different model configuration.`);
    if (stored.shape.join('×') !== variable.shape.join('×')) throw new Error(`${file}: ${prefix}${name} is ${stored.shape.join('×')}, the model expects ${variable.shape.join('×')}.`);
    tf.tidy(() => variable.assign(tf.tensor(stored.values, variable.shape)));
  }
}

/** The weights of a model (all of them, frozen ones included), for exported models and embeddings. */
export function modelTensors(model: ContrastiveEncoder): TensorBundle['tensors'] {
  const tensors: TensorBundle['tensors'] = new Map();
  snapshot('model/', model.store.variables, tensors);
  return tensors;
}

export function loadModelTensors(model: ContrastiveEncoder, bundle: TensorBundle, file: string): void {
  restore('model/', model.store.variables, bundle, file);
}

/** Weights, optimizer moments and the caller's progress state, written atomically. */
export function saveCheckpoint(file: string, model: ContrastiveEncoder, optimizer: AdamW, state: Record<string, unknown>): void {
  const tensors = modelTensors(model);
  const { first, second } = optimizer.moments();
  snapshot('adam.first/', first, tensors);
  snapshot('adam.second/', second, tensors);
  writeTensorBundle(file, { metadata: { ...state, optimizerSteps: optimizer.stepCount }, tensors });
}

/** Restores what `saveCheckpoint` wrote into a model and optimizer of the same configuration; returns the state. */
export function loadCheckpoint(file: string, model: ContrastiveEncoder, optimizer: AdamW): Record<string, unknown> {
  const bundle = readTensorBundle(file);
  loadModelTensors(model, bundle, file);
  const { first, second } = optimizer.moments();
  restore('adam.first/', first, bundle, file);
  restore('adam.second/', second, bundle, file);
  optimizer.stepCount = Number(bundle.metadata.optimizerSteps ?? 0);
  return bundle.metadata;
}
