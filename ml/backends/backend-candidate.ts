import * as tf from '@tensorflow/tfjs';

/** Threads in use, for the WebAssembly routes how matrix products run, for a GPU route the device. */
export interface BackendActivation {
  threads: number;
  products?: string;
  device?: string;
}

/** One TensorFlow.js route the engine can run on (`backend-registry.ts` lists them). */
export interface BackendCandidate {
  /**
   * Starts the route or throws BackendUnavailable with the reason. `forced`: the user asked for this backend by name
   * (UNISIGHT_BACKEND), so it is taken even where it would be passed over.
   */
  activate(forced: boolean): Promise<BackendActivation>;
  /** Why it was taken, for `unisight info` and the status bar. */
  chosenBecause(activation: BackendActivation): string;
}

/** A route that cannot run on this machine: the next one is tried. */
export class BackendUnavailable extends Error {}

export async function switchTo(backendName: string): Promise<void> {
  const switched = await tf.setBackend(backendName);
  if (!switched) throw new BackendUnavailable(`tf.setBackend('${backendName}') refused to initialise`);
  await tf.ready();
}

export async function importOptional(moduleName: string, installHint: string): Promise<void> {
  try {
    await import(moduleName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new BackendUnavailable(`${moduleName} is not installed (${installHint})`);
    }
    throw new BackendUnavailable(`${moduleName} failed to load: ${(error as Error).message.split('\n')[0]}`);
  }
}

export const nativeInstallHint =
  'optional dependency; its install downloads libtensorflow, which failed or was skipped on this machine';

export const threadCount = (threads: number): string => `${threads} thread${threads === 1 ? '' : 's'}`;

/** How the WebAssembly routes describe themselves once chosen. */
export function wasmChosenBecause({ threads, products }: BackendActivation): string {
  return `chosen: WebAssembly with SIMD, ${threadCount(threads)}${products ? `; ${products}` : ''}`;
}
