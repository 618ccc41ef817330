// Order of preference (`backendNames`): native TensorFlow with CUDA, WebGPU on a hardware adapter (Dawn; installs
// offline), native TensorFlow on CPU, WebAssembly with its matrix products in OpenBLAS (the optional addon of `npm run
// build:native`), multi-threaded WebAssembly, single-threaded, then plain JS. Every attempt is recorded with why it was
// or was not taken, for `unisight info` and the status bar.
import { backendNames, type BackendAttempt, type BackendName } from '../../common/contract/app.js';
import type { BackendReport } from '../../common/engine/protocol.js';
import { backendCandidates } from './backend-registry.js';

export function parseRequestedBackend(value: string | undefined): BackendName | null {
  if (!value) return null;
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`UNISIGHT_BACKEND="${value}" is not a backend; choose one of ${backendNames.join(', ')}.`);
}

/** Picks the fastest backend that works here; `requested` (UNISIGHT_BACKEND) forces one and skips the rest. */
export async function selectBackend(requested: BackendName | null): Promise<BackendReport> {
  const attempts: BackendAttempt[] = [];
  for (const [position, name] of backendNames.entries()) {
    if (requested && name !== requested) {
      attempts.push({
        backend: name,
        chosen: false,
        reason: `skipped: UNISIGHT_BACKEND=${requested} was requested`,
      });
      continue;
    }
    try {
      const candidate = backendCandidates[name];
      const activation = await candidate.activate(requested === name);
      const detail = activation.products ?? activation.device;
      attempts.push({
        backend: name,
        chosen: true,
        reason: requested
          ? `chosen: requested by UNISIGHT_BACKEND${detail ? `; ${detail}` : ''}`
          : candidate.chosenBecause(activation),
      });
      for (const rest of backendNames.slice(position + 1)) {
        attempts.push({ backend: rest, chosen: false, reason: `not tried: ${name} is preferred` });
      }
      return { backend: name, threads: activation.threads, device: activation.device ?? null, attempts };
    } catch (error) {
      attempts.push({ backend: name, chosen: false, reason: (error as Error).message });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start: ${attempts.map((attempt) => `${attempt.backend}: ${attempt.reason}`).join('; ')}`,
  );
}
