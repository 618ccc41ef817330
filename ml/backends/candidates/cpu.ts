import { switchTo, type BackendCandidate } from '../backend-candidate.js';

/** Plain JavaScript: always there, and slow. */
export const cpuBackend: BackendCandidate = {
  activate: async () => {
    await switchTo('cpu');
    return { threads: 1 };
  },
  chosenBecause: () => 'chosen: plain JavaScript fallback (slow)',
};
