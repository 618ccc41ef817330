import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererDirectory } from '../../../main/core/install-paths.js';
import { contentSecurityPolicy, contentSecurityPolicyHeader } from '../../../main/security/content-security-policy.js';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values.join(' ')];
    }),
  );
}

describe('content security policy', () => {
  it('allows no inline script, no eval and no remote origin', () => {
    const policy = directives(contentSecurityPolicyHeader);
    expect(policy.get('default-src')).toBe("'none'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(contentSecurityPolicyHeader).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('is baked into the built index.html as a meta tag, identical to the header minus frame-ancestors', () => {
    const html = fs.readFileSync(path.join(rendererDirectory, 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta).not.toBeNull();
    expect(meta![1]!.replaceAll('&#39;', "'")).toBe(contentSecurityPolicy);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('the built preload exposes the API through contextBridge and requires nothing but electron', () => {
    const preload = fs.readFileSync(path.join(rendererDirectory, '..', 'main', 'electron', 'preload.cjs'), 'utf8');
    expect(preload).toContain('exposeInMainWorld');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });
});
