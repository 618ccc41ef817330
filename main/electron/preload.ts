// Sandboxed preload: exposes one call function and an event subscription, and nothing of Electron or Node itself.
// Bundled to CommonJS because sandboxed preloads cannot load ES modules or local files. It does not list the contract's
// methods (that would bundle zod into every page): main handles a channel for each method only, so a call to any other
// name is refused there, and the payload is validated there as for HTTP.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent } from '../../common/contract/index.js';
import { ipcCallChannel, ipcEventChannel } from './ipc-channels.js';

contextBridge.exposeInMainWorld('unisight', {
  call(method: string, input: unknown): Promise<unknown> {
    return ipcRenderer.invoke(ipcCallChannel(String(method)), input ?? {});
  },
  subscribe(listener: (event: ApiEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(ipcEventChannel, forward);
    return () => ipcRenderer.off(ipcEventChannel, forward);
  },
});
