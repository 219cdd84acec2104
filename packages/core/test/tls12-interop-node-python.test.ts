/**
 * TLS 1.2 interop over 127.0.0.1 with Node's `tls` (maxVersion TLSv1.2) and Python's `ssl`
 * (maximum_version TLSv1_2), both directions, for every suite (ECDHE_ECDSA, ECDHE_RSA, DHE_RSA with ffdhe2048);
 * resumption with Node's session API both ways; the extended master secret policy against a Python
 * client that has it switched off (OpenSSL's SSL_OP_NO_EXTENDED_MASTER_SECRET).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { CERT_REQUIRED, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen, type PumpedConnection } from './helpers/socket-pump.js';
import { clientContext, type KeyType, serverContext, testPki } from './helpers/tls-pair.js';
import { hasTool, type Peer, startPeer, within } from './helpers/tls12-peers.js';

const peers: Peer[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.stop();
  for (const f of cleanups.splice(0)) f();
});

const ECDHE: { name: string; key: KeyType }[] = [
  { name: 'ECDHE-ECDSA-AES128-GCM-SHA256', key: 'ec256' },
  { name: 'ECDHE-ECDSA-AES256-GCM-SHA384', key: 'ec384' },
  { name: 'ECDHE-ECDSA-CHACHA20-POLY1305', key: 'ed25519' },
  { name: 'ECDHE-RSA-AES128-GCM-SHA256', key: 'rsa2048' },
  { name: 'ECDHE-RSA-AES256-GCM-SHA384', key: 'rsa2048' },
  { name: 'ECDHE-RSA-CHACHA20-POLY1305', key: 'rsa2048' },
];

const DHE: { name: string; key: KeyType }[] = [
  { name: 'DHE-RSA-AES128-GCM-SHA256', key: 'rsa2048' },
  { name: 'DHE-RSA-AES256-GCM-SHA384', key: 'rsa2048' },
  { name: 'DHE-RSA-CHACHA20-POLY1305', key: 'rsa2048' },
];

/** RFC 7919 ffdhe2048 as PEM DH parameters (what Node's `dhparam` and Python's load_dh_params take). */
let ffdhe2048: { pem: string; file: string } | undefined;
function ffdhe2048Params(): { pem: string; file: string } {
  if (ffdhe2048 === undefined) {
    const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048'], {
      encoding: 'utf8',
    });
    const file = join(testPki().dir, 'ffdhe2048-node-python.pem');
    writeFileSync(file, pem);
    ffdhe2048 = { pem, file };
  }
  return ffdhe2048;
}

