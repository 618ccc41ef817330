// Sandboxed preload: exposes exactly one function per contract method, plus an event subscription, and nothing of
// Electron or Node itself. Bundled to CommonJS because sandboxed preloads cannot load ES modules or local files.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { apiMethodNames, type ApiEvent } from '../api/contract.js';
import { ipcCallChannel, ipcEventChannel } from './ipc-channels.js';

const calls = Object.fromEntries(
  apiMethodNames.map((method) => [method, (input: unknown) => ipcRenderer.invoke(ipcCallChannel(method), input ?? {})]),
);

contextBridge.exposeInMainWorld('unisight', {
  calls,
  subscribe(listener: (event: ApiEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(ipcEventChannel, forward);
    return () => ipcRenderer.off(ipcEventChannel, forward);
  },
});
