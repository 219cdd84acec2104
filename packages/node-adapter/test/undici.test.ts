// undici 7 (the engine behind Node's fetch) over sanstls: a custom connector that returns our TLSSocket, against
// our server (an http.Server fed our connections) and against Node's https server; and undici's own TLS client
// against our server.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { Agent, type buildConnector, fetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, nodeCryptoProvider, type Server, type TLSSocket } from '../src/index.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { within } from './helpers/processes.js';

let fx: Fixtures;
let ours: Server;
let oursPort: number;
let nodeHttps: https.Server;
let nodePort: number;
let oursConnections = 0;

const listen = async (server: net.Server): Promise<number> => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
};

const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  const protocol = (req.socket as unknown as { getProtocol(): string }).getProtocol();
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => {
    body += d;
  });
  req.on('end', () => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${req.method} ${req.url} over ${protocol}${body ? `: ${body}` : ''}`);
  });
};

beforeAll(async () => {
  fx = makeFixtures(['ecdsa']);
  const chain = fx.chains.ecdsa;
  const httpServer = http.createServer(handler);
  ours = createServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) }, (s) => {
    oursConnections++;
    httpServer.emit('connection', s);
  });
  oursPort = await listen(ours);
  nodeHttps = https.createServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) }, handler);
  nodePort = await listen(nodeHttps);
});

afterAll(async () => {
  ours?.close();
  nodeHttps?.closeAllConnections();
  nodeHttps?.close();
  fx?.cleanup();
});

/** An undici connector that opens sanstls connections (undici's `connect` option, as its docs describe). */
function sanstlsConnector(extra: Parameters<typeof connect>[0] = {}): buildConnector.connector {
  return (options, callback) => {
    const socket: TLSSocket = connect({
      host: options.hostname,
      port: Number(options.port),
      servername: options.servername ?? 'localhost',
      ca: fx.chains.ecdsa.pem(fx.chains.ecdsa.caCert),
      ALPNProtocols: ['http/1.1'],
      ...extra,
    });
    socket.once('secureConnect', () => callback(null, socket as unknown as net.Socket));
    socket.once('error', (err) => callback(err, null));
    return socket as unknown as net.Socket;
  };
}

describe('undici 7 with a sanstls connector', () => {
  it('request() and fetch() against our server, keep-alive reusing TLS connections', async () => {
    const agent = new Agent({ connect: sanstlsConnector() });
    try {
      const before = oursConnections;
      const first = await within(
        10_000,
        'request',
        request(`https://localhost:${oursPort}/one`, { dispatcher: agent }),
      );
      expect(first.statusCode).toBe(200);
      expect(await first.body.text()).toBe('GET /one over TLSv1.3');
      const posted = await within(
        10_000,
        'fetch',
        fetch(`https://localhost:${oursPort}/two`, { method: 'POST', body: 'hello', dispatcher: agent }),
      );
      expect(await posted.text()).toBe('POST /two over TLSv1.3: hello');
      for (const path of ['/three', '/four']) {
        const res = await within(
          10_000,
          'request',
          request(`https://localhost:${oursPort}${path}`, { dispatcher: agent }),
        );
        expect(await res.body.text()).toBe(`GET ${path} over TLSv1.3`);
      }
      // Keep-alive: connections are reused (undici may open a second one while the first is settling, with
      // node:tls too), so fewer TLS connections than requests.
      expect(oursConnections - before).toBeLessThan(4);
    } finally {
      await agent.close();
    }
  });

  it("against Node's https server, TLS 1.2 and the node:crypto provider", async () => {
    const agent = new Agent({
      connect: sanstlsConnector({ maxVersion: 'TLSv1.2', cryptoProvider: nodeCryptoProvider }),
    });
    try {
      const res = await within(10_000, 'request', request(`https://localhost:${nodePort}/node`, { dispatcher: agent }));
      expect(await res.body.text()).toBe('GET /node over TLSv1.2');
    } finally {
      await agent.close();
    }
  });

  it('a certificate the connector does not trust fails the request with the verification code', async () => {
    const agent = new Agent({ connect: sanstlsConnector({ ca: fx.chains.ecdsa.pem(fx.otherCaCert) }) });
    try {
      const err = await request(`https://localhost:${oursPort}/`, { dispatcher: agent }).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await agent.close();
    }
  });

  it("undici's own TLS (OpenSSL) against our server", async () => {
    const agent = new Agent({ connect: { ca: fx.chains.ecdsa.pem(fx.chains.ecdsa.caCert) } });
    try {
      const res = await within(10_000, 'request', request(`https://localhost:${oursPort}/x`, { dispatcher: agent }));
      expect(await res.body.text()).toBe('GET /x over TLSv1.3');
    } finally {
      await agent.close();
    }
  });
});
