/**
 * The WebSocket tunnel in Node: websocketTransport (with the `ws` package as the WebSocket) → relay → TCP,
 * TLS end to end to `openssl s_server -www` and to a sanstls server; the relay's allow-list, limits and
 * close codes; and a tap between relay and target proving the relay carries only ciphertext.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import {
  connectTls,
  httpRequest,
  RelayCloseCode,
  relayUrl,
  SSLCertVerificationError,
  SSLEOFError,
  TunnelClosedError,
  type WebSocketConstructor,
  websocketTransport,
} from '@sanstls/web-adapter';
import { parseTarget, type Relay, type RelayEvent, startRelay } from '@sanstls/web-adapter/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testPki } from './helpers/pki.js';
import { opensslServer, type RunningServer, sanstlsServer } from './helpers/servers.js';

const WS = WebSocket as unknown as WebSocketConstructor;

let relay: Relay;
const events: RelayEvent[] = [];
let openssl13: RunningServer;
let openssl12: RunningServer;
let sanstls: RunningServer;

beforeAll(async () => {
  const pki = testPki();
  [openssl13, openssl12, sanstls] = await Promise.all([
    opensslServer(['-cert', pki.ec.certFile, '-key', pki.ec.keyFile, '-cert_chain', pki.caFile, '-tls1_3']),
    opensslServer(['-cert', pki.rsa.certFile, '-key', pki.rsa.keyFile, '-tls1_2']),
    sanstlsServer({ certChain: { cert: pki.ec.chainPem, key: pki.ec.keyPem } }),
  ]);
  relay = await startRelay({
    allow: [`127.0.0.1:${openssl13.port}`, `127.0.0.1:${openssl12.port}`, `127.0.0.1:${sanstls.port}`, 'localhost:1'],
    onEvent: (e) => events.push(e),
  });
});

afterAll(async () => {
  await relay?.close();
  await Promise.all([openssl13?.stop(), openssl12?.stop(), sanstls?.stop()]);
});

async function fetchThroughRelay(port: number, options: Parameters<typeof connectTls>[1] = {}) {
  const transport = await websocketTransport(relayUrl(relay.url, '127.0.0.1', port), { WebSocket: WS });
  const tls = await connectTls(transport, { serverHostname: 'localhost', trustAnchors: testPki().caPem, ...options });
  const response = await httpRequest(tls, { host: 'localhost', path: '/' });
  return { tls, response };
}

describe('TLS through the WebSocket relay', () => {
  it('fetches from openssl s_server -www over TLS 1.3', async () => {
    const { tls, response } = await fetchThroughRelay(openssl13.port);
    expect(tls.info.protocol).toBe('TLSv1.3');
    expect(response.status).toBe(200);
    // s_server -www describes the session it negotiated: the same cipher as ours.
    expect(response.text()).toContain(`Cipher    : ${tls.info.cipher}`);
    expect(tls.info.peerCertificateChain).toHaveLength(2);
    await expect(tls.closed).resolves.toBeUndefined();
  });

  it('fetches from openssl s_server -www over TLS 1.2 (RSA certificate)', async () => {
    const { tls, response } = await fetchThroughRelay(openssl12.port);
    expect(tls.info.protocol).toBe('TLSv1.2');
    expect(response.status).toBe(200);
    expect(response.text()).toContain('TLSv1.2');
  });

  it('fetches from a sanstls server (acceptTls on Node sockets)', async () => {
    const { tls, response } = await fetchThroughRelay(sanstls.port, { alpnProtocols: ['http/1.1'] });
    expect(response.text()).toContain(`Cipher: ${tls.info.cipher}`);
    expect(response.text()).toContain('Request: GET / HTTP/1.1');
  });

  it('accepts a length-delimited response without close_notify, and refuses an undelimited one (truncation)', async () => {
    const pki = testPki();
    const certChain = { cert: pki.ec.chainPem, key: pki.ec.keyPem };
    const [delimited, undelimited] = await Promise.all([
      sanstlsServer({ certChain }, { contentLength: true, closeNotify: false }),
      sanstlsServer({ certChain }, { contentLength: false, closeNotify: false }),
    ]);
    const local = await startRelay({ allow: [`127.0.0.1:${delimited.port}`, `127.0.0.1:${undelimited.port}`] });
    try {
      const get = async (port: number) => {
        const transport = await websocketTransport(relayUrl(local.url, '127.0.0.1', port), { WebSocket: WS });
        const tls = await connectTls(transport, { serverHostname: 'localhost', trustAnchors: pki.caPem });
        return httpRequest(tls, { host: 'localhost' });
      };
      expect((await get(delimited.port)).text()).toContain('sanstls server');
      await expect(get(undelimited.port)).rejects.toBeInstanceOf(SSLEOFError);
    } finally {
      await local.close();
      await Promise.all([delimited.stop(), undelimited.stop()]);
    }
  });

  it('a certificate for another name fails as SSLCertVerificationError through the tunnel', async () => {
    const transport = await websocketTransport(relayUrl(relay.url, '127.0.0.1', openssl13.port), { WebSocket: WS });
    const error = await connectTls(transport, { serverHostname: 'wrong.example', trustAnchors: testPki().caPem }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SSLCertVerificationError);
    expect((error as SSLCertVerificationError).verifyCode).toBe(62);
  });

  it('carries only ciphertext: a tap between relay and target never sees the request or response', async () => {
    const seen: Buffer[] = [];
    const tap: Server = createServer((client: Socket) => {
      const upstream = tcpConnect(openssl13.port, '127.0.0.1');
      client.on('data', (d) => seen.push(d));
      upstream.on('data', (d) => seen.push(d));
      client.pipe(upstream).on('error', () => {});
      upstream.pipe(client).on('error', () => {});
    });
    await new Promise<void>((r) => tap.listen(0, '127.0.0.1', () => r()));
    const tapPort = (tap.address() as { port: number }).port;
    const tapRelay = await startRelay({ allow: [`127.0.0.1:${tapPort}`] });
    try {
      const transport = await websocketTransport(relayUrl(tapRelay.url, '127.0.0.1', tapPort), { WebSocket: WS });
      const tls = await connectTls(transport, { serverHostname: 'localhost', trustAnchors: testPki().caPem });
      const secretPath = '/secret-path-0123456789';
      const response = await httpRequest(tls, { host: 'localhost', path: secretPath });
      expect(response.text()).toContain('s_server'); // the page arrived
      const wire = Buffer.concat(seen).toString('latin1');
      expect(wire.length).toBeGreaterThan(1000);
      expect(wire).not.toContain(secretPath);
      expect(wire).not.toContain('HTTP/1.');
      expect(wire).not.toContain('s_server');
    } finally {
      await tapRelay.close();
      await new Promise<void>((r) => tap.close(() => r()));
    }
  });
});

/** Opens a tunnel and returns how it ends: the close code the client saw. */
async function tunnelCloseCode(url: string, send?: Uint8Array | string): Promise<number> {
  const ws = new WebSocket(url);
  return await new Promise<number>((resolve) => {
    ws.on('open', () => {
      if (send !== undefined) ws.send(send, { binary: typeof send !== 'string' });
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => {});
  });
}

const CLIENT_HELLO_START = Uint8Array.of(22, 3, 1, 0, 5, 1, 0, 0, 1, 0);

describe('relay policy and limits', () => {
  it('refuses targets outside the allow-list (4403) and malformed targets (4400)', async () => {
    expect(await tunnelCloseCode(relayUrl(relay.url, '127.0.0.1', 22))).toBe(RelayCloseCode.TARGET_FORBIDDEN);
    expect(await tunnelCloseCode(`${relay.url}?target=127.0.0.1`)).toBe(RelayCloseCode.BAD_TARGET);
    expect(await tunnelCloseCode(relay.url)).toBe(RelayCloseCode.BAD_TARGET);
    const error = await websocketTransport(relayUrl(relay.url, 'example.com', 443), { WebSocket: WS }).then(
      async (t) => {
        const reader = t.readable.getReader();
        return reader.read().catch((e: unknown) => e);
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TunnelClosedError);
    expect((error as TunnelClosedError).closeCode).toBe(RelayCloseCode.TARGET_FORBIDDEN);
    expect((error as Error).message).toMatch(/4403 TARGET_FORBIDDEN/);
  });

  it('reports an unreachable target (4502) and refuses non-TLS first bytes (4415) and text frames (1003)', async () => {
    expect(await tunnelCloseCode(relayUrl(relay.url, 'localhost', 1), CLIENT_HELLO_START)).toBe(
      RelayCloseCode.TARGET_UNREACHABLE,
    );
    const target = relayUrl(relay.url, '127.0.0.1', openssl13.port);
    expect(await tunnelCloseCode(target, new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'))).toBe(
      RelayCloseCode.NOT_TLS,
    );
    expect(await tunnelCloseCode(target, 'hello')).toBe(RelayCloseCode.UNSUPPORTED_DATA);
  });

  it('enforces the connection, byte and idle limits and the Origin allow-list', async () => {
    const sink = createServer((s) => {
      s.on('data', () => {});
      s.on('error', () => {});
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const port = (sink.address() as { port: number }).port;
    const limited = await startRelay({
      allow: [`127.0.0.1:${port}`],
      maxConnections: 1,
      maxBytesPerConnection: 1000,
      idleTimeoutMs: 300,
      allowedOrigins: ['https://app.example'],
    });
    try {
      const url = relayUrl(limited.url, '127.0.0.1', port);
      const withOrigin = (u: string) => new WebSocket(u, { origin: 'https://app.example' });
      // No Origin header: policy violation.
      expect(await tunnelCloseCode(url)).toBe(RelayCloseCode.POLICY_VIOLATION);
      // Byte limit.
      const big = withOrigin(url);
      const bigCode = new Promise<number>((r) => big.on('close', (c) => r(c)));
      big.on('open', () => big.send(new Uint8Array(2000).fill(22).map((v, i) => (i === 1 ? 3 : v))));
      expect(await bigCode).toBe(RelayCloseCode.BYTE_LIMIT);
      // Idle limit, and the connection limit while the first tunnel is open.
      const idle = withOrigin(url);
      const idleCode = new Promise<number>((r) => idle.on('close', (c) => r(c)));
      await new Promise((r) => idle.on('open', r));
      const second = withOrigin(url);
      const secondCode = await new Promise<number>((r) => second.on('close', (c) => r(c)));
      expect(secondCode).toBe(RelayCloseCode.TRY_AGAIN_LATER);
      const started = Date.now();
      expect(await idleCode).toBe(RelayCloseCode.IDLE_TIMEOUT);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(limited.activeConnections).toBe(0);
    } finally {
      await limited.close();
      await new Promise<void>((r) => sink.close(() => r()));
    }
  });

  it('pushes back on a TCP target that sends faster than the WebSocket client reads', async () => {
    let written = 0;
    const targetSockets = new Set<Socket>();
    const flood = createServer((s) => {
      targetSockets.add(s);
      s.on('error', () => {});
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
      };
      s.once('data', pump); // starts after the client's first bytes
    });
    await new Promise<void>((r) => flood.listen(0, '127.0.0.1', () => r()));
    const port = (flood.address() as { port: number }).port;
    const floodRelay = await startRelay({ allow: [`127.0.0.1:${port}`], maxBytesPerConnection: 1 << 30 });
    try {
      const ws = new WebSocket(relayUrl(floodRelay.url, '127.0.0.1', port));
      await new Promise((r) => ws.on('open', r));
      ws.pause(); // a client that does not read
      ws.send(CLIENT_HELLO_START);
      await new Promise((r) => setTimeout(r, 700));
      // Without backpressure the relay would have read all 64 MiB into memory by now.
      expect(written).toBeLessThan(24 * 1024 * 1024);
      let received = 0;
      ws.on('message', (d: Buffer) => {
        received += d.length;
      });
      ws.resume();
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toBeGreaterThan(0);
      ws.terminate();
      // websocketTransport cannot pause a WebSocket: it bounds what it queues for a reader that does not read.
      written = 0;
      const transport = await websocketTransport(relayUrl(floodRelay.url, '127.0.0.1', port), {
        WebSocket: WS,
        maxQueuedBytes: 1024 * 1024,
      });
      const writer = transport.writable.getWriter();
      await writer.write(CLIENT_HELLO_START);
      await new Promise((r) => setTimeout(r, 500));
      const error = await transport.readable
        .getReader()
        .read()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TunnelClosedError);
      expect((error as TunnelClosedError).closeCode).toBe(RelayCloseCode.MESSAGE_TOO_BIG);
    } finally {
      for (const s of targetSockets) s.destroy();
      await floodRelay.close();
      await new Promise<void>((r) => flood.close(() => r()));
    }
  });

  it('logs open and close events with byte counts', () => {
    const closes = events.filter((e): e is Extract<RelayEvent, { type: 'close' }> => e.type === 'close');
    expect(events.some((e) => e.type === 'open')).toBe(true);
    expect(closes.some((e) => e.bytesDown > 0 && e.bytesUp > 0)).toBe(true);
  });

  it('parses targets strictly', async () => {
    expect(parseTarget('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseTarget('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    for (const bad of ['example.com', 'example.com:0', 'example.com:70000', '::1:443', 'a b:1', '[zz]:1', null]) {
      expect(parseTarget(bad)).toBeUndefined();
    }
    await expect(startRelay({ allow: ['nohost'] })).rejects.toThrow(/not host:port/);
  });
});
