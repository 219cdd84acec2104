/**
 * Bundle sizes with esbuild (minified, ESM, tree-shaken), raw and gzip -9. First the browser client as
 * scripts/build-browser-bundle.mjs builds it (issue #9): connectTls + websocketTransport + httpRequest +
 * webTransportStreams imported from the client entry `@sanstls/web-adapter/client` — TLS 1.3 and 1.2
 * client, chain and hostname validation, noble crypto; no server side, no private-key parsers, and not
 * the Mozilla roots (a separate optional import, ~116 KB gzip on its own) — then, as the second row, all
 * of `@sanstls/web-adapter` (server side and key parsers included). Then the same two from the installed
 * dist, a minimal MemoryBIO client from `@sanstls/core/client`, and each package entry point alone with
 * and without its dependencies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function esbuildSize(label, contents, { resolveDir, platform = 'browser', external = [] }) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    external,
    logLevel: 'silent',
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  // The largest inputs, to say what the bytes are.
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = new Map();
  for (const [path, v] of Object.entries(output?.inputs ?? {})) {
    // node_modules/…/@noble/curves/… → @noble/curves; packages/core/dist/… → @sanstls/core.
    const dep = path.match(/node_modules\/(?!.*node_modules\/)(@[^/]+\/[^/]+|[^/]+)/)?.[1];
    const own = path.match(/packages\/([^/]+)\//)?.[1];
    const pkg = dep ?? (own === undefined ? 'other' : `@sanstls/${own}`);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + v.bytesInOutput);
  }
  return {
    label,
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    byPackage: Object.fromEntries([...byPackage.entries()].sort((a, b) => b[1] - a[1])),
  };
}

export async function bundleRows(log = console.log) {
  const rows = [];
  const add = async (label, contents, opts) => {
    try {
      const r = await esbuildSize(label, contents, opts);
      rows.push({ status: 'ok', ...r });
      log(`  ${label.padEnd(58)} ${(r.minified / 1024).toFixed(1)} KiB min, ${(r.gzip / 1024).toFixed(1)} KiB gzip`);
    } catch (e) {
      const reason = (e?.errors?.[0]?.text ?? e?.message ?? String(e)).split('\n')[0];
      rows.push({ status: 'failed', label, reason });
      log(`  ${label.padEnd(58)} failed: ${reason}`);
    }
  };
  const pkgDir = (p) => `${root}packages/${p}`;
  const has = (p, f = 'dist/index.js') => existsSync(`${pkgDir(p)}/${f}`);
  if (has('web-adapter', 'dist/client.js')) {
    await add(
      'browser client, installed dist: connectTls + websocketTransport + httpRequest + webTransportStreams from @sanstls/web-adapter/client',
      `export { connectTls, websocketTransport, httpRequest, webTransportStreams } from '@sanstls/web-adapter/client';`,
      { resolveDir: pkgDir('web-adapter') },
    );
  } else
    rows.push({ status: 'failed', label: 'browser client', reason: 'packages/web-adapter/dist/client.js is missing' });
  if (has('web-adapter')) {
    await add('full bundle, installed dist: all of @sanstls/web-adapter', `export * from '@sanstls/web-adapter';`, {
      resolveDir: pkgDir('web-adapter'),
    });
  } else rows.push({ status: 'failed', label: 'full bundle', reason: 'packages/web-adapter/dist is missing' });
  await add(
    'minimal client: SSLContext + MemoryBIO from @sanstls/core/client',
    `export { SSLContext, MemoryBIO, PROTOCOL_TLS_CLIENT } from '@sanstls/core/client';`,
    { resolveDir: pkgDir('web-adapter') },
  );
  // The floor under any pure-JS browser client: the noble primitives core and x509 use (key exchange
  // X25519/P-256/P-384/P-521 and ML-KEM-768, ECDSA/Ed25519/Ed448 verification, AES-GCM, ChaCha20-Poly1305,
  // SHA-1/SHA-2, HMAC/HKDF) bundled alone, none of our code.
  await add(
    'noble primitives a TLS client uses, alone (pure-JS crypto floor)',
    [
      "export { chacha20poly1305 } from '@noble/ciphers/chacha.js';",
      "export { gcm } from '@noble/ciphers/aes.js';",
      "export { hmac } from '@noble/hashes/hmac.js';",
      "export { expand, extract } from '@noble/hashes/hkdf.js';",
      "export { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';",
      "export { sha1 } from '@noble/hashes/legacy.js';",
      "export { x25519, ed25519 } from '@noble/curves/ed25519.js';",
      "export { ed448 } from '@noble/curves/ed448.js';",
      "export { p256, p384, p521 } from '@noble/curves/nist.js';",
      "export { ml_kem768 } from '@noble/post-quantum/ml-kem.js';",
    ].join('\n'),
    { resolveDir: pkgDir('core') },
  );
  const entries = [
    ['x509', '@sanstls/x509', 'dist/index.js'],
    ['x509', '@sanstls/x509/generate', 'dist/generate/index.js'],
    ['core', '@sanstls/core', 'dist/index.js'],
    ['core', '@sanstls/core/client', 'dist/client-only.js'],
    ['core', '@sanstls/core/codec', 'dist/codec/index.js'],
    ['web-adapter', '@sanstls/web-adapter', 'dist/index.js'],
    ['web-adapter', '@sanstls/web-adapter/client', 'dist/client.js'],
    ['node-adapter', '@sanstls/node-adapter', 'dist/index.js'],
  ];
  for (const [pkg, spec, file] of entries) {
    if (!has(pkg, file)) {
      rows.push({ status: 'failed', label: spec, reason: `${pkg}/${file} is missing` });
      continue;
    }
    const platform = pkg === 'node-adapter' ? 'node' : 'browser';
    // Own code only: every other package (and noble) external.
    await add(`${spec} (own code)`, `export * from './${file}';`, {
      resolveDir: pkgDir(pkg),
      platform,
      external: ['@noble/*', '@sanstls/*', 'ws'],
    });
    await add(`${spec} (with dependencies)`, `export * from './${file}';`, {
      resolveDir: pkgDir(pkg),
      platform,
      external: ['ws'],
    });
  }
  // The browser bundles as issue #8's own script builds them (from sources), into a temp dir: the client
  // entry's connectTls + websocketTransport + httpRequest + webTransportStreams (the measured browser
  // client, issue #9) first, all of the full entry second.
  const script = `${root}scripts/build-browser-bundle.mjs`;
  if (existsSync(script)) {
    const outdir = mkdtempSync(join(tmpdir(), 'sanstls-browser-'));
    try {
      execFileSync(process.execPath, [script, '--outdir', outdir, '--quiet'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 120_000,
      });
      const report = JSON.parse(readFileSync(join(outdir, 'size-report.json'), 'utf8'));
      const byPackage = (list) => Object.fromEntries(list ?? []);
      rows.unshift(
        {
          status: 'ok',
          label:
            'browser client (scripts/build-browser-bundle.mjs: connectTls + websocketTransport + httpRequest + webTransportStreams from @sanstls/web-adapter/client; Mozilla roots not included)',
          minified: report.client.minified,
          gzip: report.client.gzip,
          byPackage: byPackage(report.clientByPackage),
        },
        ...(report.webcrypto === undefined
          ? []
          : [
              {
                status: 'ok',
                label:
                  'WebCrypto browser client (scripts/build-browser-bundle.mjs: connectTls + websocketTransport + httpRequest + webTransportStreams from @sanstls/web-adapter/client-webcrypto: key exchange and signature checks on WebCrypto, no noble curves signatures/ML-KEM; Mozilla roots not included)',
                minified: report.webcrypto.minified,
                gzip: report.webcrypto.gzip,
                byPackage: byPackage(report.webcryptoByPackage),
              },
            ]),
        ...(report.full === undefined
          ? []
          : [
              {
                status: 'ok',
                label:
                  'full browser bundle (scripts/build-browser-bundle.mjs: all of @sanstls/web-adapter, server side and key parsers included; Mozilla roots not included)',
                minified: report.full.minified,
                gzip: report.full.gzip,
                byPackage: byPackage(report.fullByPackage),
              },
            ]),
      );
      log(
        `  browser client (build-browser-bundle.mjs): ${(report.client.minified / 1024).toFixed(1)} KiB min, ${(report.client.gzip / 1024).toFixed(1)} KiB gzip`,
      );
      if (report.webcrypto !== undefined)
        log(
          `  WebCrypto browser client (build-browser-bundle.mjs): ${(report.webcrypto.minified / 1024).toFixed(1)} KiB min, ${(report.webcrypto.gzip / 1024).toFixed(1)} KiB gzip`,
        );
      if (report.full !== undefined)
        log(
          `  full browser bundle (build-browser-bundle.mjs): ${(report.full.minified / 1024).toFixed(1)} KiB min, ${(report.full.gzip / 1024).toFixed(1)} KiB gzip`,
        );
    } catch (e) {
      const reason = (e.stderr?.toString() || e.message || String(e)).trim().split('\n').slice(-2).join(' ');
      rows.unshift({ status: 'failed', label: 'browser client (scripts/build-browser-bundle.mjs)', reason });
      log(`  build-browser-bundle.mjs failed: ${reason}`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  return rows;
}
