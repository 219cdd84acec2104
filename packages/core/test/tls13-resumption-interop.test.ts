/**
 * TLS 1.3 resumption and 0-RTT interop over 127.0.0.1 (RFC 8446 §2.2, §2.3, §4.6.1):
 * - OpenSSL 3: our client resumes an `s_server` session and sends 0-RTT to `s_server -early_data`;
 *   `s_client -sess_out/-sess_in` resumes with our server and its `-early_data` is accepted (and refused
 *   on replay: single-use tickets, §8.1).
 * - Node tls: our client resumes a Node server's ticket; Node's client resumes ours (`session` option).
 * - GnuTLS: `gnutls-cli --resume` (and `--earlydata`) with our server; our client resumes a `gnutls-serv`
 *   session and its 0-RTT is accepted by `gnutls-serv --earlydata`.
 * - Python ssl: `wrap_socket(session=…)` resumes our session (`session_reused`).
 * - OpenSSL post-handshake authentication: our server asks `s_client -enable_pha`.
 * Every peer runs under a hang guard; tools that are absent skip with a printed reason.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { CERT_REQUIRED, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  peerAvailability,
  type ServerPeer,
  skipUnless,
  startGnutlsClient,
  startGnutlsServer,
  startNodeTlsServer,
} from '../../node-adapter/test/helpers/peers.js';
import { type Child, run, within } from '../../node-adapter/test/helpers/processes.js';
import { echoServer, type InteropScope, opensslClient, opensslServer } from './helpers/openssl-interop.js';
import { connect, type PumpedConnection } from './helpers/socket-pump.js';
import { clientContext, serverContext, testPki } from './helpers/tls-pair.js';
import { hasTool, type Peer } from './helpers/tls12-peers.js';

const haveOpenssl = hasTool('openssl');
if (!haveOpenssl) console.log('tls13-resumption-interop: openssl tests skipped, the openssl CLI is not installed');

const cleanups: (() => unknown)[] = [];
const peers: Peer[] = [];
/** The shared interop helpers register here; this file's afterEach empties it (cleanups last in, first out). */
const scope: InteropScope = { peers, cleanups };
afterEach(async () => {
  for (const p of peers.splice(0)) p.stop();
  for (const f of cleanups.splice(0).reverse()) await f();
});

function client13(): SSLContext {
  const ctx = clientContext();
  ctx.minimumVersion = TLSVersion.TLSv1_3;
  return ctx;
}

/** connect() with an SSLSession to resume and early data written before the first flight. */
async function connectWith(
  port: number,
  ctx: SSLContext,
  session?: SSLSession | null,
  earlyData?: string,
): Promise<PumpedConnection & { earlyTaken: number }> {
  const original = ctx.wrapBio.bind(ctx);
  let earlyTaken = 0;
  ctx.wrapBio = (incoming, outgoing, options = {}) => {
    const obj = original(incoming, outgoing, { ...options, session: session ?? null });
    if (earlyData !== undefined) earlyTaken = obj.writeEarlyData(earlyData);
    return obj;
  };
  try {
    const conn = await connect(port, ctx, 'localhost');
    cleanups.push(() => conn.socket.destroy());
    return Object.assign(conn, { earlyTaken });
  } finally {
    ctx.wrapBio = original;
  }
}

