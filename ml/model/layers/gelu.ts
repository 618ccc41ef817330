import * as tf from '@tensorflow/tfjs';

/** √(8/π): tanh(u) = 2σ(2u) − 1 turns the tanh form's √(2/π) into this factor inside a sigmoid. */
const sigmoidScale = 2 * Math.sqrt(2 / Math.PI);
const cubicCoefficient = 0.044715;

/**
 * GELU, tanh approximation, as x·σ(u) with u = √(8/π)·x·(1 + 0.044715·x²) — the same function as PyTorch's
 * `gelu(approximate='tanh')`; wasm's sigmoid is several times faster than its tanh. The gradient is written out,
 *   d/dx = σ + x·σ·(1 − σ)·√(8/π)·(1 + 3·0.044715·x²),
 * nine elementwise kernels where autodiff of the forward formula runs about twenty (platform.md: on wasm a training
 * step's time beyond its matrix products is mostly such kernels).
 */
export const gelu = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [input, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
  const gate = tf.tidy(() =>
    tf.sigmoid(
      input.mul(
        input
          .square()
          .mul(sigmoidScale * cubicCoefficient)
          .add(sigmoidScale),
      ),
    ),
  );
  save([input, gate]);
  return {
    value: input.mul(gate),
    gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [savedInput, savedGate] = saved as [tf.Tensor, tf.Tensor];
        const slope = savedInput
          .square()
          .mul(3 * sigmoidScale * cubicCoefficient)
          .add(sigmoidScale);
        const gateDerivative = savedGate.sub(savedGate.square());
        return [(outputGradient as tf.Tensor).mul(savedGate.add(savedInput.mul(gateDerivative).mul(slope)))];
      }),
  };
}) as (input: tf.Tensor) => tf.Tensor;
