/**
 * The Web Streams binding in Node: connectTls ↔ acceptTls over in-memory stream pairs (both sides sanstls),
 * backpressure both ways, close_notify, truncation, certificate errors, the WebCrypto-assisted verifier and
 * signer, and the WebTransport binding over a stand-in session.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OP_IGNORE_UNEXPECTED_EOF } from '@sanstls/core';
import {
  acceptTls,
  CERT_REQUIRED,
  connectTls,
  createWebContext,
  ecdsaDerToP1363,
  ecdsaP1363ToDer,
  memoryStreamPair,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  type StreamPair,
  type TlsStream,
  verifyChainWithWebCrypto,
  webCryptoSigner,
  webTransportStreams,
} from '@sanstls/web-adapter';
import {
  concatBytes,
  nobleSignatureProvider,
  PEM_cert_to_DER_cert,
  pemBlocks,
  VerifiedSignatureCache,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { testPki } from './helpers/pki.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readable) parts.push(chunk);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function serverOptions(kind: 'ec' | 'rsa' | 'untrusted' = 'ec') {
  const leaf = testPki()[kind];
  return { certChain: { cert: leaf.chainPem, key: leaf.keyPem }, alpnProtocols: ['h2', 'http/1.1'] };
}

/** A client and a server over an in-memory pipe; both promises settle (one may reject). */
async function connectPair(
  clientOptions: Parameters<typeof connectTls>[1],
  server = serverOptions(),
  pipe: [StreamPair, StreamPair] = memoryStreamPair(),
) {
  const [a, b] = pipe;
  const serverSide = acceptTls(b, server);
  const clientSide = connectTls(a, clientOptions);
  const [client, srv] = await Promise.allSettled([clientSide, serverSide]);
  return { client, server: srv };
}

async function connected(clientOptions: Parameters<typeof connectTls>[1] = {}, server = serverOptions()) {
  const { client, server: srv } = await connectPair(
    { serverHostname: 'localhost', trustAnchors: testPki().caPem, ...clientOptions },
    server,
  );
  if (client.status === 'rejected') throw client.reason;
  if (srv.status === 'rejected') throw srv.reason;
  return { client: client.value, server: srv.value };
}

