/**
 * OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) through the node:tls-shaped API and the CLI, checked against the
 * real thing both ways: node:tls's `requestOCSP` / 'OCSPResponse' / 'OCSPRequest', and `openssl s_server
 * -status_file` / `openssl s_client -status`. The response is a real one from `openssl ocsp` (core's test CA helper).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodeTls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ocspResponse } from '../../core/test/helpers/openssl-ca.js';
import { connect, createServer, type Server, type TLSSocket } from '../src/index.js';
import { buildCli, type CliHarness } from './helpers/cli.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { peerAvailability, skipUnless, startOpenSslClient, startOpenSslServer } from './helpers/peers.js';
import { type Child, within } from './helpers/processes.js';

const VERSIONS = ['TLSv1.3', 'TLSv1.2'] as const;

let fx: Fixtures;
let response: Buffer;
let responseFile: string;
beforeAll(() => {
  fx = makeFixtures(['ecdsa']);
  const chain = fx.chains.ecdsa;
  const made = ocspResponse(fx.dir, { certFile: chain.caCert, keyFile: chain.caKey }, chain.serverCert);
  response = Buffer.from(made.der);
  responseFile = made.file;
});
afterAll(() => fx?.cleanup());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  // Last in, first out: the connections go before their server is closed.
  for (const f of cleanups.splice(0).reverse()) await f();
});

const chain = () => fx.chains.ecdsa;
const pem = (path: string) => readFileSync(path, 'utf8');
const der = (path: string) => Buffer.from(new X509Certificate(readFileSync(path)).raw);

async function listening(server: Server | nodeTls.Server): Promise<number> {
  const accepted = new Set<import('node:net').Socket>();
  server.on('connection', (raw: import('node:net').Socket) => accepted.add(raw));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const raw of accepted) raw.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as { port: number }).port;
}

/** The events a client saw, in order, until its handshake ended (or failed). */
function watch(socket: TLSSocket | nodeTls.TLSSocket): Promise<{ order: string[]; ocsp: (Buffer | null)[] }> {
  const order: string[] = [];
  const ocsp: (Buffer | null)[] = [];
  cleanups.push(() => socket.destroy());
  socket.on('OCSPResponse', (r: Buffer | null) => {
    order.push('OCSPResponse');
    ocsp.push(r);
  });
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', () => {
      order.push('secureConnect');
      resolve({ order, ocsp });
    });
    socket.once('error', reject);
  });
}

type OcspCallback = (err: Error | null, response?: Buffer | null) => void;
type AnyServer = Server | nodeTls.Server;

/**
 * Both directions run the same cases, so ours behaves as node:tls does on either side: our server with Node's client,
 * and Node's server with our client.
 */