function client12(): SSLContext {
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

async function echoServer(ctx: SSLContext): Promise<{ port: number; connections: PumpedConnection[] }> {
  const connections: PumpedConnection[] = [];
  const server = await listen(ctx, (conn) => {
    connections.push(conn);
    let seen = 0;
    conn.onData = () => {
      const data = conn.received();
      if (data.length > seen) {
        conn.write(new Uint8Array([...new TextEncoder().encode('echo:'), ...data.subarray(seen)]));
        seen = data.length;
      }
    };
  });
  cleanups.push(server.close);
  return { port: server.port, connections };
}

async function connectWith(port: number, ctx: SSLContext, session?: SSLSession): Promise<PumpedConnection> {
  const original = ctx.wrapBio.bind(ctx);
  if (session !== undefined) ctx.wrapBio = (i, o, options = {}) => original(i, o, { ...options, session });
  try {
    const conn = await connect(port, ctx, 'localhost');
    cleanups.push(() => conn.socket.destroy());
    await within(15_000, 'handshake', conn.handshakeDone);
    return conn;
  } finally {
    ctx.wrapBio = original;
  }
}

describe('TLS 1.2 with Node tls', () => {
  async function nodeServer(options: tls.TlsOptions, keyType: KeyType): Promise<{ port: number; server: tls.Server }> {
    const pki = testPki();
    const server = tls.createServer(
      { cert: pki.leaf[keyType].certPem, key: pki.leaf[keyType].keyPem, maxVersion: 'TLSv1.2', ...options },
      (socket) => {
        socket.on('data', (d) => socket.write(`echo:${d}`));
        socket.on('error', () => {});
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    return { port: (server.address() as { port: number }).port, server };
  }

  function nodeClient(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: testPki().caPem,
        maxVersion: 'TLSv1.2',
        ...options,
      });
      cleanups.push(() => socket.destroy());
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  const echo = (socket: tls.TLSSocket, message: string) =>
    new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d) => {
        got += d.toString();
        if (got.includes(`echo:${message}`)) resolve(got);
      });
      socket.write(message);
    });

  for (const suite of ECDHE) {
    it(`our client → node server, ${suite.name}`, async () => {
      const { port } = await nodeServer({ ciphers: suite.name }, suite.key);
      const conn = await connectWith(port, client12());
      conn.write('hi');
      await conn.waitFor(/echo:hi/);
      expect(conn.obj.cipher()).toEqual([suite.name, 'TLSv1.2', suite.name.includes('AES128') ? 128 : 256]);
    });

    it(`node client → our server, ${suite.name}`, async () => {
      const ctx = serverContext([suite.key]);
      const { port, connections } = await echoServer(ctx);
      const socket = await nodeClient(port, { ciphers: suite.name });
      expect(socket.getProtocol()).toBe('TLSv1.2');
      expect(socket.getCipher().name).toBe(suite.name);
      await within(10_000, 'echo', echo(socket, 'hello'));
      // RFC 5705: Node's exportKeyingMaterial equals ours.
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      const ours = connections[0]!.obj;
      expect(hex(ours.exportKeyingMaterial('EXPERIMENTAL-node', 24, Uint8Array.of(7)))).toBe(
        hex(socket.exportKeyingMaterial(24, 'EXPERIMENTAL-node', Buffer.of(7))),
      );
      // RFC 5929 tls-unique: the client's Finished, which Node reports as getFinished() on its side.
      expect(hex(ours.getChannelBinding('tls-unique')!)).toBe(hex(socket.getFinished()!));
    });
  }

  for (const suite of DHE) {
    it(`our client → node server (dhparam ffdhe2048), ${suite.name}`, async () => {
      const { port } = await nodeServer({ ciphers: suite.name, dhparam: ffdhe2048Params().pem }, suite.key);
      const ctx = client12();
      ctx.setCiphers(suite.name);
      ctx.loadDhParams('ffdhe2048');
      const conn = await connectWith(port, ctx);
      conn.write('hi');
      await conn.waitFor(/echo:hi/);
      expect(conn.obj.cipher()?.[0]).toBe(suite.name);
      expect(conn.obj.connection.negotiated.group).toBe('ffdhe2048');
    });

    it(`node client → our server (loadDhParams), ${suite.name}`, async () => {
      const ctx = serverContext([suite.key]);
      ctx.setCiphers('ALL');
      ctx.loadDhParams('ffdhe2048');
      const { port } = await echoServer(ctx);
      const socket = await nodeClient(port, { ciphers: suite.name });
      expect(socket.getCipher().name).toBe(suite.name);
      expect(socket.getEphemeralKeyInfo()).toMatchObject({ type: 'DH', size: 2048 });
      await within(10_000, 'echo', echo(socket, 'hello'));
    });
  }

  it('node client resumes with its session API (ticket and session ID)', async () => {
    for (const noTicket of [false, true]) {
      const ctx = serverContext();
      if (noTicket) ctx.options |= 0x4000;
      const { port, connections } = await echoServer(ctx);
      const first = await nodeClient(port);
      await within(10_000, 'echo', echo(first, 'one'));
      const session = await new Promise<Buffer>((resolve) => {
        const s = first.getSession();
        if (s !== undefined) resolve(s);
        else first.once('session', resolve);
      });
      first.end();
      const second = await nodeClient(port, { session });
      await within(10_000, 'echo', echo(second, 'two'));
      expect(second.isSessionReused()).toBe(true);
      expect(connections[1]!.obj.sessionReused).toBe(true);
    }
  });

  it('our client resumes against a node server (ticket), and node counts the reuse', async () => {
    const { port, server } = await nodeServer({}, 'ec256');
    let resumed = 0;
    server.on('secureConnection', (s) => {
      if (s.isSessionReused()) resumed++;
    });
    const ctx = client12();
    const first = await connectWith(port, ctx);
    first.write('x');
    await first.waitFor(/echo:x/);
    const session = first.obj.session!;
    expect(session.hasTicket).toBe(true);
    const second = await connectWith(port, ctx, session);
    second.write('y');
    await second.waitFor(/echo:y/);
    expect(second.obj.sessionReused).toBe(true);
    expect(resumed).toBe(1);
  });

  it('mutual TLS with a node server requesting a certificate', async () => {
    const pki = testPki();
    const { port } = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.caPem }, 'rsa2048');
    const ctx = client12();
    ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const conn = await connectWith(port, ctx);
    conn.write('m');
    await conn.waitFor(/echo:m/);
  });

  it('node client certificate to our CERT_REQUIRED server', async () => {
    const pki = testPki();
    const ctx = serverContext(['rsa2048']);
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const { port, connections } = await echoServer(ctx);
    const socket = await nodeClient(port, { cert: pki.client.certPem, key: pki.client.keyPem });
    await within(10_000, 'echo', echo(socket, 'c'));
    expect(connections[0]!.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });
});

