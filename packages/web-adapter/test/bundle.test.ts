/**
 * The browser bundle's promises, checked on what esbuild actually bundles: the browser entries reach no Node
 * built-in module (`node:…` or bare `fs`, `net`, …) and no Node global (`Buffer`, `process`, `require`, …);
 * the packages are ESM with `"sideEffects": false`, so an import of one small export leaves the TLS engine
 * out; the Mozilla roots and the relay stay out of the client build; and the bundle the build script writes
 * is a self-contained ES module that runs a TLS handshake when imported, within a size budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { acceptTls, memoryStreamPair, TLSVersion } from '../src/index.js';
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
    // esbuild matches an alias as a path prefix: the subpath entries first.
    alias: {
      '@sanstls/x509': src('x509'),
      '@sanstls/core/client-base': src('core', 'client-base.ts'),
      '@sanstls/core/client': src('core', 'client-only.ts'),
      '@sanstls/core': src('core'),
      '@sanstls/web-adapter/client-webcrypto': src('web-adapter', 'client-webcrypto.ts'),
      '@sanstls/web-adapter/client': src('web-adapter', 'client.ts'),
      '@sanstls/web-adapter': src('web-adapter'),
    },
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
  it('the packages are ESM with "sideEffects": false, but for the entries that install something', () => {
    // core's full entries fill the slots the client entry leaves empty (core/src/slots.ts), and its client
    // entry installs the noble provider as the default (what @sanstls/core/client-base leaves out): a bundler
    // must keep those calls whenever the entry is imported. web-adapter's client entry imports core's client
    // entry for that install, so it must be kept too.
    const sideEffects: Record<string, unknown> = {
      x509: false,
      core: [
        './src/index.ts',
        './dist/index.js',
        './src/client-only.ts',
        './dist/client-only.js',
        './src/conformance/index.ts',
        './dist/conformance/index.js',
      ],
      'web-adapter': ['./src/client.ts', './dist/client.js'],
    };
    for (const pkg of ['x509', 'core', 'web-adapter']) {
      const json = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
      expect({ pkg, type: json.type, sideEffects: json.sideEffects }).toEqual({
        pkg,
        type: 'module',
        sideEffects: sideEffects[pkg],
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

describe('the client entry @sanstls/web-adapter/client (issue #9)', () => {
  /** Files only a server or a private-key loader needs: core reaches them only through slots.ts. */
  const SERVER_OR_KEY_FILES =
    /core\/src\/(server\/|support\.ts|index\.ts)|x509\/src\/keys\/(private|pbes2|pkcs12)\.ts|@noble\/hashes\/(scrypt|pbkdf2)/;
  /** Strings that exist only in the server state machines and the encrypted-key parser. */
  const SERVER_OR_KEY_STRINGS = [
    'ExpectClientCertificateVerify',
    'ExpectEndOfEarlyData',
    'ExpectClientKeyExchange',
    'PBES2-params',
  ];
  /**
   * A regression guard with margin over what was measured (116.5 KiB gzip when the entry was split out on
   * 2026-12-06, 119.5 KiB with core's own X25519 ladder, 126.5 KiB before the split; 116.1 KiB once the FFDHE
   * primes, noble's one-shot GCM, noble's X25519 key generation and the signing code had left it); not the
   * issue's 60 KB target, which BENCHMARKS.md discusses.
   */
  const CLIENT_GZIP_CEILING = 120 * 1024;
  const CLIENT_IMPORTS = 'connectTls, websocketTransport, httpRequest, webTransportStreams';

  it('bundles without the server side, the private-key parsers, the Mozilla roots or the relay', async () => {
    const all = await bundle({ contents: "export * from '@sanstls/web-adapter/client';" }, { minify: true });
    expect(inputs(all).filter((p) => SERVER_OR_KEY_FILES.test(p))).toEqual([]);
    expect(inputs(all).filter((p) => /mozilla-roots|\/relay\//.test(p))).toEqual([]);
    expect(SERVER_OR_KEY_STRINGS.filter((text) => all.code.includes(text))).toEqual([]);
    expect(all.builtins).toEqual([]);
    expect(all.globals).toEqual([]);
    // The detector sees them when they are there: the full entry's acceptTls reaches all of them.
    const server = await bundle({ contents: "export { acceptTls } from '@sanstls/web-adapter';" }, { minify: true });
    expect(SERVER_OR_KEY_STRINGS.filter((text) => !server.code.includes(text))).toEqual([]);
    expect(
      inputs(server).filter((p) => /core\/src\/server\/tls1[23]\.ts|x509\/src\/keys\/pbes2\.ts/.test(p)),
    ).toHaveLength(3);
  });

  it('stays under its size ceiling, well below the whole of the full entry', async () => {
    const gzip = async (contents: string) =>
      gzipSync((await bundle({ contents }, { minify: true })).code, { level: 9 }).length;
    const client = await gzip(`export { ${CLIENT_IMPORTS} } from '@sanstls/web-adapter/client';`);
    const full = await gzip("export * from '@sanstls/web-adapter';");
    console.log(
      `client entry ${(client / 1024).toFixed(1)} KB gzip, all of the full entry ${(full / 1024).toFixed(1)} KB gzip`,
    );
    expect(client).toBeLessThan(CLIENT_GZIP_CEILING);
    // The server state machines and the key parsers are over 10 KB gzip: their absence must show.
    expect(full - client).toBeGreaterThan(10 * 1024);
  });

  it('the bundled client entry handshakes (TLS 1.3 and 1.2) and refuses what it left out with an SSLError', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'sanstls-client-')), 'client.mjs');
    writeFileSync(outfile, (await bundle({ file: src('web-adapter', 'client.ts') }, { minify: true })).code);
    const lib = await import(pathToFileURL(outfile).href);
    const pki = testPki();
    // The server is the full entry from source (another copy of core): the two only share bytes.
    for (const maximumVersion of [TLSVersion.TLSv1_3, TLSVersion.TLSv1_2]) {
      const [a, b] = memoryStreamPair();
      const serving = acceptTls(b, { certChain: { cert: pki.ec.chainPem, key: pki.ec.keyPem }, maximumVersion });
      const client = await lib.connectTls(a, {
        serverHostname: 'localhost',
        trustAnchors: pki.caPem,
        alpnProtocols: ['h2'],
      });
      const server = await serving;
      expect(client.info.protocol).toBe(maximumVersion === TLSVersion.TLSv1_3 ? 'TLSv1.3' : 'TLSv1.2');
      expect(client.info.peerCertificate.subject).toEqual([[['commonName', 'ec-server']]]);
      await Promise.all([client.close(), server.close()]);
    }
    // What the entry leaves out fails as an API error naming the way in, before any byte is sent.
    const context = new lib.SSLContext();
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return { isSSLError: e instanceof lib.SSLError, reason: (e as { reason?: string }).reason, text: String(e) };
      }
      return null;
    };
    expect(refused(() => context.wrapBio(new lib.MemoryBIO(), new lib.MemoryBIO(), { serverSide: true }))).toEqual({
      isSSLError: true,
      reason: 'NOT_SUPPORTED',
      text: expect.stringContaining('installServerSupport()'),
    });
    expect(refused(() => context.loadCertChain(pki.ec.chainPem, pki.ec.keyPem))).toEqual({
      isSSLError: true,
      reason: 'NOT_SUPPORTED',
      text: expect.stringContaining('installPrivateKeySupport()'),
    });
  }, 60_000);
});