/** Waits until the client holds a session with a ticket (tickets follow the handshake). */
async function ticketOf(conn: PumpedConnection): Promise<SSLSession> {
  await within(
    10_000,
    'a NewSessionTicket',
    (async () => {
      while (conn.obj.connection.latestTicket === null) await new Promise((r) => setTimeout(r, 10));
    })(),
  );
  return conn.obj.session!;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL

/** s_server -tls1_3 with `args`. */
const sServer = (args: string[]) => opensslServer(scope, ['-tls1_3', ...args]);

/** s_client -tls1_3 -verify_return_error with `args`, writing `input` ('' writes nothing). */
function sClient(port: number, args: string[], input = 'hello from s_client\n'): Peer {
  return opensslClient(scope, port, ['-tls1_3', '-verify_return_error', ...args], input === '' ? undefined : input);
}

describe.skipIf(!haveOpenssl)('TLS 1.3 resumption: our client ↔ openssl s_server', () => {
  it('resumes an s_server session with its ticket (s_server -www says "Reused")', async () => {
    const { port } = await sServer(['-www']);
    const ctx = client13();
    const first = await connectWith(port, ctx);
    await within(15_000, 'handshake', first.handshakeDone);
    first.write('GET / HTTP/1.0\r\n\r\n');
    expect(await first.waitFor(/<\/BODY>|<\/HTML>/i, 15_000)).toContain('New, TLSv1.3');
    const session = first.obj.session!;
    expect(session.hasTicket).toBe(true);
    const second = await connectWith(port, ctx, session);
    await within(15_000, 'resumed handshake', second.handshakeDone);
    second.write('GET / HTTP/1.0\r\n\r\n');
    expect(await second.waitFor(/<\/BODY>|<\/HTML>/i, 15_000)).toContain('Reused, TLSv1.3');
    expect(second.obj.sessionReused).toBe(true);
    expect(second.obj.getPeerCert(true)).toEqual(first.obj.getPeerCert(true));
  });

  it('sends 0-RTT data that s_server -early_data accepts, and learns it was accepted', async () => {
    const { port, peer } = await sServer(['-early_data']);
    const ctx = client13();
    const first = await connectWith(port, ctx);
    await within(15_000, 'handshake', first.handshakeDone);
    first.write('first\n');
    await peer.waitFor(/first/);
    const session = await ticketOf(first);
    expect(session.tls13!.maxEarlyData).toBeGreaterThan(0); // OpenSSL announces 16384
    first.close();
    const second = await connectWith(port, ctx, session, 'early hello\n');
    expect(second.earlyTaken).toBe('early hello\n'.length);
    await within(15_000, 'resumed handshake', second.handshakeDone);
    expect(second.obj.earlyDataStatus).toBe('accepted');
    expect(second.obj.sessionReused).toBe(true);
    // s_server prints the early data itself on stdout, its "Early data received:" frame on stderr.
    const out = await peer.waitFor(/Early data received:/);
    expect(out).toContain('early hello');
    second.write('after\n');
    await peer.waitFor(/after/);
  });

  it('learns that s_server rejected its 0-RTT data (never silently lost: the bytes come back)', async () => {
    // s_server accepting no early data (-max_early_data 0) but skipping up to 16384 bytes of it.
    const { port, peer } = await sServer(['-early_data', '-max_early_data', '0', '-recv_max_early_data', '16384']);
    const ctx = client13();
    const first = await connectWith(port, ctx);
    await within(15_000, 'handshake', first.handshakeDone);
    first.write('first\n');
    await peer.waitFor(/first/);
    const session = await ticketOf(first);
    first.close();
    // Its tickets announce no early data; pretend this one did (as a ticket from an earlier
    // configuration would), so the client sends 0-RTT and meets the rejection.
    expect(session.tls13!.maxEarlyData).toBe(0);
    Object.assign(session.tls13!, { maxEarlyData: 1024 });
    const second = await connectWith(port, ctx, session, 'maybe replayed\n');
    await within(15_000, 'resumed handshake', second.handshakeDone);
    expect(second.obj.earlyDataStatus).toBe('rejected');
    expect(new TextDecoder().decode(second.obj.takeRejectedEarlyData()!)).toBe('maybe replayed\n');
    second.write('resent\n');
    await peer.waitFor(/resent/);
    expect(peer.output()).not.toContain('maybe replayed');
  });
});

describe.skipIf(!haveOpenssl)('TLS 1.3 resumption: openssl s_client ↔ our server', () => {
  it('is resumed by s_client -sess_out/-sess_in ("Reused, TLSv1.3")', async () => {
    const ctx = serverContext();
    const { port, connections } = await echoServer(scope, ctx);
    const sessFile = join(testPki().dir, `sess13-${port}.pem`);
    let child = sClient(port, ['-sess_out', sessFile]);
    await child.waitFor(/echo:hello from s_client/);
    child.endInput();
    await within(10_000, 's_client exit', child.exited());
    expect(readFileSync(sessFile, 'utf8')).toContain('BEGIN SSL SESSION PARAMETERS');
    child = sClient(port, ['-sess_in', sessFile]);
    await child.waitFor(/echo:hello from s_client/);
    expect(child.output()).toContain('Reused, TLSv1.3');
    expect(connections[1]!.obj.sessionReused).toBe(true);
  });

  it('accepts s_client -early_data once; the replayed ClientHello gets its early data refused', async () => {
    const ctx = serverContext();
    ctx.maxEarlyData = 16384;
    const { port, connections } = await echoServer(scope, ctx);
    const dir = testPki().dir;
    const sessFile = join(dir, `sess13-early-${port}.pem`);
    const earlyFile = join(dir, `early-${port}.txt`);
    writeFileSync(earlyFile, 'early from s_client\n');
    let child = sClient(port, ['-sess_out', sessFile]);
    await child.waitFor(/echo:hello from s_client/);
    child.endInput();
    await within(10_000, 's_client exit', child.exited());
    const described = execFileSync('openssl', ['sess_id', '-in', sessFile, '-noout', '-text'], { encoding: 'utf8' });
    expect(described).toContain('Max Early Data: 16384');
    child = sClient(port, ['-sess_in', sessFile, '-early_data', earlyFile], '');
    await child.waitFor(/echo:early from s_client/);
    await child.waitFor(/Early data was accepted/);
    const server = connections[1]!;
    expect(server.obj.earlyDataStatus).toBe('accepted');
    expect(server.obj.earlyDataReceived).toBe('early from s_client\n'.length);
    child.endInput();
    await within(10_000, 's_client exit', child.exited());
    // The same session again: the ticket was spent on 0-RTT (single-use, RFC 8446 §8.1).
    child = sClient(port, ['-sess_in', sessFile, '-early_data', earlyFile], '');
    await child.waitFor(/Early data was rejected/);
    expect(connections[2]!.obj.earlyDataStatus).toBe('rejected');
    expect(connections[2]!.obj.sessionReused).toBe(true);
    child.endInput();
  });
});

describe.skipIf(!haveOpenssl)('TLS 1.3 post-handshake authentication with openssl', () => {
  it('our server asks s_client -enable_pha for its certificate after the handshake', async () => {
    const pki = testPki();
    const ctx = serverContext();
    ctx.postHandshakeAuth = true;
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const { port, connections } = await echoServer(scope, ctx);
    const child = sClient(port, ['-enable_pha', '-cert', pki.client.certFile, '-key', pki.client.keyFile]);
    await child.waitFor(/echo:hello from s_client/);
    const server = connections[0]!;
    expect(server.obj.getPeerCert()).toBeNull();
    server.obj.verifyClientPostHandshake();
    server.write('please authenticate\n'); // flushes the CertificateRequest with it
    await child.waitFor(/please authenticate/);
    child.write('second line\n');
    await child.waitFor(/echo:second line/);
    expect(server.obj.connection.postHandshakeAuthPending).toBe(false);
    expect(server.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });
});

// ---------------------------------------------------------------------------------------------
// Node tls

describe('TLS 1.3 resumption with Node tls', () => {
  it('our client resumes a Node server session', async () => {
    const pki = testPki();
    const node = await startNodeTlsServer({
      cert: pki.leaf.ec256.certPem,
      key: pki.leaf.ec256.keyPem,
      minVersion: 'TLSv1.3',
    });
    cleanups.push(() => node.stop());
    const reused: boolean[] = [];
    node.server.on('secureConnection', (s: tls.TLSSocket) => reused.push(s.isSessionReused()));
    const ctx = client13();
    const first = await connectWith(node.port, ctx);
    await within(15_000, 'handshake', first.handshakeDone);
    first.write('ping');
    await first.waitFor(/ping/);
    const session = await ticketOf(first);
    const second = await connectWith(node.port, ctx, session);
    await within(15_000, 'resumed handshake', second.handshakeDone);
    second.write('pong');
    await second.waitFor(/pong/);
    expect(second.obj.sessionReused).toBe(true);
    expect(reused).toEqual([false, true]);
  });

  it("Node's client resumes our session (the 'session' event, then the session option)", async () => {
    const ctx = serverContext();
    const { port, connections } = await echoServer(scope, ctx, '');
    const ca = testPki().caPem;
    const sessions: Buffer[] = [];
    const first = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, minVersion: 'TLSv1.3' });
    first.on('session', (s: Buffer) => sessions.push(s));
    await within(10_000, 'Node handshake', once(first, 'secureConnect'));
    first.write('one');
    await within(10_000, 'echo', once(first, 'data'));
    await within(
      10_000,
      'tickets',
      (async () => {
        while (sessions.length < 2) await new Promise((r) => setTimeout(r, 10));
      })(),
    );
    first.end();
    const second = tls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca,
      minVersion: 'TLSv1.3',
      session: sessions.at(-1)!,
    });
    cleanups.push(() => second.destroy());
    await within(10_000, 'Node resumed handshake', once(second, 'secureConnect'));
    expect(second.isSessionReused()).toBe(true);
    second.write('two');
    const [echo] = (await within(10_000, 'echo', once(second, 'data'))) as [Buffer];
    expect(echo.toString()).toBe('two');
    expect(connections[1]!.obj.sessionReused).toBe(true);
    second.end();
  });
});

