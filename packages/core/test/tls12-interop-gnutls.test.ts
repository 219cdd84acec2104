/**
 * TLS 1.2 interop over 127.0.0.1 with GnuTLS 3.7, both directions, for every suite (ECDHE_ECDSA,
 * ECDHE_RSA, DHE_RSA × AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305; RFC 5288/5289/7905/7919), plus the
 * extended master secret (RFC 7627) and secure renegotiation (RFC 5746) as GnuTLS reports them, resumption
 * by session ID and by ticket both ways (`gnutls-cli --resume`, a GnuTLS server resumed by our client),
 * mutual TLS, and RFC 5705 exporter values equal to `gnutls-cli --keymatexport`.
 *
 * gnutls-serv binds every address, so it runs in a private network namespace behind a 127.0.0.1 relay
 * (node-adapter's peer harness); the file skips with a printed reason when gnutls-cli/gnutls-serv or
 * unprivileged namespaces are not available.
 */
import { CERT_REQUIRED, OP_NO_TICKET, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  peerAvailability,
  type ServerPeer,
  skipUnless,
  startGnutlsClient,
  startGnutlsServer,
} from '../../node-adapter/test/helpers/peers.js';
import { type Child, within } from '../../node-adapter/test/helpers/processes.js';
import { connect, listen, type PumpedConnection } from './helpers/socket-pump.js';
import { clientContext, type KeyType, serverContext, testPki } from './helpers/tls-pair.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

interface SuiteCase {
  /** OpenSSL name (ours). */
  name: string;
  /** GnuTLS priority fragments for the key exchange and the cipher. */
  kx: 'ECDHE-ECDSA' | 'ECDHE-RSA' | 'DHE-RSA';
  cipher: 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';
  key: KeyType;
}

const SUITES: SuiteCase[] = [
  { name: 'ECDHE-ECDSA-AES128-GCM-SHA256', kx: 'ECDHE-ECDSA', cipher: 'AES-128-GCM', key: 'ec256' },
  { name: 'ECDHE-ECDSA-AES256-GCM-SHA384', kx: 'ECDHE-ECDSA', cipher: 'AES-256-GCM', key: 'ec384' },
  { name: 'ECDHE-ECDSA-CHACHA20-POLY1305', kx: 'ECDHE-ECDSA', cipher: 'CHACHA20-POLY1305', key: 'ed25519' },
  { name: 'ECDHE-RSA-AES128-GCM-SHA256', kx: 'ECDHE-RSA', cipher: 'AES-128-GCM', key: 'rsa2048' },
  { name: 'ECDHE-RSA-AES256-GCM-SHA384', kx: 'ECDHE-RSA', cipher: 'AES-256-GCM', key: 'rsa2048' },
  { name: 'ECDHE-RSA-CHACHA20-POLY1305', kx: 'ECDHE-RSA', cipher: 'CHACHA20-POLY1305', key: 'rsa2048' },
  { name: 'DHE-RSA-AES128-GCM-SHA256', kx: 'DHE-RSA', cipher: 'AES-128-GCM', key: 'rsa2048' },
  { name: 'DHE-RSA-AES256-GCM-SHA384', kx: 'DHE-RSA', cipher: 'AES-256-GCM', key: 'rsa2048' },
  { name: 'DHE-RSA-CHACHA20-POLY1305', kx: 'DHE-RSA', cipher: 'CHACHA20-POLY1305', key: 'rsa2048' },
];

/** TLS 1.2 only, one key exchange and one cipher (GnuTLS priority-string syntax). */
function priority(suite?: SuiteCase): string {
  const base = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
  return suite === undefined ? base : `${base}:-KX-ALL:+${suite.kx}:-CIPHER-ALL:+${suite.cipher}`;
}

