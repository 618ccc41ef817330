import { importOptional, nativeInstallHint, switchTo, type BackendCandidate } from '../backend-candidate.js';

/** Native TensorFlow on the CPU (tfjs-node, whose install downloads libtensorflow). */
export const tensorflowBackend: BackendCandidate = {
  activate: async () => {
    await importOptional('@tensorflow/tfjs-node', nativeInstallHint);
    await switchTo('tensorflow');
    return { threads: 0 };
  },
  chosenBecause: () => 'chosen: native TensorFlow on CPU',
};
