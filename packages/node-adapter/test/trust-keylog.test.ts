// The system trust store as contexts load it (SSL_CERT_FILE / SSL_CERT_DIR, OpenSSL hashed directories,
// createDefaultContext, loadDefaultCerts), and the key log (SSLKEYLOGFILE, keylogFilename, keylogFile, the
// 'keylog' events) checked line for line against the secrets Node's own TLS reports for the same connection.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  createDefaultContext,
  createServer,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  type TLSSocket,
} from '../src/index.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { peerAvailability, skipUnless } from './helpers/peers.js';
import { within } from './helpers/processes.js';

let fx: Fixtures;
let port: number;
let server: net.Server;
const savedEnv = { ...process.env };

const listen = async (s: net.Server): Promise<number> => {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as net.AddressInfo).port;
};

beforeAll(async () => {
  fx = makeFixtures(['ecdsa']);
  const chain = fx.chains.ecdsa;
  server = createServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) }, (s) => s.pipe(s));
  server.on('tlsClientError', () => {});
  port = await listen(server);
});
afterAll(() => {
  server?.close();
  fx?.cleanup();
});
afterEach(() => {
  for (const key of ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'SSLKEYLOGFILE']) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

/** Handshakes a wrapSocket client on `ctx` with our server; resolves with the outcome. */
async function handshakeWith(ctx: SSLContext): Promise<'ok' | Error> {
  const raw = net.connect({ host: '127.0.0.1', port });
  await once(raw, 'connect');
  const sock = ctx.wrapSocket(raw, { serverHostname: 'localhost' });
  try {
    await within(10_000, 'handshake', sock.doHandshake());
    return 'ok';
  } catch (err) {
    return err as Error;
  } finally {
    await sock.close();
  }
}

/** An `openssl rehash` directory holding the test CA (the form SSL_CERT_DIR and capath take). */
function hashedDir(name: string, ca: string): string {
  const dir = join(fx.dir, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(ca, join(dir, 'test-ca.pem'));
  execFileSync('openssl', ['rehash', dir]);
  return dir;
}

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('trust store', () => {
  it('createDefaultContext() loads SSL_CERT_FILE; a CA not in it fails verification', async () => {
    process.env.SSL_CERT_FILE = fx.chains.ecdsa.caCert;
    process.env.SSL_CERT_DIR = join(fx.dir, 'no-such-dir');
    const ctx = createDefaultContext();
    expect(ctx.getDefaultVerifyPaths().cafile).toBe(fx.chains.ecdsa.caCert);
    expect(ctx.certStoreStats().x509_ca).toBe(1);
    expect(await handshakeWith(ctx)).toBe('ok');

    process.env.SSL_CERT_FILE = fx.otherCaCert;
    const other = await handshakeWith(createDefaultContext());
    expect(other).toBeInstanceOf(SSLCertVerificationError);
    expect((other as SSLCertVerificationError).verifyCode).toBe(20);
  });

  it('SSL_CERT_DIR: an openssl rehash directory is the store when SSL_CERT_FILE points nowhere', async () => {
    process.env.SSL_CERT_FILE = join(fx.dir, 'no-such-file.pem');
    process.env.SSL_CERT_DIR = hashedDir('env-capath', fx.chains.ecdsa.caCert);
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadDefaultCerts();
    // The directory holds the PEM and its hash link: one certificate after de-duplication.
    expect(ctx.certStoreStats().x509_ca).toBe(1);
    expect(await handshakeWith(ctx)).toBe('ok');
  });

  it('loadVerifyLocations(capath): hashed directories, colon-separated as OpenSSL', async () => {
    const empty = join(fx.dir, 'empty-capath');
    mkdirSync(empty, { recursive: true });
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations({ capath: `${empty}:${hashedDir('capath', fx.chains.ecdsa.caCert)}` });
    expect(await handshakeWith(ctx)).toBe('ok');
    const wrong = new SSLContext(PROTOCOL_TLS_CLIENT);
    wrong.loadVerifyLocations(null, hashedDir('other-capath', fx.otherCaCert));
    expect(await handshakeWith(wrong)).toBeInstanceOf(SSLCertVerificationError);
  });

  it("the machine's own store loads as Python's does (same CA count)", async () => {
    delete process.env.SSL_CERT_FILE;
    delete process.env.SSL_CERT_DIR;
    const ctx = createDefaultContext();
    const ours = ctx.certStoreStats().x509_ca;
    expect(ours).toBeGreaterThan(0);
    if (peerAvailability.python()) {
      // Python loads the CA file eagerly and the directory lazily, so compare with the file alone.
      const script =
        'import ssl; c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); p=ssl.get_default_verify_paths();' +
        'c.load_verify_locations(cafile=p.cafile) if p.cafile else None; print(c.cert_store_stats()["x509_ca"])';
      const python = Number(execFileSync('python3', ['-c', script], { encoding: 'utf8' }).trim());
      const fileOnly = new SSLContext(PROTOCOL_TLS_CLIENT);
      const cafile = ctx.getDefaultVerifyPaths().cafile;
      if (cafile !== null) fileOnly.loadVerifyLocations(cafile);
      expect(fileOnly.certStoreStats().x509_ca).toBe(python);
      expect(ours).toBeGreaterThanOrEqual(python);
    }
  });
});

// ------------------------------------------------------------------------------------------------ key log

/** Sorted NSS key-log lines, without comments or blanks. */
const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();

describe('key log', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: our client's 'keylog' lines equal what Node's tls server logs for the same connection`, async () => {
      const chain = fx.chains.ecdsa;
      const theirs: string[] = [];
      const nodeServer = tls.createServer(
        { cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey), maxVersion: version },
        (s) => s.end(),
      );
      nodeServer.on('keylog', (line: Buffer) => theirs.push(line.toString('latin1')));
      const nodePort = await listen(nodeServer);
      try {
        const ours: string[] = [];
        const socket = connect({
          host: '127.0.0.1',
          port: nodePort,
          servername: 'localhost',
          ca: chain.pem(chain.caCert),
        });
        socket.on('keylog', (line: Buffer) => ours.push(line.toString('latin1')));
        socket.resume();
        await within(10_000, 'close', once(socket, 'close'));
        expect(ours.every((l) => l.endsWith('\n'))).toBe(true);
        expect(lines(ours.join(''))).toEqual(lines(theirs.join('')));
        expect(lines(ours.join('')).length).toBe(version === 'TLSv1.3' ? 5 : 1);
      } finally {
        nodeServer.close();
      }
    });
  }

  it("our server's 'keylog' event, keylogFile and SSLKEYLOGFILE all give the lines Node's client logs", async () => {
    const chain = fx.chains.ecdsa;
    const file = join(fx.dir, 'server-keys.log');
    const envFile = join(fx.dir, 'env-keys.log');
    process.env.SSLKEYLOGFILE = envFile;
    const ours = createServer(
      { cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey), keylogFile: file },
      (s: TLSSocket) => s.end(),
    );
    const fromEvent: string[] = [];
    ours.on('keylog', (line: Buffer, socket: TLSSocket) => {
      expect(typeof socket.getProtocol).toBe('function');
      fromEvent.push(line.toString('latin1'));
    });
    // A second server without keylogFile: SSLKEYLOGFILE applies.
    const viaEnv = createServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey) }, (s) => s.end());
    const nodeClient = async (p: number): Promise<string[]> => {
      const logged: string[] = [];
      const c = tls.connect({ host: '127.0.0.1', port: p, servername: 'localhost', ca: chain.pem(chain.caCert) });
      c.on('keylog', (line: Buffer) => logged.push(line.toString('latin1')));
      c.resume();
      await within(10_000, 'close', once(c, 'close'));
      return logged;
    };
    try {
      const theirs = await nodeClient(await listen(ours));
      expect(lines(fromEvent.join(''))).toEqual(lines(theirs.join('')));
      expect(lines(readFileSync(file, 'latin1'))).toEqual(lines(theirs.join('')));
      const theirs2 = await nodeClient(await listen(viaEnv));
      expect(lines(readFileSync(envFile, 'latin1'))).toEqual(lines(theirs2.join('')));
    } finally {
      ours.close();
      viaEnv.close();
    }
  });

  it('createDefaultContext honours SSLKEYLOGFILE; keylogFilename appends (Python 3.8)', async () => {
    const file = join(fx.dir, 'python-shaped.log');
    process.env.SSLKEYLOGFILE = file;
    const ctx = createDefaultContext(undefined, { cafile: fx.chains.ecdsa.caCert });
    expect(ctx.keylogFilename).toBe(file);
    expect(await handshakeWith(ctx)).toBe('ok');
    expect(await handshakeWith(ctx)).toBe('ok');
    const logged = lines(readFileSync(file, 'latin1'));
    expect(logged.length).toBe(10); // two TLS 1.3 connections, five secrets each
    expect(new Set(logged.map((l) => l.split(' ')[0]))).toEqual(
      new Set([
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'SERVER_HANDSHAKE_TRAFFIC_SECRET',
        'CLIENT_TRAFFIC_SECRET_0',
        'SERVER_TRAFFIC_SECRET_0',
        'EXPORTER_SECRET',
      ]),
    );
    ctx.keylogFilename = null;
    expect(await handshakeWith(ctx)).toBe('ok');
    expect(lines(readFileSync(file, 'latin1')).length).toBe(10);
  });
});

// ------------------------------------------------------------------------------------------------ key files

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('encrypted key files', () => {
  it('loadCertChain(certfile, keyfile, password) with a string, bytes or a function; a wrong one is an SSLError', async () => {
    const chain = fx.chains.ecdsa;
    const encrypted = join(fx.dir, 'server-encrypted.key');
    // OpenSSL 3's default: PKCS #8 with PBES2 (PBKDF2 + AES-256-CBC).
    execFileSync('openssl', ['pkey', '-in', chain.serverKey, '-aes256', '-passout', 'pass:s3cret', '-out', encrypted]);
    expect(readFileSync(encrypted, 'latin1')).toContain('ENCRYPTED PRIVATE KEY');
    for (const password of ['s3cret', new TextEncoder().encode('s3cret'), () => 's3cret']) {
      const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
      ctx.loadCertChain(chain.serverCert, encrypted, password);
    }
    const wrong = new SSLContext(PROTOCOL_TLS_SERVER);
    expect(() => wrong.loadCertChain(chain.serverCert, encrypted, 'nope')).toThrow(SSLError);
    expect(() => wrong.loadCertChain(chain.serverCert, encrypted)).toThrow(SSLError);

    // node:tls's spelling (key + passphrase) on our server, reached by Node's client.
    const tlsServer = createServer(
      { cert: chain.pem(chain.serverCert), key: readFileSync(encrypted, 'latin1'), passphrase: 's3cret' },
      (s) => s.end('ok'),
    );
    const tlsPort = await listen(tlsServer);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const c = tls.connect({
          host: '127.0.0.1',
          port: tlsPort,
          servername: 'localhost',
          ca: chain.pem(chain.caCert),
        });
        let got = '';
        c.on('data', (d: Buffer) => {
          got += d.toString();
        });
        c.on('end', () => resolve(got));
        c.on('error', reject);
      });
      expect(reply).toBe('ok');
    } finally {
      tlsServer.close();
    }
  });
});
