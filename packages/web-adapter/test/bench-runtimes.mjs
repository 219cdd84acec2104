#!/usr/bin/env node
// WebCrypto vs noble outside vitest: bundles test/bench.ts with esbuild (as a page would load it) and runs it
// under plain `node`, and under Bun and Deno when `$SANSTLS_BUN`/`$SANSTLS_DENO` or PATH has them. Under vitest
// noble runs 2–4× slower (unbundled module transforms), so the README's Node column comes from here; the
// Chromium column from browser.test.ts. Prints one table per runtime.
// Usage: node packages/web-adapter/test/bench-runtimes.mjs [runs]   (needs the openssl CLI for the test PKI)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'sanstls-bench-'));
const alias = {
  '@sanstls/x509': join(root, 'packages/x509/src/index.ts'),
  '@sanstls/core/client-base': join(root, 'packages/core/src/client-base.ts'),
  '@sanstls/core/client': join(root, 'packages/core/src/client-only.ts'),
  '@sanstls/core': join(root, 'packages/core/src/index.ts'),
  '@sanstls/web-adapter': join(root, 'packages/web-adapter/src/index.ts'),
};
const common = { bundle: true, format: 'esm', target: 'es2022', alias, logLevel: 'warning' };

// The test PKI (openssl CLI), made once in Node and embedded in the benchmark bundle.
await build({
  ...common,
  platform: 'node',
  stdin: {
    contents: "import { testPki } from './helpers/pki.ts'; console.log(JSON.stringify(testPki()));",
    resolveDir: here,
    loader: 'ts',
  },
  outfile: join(dir, 'pki.mjs'),
});
const pki = JSON.parse(execFileSync(process.execPath, [join(dir, 'pki.mjs')], { encoding: 'utf8' }));
const der = (pem) => [
  ...Buffer.from(pem.split('-----END CERTIFICATE-----')[0].replace(/-----[^-]+-----|\s/g, ''), 'base64'),
];
const input = {
  caPem: pki.caPem,
  serverChainPem: pki.ec.chainPem,
  serverKeyPem: pki.ec.keyPem,
  leafDer: der(pki.ec.chainPem),
  caDer: der(pki.caPem),
};

const bench = join(dir, 'bench.mjs');
await build({
  ...common,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  stdin: {
    contents: `import { runBenchmarks, formatRows } from './bench.ts';
      const p = ${JSON.stringify(input)};
      const rows = await runBenchmarks({ ...p, leafDer: new Uint8Array(p.leafDer), caDer: new Uint8Array(p.caDer) }, ${runs});
      console.log(formatRows(rows));`,
    resolveDir: here,
    loader: 'ts',
  },
  outfile: bench,
});

const onPath = (bin) => {
  const given = process.env[`SANSTLS_${bin.toUpperCase()}`];
  if (given) return existsSync(given) ? given : null;
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, bin))) return join(d, bin);
  return null;
};
const runtimes = [
  ['Node', process.execPath, [bench], `Node ${process.version}`],
  ['Bun', onPath('bun'), ['run', bench]],
  ['Deno', onPath('deno'), ['run', '--no-prompt', bench]],
];
for (const [name, bin, args, label] of runtimes) {
  if (bin === null) {
    console.log(`${name}: not found (set SANSTLS_${name.toUpperCase()} or put it on PATH)\n`);
    continue;
  }
  const reported = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const version = label ?? (reported.toLowerCase().startsWith(name.toLowerCase()) ? reported : `${name} ${reported}`);
  const out = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  console.log(`${version}\n${out.status === 0 ? out.stdout : `failed: ${out.stderr}`}`);
}
