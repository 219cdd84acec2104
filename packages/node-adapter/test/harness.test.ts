// Proves the interop harness on its own — peers talking to each other without sanstls — so a failure in the
// sanstls interop tests points at sanstls, not at the plumbing.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixtures, keyKinds, makeFixtures } from './helpers/fixtures.js';
import {
  nodeTlsRoundTrip,
  peerAvailability,
  pythonServerEvents,
  runPythonClient,
  skipUnless,
  startGnutlsClient,
  startGnutlsServer,
  startNodeTlsServer,
  startOpenSslClient,
  startOpenSslServer,
  startPythonServer,
} from './helpers/peers.js';
import { run, start, within } from './helpers/processes.js';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures();
});
afterAll(() => fx?.cleanup());

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('harness: fixtures', () => {
  it.each(keyKinds)('%s chain verifies with openssl verify, and not against another CA', async (kind) => {
    const chain = fx.chains[kind];
    const ok = await run('openssl', ['verify', '-CAfile', chain.caCert, '-purpose', 'sslserver', chain.serverCert]);
    expect(ok.stdout).toContain(': OK');
    expect(ok.status).toBe(0);
    const client = await run('openssl', ['verify', '-CAfile', chain.caCert, '-purpose', 'sslclient', chain.clientCert]);
    expect(client.status).toBe(0);
    const bad = await run('openssl', ['verify', '-CAfile', fx.otherCaCert, chain.serverCert]);
    expect(bad.status).toBe(2);
    expect(bad.stdout + bad.stderr).toContain('unable to get local issuer certificate');
  });
});

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('harness: openssl peers', () => {
  it.each(keyKinds)('Node tls client → openssl s_server -www (%s)', async (kind) => {
    const chain = fx.chains[kind];
    const server = await startOpenSslServer(['-cert', chain.serverCert, '-key', chain.serverKey, '-www']);
    try {
      const { socket, received } = await within(
        10_000,
        'node → openssl',
        nodeTlsRoundTrip(
          { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: chain.pem(chain.caCert) },
          'GET / HTTP/1.0\r\n\r\n',
          Number.POSITIVE_INFINITY,
        ),
      );
      expect(socket.authorized).toBe(true);
      expect(socket.getProtocol()).toBe('TLSv1.3');
      expect(received.toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok/);
    } finally {
      await server.stop();
    }
    expect(await refused(server.port)).toBe(true);
  });

  it('openssl s_client → Node tls echo server, client certificate', async () => {
    const chain = fx.chains.ecdsa;
    const server = await startNodeTlsServer({
      cert: chain.pem(chain.serverCert),
      key: chain.pem(chain.serverKey),
      ca: chain.pem(chain.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    try {
      const client = startOpenSslClient(server.port, [
        '-CAfile',
        chain.caCert,
        '-servername',
        'localhost',
        '-verify_return_error',
        '-cert',
        chain.clientCert,
        '-key',
        chain.clientKey,
        '-alpn',
        'http/1.1',
        '-ign_eof',
      ]);
      client.write('Quit is data, not a command\n');
      await client.waitFor(/Quit is data, not a command/, 10_000, 'stdout');
      client.endInput();
      await client.stop();
      expect(client.stdout()).toContain('Verify return code: 0 (ok)');
      expect(client.stdout()).toContain('ALPN protocol: http/1.1');
      expect(server.errors).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('a client whose server never answers is killed by the hang guard', async () => {
    const silent = net.createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const client = startOpenSslClient(port, []);
      const started = Date.now();
      const status = await client.exited(500);
      expect(status).toBe(137); // SIGKILL
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });
});

describe.skipIf(skipUnless(peerAvailability.python() && peerAvailability.openssl(), 'python3 + openssl'))(
  'harness: python peers',
  () => {
    it('python client → openssl s_server -www', async () => {
      const chain = fx.chains.rsa;
      const server = await startOpenSslServer(['-cert', chain.serverCert, '-key', chain.serverKey, '-www']);
      try {
        const { status, result } = await runPythonClient(server.port, [
          '--cafile',
          chain.caCert,
          '--send',
          'GET / HTTP/1.0\r\n\r\n',
          '--read-until-eof',
        ]);
        expect(status).toBe(0);
        expect(result.version).toBe('TLSv1.3');
        expect(String(result.received)).toMatch(/^HTTP\/1\.0 200 ok/);
      } finally {
        await server.stop();
      }
    });

    it('openssl s_client → python echo server (ed25519, ALPN)', async () => {
      const chain = fx.chains.ed25519;
      const server = await startPythonServer(['--cert', chain.serverCert, '--key', chain.serverKey, '--alpn', 'x,y']);
      try {
        const client = startOpenSslClient(server.port, [
          '-CAfile',
          chain.caCert,
          '-servername',
          'localhost',
          '-verify_return_error',
          '-alpn',
          'y',
        ]);
        client.write('ping\n');
        await client.waitFor(/^ping$/m, 10_000, 'stdout');
        client.endInput();
        expect(await client.exited(10_000)).toBe(0);
        await server.child.waitFor(/"event": "closed"/, 10_000, 'stdout');
        const events = pythonServerEvents(server);
        expect(events[0]).toMatchObject({ event: 'session', version: 'TLSv1.3', alpn: 'y' });
        expect(events[1]).toMatchObject({ event: 'closed', echoed: 5 });
      } finally {
        await server.stop();
      }
    });
  },
);

describe.skipIf(skipUnless(peerAvailability.gnutlsServer(), 'gnutls-serv in a private network namespace'))(
  'harness: gnutls-serv behind the namespace bridge',
  () => {
    it('Node tls client → gnutls-serv --echo, and the namespace dies with stop()', async () => {
      const chain = fx.chains.ecdsa;
      const server = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        chain.serverCert,
        '--x509keyfile',
        chain.serverKey,
      ]);
      const pid = server.child.proc.pid!;
      try {
        const { socket, received } = await within(
          10_000,
          'node → gnutls',
          nodeTlsRoundTrip(
            { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: chain.pem(chain.caCert) },
            'hello gnutls\n',
          ),
        );
        expect(socket.authorized).toBe(true);
        expect(socket.getProtocol()).toBe('TLSv1.3');
        expect(received.toString()).toBe('hello gnutls\n');
      } finally {
        await server.stop();
      }
      // The whole process group is gone (gnutls-serv, orphaned by the bridge, is reaped by init a moment later).
      const groupAlive = (): boolean => {
        try {
          process.kill(-pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(groupAlive()).toBe(false);
      expect(await refused(server.port)).toBe(true);
    });

    it('python client → gnutls-serv --echo (rsa)', async () => {
      const chain = fx.chains.rsa;
      const server = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        chain.serverCert,
        '--x509keyfile',
        chain.serverKey,
      ]);
      try {
        const { status, result } = await runPythonClient(server.port, ['--cafile', chain.caCert, '--send', 'abc\n']);
        expect(status).toBe(0);
        expect(result.received).toBe('abc\n');
      } finally {
        await server.stop();
      }
    });

    it('gnutls-serv is not reachable from the host namespace', async () => {
      const chain = fx.chains.ecdsa;
      const server = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        chain.serverCert,
        '--x509keyfile',
        chain.serverKey,
      ]);
      try {
        expect(await refused(5556)).toBe(true);
      } finally {
        await server.stop();
      }
    });
  },
);

describe.skipIf(skipUnless(peerAvailability.gnutlsClient(), 'gnutls-cli'))('harness: gnutls-cli', () => {
  it('gnutls-cli → Node tls echo server (ed25519)', async () => {
    const chain = fx.chains.ed25519;
    const server = await startNodeTlsServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) });
    try {
      const client = startGnutlsClient(server.port, ['--x509cafile', chain.caCert, '--verify-hostname', 'localhost']);
      client.write('via gnutls\n');
      await client.waitFor(/^via gnutls$/m, 10_000, 'stdout');
      client.endInput();
      expect(await client.exited(10_000)).toBe(0);
      expect(client.stdout()).toMatch(/TLS1\.3/);
    } finally {
      await server.stop();
    }
  });

  it('gnutls-cli rejects a server whose CA it does not trust', async () => {
    const chain = fx.chains.ecdsa;
    const server = await startNodeTlsServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) });
    try {
      const client = start('gnutls-cli', ['-p', String(server.port), '--x509cafile', fx.otherCaCert, '127.0.0.1']);
      client.endInput();
      expect(await client.exited(10_000)).not.toBe(0);
      expect(client.stdout() + client.stderr()).toMatch(/not trusted|verification failed/i);
    } finally {
      await server.stop();
    }
  });
});
