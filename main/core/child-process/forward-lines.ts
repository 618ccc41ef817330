import readline from 'node:readline';

/** A child's stdout/stderr arrive as chunks; the log wants whole lines. */
export function forwardLines(stream: NodeJS.ReadableStream | null, listener: (line: string) => void): void {
  if (stream) readline.createInterface({ input: stream }).on('line', listener);
}
