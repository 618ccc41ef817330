import * as tf from '@tensorflow/tfjs';
import { fnv1a } from '../../common/fnv1a.js';

export type Initialiser =
  | { kind: 'normal'; standardDeviation: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'values'; values: Float32Array };

/** A stable per-parameter seed, so a parameter's initial values do not depend on creation order. */
function nameSeed(name: string, seed: number): number {
  return fnv1a(name, 0x811c9dc5 ^ seed);
}

let storesCreated = 0;

/** tfjs returns gradients under the variables' global names; the optimiser keys them by parameter name. */
export function gradientsByParameterName(
  parameters: Map<string, tf.Variable>,
  gradients: tf.NamedTensorMap,
): tf.NamedTensorMap {
  const byName: tf.NamedTensorMap = {};
  for (const [name, variable] of parameters) if (gradients[variable.name]) byName[name] = gradients[variable.name]!;
  return byName;
}

/**
 * Every weight of a model by its dotted name, with which ones training may change. tfjs variable names are global
 * to the process, so each store prefixes its own.
 */
export class ParameterStore {
  readonly variables = new Map<string, tf.Variable>();
  private readonly frozen = new Set<string>();
  private readonly prefix = `model${(storesCreated += 1)}/`;

  constructor(private readonly seed: number) {}

  create(name: string, shape: number[], initialiser: Initialiser, options: { frozen?: boolean } = {}): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} is created twice`);
    const initial = tf.tidy(() => {
      switch (initialiser.kind) {
        case 'normal':
          return tf.randomNormal(shape, 0, initialiser.standardDeviation, 'float32', nameSeed(name, this.seed));
        case 'zeros':
          return tf.zeros(shape);
        case 'ones':
          return tf.ones(shape);
        case 'constant':
          return tf.fill(shape, initialiser.value);
        case 'values':
          return tf.tensor(initialiser.values, shape);
      }
    });
    const variable = tf.variable(initial, !options.frozen, this.prefix + name);
    initial.dispose();
    this.variables.set(name, variable);
    if (options.frozen) this.frozen.add(name);
    return variable;
  }

  get(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (!variable) throw new Error(`no parameter ${name}`);
    return variable;
  }

  trainable(): Map<string, tf.Variable> {
    return new Map([...this.variables].filter(([name]) => !this.frozen.has(name)));
  }

  isFrozen(name: string): boolean {
    return this.frozen.has(name);
  }

  count(): number {
    let total = 0;
    for (const variable of this.variables.values()) total += variable.size;
    return total;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}