describe('connectTls / acceptTls over in-memory streams', () => {
  it('handshakes, reports the session and carries data both ways', async () => {
    const { client, server } = await connected({ alpnProtocols: ['http/1.1'] });
    expect(client.info.protocol).toBe('TLSv1.3');
    expect(client.info.cipher).toMatch(/^TLS_/);
    expect(client.info.alpn).toBe('http/1.1');
    expect(server.info.alpn).toBe('http/1.1');
    expect(client.info.peerCertificate).toMatchObject({ subject: [[['commonName', 'ec-server']]] });
    expect(client.info.peerCertificateChain).toHaveLength(2);
    expect(client.info.peerCertificateChain[0]).toEqual(PEM_cert_to_DER_cert(testPki().ec.certPem));
    expect(client.info.verifiedChain?.at(-1)).toEqual(PEM_cert_to_DER_cert(testPki().caPem));
    expect(client.sslObject.cipher()?.[0]).toBe(client.info.cipher);

    const w = client.writable.getWriter();
    await w.write(enc.encode('ping'));
    const r = server.readable.getReader();
    expect(dec.decode((await r.read()).value)).toBe('ping');
    r.releaseLock();
    const sw = server.writable.getWriter();
    await sw.write(enc.encode('pong'));
    const cr = client.readable.getReader();
    expect(dec.decode((await cr.read()).value)).toBe('pong');
    cr.releaseLock();

    // close_notify (RFC 8446 §6.1): closing one writable ends the other side's readable cleanly.
    await w.close();
    expect(await readAll(server.readable)).toHaveLength(0);
    await sw.close();
    expect(await readAll(client.readable)).toHaveLength(0);
    await expect(client.closed).resolves.toBeUndefined();
    await expect(server.closed).resolves.toBeUndefined();
  });

  it('moves a megabyte each way intact, in chunks larger than a record', async () => {
    const { client, server } = await connected();
    const up = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    const down = new Uint8Array((1 << 20) + 123).map((_, i) => (i * 7) & 0xff);
    const send = async (s: TlsStream, data: Uint8Array) => {
      const w = s.writable.getWriter();
      for (let at = 0; at < data.length; at += 100_000) await w.write(data.subarray(at, at + 100_000));
      await w.close();
    };
    const [gotUp, gotDown] = await Promise.all([
      readAll(server.readable),
      readAll(client.readable),
      send(client, up),
      send(server, down),
    ]);
    // Buffer.compare: a deep toEqual over a megabyte takes seconds.
    expect(Buffer.compare(gotUp, up)).toBe(0);
    expect(Buffer.compare(gotDown, down)).toBe(0);
  });

  it('applies backpressure to a writer whose peer does not read, then delivers everything', async () => {
    const { client, server } = await connected({ highWaterMark: 16 * 1024 }, { ...serverOptions() });
    const w = client.writable.getWriter();
    const chunk = new Uint8Array(16 * 1024).fill(7);
    let accepted = 0;
    let blocked = false;
    for (let i = 0; i < 200; i++) {
      const ready = await Promise.race([w.ready.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
      if (!ready) {
        blocked = true;
        break;
      }
      void w.write(chunk).catch(() => {});
      accepted += chunk.length;
    }
    // Pipe buffers (64 KiB each way) + TLS stream buffers bound what is in flight: far below 200 × 16 KiB.
    expect(blocked).toBe(true);
    expect(accepted).toBeLessThan(1024 * 1024);
    const closing = w.close();
    const got = await readAll(server.readable);
    await closing;
    expect(got.length).toBe(accepted);
  });

  it('stops reading the transport while the application does not read', async () => {
    const [a, b] = memoryStreamPair(8 * 1024);
    let pulled = 0;
    const counted = a.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          pulled += c.length;
          ctl.enqueue(c);
        },
      }),
    );
    const { client, server } = await connectPair(
      { serverHostname: 'localhost', trustAnchors: testPki().caPem, highWaterMark: 16 * 1024 },
      serverOptions(),
      [{ readable: counted, writable: a.writable }, b],
    );
    if (client.status !== 'fulfilled' || server.status !== 'fulfilled') throw new Error('handshake failed');
    const sw = server.value.writable.getWriter();
    const big = new Uint8Array(4 << 20);
    const writing = sw.write(big);
    await new Promise((r) => setTimeout(r, 200));
    const stalled = pulled;
    expect(stalled).toBeLessThan(512 * 1024); // the server's 4 MiB write is held back
    const got = readAll(client.value.readable);
    await writing;
    await sw.close();
    expect((await got).length).toBe(big.length);
  });

  it('raises SSLEOFError when the transport ends without close_notify', async () => {
    const [a, b] = memoryStreamPair();
    // The server's bytes reach the client through a pipe the test can end: a clean transport EOF with
    // no close_notify before it (truncation, RFC 8446 §6.1).
    let cut!: TransformStreamDefaultController<Uint8Array>;
    const toClient = new TransformStream<Uint8Array, Uint8Array>({
      start(c) {
        cut = c;
      },
    });
    void a.readable.pipeTo(toClient.writable).catch(() => {});
    const serverSide = acceptTls(b, serverOptions());
    const client = await connectTls(
      { readable: toClient.readable, writable: a.writable },
      { serverHostname: 'localhost', trustAnchors: testPki().caPem },
    );
    const server = await serverSide;
    const w = server.writable.getWriter();
    await w.write(enc.encode('partial'));
    const reader = client.readable.getReader();
    expect(dec.decode((await reader.read()).value)).toBe('partial');
    cut.terminate();
    await expect(reader.read()).rejects.toBeInstanceOf(SSLEOFError);
  });

  // OpenSSL (and so Python) with SSL_OP_IGNORE_UNEXPECTED_EOF takes the transport's end as the end of the stream
  // wherever it falls, inside a record too (its record layer marks the shutdown received on any EOF): the
  // option accepts truncation. The socket adapter (node-adapter ragged-eof.test.ts) does the same.
  for (const where of ['at a record boundary', 'inside a record'] as const) {
    it(`with OP_IGNORE_UNEXPECTED_EOF, an end without close_notify ${where} ends the stream cleanly`, async () => {
      const [a, b] = memoryStreamPair();
      let holding = false;
      const held: Uint8Array[] = [];
      let toClientCtl!: TransformStreamDefaultController<Uint8Array>;
      const toClient = new TransformStream<Uint8Array, Uint8Array>({
        start(c) {
          toClientCtl = c;
        },
        transform(chunk, c) {
          if (holding) held.push(chunk);
          else c.enqueue(chunk);
        },
      });
      void a.readable.pipeTo(toClient.writable).catch(() => {});
      const serverSide = acceptTls(b, serverOptions());
      const context = createWebContext({ trustAnchors: testPki().caPem });
      context.options |= OP_IGNORE_UNEXPECTED_EOF;
      const client = await connectTls(
        { readable: toClient.readable, writable: a.writable },
        { serverHostname: 'localhost', context },
      );
      const server = await serverSide;
      const reader = client.readable.getReader();
      const w = server.writable.getWriter();
      await w.write(enc.encode('hello'));
      expect(dec.decode((await reader.read()).value)).toBe('hello');
      // The next record (more data) is held back, then delivered whole or short of its last byte, then the end.
      holding = true;
      await w.write(enc.encode('lost'));
      // The record crosses the in-memory pipe asynchronously (pipeTo); wait for it (hang guard: 5 s).
      for (let i = 0; held.length === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
      const record = concatBytes(held);
      expect(record.length).toBeGreaterThan(5);
      if (where === 'at a record boundary') toClientCtl.enqueue(record);
      else toClientCtl.enqueue(record.subarray(0, record.length - 1));
      toClientCtl.terminate();
      const next = await reader.read();
      if (where === 'at a record boundary') {
        expect(dec.decode(next.value)).toBe('lost');
        expect((await reader.read()).done).toBe(true);
      } else expect(next.done).toBe(true);
    });
  }

  it('close() sends close_notify and releases the transport', async () => {
    const { client, server } = await connected();
    await client.close();
    await expect(client.closed).resolves.toBeUndefined();
    expect(await readAll(server.readable)).toHaveLength(0);
    await expect(client.writable.getWriter().write(enc.encode('late'))).rejects.toBeInstanceOf(SSLError);
  });
});

