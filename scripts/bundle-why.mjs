#!/usr/bin/env node
// Why is a module in the browser client bundle, and what does it cost? Builds what
// scripts/build-browser-bundle.mjs measures (connectTls + websocketTransport + httpRequest +
// webTransportStreams from @sanstls/web-adapter/client, minified) and prints the inputs by minified bytes,
// or with --gzip by gzip bytes (each input's share: the bundle's gzip size minus the gzip size of the bundle
// with that input's output bytes cut out, found through the source map). Arguments that are not flags name
// modules (a path substring): for each, the modules importing it and how many bytes they keep.
// Usage: node scripts/bundle-why.mjs [--gzip] [--top N] [--entry SPECIFIER] [--out FILE] [module ...]
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = process.env.ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const byGzip = args.includes('--gzip') || args.includes('--without');
if (args.includes('--gzip')) args.splice(args.indexOf('--gzip'), 1);
const top = Number(flag('--top', '60'));
const entry = flag('--entry', '@sanstls/web-adapter/client');
const outFile = flag('--out', undefined);
// --without a,b: also the gzip size with every input whose path contains one of these cut out (an estimate
// of leaving them out: the glue that calls them stays).
const without = flag('--without', undefined)?.split(',');
const src = (pkg, file = 'index.ts') => join(root, 'packages', pkg, 'src', file);
// esbuild matches an alias as a path prefix: subpath entries first.
const alias = {
  '@sanstls/x509': src('x509'),
  ...(existsSync(src('core', 'client-base.ts')) ? { '@sanstls/core/client-base': src('core', 'client-base.ts') } : {}),
  '@sanstls/core/client': src('core', 'client-only.ts'),
  '@sanstls/core': src('core'),
  '@sanstls/web-adapter/client': src('web-adapter', 'client.ts'),
  '@sanstls/web-adapter': src('web-adapter'),
};
const result = await build({
  stdin: {
    contents: `export { connectTls, websocketTransport, httpRequest, webTransportStreams } from '${entry}';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  alias,
  write: false,
  metafile: true,
  sourcemap: 'external',
  outfile: join(root, 'bundle-why.js'),
  logLevel: 'warning',
});
const code = result.outputFiles.find((f) => f.path.endsWith('.js')).contents;
if (outFile !== undefined) writeFileSync(outFile, code);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const total = gz(code);
console.log(`${entry}: ${code.length} B minified, ${total} B gzip`);
const short = (p) =>
  p.replace(/.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^(\.\.\/)*packages\//, '');
const output = Object.entries(result.metafile.outputs).find(([p]) => p.endsWith('.js'))[1];

let rows = Object.entries(output.inputs).map(([path, v]) => ({ path, min: v.bytesInOutput, gzip: 0 }));
if (byGzip) {
  // Which source each output byte comes from: the mappings of the (single-line) minified output.
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);
  const text = Buffer.from(code);
  const owner = new Int32Array(text.length).fill(-1);
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let line = 0;
  let lineStart = 0;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === 10) lineStarts.push(i + 1);
  let source = 0;
  let prev = null;
  for (const group of map.mappings.split(';')) {
    lineStart = lineStarts[line] ?? text.length;
    let column = 0;
    for (const segment of group.split(',')) {
      if (segment === '') continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length > 1) source += values[1];
      if (prev !== null) owner.fill(prev.source, prev.at, lineStart + column);
      prev = { at: lineStart + column, source };
    }
    line++;
  }
  if (prev !== null) owner.fill(prev.source, prev.at, text.length);
  const sources = map.sources.map((s) => short(s));
  const bySource = new Map();
  for (let i = 0; i < text.length; i++) if (owner[i] >= 0) bySource.set(owner[i], (bySource.get(owner[i]) ?? 0) + 1);
  const rowOf = new Map(rows.map((r) => [short(r.path), r]));
  if (without !== undefined) {
    const cutSources = new Set(sources.flatMap((s, i) => (without.some((w) => s.includes(w)) ? [i] : [])));
    const kept = text.filter((_, i) => !cutSources.has(owner[i]));
    console.log(
      `without ${[...cutSources].map((i) => sources[i]).join(', ')}: ${kept.length} B minified, ${gz(kept)} B gzip`,
    );
  }
  for (const [index] of bySource) {
    const cut = text.filter((_, i) => owner[i] !== index);
    const row = rowOf.get(sources[index]);
    if (row !== undefined) row.gzip = total - gz(cut);
  }
}
rows = rows.filter((r) => r.min > 0).sort((a, b) => (byGzip ? b.gzip - a.gzip : b.min - a.min));
if (args.length === 0) {
  for (const r of rows.slice(0, top)) {
    console.log(
      `${String(r.min).padStart(7)} min ${byGzip ? `${String(r.gzip).padStart(6)} gzip ` : ''} ${short(r.path)}`,
    );
  }
}
const importers = new Map();
for (const [path, v] of Object.entries(result.metafile.inputs)) {
  for (const i of v.imports) {
    if (!importers.has(i.path)) importers.set(i.path, []);
    importers.get(i.path).push(path);
  }
}
for (const name of args) {
  for (const path of Object.keys(result.metafile.inputs).filter((p) => p.includes(name))) {
    console.log(`\n${short(path)} (${output.inputs[path]?.bytesInOutput ?? 0} B) is imported by:`);
    for (const p of importers.get(path) ?? []) console.log(`  ${short(p)} (${output.inputs[p]?.bytesInOutput ?? 0} B)`);
  }
}