function client12(): SSLContext {
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Our client → gnutls-serv

async function gnutlsServer(args: string[], key: KeyType = 'ec256'): Promise<ServerPeer> {
  const leaf = testPki().leaf[key];
  const server = await startGnutlsServer([
    '--echo',
    '--x509certfile',
    leaf.certFile,
    '--x509keyfile',
    leaf.keyFile,
    ...args,
  ]);
  cleanups.push(() => server.stop());
  return server;
}

async function echoThrough(port: number, ctx: SSLContext, session?: SSLSession): Promise<PumpedConnection> {
  const conn = await connect(port, ctx, 'localhost', session ?? null);
  cleanups.push(() => conn.socket.destroy());
  await within(15_000, 'handshake with gnutls-serv', conn.handshakeDone);
  conn.write('hello gnutls\n');
  await conn.waitFor(/hello gnutls\n/, 15_000);
  return conn;
}

describe.skipIf(skipUnless(peerAvailability.gnutlsServer(), 'gnutls-serv in a private network namespace'))(
  'TLS 1.2: our client → gnutls-serv',
  () => {
    for (const suite of SUITES) {
      it(`${suite.name} (${suite.key} certificate)`, async () => {
        const server = await gnutlsServer(['--priority', priority(suite)], suite.key);
        const ctx = client12();
        ctx.setCiphers(suite.name);
        if (suite.kx === 'DHE-RSA') ctx.loadDhParams('ffdhe2048');
        const conn = await echoThrough(server.port, ctx);
        expect(conn.obj.version()).toBe('TLSv1.2');
        expect(conn.obj.cipher()?.[0]).toBe(suite.name);
        // EMS is required by default (RFC 7627): the handshake succeeding means GnuTLS used it.
        expect(conn.obj.connection.tls12?.extendedMasterSecret).toBe(true);
      });
    }

    for (const mode of ['ticket', 'session ID'] as const) {
      it(`resumes a gnutls-serv session by ${mode}`, async () => {
        const server = await gnutlsServer(['--priority', priority(), ...(mode === 'session ID' ? ['--noticket'] : [])]);
        const ctx = client12();
        const first = await echoThrough(server.port, ctx);
        const session = first.obj.session!;
        expect(session.hasTicket).toBe(mode === 'ticket');
        first.close();
        const second = await echoThrough(server.port, ctx, session);
        expect(second.obj.sessionReused).toBe(true);
        expect(second.obj.cipher()).toEqual(first.obj.cipher());
      });
    }

    it('presents a client certificate to gnutls-serv --require-client-cert', async () => {
      const pki = testPki();
      const server = await gnutlsServer([
        '--priority',
        priority(),
        '--require-client-cert',
        '--verify-client-cert',
        '--x509cafile',
        pki.caFile,
      ]);
      const ctx = client12();
      ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
      const conn = await echoThrough(server.port, ctx);
      expect(conn.obj.version()).toBe('TLSv1.2');
    });
  },
);

// ---------------------------------------------------------------------------------------------
// gnutls-cli → our server

/** Our echo server: answers each chunk with the chunk. */
async function echoServer(ctx: SSLContext): Promise<{ port: number; connections: PumpedConnection[] }> {
  const connections: PumpedConnection[] = [];
  const server = await listen(ctx, (conn) => {
    connections.push(conn);
    cleanups.push(() => conn.socket.destroy());
    let seen = 0;
    conn.onData = () => {
      const data = conn.received();
      if (data.length > seen) {
        conn.write(data.slice(seen));
        seen = data.length;
      }
    };
  });
  cleanups.push(server.close);
  return { port: server.port, connections };
}

function gnutlsCli(port: number, args: string[]): Child {
  const pki = testPki();
  const child = startGnutlsClient(port, [
    '--x509cafile',
    pki.caFile,
    '--verify-hostname',
    'localhost',
    '--sni-hostname',
    'localhost',
    ...args,
  ]);
  cleanups.push(() => child.stop());
  return child;
}

/**
 * Sends a line, waits for its echo, runs `whileOpen` (our side is still connected), closes stdin and waits
 * for a clean exit.
 */
async function roundTrip(child: Child, whileOpen: () => void = () => {}): Promise<string> {
  child.write('hello from gnutls\n');
  await child.waitFor(/^hello from gnutls$/m, 15_000, 'stdout');
  whileOpen();
  child.endInput();
  expect(await child.exited(10_000)).toBe(0);
  return child.stdout();
}

describe.skipIf(skipUnless(peerAvailability.gnutlsClient(), 'gnutls-cli'))('TLS 1.2: gnutls-cli → our server', () => {
  for (const suite of SUITES) {
    it(`${suite.name} (${suite.key} certificate)`, async () => {
      const ctx = serverContext([suite.key]);
      ctx.setCiphers('ALL');
      if (suite.kx === 'DHE-RSA') ctx.loadDhParams('ffdhe2048');
      const { port, connections } = await echoServer(ctx);
      const out = await roundTrip(gnutlsCli(port, ['--priority', priority(suite)]));
      // e.g. "- Description: (TLS1.2-X.509)-(ECDHE-SECP256R1)-(ECDSA-SHA256)-(AES-128-GCM)"
      expect(out).toMatch(
        new RegExp(
          `Description: \\(TLS1\\.2-X\\.509\\)-\\(${suite.kx.split('-')[0]}-[^)]+\\)-\\([^)]+\\)-\\(${suite.cipher}\\)`,
        ),
      );
      expect(out).toMatch(/Options: .*extended master secret/);
      expect(out).toMatch(/Options: .*safe renegotiation/);
      expect(connections[0]!.obj.cipher()?.[0]).toBe(suite.name);
    });
  }

  for (const mode of ['ticket', 'session ID'] as const) {
    it(`is resumed by gnutls-cli --resume (${mode})`, async () => {
      const ctx = serverContext();
      if (mode === 'session ID') ctx.options |= OP_NO_TICKET;
      const { port, connections } = await echoServer(ctx);
      const out = await roundTrip(gnutlsCli(port, ['--priority', priority(), '--resume']));
      expect(out).toContain('*** This is a resumed session');
      expect(connections).toHaveLength(2);
      expect(connections[1]!.obj.sessionReused).toBe(true);
      expect(ctx.sessionStats()).toMatchObject({ hits: 1, accept_good: 2 });
    });
  }

  it('requires and verifies a gnutls-cli client certificate', async () => {
    const pki = testPki();
    const ctx = serverContext();
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const { port, connections } = await echoServer(ctx);
    await roundTrip(
      gnutlsCli(port, [
        '--priority',
        priority(),
        '--x509certfile',
        pki.client.certFile,
        '--x509keyfile',
        pki.client.keyFile,
      ]),
    );
    expect(connections[0]!.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });

  it('exports the same keying material as gnutls-cli --keymatexport (RFC 5705)', async () => {
    const { port, connections } = await echoServer(serverContext());
    let ours = '';
    const out = await roundTrip(
      gnutlsCli(port, ['--priority', priority(), '--keymatexport', 'EXPERIMENTAL-sanstls', '--keymatexportsize', '32']),
      () => {
        ours = Buffer.from(connections[0]!.obj.exportKeyingMaterial('EXPERIMENTAL-sanstls', 32)).toString('hex');
      },
    );
    const hex = /Key material: ([0-9A-Fa-f]+)/.exec(out)?.[1]?.toLowerCase();
    expect(hex).toHaveLength(64);
    expect(ours).toBe(hex);
  });
});
