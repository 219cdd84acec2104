#!/usr/bin/env node
// Builds the browser bundle of @sanstls/web-adapter with esbuild: ESM, minified, code-split so the optional
// Mozilla roots are a separate module, from the TypeScript sources of web-adapter, core and x509 with the
// pure noble provider. Writes packages/web-adapter/dist/browser/ and prints minified and gzipped sizes of
// the client-only build (what a page importing connectTls + websocketTransport + httpRequest loads) and
// what dominates it. Usage: node scripts/build-browser-bundle.mjs [--outdir DIR] [--quiet]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const outdirArg = args.indexOf('--outdir');
const outdir = outdirArg >= 0 ? args[outdirArg + 1] : join(root, 'packages/web-adapter/dist/browser');
const quiet = args.includes('--quiet');
const log = (...a) => {
  if (!quiet) console.log(...a);
};

const gen = spawnSync(process.execPath, [join(root, 'scripts/gen-mozilla-roots.mjs')], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(`gen-mozilla-roots failed: ${gen.stderr}`);

const src = (pkg, entry = 'index.ts') => join(root, 'packages', pkg, 'src', entry);
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  // Nothing is external: with platform 'browser' esbuild refuses to resolve a Node built-in, so this build
  // fails if one became reachable from the entry (packages/web-adapter/test/bundle.test.ts checks globals too).
  external: [],
  alias: {
    '@sanstls/x509': src('x509'),
    '@sanstls/core': src('core'),
    '@sanstls/web-adapter': src('web-adapter'),
  },
  logLevel: 'warning',
  metafile: true,
};

mkdirSync(outdir, { recursive: true });
const result = await build({
  ...common,
  entryPoints: {
    'sanstls-web.min': src('web-adapter'),
    'mozilla-roots.min': src('web-adapter', 'mozilla-roots.ts'),
  },
  splitting: true,
  outdir,
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
});

/** The client-only build: what `import { connectTls, websocketTransport, httpRequest }` pulls in. */
const client = await build({
  ...common,
  stdin: {
    contents:
      "export { connectTls, websocketTransport, httpRequest, webTransportStreams } from '@sanstls/web-adapter';",
    resolveDir: root,
    loader: 'ts',
  },
  write: false,
  outfile: 'client.js',
});
const clientCode = client.outputFiles.find((f) => f.path.endsWith('.js')).contents;

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Bytes in the output per package (noble curves, x509, core, …). */
function byPackage(metafile) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const path = input.replace(/\\/g, '/');
      const noble = /@noble\/([a-z-]+)(?:\/[^/]*)*\/([^/]+?)\.js$/.exec(path);
      const ours = /packages\/([a-z0-9-]+)\/src\/(?:([a-z0-9-]+)\/)?/.exec(path);
      const key = noble
        ? `@noble/${noble[1]} ${noble[2]}`
        : ours
          ? `${ours[1]}${ours[2] === undefined ? '' : `/${ours[2]}`}`
          : relative(root, input);
      totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

const clientMin = clientCode.length;
const clientGz = gz(clientCode);
const files = Object.keys(result.metafile.outputs)
  .filter((f) => f.endsWith('.js'))
  .map((f) => {
    const bytes = readFileSync(join(root, f));
    return { file: relative(outdir, join(root, f)), minified: bytes.length, gzip: gz(bytes) };
  });
const report = {
  client: { minified: clientMin, gzip: clientGz },
  files,
  clientByPackage: byPackage(client.metafile).slice(0, 25),
};
writeFileSync(join(outdir, 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`);

log(`browser bundle -> ${relative(root, outdir)}`);
for (const f of files) log(`  ${f.file.padEnd(32)} ${kb(f.minified).padStart(10)} min  ${kb(f.gzip).padStart(9)} gzip`);
log(
  `client-only build (connectTls + websocketTransport + httpRequest + webTransportStreams): ${kb(clientMin)} min, ${kb(clientGz)} gzip`,
);
log('largest contributors (minified bytes in the client build):');
for (const [name, bytes] of report.clientByPackage.slice(0, 12)) log(`  ${name.padEnd(40)} ${kb(bytes).padStart(9)}`);
