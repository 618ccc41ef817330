/** How a child process (the ML engine, an import worker) talks to the core that started it. */
export interface ParentPort {
  /** `onSent` runs once the message has left this process (so exiting after it loses nothing). */
  send(message: unknown, onSent?: () => void): void;
  onMessage(listener: (message: unknown) => void): void;
}
