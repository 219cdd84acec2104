// sanstls against the TLS implementations on this machine, both directions: OpenSSL, GnuTLS, Python ssl, Node tls.
// Each case is one cell of the interop matrix (peer × direction × key type); the summary is printed at the end.
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, PROTOCOL_TLS_CLIENT, SSLContext, type TLSSocket } from '../src/index.js';
import { type Fixtures, type KeyKind, keyKinds, makeFixtures } from './helpers/fixtures.js';
import {
  peerAvailability,
  pythonServerEvents,
  runPythonClient,
  skipUnless,
  startGnutlsClient,
  startGnutlsServer,
  startOpenSslClient,
  startOpenSslServer,
  startPythonServer,
} from './helpers/peers.js';
import { within } from './helpers/processes.js';

let fx: Fixtures;
const matrix: string[] = [];
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => {
  fx?.cleanup();
  if (matrix.length > 0) console.log(`interop matrix (passed cells):\n  ${matrix.join('\n  ')}`);
});

/** Our node:tls-shaped client: connect, send, read `expect` bytes or until the end. */
async function ourClient(
  port: number,
  kind: KeyKind,
  send: string,
  options: { untilEnd?: boolean; alpn?: string[]; clientCert?: boolean; groups?: string } = {},
): Promise<{ socket: TLSSocket; received: string }> {
  const chain = fx.chains[kind];
  const socket = connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: chain.pem(chain.caCert),
    ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    ...(options.clientCert ? { cert: chain.pem(chain.clientCert), key: chain.pem(chain.clientKey) } : {}),
    ...(options.groups ? { ecdhCurve: options.groups } : {}),
  });
  const chunks: Buffer[] = [];
  const received = await within(
    15_000,
    'our client',
    new Promise<string>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('secureConnect', () => socket.write(send));
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const text = Buffer.concat(chunks).toString('latin1');
        if (!options.untilEnd && text.length >= send.length) resolve(text);
      });
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    }),
  );
  return { socket, received };
}

