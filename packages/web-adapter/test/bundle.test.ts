/**
 * The browser bundle's promises, checked on what esbuild actually bundles: the browser entries reach no Node
 * built-in module (`node:…` or bare `fs`, `net`, …) and no Node global (`Buffer`, `process`, `require`, …);
 * the packages are ESM with `"sideEffects": false`, so an import of one small export leaves the TLS engine
 * out; the Mozilla roots and the relay stay out of the client build; and the bundle the build script writes
 * is a self-contained ES module that runs a TLS handshake when imported, within a size budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { testPki } from './helpers/pki.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = (pkg: string, entry = 'index.ts') => join(root, 'packages', pkg, 'src', entry);

/** Globals Node has and browsers lack; esbuild's `define` replaces only free (unbound) references. */
const NODE_GLOBALS = ['Buffer', 'process', 'require', 'global', '__dirname', '__filename', 'module', 'setImmediate'];
const SENTINEL = '__SANSTLS_NODE_GLOBAL_';

interface Bundled {
  readonly code: string;
  readonly metafile: Metafile;
  /** Node built-in modules the bundle imports (`node:fs`, `net`, …), with the importing file. */
  readonly builtins: string[];
  /** Node globals the bundle references, `typeof` guards included. */
  readonly globals: string[];
}

/** Bundles an entry (file or source text) as the browser build does, recording what it would need from Node. */
async function bundle(entry: { file: string } | { contents: string }, extra: BuildOptions = {}): Promise<Bundled> {
  const builtins: string[] = [];
  const bare = new Set(builtinModules);
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: root, loader: 'ts' as const } }),
    bundle: true,
    format: 'esm',
    // 'neutral' rather than 'browser' so that a Node import is recorded here instead of failing the build.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: { '@sanstls/x509': src('x509'), '@sanstls/core': src('core'), '@sanstls/web-adapter': src('web-adapter') },
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, `${SENTINEL}${name}`])),
    plugins: [
      {
        name: 'record-node-builtins',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            const name = args.path.replace(/^node:/, '').split('/')[0]!;
            if (!args.path.startsWith('node:') && !bare.has(name)) return undefined;
            builtins.push(`${args.path} (from ${args.importer.replace(root, '')})`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
    ...extra,
  });
  const code = result.outputFiles![0]!.text;
  const globals = [...new Set([...code.matchAll(new RegExp(`${SENTINEL}(\\w+)`, 'g'))].map((m) => m[1]!))];
  return { code, metafile: result.metafile!, builtins, globals };
}

/** The source files that contribute bytes to the output (esbuild parses more, then tree-shakes them away). */
const inputs = (b: Bundled) =>
  Object.values(b.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([p]) => p.replace(/\\/g, '/')),
  );

describe('browser entries need nothing from Node', () => {
  it('the detector works: a node: import, a bare built-in and a Buffer reference are all caught', async () => {
    const bad = await bundle({
      contents:
        "import { readFileSync } from 'node:fs'; import net from 'net'; export const x = [readFileSync, net, Buffer.from('a'), typeof process];",
    });
    expect(bad.builtins).toEqual([expect.stringMatching(/^node:fs /), expect.stringMatching(/^net /)]);
    expect(bad.globals.sort()).toEqual(['Buffer', 'process']);
    // A property or a local binding with a Node global's name is not a reference to the global.
    const fine = await bundle({ contents: 'const process = 1; export const y = { process }.process + [].length;' });
    expect(fine.globals).toEqual([]);
  });

  for (const [name, entry] of [
    ['@sanstls/web-adapter', src('web-adapter')],
    ['@sanstls/web-adapter/mozilla-roots', src('web-adapter', 'mozilla-roots.ts')],
  ] as const) {
    it(`${name}: no Node built-in module and no Node global is reachable`, async () => {
      const b = await bundle({ file: entry });
      expect(b.builtins).toEqual([]);
      expect(b.globals).toEqual([]);
      // Everything comes from the three packages' sources and noble: the relay (Node) is not reachable.
      const foreign = inputs(b).filter(
        (p) => !/packages\/(x509|core|web-adapter)\/src\//.test(p) && !/node_modules\/.*@noble\//.test(p),
      );
      expect(foreign).toEqual([]);
      expect(inputs(b).filter((p) => p.includes('/relay/'))).toEqual([]);
    });
  }
});

describe('ESM and tree-shaking', () => {
  it('the packages are ESM with "sideEffects": false', () => {
    for (const pkg of ['x509', 'core', 'web-adapter']) {
      const json = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
      expect({ pkg, type: json.type, sideEffects: json.sideEffects }).toEqual({
        pkg,
        type: 'module',
        sideEffects: false,
      });
    }
  });

  it('importing one small export leaves the TLS engine, x509 and noble out', async () => {
    const small = await bundle(
      { contents: "export { relayCloseCodeName } from '@sanstls/web-adapter';" },
      { minify: true },
    );
    expect(inputs(small).filter((p) => /packages\/(core|x509)\/|@noble\//.test(p))).toEqual([]);
    expect(small.code.length).toBeLessThan(4096);
  });

  it('the client build leaves the Mozilla roots and the relay out', async () => {
    const client = await bundle({
      contents: "export { connectTls, websocketTransport, httpRequest } from '@sanstls/web-adapter';",
    });
    expect(inputs(client).filter((p) => /mozilla-roots|\/relay\//.test(p))).toEqual([]);
    expect(client.builtins).toEqual([]);
    expect(client.globals).toEqual([]);
  });
});

describe('the built bundle (scripts/build-browser-bundle.mjs)', () => {
  /** A regression guard for the size the README reports (121 KB gzip when measured); not a target. */
  const CLIENT_GZIP_BUDGET = 150 * 1024;

  it('is a self-contained ES module that runs a TLS handshake, within the size budget', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'sanstls-bundle-'));
    execFileSync(process.execPath, [join(root, 'scripts/build-browser-bundle.mjs'), '--outdir', outdir, '--quiet'], {
      stdio: 'pipe',
    });
    const report = JSON.parse(readFileSync(join(outdir, 'size-report.json'), 'utf8'));
    console.log(
      `client-only bundle: ${(report.client.minified / 1024).toFixed(1)} KB minified, ${(report.client.gzip / 1024).toFixed(1)} KB gzip`,
    );
    expect(report.client.gzip).toBeLessThan(CLIENT_GZIP_BUDGET);
    // The entry only imports its own chunks (relative paths): nothing for a page to resolve.
    const entry = readFileSync(join(outdir, 'sanstls-web.min.js'), 'utf8');
    for (const m of entry.matchAll(/(?:^|[;}])\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g)) {
      expect(m[1]).toMatch(/^\.\/chunk-[\w-]+\.js$/);
    }
    // Loaded as an ES module (Node here; Chromium loads the same file in browser.test.ts) it works.
    const lib = await import(pathToFileURL(join(outdir, 'sanstls-web.min.js')).href);
    const pki = testPki();
    const [a, b] = lib.memoryStreamPair();
    const serving = lib.acceptTls(b, { certChain: { cert: pki.ec.chainPem, key: pki.ec.keyPem } });
    const client = await lib.connectTls(a, { serverHostname: 'localhost', trustAnchors: pki.caPem });
    await serving;
    expect(client.info.protocol).toBe('TLSv1.3');
    expect(client.info.peerCertificate.subject).toEqual([[['commonName', 'ec-server']]]);
    await client.close();
  });
});
