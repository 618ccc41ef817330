import { BackendUnavailable, type BackendCandidate } from '../backend-candidate.js';
import { describeAdapter, startWebGpu, WebGpuUnavailable } from '../webgpu-device.js';

/** WebGPU through Dawn (installs offline); a software adapter only when asked for by name. */
export const webGpuBackend: BackendCandidate = {
  activate: async (forced) => {
    try {
      return { threads: 0, device: describeAdapter(await startWebGpu(forced)) };
    } catch (error) {
      if (error instanceof WebGpuUnavailable) throw new BackendUnavailable(error.message);
      throw error;
    }
  },
  chosenBecause: ({ device }) => `chosen: WebGPU on ${device ?? 'an unnamed adapter'}`,
};