describe('certificate errors', () => {
  it('an untrusted CA fails the handshake with SSLCertVerificationError on both paths', async () => {
    for (const webCrypto of [true, false]) {
      const { client, server } = await connectPair(
        { serverHostname: 'localhost', trustAnchors: testPki().caPem, webCrypto },
        serverOptions('untrusted'),
      );
      expect(client.status).toBe('rejected');
      const error = (client as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(SSLCertVerificationError);
      // The rogue chain ends in its own self-signed root: OpenSSL's 19, self-signed certificate in chain.
      expect(error.verifyCode).toBe(19);
      // The server received our alert (unknown_ca, RFC 8446 §6.2).
      expect((server as PromiseRejectedResult).reason).toBeInstanceOf(SSLError);
      expect(String((server as PromiseRejectedResult).reason.message)).toMatch(/UNKNOWN_CA/);
    }
  });

  it('a hostname mismatch is X509_V_ERR_HOSTNAME_MISMATCH (62) on both paths', async () => {
    for (const webCrypto of [true, false]) {
      const { client } = await connectPair({ serverHostname: 'example.com', trustAnchors: testPki().caPem, webCrypto });
      expect((client as PromiseRejectedResult).reason).toBeInstanceOf(SSLCertVerificationError);
      expect((client as PromiseRejectedResult).reason.verifyCode).toBe(62);
    }
  });

  it('settings errors reject the promise (check_hostname without a server name)', async () => {
    const error = await connectTls(memoryStreamPair()[0], { trustAnchors: testPki().caPem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSLError);
    expect(String((error as Error).message)).toMatch(/check_hostname requires server_hostname/);
  });

  it('without trust anchors nothing verifies', async () => {
    const { client } = await connectPair({ serverHostname: 'localhost' });
    expect((client as PromiseRejectedResult).reason).toBeInstanceOf(SSLCertVerificationError);
  });

  it('a failing transport is an SSLError (SSLSyscallError), not a TypeError', async () => {
    const broken: StreamPair = {
      readable: new ReadableStream({
        pull(c) {
          c.error(new Error('connection reset'));
        },
      }),
      writable: new WritableStream(),
    };
    const error = await connectTls(broken, { serverHostname: 'localhost', trustAnchors: testPki().caPem }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SSLError);
    expect(String((error as Error).message)).toMatch(/connection reset/);
  });

  it('an AbortSignal ends a handshake that never completes', async () => {
    const silent: StreamPair = { readable: new ReadableStream(), writable: new WritableStream() };
    const error = await connectTls(silent, {
      serverHostname: 'localhost',
      trustAnchors: testPki().caPem,
      signal: AbortSignal.timeout(50),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSLError);
    expect(String((error as Error).message)).toMatch(/aborted/);
  });
});

describe('WebCrypto-assisted path', () => {
  it('verifies the chain with WebCrypto (auto) and reports it; noble when off', async () => {
    for (const kind of ['ec', 'rsa'] as const) {
      const on = await connected({ webCrypto: 'auto' }, serverOptions(kind));
      const off = await connected({ webCrypto: false }, serverOptions(kind));
      expect(on.client.info.webCryptoVerified).toBe(true);
      expect(off.client.info.webCryptoVerified).toBe(false);
      expect(on.client.info.verifiedChain).toEqual(off.client.info.verifiedChain);
      expect(on.client.info.peerCertificate).toEqual(off.client.info.peerCertificate);
      await Promise.all([on.client.close(), off.client.close()]);
    }
  });

  it('answers every chain signature from WebCrypto, and lets noble decide what WebCrypto rejects', async () => {
    const leaf = PEM_cert_to_DER_cert(testPki().ec.certPem);
    const ca = PEM_cert_to_DER_cert(testPki().caPem);
    const stats = { webCrypto: 0, noble: 0 };
    const chain = await verifyChainWithWebCrypto(
      webcrypto.subtle as SubtleCrypto,
      nobleSignatureProvider,
      { leaf, trustAnchors: [ca], hostname: 'localhost' },
      stats,
    );
    expect(chain).toHaveLength(2);
    expect(stats).toEqual({ webCrypto: 1, noble: 0 });
    // A tampered signature: WebCrypto says invalid, noble re-checks and agrees; verifyChain rejects.
    const bad = leaf.slice();
    bad[bad.length - 5]! ^= 1;
    const badStats = { webCrypto: 0, noble: 0 };
    await expect(
      verifyChainWithWebCrypto(
        webcrypto.subtle as SubtleCrypto,
        nobleSignatureProvider,
        { leaf: bad, trustAnchors: [ca] },
        badStats,
      ),
    ).rejects.toBeInstanceOf(SSLCertVerificationError);
    expect(badStats.webCrypto).toBe(0);
    expect(badStats.noble).toBeGreaterThan(0);
  });

  it('never caches an optimistic answer of the dry run', async () => {
    const bad = PEM_cert_to_DER_cert(testPki().ec.certPem).slice();
    bad[bad.length - 5]! ^= 1;
    const cache = new VerifiedSignatureCache(16);
    const ca = PEM_cert_to_DER_cert(testPki().caPem);
    const options = { leaf: bad, trustAnchors: [ca], verifiedSignatureCache: cache };
    await expect(
      verifyChainWithWebCrypto(webcrypto.subtle as SubtleCrypto, nobleSignatureProvider, options),
    ).rejects.toThrow();
    expect(cache.size).toBe(0);
  });

  it('converts ECDSA signatures between DER and r‖s, refusing malformed DER', () => {
    const raw = new Uint8Array(64).map((_, i) => (i === 0 ? 0x80 : i === 32 ? 0 : i));
    const der = ecdsaP1363ToDer(raw);
    expect(ecdsaDerToP1363(der, 32)).toEqual(raw);
    expect(ecdsaDerToP1363(der.subarray(0, der.length - 1), 32)).toBeUndefined();
    expect(ecdsaDerToP1363(der, 16)).toBeUndefined();
  });

  it('signs client CertificateVerify with a non-extractable CryptoKey (mutual TLS)', async () => {
    const pki = testPki();
    const pkcs8 = createPrivateKey(pki.client.keyPem).export({ type: 'pkcs8', format: 'der' });
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
    ]);
    const clientContext = createWebContext({ trustAnchors: pki.caPem });
    clientContext.loadCertChainWithSigner(pki.client.certPem, webCryptoSigner(key as CryptoKey));
    const serverContext = createWebContext(serverOptions(), true);
    serverContext.verifyMode = CERT_REQUIRED;
    serverContext.loadVerifyLocations({ cadata: pki.caPem });
    const { client, server } = await connectPair({ context: clientContext, serverHostname: 'localhost' }, {
      context: serverContext,
    } as never);
    if (client.status === 'rejected') throw client.reason;
    if (server.status === 'rejected') throw server.reason;
    expect(server.value.info.peerCertificate).toMatchObject({ subject: [[['commonName', 'client']]] });
  });

  it('a signer without a fitting key fails the handshake with an SSLError', async () => {
    const pki = testPki();
    const rsa = await webcrypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-512' },
      false,
      ['sign'],
    );
    const sign = webCryptoSigner(rsa.privateKey as CryptoKey);
    await expect(sign(0x0403, new Uint8Array(10))).rejects.toThrow(/no WebCrypto key can sign with scheme 0x0403/);
    // In a handshake: the client certificate is P-256, the only WebCrypto key RSA-PSS.
    const clientContext = createWebContext({ trustAnchors: pki.caPem });
    clientContext.loadCertChainWithSigner(pki.client.certPem, sign);
    const serverContext = createWebContext(serverOptions(), true);
    serverContext.verifyMode = CERT_REQUIRED;
    serverContext.loadVerifyLocations({ cadata: pki.caPem });
    const { client } = await connectPair({ context: clientContext, serverHostname: 'localhost' }, {
      context: serverContext,
    } as never);
    expect(client.status).toBe('rejected');
    expect((client as PromiseRejectedResult).reason).toBeInstanceOf(SSLError);
  });

  it('falls back to noble for chain signatures WebCrypto has no algorithm for (ECDSA with SHA-224, Ed448)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanstls-web-fallback-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ext = 'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n';
    writeFileSync(join(dir, 'leaf.ext'), ext);
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key');
    openssl('req', '-new', '-key', 'leaf.key', '-subj', '/CN=localhost', '-out', 'leaf.csr');
    const cases = [
      {
        name: 'ecdsa-with-SHA224',
        caKey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
        digest: ['-sha224'],
      },
      { name: 'Ed448', caKey: ['-algorithm', 'Ed448'], digest: [] },
    ];
    for (const c of cases) {
      openssl('genpkey', ...c.caKey, '-out', `${c.name}.key`);
      openssl(
        'req',
        '-x509',
        '-new',
        '-key',
        `${c.name}.key`,
        '-subj',
        `/CN=${c.name} CA`,
        '-days',
        '2',
        '-out',
        `${c.name}.pem`,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        `${c.name}.pem`,
        '-CAkey',
        `${c.name}.key`,
        '-CAcreateserial',
        ...c.digest,
        '-days',
        '2',
        '-extfile',
        'leaf.ext',
        '-out',
        `${c.name}.leaf.pem`,
      );
      const leaf = PEM_cert_to_DER_cert(readFileSync(join(dir, `${c.name}.leaf.pem`), 'utf8'));
      const caPem = readFileSync(join(dir, `${c.name}.pem`), 'utf8');
      const stats = { webCrypto: 0, noble: 0 };
      const options = { leaf, trustAnchors: [PEM_cert_to_DER_cert(caPem)], hostname: 'localhost' };
      const chain = await verifyChainWithWebCrypto(
        webcrypto.subtle as SubtleCrypto,
        nobleSignatureProvider,
        options,
        stats,
      );
      expect({ name: c.name, chain: chain.length, stats }).toEqual({
        name: c.name,
        chain: 2,
        stats: { webCrypto: 0, noble: 1 },
      });
      // The same through a handshake: WebCrypto's path runs (and hands this signature to noble).
      const leafPem = readFileSync(join(dir, `${c.name}.leaf.pem`), 'utf8');
      const { client } = await connected(
        { trustAnchors: caPem, webCrypto: true },
        { certChain: { cert: leafPem, key: readFileSync(join(dir, 'leaf.key'), 'utf8') }, alpnProtocols: [] },
      );
      expect(client.info.webCryptoVerified).toBe(true);
      expect(client.info.verifiedChain).toHaveLength(2);
      await client.close();
    }
  });
});