describe('the WebCrypto client entry @sanstls/web-adapter/client-webcrypto (issue #9)', () => {
  /**
   * Code the WebCrypto client must not carry: ML-KEM, noble's Edwards/Montgomery curves (Ed25519, Ed448,
   * X25519), noble's Weierstrass curves (x509's SPKI parser checks EC points in BigInt), core's own X25519
   * and the noble groups, and x509's noble signature module.
   */
  const NOBLE_PUBLIC_KEY_CODE =
    /@noble\/post-quantum|@noble\/curves\/(ed25519|ed448|nist|abstract\/(edwards|montgomery|weierstrass))\.js|core\/src\/crypto\/(x25519|groups)\.ts|x509\/src\/keys\/noble-signatures\.ts/;
  /** A regression guard with margin (88.8 KiB gzip measured on 2026-12-06); not the 60 KB target. */
  const WEBCRYPTO_GZIP_CEILING = 92 * 1024;
  const CLIENT_IMPORTS = 'connectTls, websocketTransport, httpRequest, webTransportStreams';

  it('bundles without ML-KEM, noble X25519/Ed25519/Ed448, core x25519.ts or x509 noble signatures', async () => {
    const webcrypto = await bundle(
      { contents: `export { ${CLIENT_IMPORTS} } from '@sanstls/web-adapter/client-webcrypto';` },
      { minify: true },
    );
    expect(inputs(webcrypto).filter((p) => NOBLE_PUBLIC_KEY_CODE.test(p))).toEqual([]);
    expect(inputs(webcrypto).filter((p) => /mozilla-roots|\/relay\/|core\/src\/server\//.test(p))).toEqual([]);
    expect(webcrypto.builtins).toEqual([]);
    expect(webcrypto.globals).toEqual([]);
    // The detector sees them in the noble client entry, and the difference shows in the size.
    const noble = await bundle(
      { contents: `export { ${CLIENT_IMPORTS} } from '@sanstls/web-adapter/client';` },
      { minify: true },
    );
    expect(inputs(noble).filter((p) => NOBLE_PUBLIC_KEY_CODE.test(p)).length).toBeGreaterThanOrEqual(4);
    const [w, n] = [webcrypto, noble].map((b) => gzipSync(b.code, { level: 9 }).length);
    console.log(
      `WebCrypto client entry ${(w! / 1024).toFixed(1)} KB gzip, noble client entry ${(n! / 1024).toFixed(1)} KB gzip`,
    );
    expect(n! - w!).toBeGreaterThan(8 * 1024);
    expect(w!).toBeLessThan(WEBCRYPTO_GZIP_CEILING);
  });

  it('the bundled WebCrypto entry handshakes (TLS 1.3 and 1.2) on WebCrypto', async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'sanstls-webcrypto-')), 'client.mjs');
    writeFileSync(outfile, (await bundle({ file: src('web-adapter', 'client-webcrypto.ts') }, { minify: true })).code);
    const lib = await import(pathToFileURL(outfile).href);
    const pki = testPki();
    for (const maximumVersion of [TLSVersion.TLSv1_3, TLSVersion.TLSv1_2]) {
      const [a, b] = memoryStreamPair();
      const serving = acceptTls(b, { certChain: { cert: pki.rsa.chainPem, key: pki.rsa.keyPem }, maximumVersion });
      const client = await lib.connectTls(a, { serverHostname: 'localhost', trustAnchors: pki.caPem });
      const server = await serving;
      expect(client.info.protocol).toBe(maximumVersion === TLSVersion.TLSv1_3 ? 'TLSv1.3' : 'TLSv1.2');
      expect(client.info.webCryptoVerified).toBe(true);
      expect(client.sslObject.context.provider.name).toBe('webcrypto');
      await Promise.all([client.close(), server.close()]);
    }
    // This entry installs no default provider: a context without one is refused with a way in.
    expect(() => new lib.SSLContext(16)).toThrow(/no default crypto provider/);
  }, 60_000);
});

describe('the built bundle (scripts/build-browser-bundle.mjs)', () => {
  /** A regression guard for the size the README reports (116.1 KiB gzip when measured); not a target. */
  const CLIENT_GZIP_BUDGET = 120 * 1024;

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
