/**
 * The linear-probe baseline: logistic regression on frozen embeddings, L2-regularised (the usual CLIP probe), fitted by
 * full-batch gradient descent with Adam on standardised features. Plain arrays: a few thousand 128-wide rows fit in
 * well under a second, and the result is bitwise deterministic on every backend.
 */
export interface LinearProbe {
  width: number;
  /** Per-feature mean and scale of the training rows, applied before the weights. */
  mean: Float64Array;
  scale: Float64Array;
  weight: Float64Array;
  bias: number;
}

export interface LinearProbeOptions {
  /**
   * sklearn's C: the L2 penalty on the weights (not the bias) against the mean loss is 1 / (C · rows), so it weakens
   * as labelled rows grow. 0.01 was chosen on the validation split (bench/RESULTS.md): a probe of 16 labelled images
   * needs the strong shrinkage; with all the labels it matched the old fixed penalty there.
   */
  inverseRegularisation: number;
  iterations: number;
  learningRate: number;
}

export const defaultLinearProbeOptions: LinearProbeOptions = {
  inverseRegularisation: 0.01,
  iterations: 500,
  learningRate: 0.05,
};

function standardise(features: Float32Array, width: number): { mean: Float64Array; scale: Float64Array } {
  const rows = features.length / width;
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < width; column++) mean[column]! += features[row * width + column]! / rows;
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < width; column++)
      scale[column]! += (features[row * width + column]! - mean[column]!) ** 2 / rows;
  for (let column = 0; column < width; column++) scale[column] = 1 / Math.sqrt(scale[column]! + 1e-12);
  return { mean, scale };
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

function logit(probe: LinearProbe, features: Float32Array, row: number): number {
  let sum = probe.bias;
  for (let column = 0; column < probe.width; column++)
    sum += (features[row * probe.width + column]! - probe.mean[column]!) * probe.scale[column]! * probe.weight[column]!;
  return sum;
}

/** Fits the probe to `features` ([rows, width]) and 0/1 `labels`; both classes must be present. */
export function trainLinearProbe(
  features: Float32Array,
  width: number,
  labels: readonly number[],
  options: LinearProbeOptions = defaultLinearProbeOptions,
): LinearProbe {
  const rows = labels.length;
  if (features.length !== rows * width)
    throw new Error(`features hold ${features.length / width} rows for ${rows} labels`);
  const positives = labels.filter((label) => label === 1).length;
  if (positives === 0 || positives === rows) throw new Error('A linear probe needs labelled examples of both classes.');
  const probe: LinearProbe = {
    width,
    ...standardise(features, width),
    weight: new Float64Array(width),
    bias: Math.log(positives / (rows - positives)),
  };
  const penalty = 1 / (options.inverseRegularisation * rows);
  const parameters = width + 1;
  const first = new Float64Array(parameters);
  const second = new Float64Array(parameters);
  const gradient = new Float64Array(parameters);
  for (let iteration = 1; iteration <= options.iterations; iteration++) {
    gradient.fill(0);
    for (let row = 0; row < rows; row++) {
      const error = (sigmoid(logit(probe, features, row)) - labels[row]!) / rows;
      for (let column = 0; column < width; column++)
        gradient[column]! += error * (features[row * width + column]! - probe.mean[column]!) * probe.scale[column]!;
      gradient[width]! += error;
    }
    for (let column = 0; column < width; column++) gradient[column]! += penalty * probe.weight[column]!;
    for (let index = 0; index < parameters; index++) {
      first[index] = 0.9 * first[index]! + 0.1 * gradient[index]!;
      second[index] = 0.999 * second[index]! + 0.001 * gradient[index]! ** 2;
      const step =
        (options.learningRate * (first[index]! / (1 - 0.9 ** iteration))) /
        (Math.sqrt(second[index]! / (1 - 0.999 ** iteration)) + 1e-8);
      if (index < width) probe.weight[index]! -= step;
      else probe.bias -= step;
    }
  }
  return probe;
}

/** Probability of the positive class for each row of `features`. */
export function scoreLinearProbe(probe: LinearProbe, features: Float32Array): Float64Array {
  const rows = features.length / probe.width;
  return Float64Array.from({ length: rows }, (_, row) => sigmoid(logit(probe, features, row)));
}