const DIRECTIONS = [
  {
    name: 'our server (createServer) ↔ node:tls client',
    server: (options: { cert: string; key: string; ca?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): AnyServer =>
      createServer(options),
    client: (port: number, requestOCSP: boolean, session?: unknown) =>
      nodeTls.connect({ ...clientOptions(port), requestOCSP, ...(session ? { session: session as Buffer } : {}) }),
  },
  {
    name: 'node:tls server ↔ our client (connect)',
    server: (options: { cert: string; key: string; ca?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): AnyServer =>
      nodeTls.createServer(options),
    client: (port: number, requestOCSP: boolean, session?: unknown) =>
      connect({ ...clientOptions(port), requestOCSP, session }),
  },
] as const;

const clientOptions = (port: number) => ({ host: '127.0.0.1', port, servername: 'localhost', ca: pem(chain().caCert) });

for (const direction of DIRECTIONS) {
  describe(`OCSP stapling, ${direction.name}`, () => {
    for (const version of VERSIONS) {
      it(`${version}: 'OCSPRequest' gets the leaf and its issuer; 'OCSPResponse' brings the answer before 'secureConnect'`, async () => {
        const server = direction.server({
          cert: pem(chain().serverCert),
          key: pem(chain().serverKey),
          ca: pem(chain().caCert), // the issuer comes from here: the chain is the leaf alone
          maxVersion: version,
        });
        const requests: [Buffer | null, Buffer | null][] = [];
        server.on('OCSPRequest', (certificate: Buffer | null, issuer: Buffer | null, callback: OcspCallback) => {
          requests.push([certificate, issuer]);
          setTimeout(() => callback(null, response), 5); // asynchronous, as a responder fetch
        });
        const client = direction.client(await listening(server), true);
        const seen = await within(15_000, 'client handshake', watch(client));
        expect(client.getProtocol()).toBe(version);
        expect(client.authorized).toBe(true);
        expect(seen.order).toEqual(['OCSPResponse', 'secureConnect']);
        expect(seen.ocsp[0]).toEqual(response);
        expect(requests).toEqual([[der(chain().serverCert), der(chain().caCert)]]);
      });
    }

    it("a client that does not ask: no 'OCSPRequest', no 'OCSPResponse'; one that asks, answered null: null", async () => {
      const server = direction.server({ cert: pem(chain().serverChain), key: pem(chain().serverKey) });
      const issuers: (Buffer | null)[] = [];
      server.on('OCSPRequest', (_certificate: Buffer | null, issuer: Buffer | null, callback: OcspCallback) => {
        issuers.push(issuer);
        callback(null, null);
      });
      const port = await listening(server);
      const plain = await within(15_000, 'handshake', watch(direction.client(port, false)));
      expect(plain.order).toEqual(['secureConnect']);
      expect(issuers).toEqual([]);
      const none = await within(15_000, 'handshake', watch(direction.client(port, true)));
      expect(none.order).toEqual(['OCSPResponse', 'secureConnect']);
      expect(none.ocsp).toEqual([null]);
      expect(issuers).toEqual([der(chain().caCert)]); // from the chain the server sends
    });

    for (const version of VERSIONS) {
      it(`${version}: resumed, no 'OCSPRequest'; 'OCSPResponse' is null under TLS 1.3 and absent under TLS 1.2 (as Node)`, async () => {
        const server = direction.server({
          cert: pem(chain().serverCert),
          key: pem(chain().serverKey),
          maxVersion: version,
        });
        // A resumed handshake sends no Certificate, so there is nothing to staple: Node (OpenSSL's status
        // callback) asks only on the full handshake.
        let requests = 0;
        server.on('OCSPRequest', (_certificate: Buffer | null, _issuer: Buffer | null, callback: OcspCallback) => {
          requests++;
          callback(null, response);
        });
        server.on('secureConnection', (socket: { end(data: string): void }) => socket.end('hi'));
        const port = await listening(server);
        const first = direction.client(port, true);
        const session = new Promise<unknown>((resolve) => first.once('session', resolve));
        first.on('data', () => {}); // read: TLS 1.3 tickets come after the handshake
        expect((await within(15_000, 'first handshake', watch(first))).ocsp).toEqual([response]);
        const second = direction.client(port, true, await within(15_000, "the 'session' event", session));
        const seen = await within(15_000, 'resumed handshake', watch(second));
        expect(second.isSessionReused()).toBe(true);
        expect(requests).toBe(1);
        if (version === 'TLSv1.3') {
          expect(seen.order).toEqual(['OCSPResponse', 'secureConnect']);
          expect(seen.ocsp).toEqual([null]);
        } else {
          expect(seen.order).toEqual(['secureConnect']);
        }
      });
    }

    it("an error from the 'OCSPRequest' callback fails that handshake and is the 'tlsClientError'", async () => {
      const server = direction.server({ cert: pem(chain().serverCert), key: pem(chain().serverKey) });
      server.on('OCSPRequest', (_certificate: Buffer | null, _issuer: Buffer | null, callback: OcspCallback) =>
        callback(new Error('responder down')),
      );
      const failure = new Promise<Error>((resolve) => server.once('tlsClientError', resolve));
      const client = direction.client(await listening(server), true);
      await expect(within(15_000, 'failed handshake', watch(client))).rejects.toThrow();
      expect((await within(5_000, 'tlsClientError', failure)).message).toBe('responder down');
    });
  });
}

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('CLI: -status and -status_file with openssl', () => {
  let cli: CliHarness;
  const children: Child[] = [];
  beforeAll(async () => {
    cli = await buildCli();
  });
  afterAll(async () => {
    for (const child of children) await child.stop();
    cli?.cleanup();
  });

  /** s_client's trust and name flags, ours and OpenSSL's alike. */
  const trust = () => ['-CAfile', chain().caCert, '-servername', 'localhost'];
  /** `sanstls s_client -status` fetching a page from 127.0.0.1:port. */
  const sanstlsClient = (port: number) =>
    cli.run(['s_client', '-connect', `127.0.0.1:${port}`, ...trust(), '-status'], {
      input: 'GET / HTTP/1.0\r\n\r\n',
      timeoutMs: 15_000,
    });
  /** `sanstls s_server` arguments with the fixture chain, stapling `statusFile`. */
  const sanstlsServer = (statusFile: string) => [
    's_server',
    '-accept',
    '127.0.0.1:0',
    '-cert',
    chain().serverCert,
    '-key',
    chain().serverKey,
    '-status_file',
    statusFile,
  ];

  it('sanstls s_client -status prints what openssl s_server -status_file staples, as openssl s_client does', async () => {
    const peer = await startOpenSslServer([
      '-cert',
      chain().serverCert,
      '-key',
      chain().serverKey,
      '-status_file',
      responseFile,
      '-www',
    ]);
    children.push(peer.child);
    const ours = await sanstlsClient(peer.port);
    expect(ours.status).toBe(0);
    const theirs = startOpenSslClient(peer.port, [...trust(), '-status']);
    children.push(theirs);
    theirs.write('GET / HTTP/1.0\r\n\r\n');
    await theirs.exited(15_000);
    // OpenSSL's block, from "OCSP response:" through the closing rule, minus the certificates it prints after the
    // signature (we count them instead).
    const block = (text: string) =>
      /OCSP response: \n=+\n[\s\S]*?Signature Value:\n(?: {8}[0-9a-f:]+\n)+/.exec(text)?.[0];
    expect(block(ours.stderr)).toBeDefined();
    expect(block(ours.stderr)).toBe(block(theirs.stdout()));
    expect(ours.stderr).toMatch(/Cert Status: good/);
  });

  it('sanstls s_client -status against a server that staples nothing: "no response sent"', async () => {
    const peer = await startOpenSslServer(['-cert', chain().serverCert, '-key', chain().serverKey, '-www']);
    children.push(peer.child);
    const ours = await sanstlsClient(peer.port);
    expect(ours.stderr).toMatch(/^OCSP response: no response sent$/m);
  });

  for (const version of VERSIONS) {
    it(`${version}: openssl s_client -status reads what sanstls s_server -status_file staples`, async () => {
      const child = cli.start([...sanstlsServer(responseFile), '-www']);
      children.push(child);
      const port = Number((await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 15_000, 'stdout'))[1]);
      const client = startOpenSslClient(port, [version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2', ...trust(), '-status']);
      children.push(client);
      client.write('GET / HTTP/1.0\r\n\r\n');
      expect(await client.exited(15_000)).toBe(0);
      const out = client.stdout();
      expect(out).toMatch(/OCSP Response Status: successful \(0x0\)/);
      expect(out).toMatch(/Cert Status: good/);
      expect(out).toMatch(new RegExp(`Protocol: ${version.replace('.', '\\.')}`));
      expect(out).toMatch(/Verify return code: 0 \(ok\)/);
    });
  }

  it('sanstls s_server -status_file with a missing file fails at once (exit status 1)', async () => {
    const result = await cli.run(sanstlsServer(`${fx.dir}/absent.der`), { timeoutMs: 15_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error reading OCSP response file/);
  });
});
