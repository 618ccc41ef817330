import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicy } from './main/security/content-security-policy.js';

// The same policy the server sends as a header, baked in for Electron's file:// load.
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'unisight-content-security-policy',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte(), contentSecurityPolicyMeta()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome128',
    sourcemap: true,
    modulePreload: { polyfill: false },
  },
});