// ---------------------------------------------------------------------------------------------
// Python ssl

const PYTHON_RESUME = `
import socket, ssl, sys, json
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(cafile)
out = []
session = None
for i in range(2):
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            s.sendall(b"ping")
            s.recv(100)  # the tickets arrive before the echo
            out.append({"reused": s.session_reused, "has_ticket": s.session.has_ticket,
                        "lifetime": s.session.ticket_lifetime_hint})
            session = s.session
print(json.dumps(out))
`;

describe.skipIf(skipUnless(peerAvailability.python(), 'python3'))('TLS 1.3 resumption with Python ssl', () => {
  it("Python's client resumes our session (wrap_socket(session=…), session_reused)", async () => {
    const { port, connections } = await echoServer(scope, serverContext(), '');
    const r = await run('python3', ['-c', PYTHON_RESUME, String(port), testPki().caFile]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual([
      { reused: false, has_ticket: true, lifetime: 7200 },
      { reused: true, has_ticket: true, lifetime: 7200 },
    ]);
    expect(connections[1]!.obj.sessionReused).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// GnuTLS

describe.skipIf(skipUnless(peerAvailability.gnutlsClient(), 'gnutls-cli'))('TLS 1.3: gnutls-cli → our server', () => {
  it('is resumed by gnutls-cli --resume', async () => {
    const ctx = serverContext();
    const { port, connections } = await echoServer(scope, ctx, '');
    const pki = testPki();
    const child: Child = startGnutlsClient(port, [
      '--x509cafile',
      pki.caFile,
      '--verify-hostname',
      'localhost',
      '--sni-hostname',
      'localhost',
      '--priority',
      'NORMAL:-VERS-ALL:+VERS-TLS1.3',
      '--resume',
    ]);
    cleanups.push(() => child.stop());
    child.write('hello from gnutls\n');
    await child.waitFor(/^hello from gnutls$/m, 15_000, 'stdout');
    child.endInput();
    expect(await child.exited(15_000)).toBe(0);
    expect(child.stdout()).toContain('*** This is a resumed session');
    expect(connections.length).toBe(2);
    expect(connections[1]!.obj.sessionReused).toBe(true);
  });
});

describe.skipIf(skipUnless(peerAvailability.gnutlsClient(), 'gnutls-cli'))(
  'TLS 1.3 0-RTT: gnutls-cli → our server',
  () => {
    it('accepts gnutls-cli --resume --earlydata', async () => {
      const ctx = serverContext();
      ctx.maxEarlyData = 16384;
      const { port, connections } = await echoServer(scope, ctx, '');
      const pki = testPki();
      const early = join(pki.dir, `gnutls-early-${port}.txt`);
      writeFileSync(early, 'early from gnutls\n');
      const child: Child = startGnutlsClient(port, [
        '--x509cafile',
        pki.caFile,
        '--verify-hostname',
        'localhost',
        '--sni-hostname',
        'localhost',
        '--priority',
        'NORMAL:-VERS-ALL:+VERS-TLS1.3',
        '--resume',
        '--earlydata',
        early,
      ]);
      cleanups.push(() => child.stop());
      child.write('hello from gnutls\n');
      await child.waitFor(/^hello from gnutls$/m, 15_000, 'stdout');
      child.endInput();
      await child.exited(15_000);
      expect(child.stdout()).toContain('*** This is a resumed session');
      expect(connections.length).toBe(2);
      const resumed = connections[1]!;
      expect(resumed.obj.sessionReused).toBe(true);
      expect(resumed.obj.earlyDataStatus).toBe('accepted');
      expect(resumed.obj.earlyDataReceived).toBe('early from gnutls\n'.length);
      expect(new TextDecoder().decode(resumed.received())).toContain('early from gnutls');
    });
  },
);

describe.skipIf(skipUnless(peerAvailability.gnutlsServer(), 'gnutls-serv in a private network namespace'))(
  'TLS 1.3: our client → gnutls-serv',
  () => {
    it('resumes a gnutls-serv session with its ticket', async () => {
      const leaf = testPki().leaf.ec256;
      const server: ServerPeer = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        leaf.certFile,
        '--x509keyfile',
        leaf.keyFile,
        '--priority',
        'NORMAL:-VERS-ALL:+VERS-TLS1.3',
      ]);
      cleanups.push(() => server.stop());
      const ctx = client13();
      const first = await connectWith(server.port, ctx);
      await within(15_000, 'handshake', first.handshakeDone);
      first.write('hello gnutls\n');
      await first.waitFor(/hello gnutls\n/, 15_000);
      const session = await ticketOf(first);
      first.close();
      const second = await connectWith(server.port, ctx, session);
      await within(15_000, 'resumed handshake', second.handshakeDone);
      second.write('again\n');
      await second.waitFor(/again\n/, 15_000);
      expect(second.obj.sessionReused).toBe(true);
    });

    it('sends 0-RTT data that gnutls-serv --earlydata accepts; the connection goes on', async () => {
      const leaf = testPki().leaf.ec256;
      const server: ServerPeer = await startGnutlsServer([
        '--echo',
        '--x509certfile',
        leaf.certFile,
        '--x509keyfile',
        leaf.keyFile,
        '--priority',
        'NORMAL:-VERS-ALL:+VERS-TLS1.3',
        '--earlydata',
        '--maxearlydata=16384',
      ]);
      cleanups.push(() => server.stop());
      const ctx = client13();
      const first = await connectWith(server.port, ctx);
      await within(15_000, 'handshake', first.handshakeDone);
      first.write('hello gnutls\n');
      await first.waitFor(/hello gnutls\n/, 15_000);
      const session = await ticketOf(first);
      expect(session.tls13!.maxEarlyData).toBeGreaterThan(0);
      first.close();
      const second = await connectWith(server.port, ctx, session, 'early to gnutls\n');
      expect(second.earlyTaken).toBe('early to gnutls\n'.length);
      await within(15_000, 'resumed handshake', second.handshakeDone);
      expect(second.obj.earlyDataStatus).toBe('accepted');
      second.write('then normal\n');
      await second.waitFor(/then normal\n/, 15_000);
      // gnutls-serv 3.7 neither echoes nor prints 0-RTT data: what is checked is that it accepted it
      // (early_data in its EncryptedExtensions), took our EndOfEarlyData under the early key and our
      // Finished under the handshake key, and echoes what follows.
    });
  },
);
