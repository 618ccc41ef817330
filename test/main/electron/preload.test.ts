import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { preloadFile } from '../../../main/core/install-paths.js';

describe('the preload bundle', () => {
  it('carries no validation library and no contract: main validates every call', () => {
    const bundle = fs.readFileSync(preloadFile, 'utf8');
    expect(bundle).toContain('exposeInMainWorld');
    expect(bundle).not.toMatch(/ZodError|zod/i);
    expect(bundle).not.toContain('library.studies');
    // The preload of the whole contract bundled zod: about 500 kB. Its own code is a few hundred bytes.
    expect(bundle.length).toBeLessThan(4096);
  });
});
