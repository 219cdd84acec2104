/**
 * Interop over 127.0.0.1 with Node's `tls` (OpenSSL 3.0 inside) and Python's `ssl`, both directions:
 * suites, ECDSA/RSA/Ed25519 certificates, ALPN, SNI, mutual TLS. Python peers run as child processes
 * under a hang guard; the Python part skips with a printed reason when python3 is absent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { CERT_REQUIRED, type SSLError } from '@sanstls/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, freePort, hasTool, start, within } from '../../node-adapter/test/helpers/processes.js';
import { connect, listen, type PumpedConnection } from './helpers/socket-pump.js';
import { clientContext, type KeyType, serverContext, testPki } from './helpers/tls-pair.js';

const children: Child[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop();
  for (const f of cleanups.splice(0)) f();
});

/** Our echo server: answers every chunk with `echo:` + chunk. */
async function echoServer(ctx = serverContext()): Promise<{ port: number; connections: PumpedConnection[] }> {
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

describe('Node tls', () => {
  async function nodeServer(options: tls.TlsOptions, keyType: KeyType = 'ec256'): Promise<number> {
    const pki = testPki();
    const server = tls.createServer(
      { cert: pki.leaf[keyType].certPem, key: pki.leaf[keyType].keyPem, minVersion: 'TLSv1.3', ...options },
      (socket) => {
        socket.on('data', (d) => socket.write(`echo:${d}`));
        socket.on('error', () => {});
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    return (server.address() as { port: number }).port;
  }

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`our client → node server, ${suite}`, async () => {
      const port = await nodeServer({ ciphers: suite });
      const ctx = clientContext();
      ctx.setCiphersuites(suite);
      const conn = await connect(port, ctx, 'localhost');
      cleanups.push(() => conn.socket.destroy());
      await within(10_000, 'handshake', conn.handshakeDone);
      conn.write('hi node');
      await conn.waitFor(/echo:hi node/);
      expect(conn.obj.cipher()?.[0]).toBe(suite);
    });
  }

  for (const keyType of ['rsa2048', 'ed25519', 'ec384'] as KeyType[]) {
    it(`our client → node server with a ${keyType} certificate, ALPN and SNI`, async () => {
      let servername: string | undefined;
      const port = await nodeServer(
        {
          ALPNProtocols: ['h2', 'http/1.1'],
          SNICallback: (name, cb) => {
            servername = name;
            cb(null);
          },
        },
        keyType,
      );
      const ctx = clientContext();
      ctx.setAlpnProtocols(['http/1.1']);
      const conn = await connect(port, ctx, 'localhost');
      cleanups.push(() => conn.socket.destroy());
      await within(10_000, 'handshake', conn.handshakeDone);
      expect(conn.obj.selectedAlpnProtocol()).toBe('http/1.1');
      expect(servername).toBe('localhost');
    });
  }

  it('our client → node server requiring a client certificate', async () => {
    const pki = testPki();
    const port = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.caPem });
    const ctx = clientContext();
    ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const conn = await connect(port, ctx, 'localhost');
    cleanups.push(() => conn.socket.destroy());
    await within(10_000, 'handshake', conn.handshakeDone);
    conn.write('mtls');
    await conn.waitFor(/echo:mtls/);
  });

  async function nodeClient(
    port: number,
    options: tls.ConnectionOptions,
  ): Promise<{ socket: tls.TLSSocket; reply: string }> {
    const pki = testPki();
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: pki.caPem,
      minVersion: 'TLSv1.3',
      ...options,
    });
    cleanups.push(() => socket.destroy());
    await within(
      10_000,
      'node client handshake',
      new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject)),
    );
    socket.write('hello');
    let reply = '';
    await within(
      10_000,
      'echo',
      new Promise<void>((resolve) =>
        socket.on('data', (d) => {
          reply += d;
          if (reply.includes('echo:hello')) resolve();
        }),
      ),
    );
    return { socket, reply };
  }

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`node client → our server, ${suite}`, async () => {
      const { port } = await echoServer();
      const { socket } = await nodeClient(port, { ciphers: suite });
      expect(socket.getCipher().name).toBe(suite);
      expect(socket.getProtocol()).toBe('TLSv1.3');
    });
  }

  it('node client → our server: RSA certificate, ALPN, mTLS', async () => {
    const pki = testPki();
    const ctx = serverContext(['rsa2048']);
    ctx.setAlpnProtocols(['h2']);
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const { port, connections } = await echoServer(ctx);
    const { socket } = await nodeClient(port, {
      ALPNProtocols: ['h2'],
      cert: pki.client.certPem,
      key: pki.client.keyPem,
    });
    expect(socket.alpnProtocol).toBe('h2');
    expect(socket.getPeerCertificate().subject.CN).toBe('server-rsa2048');
    expect(connections[0]!.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });
});

