// One policy for both ways the renderer is loaded: a <meta> tag baked into index.html (Electron's file:// load)
// and an HTTP header in server mode. No inline script, no eval, no remote origins: nothing leaves the machine.
const directives: Record<string, string> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data: blob:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'worker-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'object-src': "'none'",
};

function serialise(policy: Record<string, string>): string {
  return Object.entries(policy)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

export const contentSecurityPolicy = serialise(directives);

/** frame-ancestors is ignored in <meta>, so only the header carries it. */
export const contentSecurityPolicyHeader = serialise({ ...directives, 'frame-ancestors': "'none'" });