describe('WebTransport binding (stand-in session: no HTTP/3 server here)', () => {
  it('runs TLS over a bidirectional stream of a session object, and lists incoming streams', async () => {
    const [near, far] = memoryStreamPair();
    const incoming = new ReadableStream<StreamPair>({
      start(c) {
        c.enqueue(far);
        c.close();
      },
    });
    const session = {
      ready: Promise.resolve(),
      createBidirectionalStream: async () => near,
      incomingBidirectionalStreams: incoming,
    };
    const streams = webTransportStreams(session);
    const serverStreams: StreamPair[] = [];
    for await (const s of streams.incoming()) serverStreams.push(s);
    expect(serverStreams).toHaveLength(1);
    const serverSide = acceptTls(serverStreams[0]!, serverOptions());
    const client = await connectTls(await streams.open(), {
      serverHostname: 'localhost',
      trustAnchors: testPki().caPem,
    });
    const server = await serverSide;
    const w = client.writable.getWriter();
    await w.write(enc.encode('over webtransport'));
    await w.close();
    expect(dec.decode(await readAll(server.readable))).toBe('over webtransport');
  });

  it('a session that fails to open is an SSLError', async () => {
    const session = {
      ready: Promise.reject(new Error('handshake refused')),
      createBidirectionalStream: async () => memoryStreamPair()[0],
    };
    session.ready.catch(() => {});
    await expect(webTransportStreams(session).open()).rejects.toThrow(/WebTransport: handshake refused/);
  });
});

describe('trust input', () => {
  it('takes PEM text, DER bytes and lists of both', () => {
    const pki = testPki();
    const der = PEM_cert_to_DER_cert(pki.caPem);
    const ctx = createWebContext({ trustAnchors: [pki.caPem, der, pemBlocks(pki.untrusted.chainPem)[1]!.der] });
    expect(ctx.trustStore.certificates().length).toBeGreaterThanOrEqual(2);
    expect(() => createWebContext({ trustAnchors: 'not a pem' })).toThrow(SSLError);
  });
});
