import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index.ts'): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}`, import.meta.url));

// Tests run against the TypeScript sources; `pnpm build` separately proves the packages compile.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sanstls\/x509\/generate$/, replacement: src('x509', 'generate/index.ts') },
      { find: /^@sanstls\/x509$/, replacement: src('x509') },
      { find: /^@sanstls\/core\/client$/, replacement: src('core', 'client-only.ts') },
      { find: /^@sanstls\/core\/client-base$/, replacement: src('core', 'client-base.ts') },
      { find: /^@sanstls\/core\/codec$/, replacement: src('core', 'codec/index.ts') },
      { find: /^@sanstls\/core\/conformance$/, replacement: src('core', 'conformance/index.ts') },
      { find: /^@sanstls\/core$/, replacement: src('core') },
      { find: /^@sanstls\/node-adapter$/, replacement: src('node-adapter') },
      { find: /^@sanstls\/web-adapter\/client$/, replacement: src('web-adapter', 'client.ts') },
      { find: /^@sanstls\/web-adapter\/client-webcrypto$/, replacement: src('web-adapter', 'client-webcrypto.ts') },
      { find: /^@sanstls\/web-adapter\/relay$/, replacement: src('web-adapter', 'relay/index.ts') },
      { find: /^@sanstls\/web-adapter\/mozilla-roots$/, replacement: src('web-adapter', 'mozilla-roots.ts') },
      { find: /^@sanstls\/web-adapter$/, replacement: src('web-adapter') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test-vectors/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