const havePython = hasTool('python3');
if (!havePython) console.log('interop-node-python: Python part skipped, python3 is not installed');

describe.skipIf(!havePython)('Python ssl', () => {
  function script(name: string, body: string): string {
    const file = join(testPki().dir, name);
    writeFileSync(file, body);
    return file;
  }

  it('python client → our server (verifying, ALPN, SNI, client certificate)', async () => {
    const pki = testPki();
    const ctx = serverContext(['ed25519']);
    ctx.setAlpnProtocols(['http/1.1']);
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const names: (string | null)[] = [];
    ctx.sniCallback = (_o, name) => {
      names.push(name);
    };
    const { port, connections } = await echoServer(ctx);
    const file = script(
      'client.py',
      `import socket, ssl, sys
ctx = ssl.create_default_context(cafile=${JSON.stringify(pki.caFile)})
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.set_alpn_protocols(['http/1.1'])
ctx.load_cert_chain(${JSON.stringify(pki.client.certFile)}, ${JSON.stringify(pki.client.keyFile)})
with socket.create_connection(('127.0.0.1', ${port})) as raw:
    with ctx.wrap_socket(raw, server_hostname='localhost') as s:
        s.sendall(b'hello python')
        data = b''
        while b'echo:hello python' not in data:
            data += s.recv(1000)
        print(s.version(), s.cipher()[0], s.selected_alpn_protocol(), s.getpeercert()['subject'][0][0][1])
`,
    );
    const child = start('python3', [file]);
    children.push(child);
    expect(await child.exited(15_000)).toBe(0);
    expect(child.stdout().trim()).toBe('TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 http/1.1 server-ed25519');
    expect(names).toEqual(['localhost']);
    expect(connections[0]!.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });

  it('our client → python server (RSA, ALPN, SNI callback, client certificate)', async () => {
    const pki = testPki();
    const port = await freePort();
    const file = script(
      'server.py',
      `import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(${JSON.stringify(pki.leaf.rsa2048.certFile)}, ${JSON.stringify(pki.leaf.rsa2048.keyFile)})
ctx.load_verify_locations(${JSON.stringify(pki.caFile)})
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.set_alpn_protocols(['h2'])
names = []
ctx.sni_callback = lambda s, name, c: names.append(name)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', ${port}))
srv.listen(1)
print('READY', flush=True)
raw, _ = srv.accept()
with ctx.wrap_socket(raw, server_side=True) as s:
    data = s.recv(1000)
    s.sendall(b'echo:' + data)
    print(s.version(), s.cipher()[0], s.selected_alpn_protocol(), names, s.getpeercert()['subject'][0][0][1], flush=True)
    try:
        s.unwrap()
    except Exception:
        pass
`,
    );
    const child = start('python3', [file]);
    children.push(child);
    await child.waitFor(/READY/, 10_000);
    const ctx = clientContext();
    ctx.setAlpnProtocols(['h2']);
    ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const conn = await connect(port, ctx, 'localhost');
    cleanups.push(() => conn.socket.destroy());
    await within(10_000, 'handshake', conn.handshakeDone);
    conn.write('from sanstls');
    await conn.waitFor(/echo:from sanstls/);
    await child.waitFor(/TLSv1\.3/, 10_000);
    // Python's server prefers its own order (OP_CIPHER_SERVER_PREFERENCE): AES-256-GCM.
    expect(child.stdout()).toContain("TLSv1.3 TLS_AES_256_GCM_SHA384 h2 ['localhost'] client");
    expect(conn.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'server-rsa2048']]] });
    conn.close();
    const closed = (await within(10_000, 'close', conn.closed)) as SSLError | string;
    expect(typeof closed === 'string' || closed.reason === 'ZERO_RETURN').toBe(true);
  });
});
