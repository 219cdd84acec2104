#!/usr/bin/env node
// Builds the browser bundle of @sanstls/web-adapter with esbuild: ESM, minified, code-split so the optional
// Mozilla roots are a separate module, from the TypeScript sources of web-adapter, core and x509 with the
// pure noble provider. Writes packages/web-adapter/dist/browser/ (sanstls-web.min.js: everything;
// sanstls-client.min.js: the client entry @sanstls/web-adapter/client, without the server side and the
// private-key parsers; sanstls-client-webcrypto.min.js: @sanstls/web-adapter/client-webcrypto, the client
// with WebCrypto's key exchange and signature checks) and prints minified and gzipped sizes of the client build (what a page importing
// connectTls + websocketTransport + httpRequest + webTransportStreams from @sanstls/web-adapter/client
// loads; the Mozilla roots are not in it), of the whole full entry, and what dominates them. Usage: node scripts/build-browser-bundle.mjs [--outdir DIR] [--quiet]
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
  // esbuild matches an alias as a path prefix, so the subpath entries come first.
  alias: {
    '@sanstls/x509': src('x509'),
    '@sanstls/core/client-base': src('core', 'client-base.ts'),
    '@sanstls/core/client': src('core', 'client-only.ts'),
    '@sanstls/core': src('core'),
    '@sanstls/web-adapter/client-webcrypto': src('web-adapter', 'client-webcrypto.ts'),
    '@sanstls/web-adapter/client': src('web-adapter', 'client.ts'),
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

// The client entry as one self-contained file: esbuild splits chunks by whole files, so sharing chunks
// with the full entry would bring the server's files along (core's slots.ts).
const clientFile = await build({
  ...common,
  entryPoints: {
    'sanstls-client.min': src('web-adapter', 'client.ts'),
    // The WebCrypto client (issue #9): WebCrypto's key exchange and signature checks, no noble curves/ML-KEM.
    'sanstls-client-webcrypto.min': src('web-adapter', 'client-webcrypto.ts'),
  },
  outdir,
  sourcemap: true,
});

/** What a page importing the client functions from `entry` loads (one file, no splitting). */
const clientImports = (entry) =>
  build({
    ...common,
    stdin: {
      contents: `export { connectTls, websocketTransport, httpRequest, webTransportStreams } from '${entry}';`,
      resolveDir: root,
      loader: 'ts',
    },
    write: false,
    outfile: 'client.js',
  });
// The measured browser client (issue #9): the client entry. The whole full entry (server side, key
// parsers, WebCrypto helpers: what sanstls-web.min.js and its chunks hold) is the second figure.
const client = await clientImports('@sanstls/web-adapter/client');
// The same four functions from the WebCrypto client entry (issue #9: public-key work on WebCrypto).
const webcrypto = await clientImports('@sanstls/web-adapter/client-webcrypto');
const full = await build({
  ...common,
  stdin: { contents: "export * from '@sanstls/web-adapter';", resolveDir: root, loader: 'ts' },
  write: false,
  outfile: 'full.js',
});
const clientCode = client.outputFiles.find((f) => f.path.endsWith('.js')).contents;
const fullCode = full.outputFiles.find((f) => f.path.endsWith('.js')).contents;
const webcryptoCode = webcrypto.outputFiles.find((f) => f.path.endsWith('.js')).contents;

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
const files = [...Object.keys(result.metafile.outputs), ...Object.keys(clientFile.metafile.outputs)]
  .filter((f) => f.endsWith('.js'))
  .map((f) => {
    const bytes = readFileSync(join(root, f));
    return { file: relative(outdir, join(root, f)), minified: bytes.length, gzip: gz(bytes) };
  });
const report = {
  client: { minified: clientMin, gzip: clientGz },
  full: { minified: fullCode.length, gzip: gz(fullCode) },
  webcrypto: { minified: webcryptoCode.length, gzip: gz(webcryptoCode) },
  files,
  clientByPackage: byPackage(client.metafile).slice(0, 25),
  fullByPackage: byPackage(full.metafile).slice(0, 25),
  webcryptoByPackage: byPackage(webcrypto.metafile).slice(0, 25),
};
writeFileSync(join(outdir, 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`);

log(`browser bundle -> ${relative(root, outdir)}`);
for (const f of files) log(`  ${f.file.padEnd(32)} ${kb(f.minified).padStart(10)} min  ${kb(f.gzip).padStart(9)} gzip`);
log(
  `client build (@sanstls/web-adapter/client: connectTls + websocketTransport + httpRequest + webTransportStreams): ${kb(clientMin)} min, ${kb(clientGz)} gzip`,
);
log(
  `all of @sanstls/web-adapter (server side and key parsers included): ${kb(report.full.minified)} min, ${kb(report.full.gzip)} gzip`,
);
log(
  `WebCrypto client build (@sanstls/web-adapter/client-webcrypto, same four functions): ${kb(report.webcrypto.minified)} min, ${kb(report.webcrypto.gzip)} gzip`,
);
log('largest contributors (minified bytes in the client build):');
for (const [name, bytes] of report.clientByPackage.slice(0, 12)) log(`  ${name.padEnd(40)} ${kb(bytes).padStart(9)}`);
