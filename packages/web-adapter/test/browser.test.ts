/**
 * Real headless-browser tests: Debian's Chromium driven by playwright-core loads the example page (served with
 * the browser bundle and the relay), which fetches over TLS 1.3 (and TLS 1.2) through the relay from
 * `openssl s_server -www` and from a sanstls server; a certificate error shows as an error; a screenshot is
 * saved under packages/web-adapter/test-output/ (gitignored); the generated Mozilla roots load in the page and
 * serve as anchors. In the page as well: the WebTransport binding over a stand-in session object, the bundle in
 * a module Web Worker, the client entry's one-file bundle, and WebCrypto vs noble timings.
 *
 * Skips with a printed reason where no Chromium is found (scripts/test-setup.mjs installs Debian's as root).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM example script without type declarations
import { startExampleServer } from '../examples/serve.mjs';
import { type BenchRow, formatRows } from './bench.js';
import { findChromium } from './helpers/chromium.js';
import { testPki } from './helpers/pki.js';
import { opensslServer, type RunningServer, sanstlsServer } from './helpers/servers.js';

const optedOut = process.env.SANSTLS_BROWSER_TESTS === '0';
const CHROMIUM = findChromium();
const haveChromium = CHROMIUM !== null;
if (optedOut) console.log('browser.test: skipped: SANSTLS_BROWSER_TESTS=0');
else if (!haveChromium) {
  console.log(
    `browser.test: skipped: no Chromium (${process.env.SANSTLS_CHROMIUM || 'chromium on PATH'}); scripts/test-setup.mjs installs Debian's package when run as root`,
  );
}
const root = fileURLToPath(new URL('../../../', import.meta.url));
const outputDir = fileURLToPath(new URL('../test-output/', import.meta.url));

describe.skipIf(!haveChromium)('in Chromium (playwright-core)', () => {
  let browser: Browser;
  let page: Page;
  let site: { url: string; relayUrl: string; close(): Promise<void> };
  const servers: Record<string, RunningServer> = {};

  beforeAll(async () => {
    const pki = testPki();
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, [`${root}scripts/build-browser-bundle.mjs`, '--quiet'], { stdio: 'inherit' });
    const started = await Promise.all([
      opensslServer(['-cert', pki.ec.certFile, '-key', pki.ec.keyFile, '-cert_chain', pki.caFile, '-tls1_3']),
      opensslServer(['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, '-tls1_2']),
      opensslServer(['-cert', pki.untrusted.certFile, '-key', pki.untrusted.keyFile, '-tls1_3']),
      sanstlsServer({ certChain: { cert: pki.ec.chainPem, key: pki.ec.keyPem } }),
    ]);
    [servers.openssl13, servers.openssl12, servers.untrusted, servers.sanstls] = started;
    site = await startExampleServer({ allow: started.map((s) => `127.0.0.1:${s.port}`) });
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    mkdirSync(outputDir, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  it('drives a trivial page (harness check)', async () => {
    await page.setContent('<p id="p">hello</p>');
    expect(await page.textContent('#p')).toBe('hello');
    // The example page's origin (http://127.0.0.1) is a secure context: WebCrypto is there.
    await page.goto(site.url);
    expect(await page.evaluate(() => typeof crypto.subtle?.verify)).toBe('function');
  });

  /** Fills the example page's form and waits for it to finish; returns what the page shows. */
  async function fetchWithPage(port: number, anchors = testPki().caPem, mozillaRoots = false) {
    await page.goto(site.url);
    if (mozillaRoots) await page.check('#mozilla');
    await page.fill('#target', `127.0.0.1:${port}`);
    await page.fill('#sni', 'localhost');
    await page.fill('#path', '/index.html');
    await page.fill('#anchors', anchors);
    await page.click('#go');
    await page.waitForFunction(
      () => /^(done|failed)/.test(document.getElementById('status')!.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    const text = (id: string) => page.textContent(`#${id}`).then((t) => t ?? '');
    return {
      status: await text('status'),
      error: (await page.isVisible('#error')) ? await text('error') : null,
      protocol: await text('protocol'),
      cipher: await text('cipher'),
      chain: await page.$$eval('#chain li', (lis) => lis.map((li) => li.textContent ?? '')),
      response: await text('response'),
      rootsDate: await text('roots-date'),
    };
  }

  it('fetches over TLS 1.3 from openssl s_server -www through the relay, and shows the session', async () => {
    const shown = await fetchWithPage(servers.openssl13!.port);
    expect(shown.error).toBeNull();
    expect(shown.status).toBe('done: HTTP 200');
    expect(shown.protocol).toBe('TLSv1.3');
    const cipher = shown.cipher.split(' ')[0]!;
    expect(cipher).toMatch(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
    // s_server -www describes its side of the session: the same cipher.
    expect(shown.response).toContain(`Cipher    : ${cipher}`);
    expect(shown.chain).toHaveLength(2);
    expect(shown.chain[0]).toContain('commonName=ec-server');
    expect(shown.chain[1]).toContain('commonName=ca');
    await page.screenshot({ path: `${outputDir}example-tls13.png`, fullPage: true });
  });

  it('fetches over TLS 1.2 from openssl s_server -www (RSA certificate)', async () => {
    const shown = await fetchWithPage(servers.openssl12!.port);
    expect(shown.error).toBeNull();
    expect(shown.protocol).toBe('TLSv1.2');
    expect(shown.cipher).toMatch(/^ECDHE-RSA-/);
    expect(shown.response).toContain('TLSv1.2');
  });

  it('fetches from a sanstls server', async () => {
    const shown = await fetchWithPage(servers.sanstls!.port);
    expect(shown.error).toBeNull();
    expect(shown.response).toContain('sanstls server');
    expect(shown.response).toContain('Request: GET /index.html HTTP/1.1');
  });

  it('shows a certificate error as an error (untrusted issuer), and a missing anchor too', async () => {
    const untrusted = await fetchWithPage(servers.untrusted!.port);
    expect(untrusted.status).toBe('failed');
    expect(untrusted.error).toMatch(/^certificate error 20: .*unable to get local issuer certificate/);
    await page.screenshot({ path: `${outputDir}example-certificate-error.png`, fullPage: true });
    const noAnchors = await fetchWithPage(servers.openssl13!.port, '');
    expect(noAnchors.error).toMatch(/^certificate error/);
  });

  it('loads the generated Mozilla roots module in the page and uses its roots as anchors', async (ctx) => {
    const { MOZILLA_ROOTS_SOURCE } = await import('@sanstls/web-adapter/mozilla-roots');
    if (MOZILLA_ROOTS_SOURCE.count === 0) {
      console.log(`browser.test: Mozilla roots case skipped: ${MOZILLA_ROOTS_SOURCE.path} was absent at build time`);
      ctx.skip();
    }
    // Mozilla's roots alone do not include the test CA (which this server sends along: OpenSSL's 19,
    // self-signed certificate in chain), after the module loaded.
    const only = await fetchWithPage(servers.openssl13!.port, '', true);
    expect(only.rootsDate).toBe(`${MOZILLA_ROOTS_SOURCE.count} roots of ${MOZILLA_ROOTS_SOURCE.date}`);
    expect(only.error).toMatch(/^certificate error 19: /);
    // With the test CA pasted as well, the same fetch succeeds.
    const both = await fetchWithPage(servers.openssl13!.port, testPki().caPem, true);
    expect(both.error).toBeNull();
    expect(both.status).toBe('done: HTTP 200');
  });

  it('a target outside the relay allow-list fails with the relay close code', async () => {
    const shown = await fetchWithPage(1);
    expect(shown.error).toMatch(/tunnel closed: 4403 TARGET_FORBIDDEN/);
  });

  it('runs TLS over the WebTransport binding with a stand-in session in the page', async () => {
    await page.goto(site.url);
    await page.addScriptTag({
      type: 'module',
      content: "import * as lib from '/dist/browser/sanstls-web.min.js'; globalThis.sanstls = lib;",
    });
    await page.waitForFunction(() => 'sanstls' in globalThis);
    const pki = testPki();
    const result = await page.evaluate(
      async ({ chainPem, keyPem, caPem }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's exports, untyped inside the page
        const lib = (globalThis as any).sanstls;
        const [near, far] = lib.memoryStreamPair();
        const session = {
          ready: Promise.resolve(),
          createBidirectionalStream: async () => near,
          incomingBidirectionalStreams: new ReadableStream({
            start(c) {
              c.enqueue(far);
              c.close();
            },
          }),
        };
        const streams = lib.webTransportStreams(session);
        let serverPair: unknown;
        for await (const s of streams.incoming()) serverPair = s;
        const serving = lib.acceptTls(serverPair, { certChain: { cert: chainPem, key: keyPem } });
        const client = await lib.connectTls(await streams.open(), { serverHostname: 'localhost', trustAnchors: caPem });
        const server = await serving;
        const w = client.writable.getWriter();
        await w.write(new TextEncoder().encode('hello over a WebTransport stream'));
        await w.close();
        let text = '';
        for await (const chunk of server.readable) text += new TextDecoder().decode(chunk);
        return { text, protocol: client.info.protocol, webCrypto: client.info.webCryptoVerified };
      },
      { chainPem: pki.ec.chainPem, keyPem: pki.ec.keyPem, caPem: pki.caPem },
    );
    expect(result).toEqual({ text: 'hello over a WebTransport stream', protocol: 'TLSv1.3', webCrypto: true });
  });

  it('the client entry bundle (sanstls-client.min.js) fetches over TLS 1.3 and 1.2 through the relay', async () => {
    await page.goto(site.url);
    await page.addScriptTag({
      type: 'module',
      content: "import * as lib from '/dist/browser/sanstls-client.min.js'; globalThis.sanstlsClient = lib;",
    });
    await page.waitForFunction(() => 'sanstlsClient' in globalThis);
    const results = await page.evaluate(
      async ({ ports, caPem }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's exports, untyped inside the page
        const lib = (globalThis as any).sanstlsClient;
        const out = [];
        for (const port of ports) {
          const tunnel = await lib.websocketTransport(lib.relayUrl(`ws://${location.host}/tunnel`, '127.0.0.1', port));
          const tls = await lib.connectTls(tunnel, {
            serverHostname: 'localhost',
            trustAnchors: caPem,
            alpnProtocols: ['http/1.1'],
          });
          const response = await lib.httpRequest(tls, { host: `localhost:${port}`, path: '/index.html' });
          out.push({ protocol: tls.info.protocol, status: response.status, verified: tls.info.verifiedChain !== null });
          await tls.close();
        }
        return { out, exports: { acceptTls: 'acceptTls' in lib, connectTls: typeof lib.connectTls } };
      },
      { ports: [servers.openssl13!.port, servers.openssl12!.port], caPem: testPki().caPem },
    );
    expect(results).toEqual({
      out: [
        { protocol: 'TLSv1.3', status: 200, verified: true },
        { protocol: 'TLSv1.2', status: 200, verified: true },
      ],
      exports: { acceptTls: false, connectTls: 'function' },
    });
  });

  it('the WebCrypto client bundle (sanstls-client-webcrypto.min.js) fetches over TLS 1.3 and 1.2 on WebCrypto', async () => {
    await page.goto(site.url);
    await page.addScriptTag({
      type: 'module',
      content:
        "import * as lib from '/dist/browser/sanstls-client-webcrypto.min.js'; globalThis.sanstlsWebCrypto = lib;",
    });
    await page.waitForFunction(() => 'sanstlsWebCrypto' in globalThis);
    const results = await page.evaluate(
      async ({ ports, caPem }) => {
        // biome-ignore lint/suspicious/noExplicitAny: the bundle's exports, untyped inside the page
        const lib = (globalThis as any).sanstlsWebCrypto;
        const out = [];
        for (const port of ports) {
          const tunnel = await lib.websocketTransport(lib.relayUrl(`ws://${location.host}/tunnel`, '127.0.0.1', port));
          const tls = await lib.connectTls(tunnel, { serverHostname: 'localhost', trustAnchors: caPem });
          const response = await lib.httpRequest(tls, { host: `localhost:${port}`, path: '/index.html' });
          out.push({
            protocol: tls.info.protocol,
            status: response.status,
            group: tls.info.group,
            webCrypto: tls.info.webCryptoVerified,
            provider: tls.sslObject.context.provider.name,
          });
          await tls.close();
        }
        return out;
      },
      { ports: [servers.openssl13!.port, servers.openssl12!.port], caPem: testPki().caPem },
    );
    const expected = { status: 200, group: 'x25519', webCrypto: true, provider: 'webcrypto' };
    expect(results).toEqual([
      { protocol: 'TLSv1.3', ...expected },
      { protocol: 'TLSv1.2', ...expected },
    ]);
  });

  it('runs unchanged in a module Web Worker (no DOM, no window)', async () => {
    await page.goto(site.url);
    const pki = testPki();
    const result = await page.evaluate(
      async ({ chainPem, keyPem, caPem }) => {
        // The worker imports the bundle and runs both ends of a TLS 1.3 connection over an in-memory pair.
        const source = `
          import * as lib from '${location.origin}/dist/browser/sanstls-web.min.js';
          onmessage = async ({ data }) => {
            try {
              const [a, b] = lib.memoryStreamPair();
              const serving = lib.acceptTls(b, { certChain: { cert: data.chainPem, key: data.keyPem } });
              const client = await lib.connectTls(a, { serverHostname: 'localhost', trustAnchors: data.caPem });
              const server = await serving;
              const w = client.writable.getWriter();
              await w.write(new TextEncoder().encode('from a worker'));
              await w.close();
              let text = '';
              for await (const chunk of server.readable) text += new TextDecoder().decode(chunk);
              postMessage({ text, protocol: client.info.protocol, webCrypto: client.info.webCryptoVerified,
                            hasWindow: typeof window !== 'undefined', hasDocument: typeof document !== 'undefined' });
            } catch (e) {
              postMessage({ error: String(e) });
            }
          };`;
        const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        const worker = new Worker(url, { type: 'module' });
        const answer = new Promise((resolve, reject) => {
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => reject(new Error(e.message));
        });
        worker.postMessage({ chainPem, keyPem, caPem });
        try {
          return await answer;
        } finally {
          worker.terminate();
        }
      },
      { chainPem: pki.ec.chainPem, keyPem: pki.ec.keyPem, caPem: pki.caPem },
    );
    expect(result).toEqual({
      text: 'from a worker',
      protocol: 'TLSv1.3',
      webCrypto: true,
      hasWindow: false,
      hasDocument: false,
    });
  });

  it('measures WebCrypto vs noble in Chromium', async () => {
    const bundled = await build({
      entryPoints: [fileURLToPath(new URL('./bench.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      globalName: 'SanstlsBench',
      platform: 'browser',
      target: 'es2022',
      write: false,
      alias: {
        '@sanstls/x509': `${root}packages/x509/src/index.ts`,
        '@sanstls/core/client-base': `${root}packages/core/src/client-base.ts`,
        '@sanstls/core/client': `${root}packages/core/src/client-only.ts`,
        '@sanstls/core': `${root}packages/core/src/index.ts`,
        '@sanstls/web-adapter': `${root}packages/web-adapter/src/index.ts`,
      },
      logLevel: 'warning',
    });
    await page.goto(site.url);
    await page.addScriptTag({ content: bundled.outputFiles[0]!.text });
    const pki = testPki();
    const rows = (await page.evaluate(
      async (p) => {
        const bench = (globalThis as unknown as { SanstlsBench: { runBenchmarks: (...a: unknown[]) => unknown } })
          .SanstlsBench;
        const toDer = (pem: string) =>
          Uint8Array.from(atob(pem.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0));
        return bench.runBenchmarks(
          { ...p, leafDer: toDer(p.serverChainPem.split('-----END CERTIFICATE-----')[0]!), caDer: toDer(p.caPem) },
          11,
        );
      },
      { caPem: pki.caPem, serverChainPem: pki.ec.chainPem, serverKeyPem: pki.ec.keyPem },
    )) as BenchRow[];
    const report = `Chromium ${browser.version()}\n${formatRows(rows)}\n`;
    console.log(report);
    writeFileSync(`${outputDir}bench-chromium.txt`, report);
    for (const row of rows.filter((r) => !r.name.startsWith('Ed25519'))) {
      expect(row.noble).toBeGreaterThan(0);
      expect(row.webCrypto).not.toBeNull();
    }
  });
});
