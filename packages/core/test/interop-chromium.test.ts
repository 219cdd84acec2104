/**
 * Chromium's own TLS stack (BoringSSL) as the client of our server, on 127.0.0.1: the only peer on these
 * machines that speaks the hybrid X25519MLKEM768 group (../shared/design/environment.md). Headless Debian
 * Chromium driven by playwright-core loads https://127.0.0.1:PORT/ from a sanstls server that answers with
 * what it negotiated. The certificate is not what is under test here (Chromium cannot be told about a CA
 * without a profile): certificate errors are ignored, key exchange, HelloRetryRequest, suites and ALPN are checked.
 *
 * Skips with a printed reason where Chromium is not installed (scripts/test-setup.mjs installs it as root).
 */
import type { SSLContext } from '@sanstls/core';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../web-adapter/test/helpers/chromium.js';
import { listen, type PumpedConnection } from './helpers/socket-pump.js';
import { serverContext } from './helpers/tls-pair.js';

const optedOut = process.env.SANSTLS_BROWSER_TESTS === '0';
const CHROMIUM = findChromium();
if (optedOut) console.log('interop-chromium: skipped: SANSTLS_BROWSER_TESTS=0');
else if (CHROMIUM === null) {
  console.log('interop-chromium: skipped: no Chromium on PATH; scripts/test-setup.mjs installs it when run as root');
}

interface Served {
  version: string | null;
  cipher: string | null;
  group: string | null;
  helloRetried: boolean;
  alpn: string | null;
}

/** Serves one page per connection, describing the connection, and records what was negotiated. */
async function pageServer(ctx: SSLContext): Promise<{ port: number; served: Served[]; close(): void }> {
  const served: Served[] = [];
  const server = await listen(ctx, (conn: PumpedConnection) => {
    conn.handshakeDone
      .then(async () => {
        await conn.waitFor(/\r\n\r\n/, 20_000);
        const negotiated = conn.obj.connection.negotiated;
        const info: Served = {
          version: conn.obj.version(),
          cipher: conn.obj.cipher()?.[0] ?? null,
          group: negotiated.group,
          helloRetried: negotiated.helloRetried,
          alpn: conn.obj.selectedAlpnProtocol(),
        };
        served.push(info);
        const body = `<pre id="info">${JSON.stringify(info)}</pre>`;
        conn.write(
          `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
        conn.close();
      })
      .catch(() => conn.socket.destroy());
  });
  return { port: server.port, served, close: server.close };
}

describe.skipIf(CHROMIUM === null)('Chromium (BoringSSL) → our server', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Loads the page in a fresh browser context (no session reuse between cases) and returns what it shows. */
  async function fetchPage(port: number): Promise<Served> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(`https://127.0.0.1:${port}/`, { timeout: 30_000 });
      return JSON.parse((await page.textContent('#info')) ?? 'null') as Served;
    } finally {
      await context.close();
    }
  }

  it('TLS 1.3 over the hybrid X25519MLKEM768 group (our default first preference)', async () => {
    const server = await pageServer(serverContext(['ec256']));
    try {
      const shown = await fetchPage(server.port);
      expect(shown).toMatchObject({ version: 'TLSv1.3', group: 'X25519MLKEM768', helloRetried: false });
      // Chromium also asks for /favicon.ico, on a connection of its own: every one was hybrid.
      expect(server.served.length).toBeGreaterThanOrEqual(1);
      for (const connection of server.served) expect(connection.group).toBe('X25519MLKEM768');
    } finally {
      server.close();
    }
  });

  it('a HelloRetryRequest to secp256r1 when the server takes P-256 only (RFC 8446 §4.1.4)', async () => {
    const ctx = serverContext(['ec256']);
    ctx.setGroups(['secp256r1']);
    const server = await pageServer(ctx);
    try {
      expect(await fetchPage(server.port)).toMatchObject({
        version: 'TLSv1.3',
        group: 'secp256r1',
        helloRetried: true,
      });
    } finally {
      server.close();
    }
  });

  it('an RSA certificate (rsa_pss_rsae), AES-256-GCM by server preference, ALPN http/1.1', async () => {
    const ctx = serverContext(['rsa2048']);
    ctx.setCiphersuites('TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256');
    ctx.options |= 0x00400000; // OP_CIPHER_SERVER_PREFERENCE
    ctx.setAlpnProtocols(['http/1.1']);
    const server = await pageServer(ctx);
    try {
      expect(await fetchPage(server.port)).toMatchObject({
        version: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        alpn: 'http/1.1',
      });
    } finally {
      server.close();
    }
  });

  it('TLS 1.2 (ECDHE-ECDSA with an AEAD suite, extended master secret required) when the server tops out at 1.2', async () => {
    const ctx = serverContext(['ec256']);
    ctx.maximumVersion = 0x0303;
    const server = await pageServer(ctx);
    try {
      const shown = await fetchPage(server.port);
      expect(shown.version).toBe('TLSv1.2');
      expect(shown.cipher).toMatch(/^ECDHE-ECDSA-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/);
    } finally {
      server.close();
    }
  });
});
