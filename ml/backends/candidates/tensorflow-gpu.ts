import { importOptional, nativeInstallHint, switchTo, type BackendCandidate } from '../backend-candidate.js';

/** Native TensorFlow with CUDA (tfjs-node-gpu, whose install downloads libtensorflow). */
export const tensorflowGpuBackend: BackendCandidate = {
  activate: async () => {
    await importOptional('@tensorflow/tfjs-node-gpu', `${nativeInstallHint}; needs CUDA 11.2 and cuDNN 8.1`);
    await switchTo('tensorflow');
    return { threads: 0 };
  },
  chosenBecause: () => 'chosen: native TensorFlow with CUDA',
};