/** Our echo server; resolves the sockets it secured. */
async function ourServer(kind: KeyKind, extra: Parameters<typeof createServer>[0] = {}) {
  const chain = fx.chains[kind];
  const secured: TLSSocket[] = [];
  const errors: Error[] = [];
  const server = createServer(
    { cert: chain.pem(chain.serverChain), key: chain.pem(chain.serverKey), ...extra },
    (s) => {
      secured.push(s);
      s.on('error', (e) => errors.push(e));
      s.pipe(s);
    },
  );
  server.on('tlsClientError', (e) => errors.push(e));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    secured,
    errors,
    async stop() {
      for (const s of secured) s.destroy();
      server.close();
    },
  };
}

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('OpenSSL 3.0', () => {
  it.each(keyKinds)('sanstls client → openssl s_server -www (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await startOpenSslServer(['-cert', chain.serverCert, '-key', chain.serverKey, '-www']);
    try {
      const { socket, received } = await ourClient(server.port, kind, 'GET / HTTP/1.0\r\n\r\n', { untilEnd: true });
      expect(socket.authorized).toBe(true);
      expect(received).toMatch(/^HTTP\/1\.0 200 ok/);
      expect(received).toContain(`New, TLSv1.3, Cipher is ${socket.getCipher()?.name}`);
      socket.destroy();
      matrix.push(`openssl s_server  ← sanstls client  ${kind}: ok`);
    } finally {
      await server.stop();
    }
  });

  it.each(keyKinds)('openssl s_client → sanstls server (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await ourServer(kind);
    try {
      const client = startOpenSslClient(server.port, [
        '-CAfile',
        chain.caCert,
        '-servername',
        'localhost',
        '-verify_return_error',
      ]);
      client.write('ping from openssl\n');
      await client.waitFor(/ping from openssl$/m, 15_000, 'stdout');
      client.endInput();
      expect(await client.exited(10_000)).toBe(0);
      expect(client.stdout()).toContain('Verify return code: 0 (ok)');
      expect(client.stdout()).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
      expect(server.errors).toEqual([]);
      matrix.push(`openssl s_client → sanstls server  ${kind}: ok`);
    } finally {
      await server.stop();
    }
  });

  it('mutual TLS both ways: openssl s_server -Verify ← sanstls client cert; openssl s_client -cert → sanstls requestCert', async () => {
    const chain = fx.chains.ecdsa;
    const server = await startOpenSslServer([
      '-cert',
      chain.serverCert,
      '-key',
      chain.serverKey,
      '-Verify',
      '1',
      '-CAfile',
      chain.caCert,
      '-verify_return_error',
      '-www',
    ]);
    try {
      const { received, socket } = await ourClient(server.port, 'ecdsa', 'GET / HTTP/1.0\r\n\r\n', {
        untilEnd: true,
        clientCert: true,
      });
      expect(received).toMatch(/^HTTP\/1\.0 200 ok/);
      socket.destroy();
    } finally {
      await server.stop();
    }
    const ours = await ourServer('ecdsa', { requestCert: true, rejectUnauthorized: true, ca: chain.pem(chain.caCert) });
    try {
      const client = startOpenSslClient(ours.port, [
        '-CAfile',
        chain.caCert,
        '-cert',
        chain.clientCert,
        '-key',
        chain.clientKey,
        '-servername',
        'localhost',
      ]);
      client.write('with a client certificate\n');
      // Not anchored at the line start: s_client's dump of a long session ticket (ours carries the client
      // certificate) can end without a newline right before the echoed data.
      await client.waitFor(/with a client certificate$/m, 15_000, 'stdout');
      client.endInput();
      await client.exited(10_000);
      expect(ours.secured[0]?.authorized).toBe(true);
      matrix.push('openssl ↔ sanstls mutual TLS both directions: ok');
    } finally {
      await ours.stop();
    }
  });

  it('ALPN and a HelloRetryRequest: openssl s_server -groups P-256 -alpn h2 ← sanstls client', async () => {
    const chain = fx.chains.rsa;
    const server = await startOpenSslServer([
      '-cert',
      chain.serverCert,
      '-key',
      chain.serverKey,
      '-www',
      '-groups',
      'P-256',
      '-alpn',
      'h2',
    ]);
    try {
      const { socket, received } = await ourClient(server.port, 'rsa', 'GET / HTTP/1.0\r\n\r\n', {
        untilEnd: true,
        alpn: ['h2', 'http/1.1'],
      });
      expect(socket.alpnProtocol).toBe('h2');
      expect(received).toMatch(/^HTTP\/1\.0 200 ok/);
      socket.destroy();
      matrix.push('openssl s_server (HRR to P-256, ALPN h2) ← sanstls client: ok');
    } finally {
      await server.stop();
    }
  });

  it('openssl s_client rejects our server when it does not trust the CA (alert, no data)', async () => {
    const server = await ourServer('ecdsa');
    try {
      const client = startOpenSslClient(server.port, ['-CAfile', fx.otherCaCert, '-verify_return_error']);
      client.endInput();
      expect(await client.exited(10_000)).not.toBe(0);
      expect(client.stdout() + client.stderr()).toMatch(/verify error:num=(19|20|21):/); // our server sends its CA too: 19
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(skipUnless(peerAvailability.gnutlsServer(), 'gnutls-serv in a private network namespace'))(
  'GnuTLS 3.7 server',
  () => {
    it.each(keyKinds)('sanstls client → gnutls-serv --echo (%s)', async (kind) => {
      const chain = fx.chains[kind];
      const server = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        chain.serverCert,
        '--x509keyfile',
        chain.serverKey,
      ]);
      try {
        const { socket, received } = await ourClient(server.port, kind, 'hello gnutls\n');
        expect(received).toBe('hello gnutls\n');
        expect(socket.getProtocol()).toBe('TLSv1.3');
        socket.destroy();
        matrix.push(`gnutls-serv       ← sanstls client  ${kind}: ok`);
      } finally {
        await server.stop();
      }
    });
  },
);

describe.skipIf(skipUnless(peerAvailability.gnutlsClient(), 'gnutls-cli'))('GnuTLS 3.7 client', () => {
  it.each(keyKinds)('gnutls-cli → sanstls server (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await ourServer(kind);
    try {
      const client = startGnutlsClient(server.port, [
        '--x509cafile',
        chain.caCert,
        '--verify-hostname',
        'localhost',
        '--sni-hostname',
        'localhost',
      ]);
      client.write('hello from gnutls\n');
      await client.waitFor(/hello from gnutls$/m, 15_000, 'stdout');
      client.endInput();
      expect(await client.exited(10_000)).toBe(0);
      expect(client.stdout()).toMatch(/\(TLS1\.3-X\.509\)/);
      matrix.push(`gnutls-cli        → sanstls server  ${kind}: ok`);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(skipUnless(peerAvailability.python(), 'python3'))('Python 3.11 ssl', () => {
  it.each(keyKinds)('sanstls SSLSocket client → python server (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await startPythonServer(['--cert', chain.serverChain, '--key', chain.serverKey, '--alpn', 'x,y']);
    try {
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
      ctx.loadVerifyLocations(chain.caCert);
      ctx.setAlpnProtocols(['y']);
      const raw = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
      await once(raw, 'connect');
      const sock = ctx.wrapSocket(raw, { serverHostname: 'localhost' });
      await within(15_000, 'handshake', sock.doHandshake());
      expect(sock.selectedAlpnProtocol()).toBe('y');
      await sock.sendall('python, are you there?');
      let got = '';
      while (got.length < 22) got += Buffer.from(await sock.recv(100)).toString();
      expect(got).toBe('python, are you there?');
      await within(10_000, 'unwrap', sock.unwrap());
      await sock.close();
      await server.child.waitFor(/"event": "closed"/, 10_000, 'stdout');
      expect(pythonServerEvents(server)[0]).toMatchObject({ event: 'session', version: 'TLSv1.3', alpn: 'y' });
      matrix.push(`python ssl server ← sanstls client  ${kind}: ok`);
    } finally {
      await server.stop();
    }
  });

  it.each(keyKinds)('python client → sanstls server, with a client certificate (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await ourServer(kind, { requestCert: true, ca: chain.pem(chain.caCert) });
    try {
      const { status, result, stderr } = await runPythonClient(server.port, [
        '--cafile',
        chain.caCert,
        '--cert',
        chain.clientCert,
        '--key',
        chain.clientKey,
        '--send',
        'python to sanstls',
      ]);
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(result).toMatchObject({ version: 'TLSv1.3', received: 'python to sanstls' });
      expect((result.peercert as { subject: unknown }).subject).toEqual([[['commonName', 'localhost']]]);
      expect(server.secured[0]?.authorized).toBe(true);
      matrix.push(`python ssl client → sanstls server  ${kind}: ok`);
    } finally {
      await server.stop();
    }
  });
});

describe('Node 20 tls', () => {
  it.each(keyKinds)('both directions (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const nodeServer = tls.createServer({ cert: chain.pem(chain.serverChain), key: chain.pem(chain.serverKey) }, (s) =>
      s.pipe(s),
    );
    nodeServer.listen(0, '127.0.0.1');
    await once(nodeServer, 'listening');
    const ours = await ourServer(kind);
    try {
      const { socket, received } = await ourClient((nodeServer.address() as net.AddressInfo).port, kind, 'to node');
      expect(received).toBe('to node');
      socket.destroy();
      const nodeClient = tls.connect({
        host: '127.0.0.1',
        port: ours.port,
        servername: 'localhost',
        ca: chain.pem(chain.caCert),
      });
      await once(nodeClient, 'secureConnect');
      expect(nodeClient.authorized).toBe(true);
      nodeClient.write('from node');
      const [echo] = (await once(nodeClient, 'data')) as [Buffer];
      expect(echo.toString()).toBe('from node');
      nodeClient.destroy();
      matrix.push(`node tls          ↔ sanstls (both)  ${kind}: ok`);
    } finally {
      nodeServer.close();
      await ours.stop();
    }
  });
});
