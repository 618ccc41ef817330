import * as tf from '@tensorflow/tfjs';
import { readScalar } from './read-scalar.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** Decay matrices only: biases, norms, tokens and the logit scale keep their size (open_clip's rule). */
export function isDecayed(variable: tf.Variable): boolean {
  return variable.rank >= 2;
}

/**
 * The global norm of `tensors` (gradients), and the factor that scales them down to `clipNorm` when they exceed it
 * (1 otherwise), as PyTorch's clip_grad_norm_ does.
 */
export async function globalNormClipping(
  tensors: readonly tf.Tensor[],
  clipNorm: number,
): Promise<{ norm: number; scale: number }> {
  const squared = tf.tidy(() =>
    tensors.reduce<tf.Scalar>((sum, tensor) => sum.add(tensor.square().sum()), tf.scalar(0)),
  );
  const norm = Math.sqrt(await readScalar(squared));
  return { norm, scale: norm > clipNorm ? clipNorm / (norm + 1e-6) : 1 };
}

function zeroMoment(variable: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(variable);
  const moment = tf.variable(zeros, false);
  zeros.dispose();
  return moment;
}

/**
 * AdamW exactly as PyTorch's (decoupled weight decay applied to the weights before the Adam update, bias-corrected
 * moments). tfjs has Adam but no decoupled decay, and its learning rate cannot follow a schedule.
 */
export class AdamW {
  private readonly firstMoments = new Map<string, tf.Variable>();
  private readonly secondMoments = new Map<string, tf.Variable>();
  stepCount = 0;

  constructor(
    private readonly parameters: Map<string, tf.Variable>,
    private readonly options: AdamWOptions,
  ) {
    for (const [name, variable] of parameters) {
      this.firstMoments.set(name, zeroMoment(variable));
      this.secondMoments.set(name, zeroMoment(variable));
    }
  }

  /** One update with `gradients` (by parameter name; missing ones count as zero), clipped to a global norm first. */
  async step(
    gradients: tf.NamedTensorMap,
    learningRate: number,
    clipNorm = Number.POSITIVE_INFINITY,
  ): Promise<{ gradientNorm: number }> {
    this.stepCount += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const correction1 = 1 - beta1 ** this.stepCount;
    const correction2 = 1 - beta2 ** this.stepCount;
    const { norm: gradientNorm, scale: clipScale } = await globalNormClipping(Object.values(gradients), clipNorm);
    tf.tidy(() => {
      for (const [name, variable] of this.parameters) {
        const gradient = gradients[name];
        if (!gradient) continue;
        const clipped = clipScale === 1 ? gradient : gradient.mul(clipScale);
        const first = this.firstMoments.get(name)!;
        const second = this.secondMoments.get(name)!;
        first.assign(first.mul(beta1).add(clipped.mul(1 - beta1)));
        second.assign(second.mul(beta2).add(clipped.square().mul(1 - beta2)));
        const decayed = isDecayed(variable) ? variable.mul(1 - learningRate * weightDecay) : variable;
        const update = first.div(correction1).div(second.div(correction2).sqrt().add(epsilon)).mul(learningRate);
        variable.assign(decayed.sub(update));
      }
    });
    return { gradientNorm };
  }

  /** The moments by parameter name, for checkpoints. */
  moments(): { first: Map<string, tf.Variable>; second: Map<string, tf.Variable> } {
    return { first: this.firstMoments, second: this.secondMoments };
  }

  dispose(): void {
    for (const moment of [...this.firstMoments.values(), ...this.secondMoments.values()]) moment.dispose();
  }
}
