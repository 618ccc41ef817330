// Channel names shared by the preload (renderer side) and the IPC transport (main side).
export const ipcCallChannel = (method: string): string => `unisight:call:${method}`;
export const ipcEventChannel = 'unisight:event';