const havePython = hasTool('python3');
if (!havePython) console.log('tls12-interop-node-python: Python part skipped, python3 is not installed');

describe.skipIf(!havePython)('TLS 1.2 with Python ssl', () => {
  function script(name: string, body: string): string {
    const file = join(testPki().dir, name);
    writeFileSync(file, body);
    return file;
  }

  it('python clients → our server for every suite (ECDHE and DHE), tls-unique equal', async () => {
    const pki = testPki();
    const suites = [...ECDHE, ...DHE].map((s) => s.name);
    // One server holding an ECDSA and an RSA certificate, DHE enabled; one Python process, one connection per suite.
    const ctx = serverContext(['ec256', 'rsa2048']);
    ctx.setCiphers('ALL');
    ctx.loadDhParams('ffdhe2048');
    const { port, connections } = await echoServer(ctx);
    const file = script(
      'py12-client.py',
      `import socket, ssl, sys
for suite in sys.argv[2:]:
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(${JSON.stringify(pki.caFile)})
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    c.set_ciphers(suite)
    with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
        with c.wrap_socket(raw, server_hostname='localhost') as s:
            s.sendall(b'hello python')
            data = b''
            while b'echo:hello python' not in data:
                data += s.recv(100)
            print(s.version(), s.cipher()[0], s.get_channel_binding('tls-unique').hex(), flush=True)
`,
    );
    const child = startPeer('python3', [file, String(port), ...suites]);
    peers.push(child);
    for (const [i, suite] of suites.entries()) {
      const line = await child.waitFor(new RegExp(`TLSv1.2 ${suite} [0-9a-f]{24}`));
      const unique = new RegExp(`TLSv1.2 ${suite} ([0-9a-f]{24})`).exec(line)![1];
      expect(connections[i]!.obj.cipher()?.[0]).toBe(suite);
      expect(Buffer.from(connections[i]!.obj.getChannelBinding('tls-unique')!).toString('hex')).toBe(unique);
    }
  });

  it('our client → python server for every suite (ECDSA and RSA certificates, load_dh_params ffdhe2048)', async () => {
    const pki = testPki();
    const suites = [...ECDHE.map((s) => ({ ...s, key: s.key === 'rsa2048' ? s.key : ('ec256' as KeyType) })), ...DHE];
    const file = script(
      'py12-every-suite-server.py',
      `import socket, ssl, sys
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(${JSON.stringify(pki.leaf.ec256.certFile)}, ${JSON.stringify(pki.leaf.ec256.keyFile)})
c.load_cert_chain(${JSON.stringify(pki.leaf.rsa2048.certFile)}, ${JSON.stringify(pki.leaf.rsa2048.keyFile)})
c.maximum_version = ssl.TLSVersion.TLSv1_2
c.set_ciphers('ALL')
c.load_dh_params(${JSON.stringify(ffdhe2048Params().file)})
srv = socket.create_server(('127.0.0.1', 0))
print('PORT', srv.getsockname()[1], flush=True)
for i in range(int(sys.argv[1])):
    raw, _ = srv.accept()
    try:
        with c.wrap_socket(raw, server_side=True) as s:
            s.sendall(b'echo:' + s.recv(100))
            print('SERVED', s.version(), s.cipher()[0], flush=True)
    except (ssl.SSLError, OSError) as e:
        print('FAILED', e, flush=True)
`,
    );
    const child = startPeer('python3', [file, String(suites.length)]);
    peers.push(child);
    const port = Number(/PORT (\d+)/.exec(await child.waitFor(/PORT \d+/))![1]);
    for (const suite of suites) {
      const ctx = client12();
      ctx.setCiphers(suite.name);
      if (suite.name.startsWith('DHE')) ctx.loadDhParams('ffdhe2048');
      const conn = await connectWith(port, ctx);
      conn.write('py');
      await conn.waitFor(/echo:py/);
      expect(conn.obj.cipher()?.[0]).toBe(suite.name);
      await child.waitFor(new RegExp(`SERVED TLSv1.2 ${suite.name}`));
      conn.close();
    }
  });

  it('our client → python server (RSA, ALPN, client certificate, resumption)', async () => {
    const pki = testPki();
    const file = script(
      'py12-server.py',
      `import socket, ssl
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(${JSON.stringify(pki.leaf.rsa2048.certFile)}, ${JSON.stringify(pki.leaf.rsa2048.keyFile)})
c.maximum_version = ssl.TLSVersion.TLSv1_2
c.set_alpn_protocols(['h2', 'http/1.1'])
c.verify_mode = ssl.CERT_REQUIRED
c.load_verify_locations(${JSON.stringify(pki.caFile)})
srv = socket.create_server(('127.0.0.1', 0))
print('PORT', srv.getsockname()[1], flush=True)
for i in range(2):
    raw, _ = srv.accept()
    with c.wrap_socket(raw, server_side=True) as s:
        data = s.recv(100)
        s.sendall(b'echo:' + data)
        print('SERVED', s.version(), s.selected_alpn_protocol(), s.getpeercert()['subject'][0][0][1], s.session_reused, flush=True)
        try:
            s.unwrap()
        except Exception:
            pass
`,
    );
    const child = startPeer('python3', [file]);
    peers.push(child);
    const port = Number(/PORT (\d+)/.exec(await child.waitFor(/PORT \d+/))![1]);
    const ctx = client12();
    ctx.setAlpnProtocols(['http/1.1']);
    ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const first = await connectWith(port, ctx);
    first.write('py');
    await first.waitFor(/echo:py/);
    expect(first.obj.selectedAlpnProtocol()).toBe('http/1.1');
    await child.waitFor(/SERVED TLSv1.2 http\/1.1 client False/);
    const second = await connectWith(port, ctx, first.obj.session!);
    second.write('again');
    await second.waitFor(/echo:again/);
    expect(second.obj.sessionReused).toBe(true);
    await child.waitFor(/SERVED TLSv1.2 http\/1.1 client True/);
  });

  it('a Python server without the extended master secret is refused by our client by default and accepted when allowed', async () => {
    const pki = testPki();
    const file = script(
      'py12-noems-server.py',
      `import socket, ssl
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(${JSON.stringify(pki.leaf.ec256.certFile)}, ${JSON.stringify(pki.leaf.ec256.keyFile)})
c.maximum_version = ssl.TLSVersion.TLSv1_2
c.options |= 0x1  # SSL_OP_NO_EXTENDED_MASTER_SECRET (OpenSSL 3.0)
srv = socket.create_server(('127.0.0.1', 0))
print('PORT', srv.getsockname()[1], flush=True)
for i in range(2):
    raw, _ = srv.accept()
    try:
        with c.wrap_socket(raw, server_side=True) as s:
            s.sendall(b'echo:' + s.recv(100))
            print('SERVED', flush=True)
    except (ssl.SSLError, OSError) as e:
        print('FAILED', getattr(e, 'reason', e), flush=True)
`,
    );
    const child = startPeer('python3', [file]);
    peers.push(child);
    const port = Number(/PORT (\d+)/.exec(await child.waitFor(/PORT \d+/))![1]);
    const strict = await connect(port, client12(), 'localhost');
    cleanups.push(() => strict.socket.destroy());
    await expect(within(15_000, 'refused handshake', strict.handshakeDone)).rejects.toMatchObject({
      reason: 'EXTENDED_MASTER_SECRET_REQUIRED',
      alert: 40,
    });
    await child.waitFor(/FAILED SSLV3_ALERT_HANDSHAKE_FAILURE/);
    const lenient = client12();
    lenient.tls12.requireExtendedMasterSecret = false;
    const conn = await connectWith(port, lenient);
    conn.write('x');
    await conn.waitFor(/echo:x/);
    expect(conn.obj.connection.tls12!.extendedMasterSecret).toBe(false);
    await child.waitFor(/SERVED/);
  });

  it('a Python client without the extended master secret is refused by default and accepted when allowed', async () => {
    const pki = testPki();
    const file = script(
      'py12-noems.py',
      `import socket, ssl, sys
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.load_verify_locations(${JSON.stringify(pki.caFile)})
c.maximum_version = ssl.TLSVersion.TLSv1_2
c.options |= 0x1  # SSL_OP_NO_EXTENDED_MASTER_SECRET (OpenSSL 3.0)
try:
    with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
        with c.wrap_socket(raw, server_hostname='localhost') as s:
            s.sendall(b'x')
            print('OK', s.recv(10), flush=True)
except ssl.SSLError as e:
    print('REFUSED', e.reason, flush=True)
`,
    );
    const strict = await echoServer(serverContext());
    let child = startPeer('python3', [file, String(strict.port)]);
    peers.push(child);
    await child.waitFor(/REFUSED SSLV3_ALERT_HANDSHAKE_FAILURE/);
    const lenient = serverContext();
    lenient.tls12.requireExtendedMasterSecret = false;
    const { port, connections } = await echoServer(lenient);
    child = startPeer('python3', [file, String(port)]);
    peers.push(child);
    await child.waitFor(/OK b'echo:x'/);
    expect(connections[0]!.obj.connection.tls12!.extendedMasterSecret).toBe(false);
    // RFC 9266 §3: no tls-exporter binding without EMS.
    expect(() => connections[0]!.obj.getChannelBinding('tls-exporter')).toThrow(/extended master secret/);
  });
});
