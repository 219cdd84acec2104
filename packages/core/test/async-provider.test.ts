/**
 * An asynchronous crypto provider on the client (issue #9: WebCrypto's key agreement and verification
 * answer with promises). The provider here is the noble provider with every client-side key exchange and
 * server-signature check delivered as a promise (real results, later): the handshake parks at
 * `generateKeyShare`, `completeKeyShare` and `verifyServerSignature`, resumes, and sends exactly the bytes
 * the synchronous provider sends. Negative cases: a bad server signature (decrypt_error), an invalid
 * server share (illegal_parameter), a rejected promise (a clear SSLError, not internal_error).
 */
import {
  type CryptoProvider,
  defaultProvider,
  type KeyExchangeGroup,
  type SSLContext,
  SSLError,
  SSLWantReadError,
  type SuspensionPoint,
  TLSVersion,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  makePair,
  type Pair,
  record,
  seededRandom,
  serverContext,
  splitRecords,
  testPki,
  transfer,
} from './helpers/tls-pair.js';

/** Settles on the next macrotask: what an asynchronous backend (a worker, WebCrypto's thread pool) does. */
const later = <T>(compute: () => T): Promise<T> =>
  new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        resolve(compute());
      } catch (e) {
        reject(e);
      }
    }, 1),
  );

interface AsyncOptions {
  /** Rejects share generation with this (a failing backend). */
  readonly generateFails?: unknown;
  /** Rejects completion with this instead of the inner provider's answer. */
  readonly completeFails?: unknown;
}

/** `inner` with the client's key exchange and server-signature checks answering through promises. */
function asyncProvider(inner: CryptoProvider = defaultProvider, options: AsyncOptions = {}): CryptoProvider {
  const groups = new Map<string, KeyExchangeGroup | undefined>();
  const wrap = (kx: KeyExchangeGroup): KeyExchangeGroup => ({
    name: kx.name,
    code: kx.code,
    generate: (rb) => kx.generate(rb),
    respond: (share, rb) => kx.respond(share, rb),
    generateClientShare(randomBytes) {
      // The randomness is drawn now, in the order the synchronous provider draws it.
      const offer = kx.generate(randomBytes);
      if (options.generateFails !== undefined) return Promise.reject(options.generateFails);
      return later(() => ({
        publicKey: offer.publicKey,
        complete: (peer: Uint8Array) =>
          options.completeFails !== undefined
            ? Promise.reject(options.completeFails)
            : later(() => offer.complete(peer)),
      }));
    },
  });
  return {
    ...inner,
    name: `async(${inner.name})`,
    group(name) {
      if (!groups.has(name)) {
        const kx = inner.group(name);
        groups.set(name, kx === undefined ? undefined : wrap(kx));
      }
      return groups.get(name);
    },
    verifyHandshakeSignature: (algorithm, key, message, signature) =>
      later(() => inner.verify(algorithm, key, message, signature)),
  };
}

function step(pair: Pair, side: 'client' | 'server'): boolean {
  try {
    pair[side].doHandshake();
    return true;
  } catch (e) {
    if (e instanceof SSLWantReadError) return false;
    throw e;
  }
}

/**
 * Runs both handshakes, waiting whenever a side is parked; returns the suspension points the client
 * passed, in order. Throws the first error either side raises.
 */
async function asyncHandshake(pair: Pair): Promise<SuspensionPoint[]> {
  const points: SuspensionPoint[] = [];
  for (let round = 0; round < 60; round++) {
    const c = step(pair, 'client');
    const clientPoint = pair.client.suspensionPoint;
    transfer(pair);
    const s = step(pair, 'server');
    transfer(pair);
    if (clientPoint !== null) {
      points.push(clientPoint);
      await new Promise<void>((resolve) => {
        pair.client.onResume = resolve;
      });
      continue;
    }
    if (c && s && pair.clientOut.pending === 0 && pair.serverOut.pending === 0) return points;
  }
  throw new Error('handshake did not complete');
}

/** The client's first flight (after its shares settle) to the server, and the server's answer back. */
async function firstRoundTrip(pair: Pair): Promise<void> {
  step(pair, 'client');
  if (pair.client.suspensionPoint !== null) {
    await new Promise<void>((resolve) => {
      pair.client.onResume = resolve;
    });
    step(pair, 'client');
  }
  transfer(pair);
  step(pair, 'server');
  transfer(pair);
}

async function asyncHandshakeError(pair: Pair): Promise<{ client: unknown; points: SuspensionPoint[] }> {
  try {
    const points = await asyncHandshake(pair);
    return { client: undefined, points };
  } catch (e) {
    return { client: e, points: [] };
  }
}

function roundTrip(pair: Pair): void {
  pair.client.write('ping');
  transfer(pair);
  expect(new TextDecoder().decode(pair.server.read(100))).toBe('ping');
  pair.server.write('pong');
  transfer(pair);
  expect(new TextDecoder().decode(pair.client.read(100))).toBe('pong');
}

function asyncClient(options: AsyncOptions = {}, seed?: number): SSLContext {
  const ctx = clientContext({
    cryptoProvider: asyncProvider(defaultProvider, options),
    ...(seed === undefined ? {} : { randomBytes: seededRandom(seed) }),
  });
  return ctx;
}

describe('asynchronous client provider: TLS 1.3', () => {
  it('parks at generateKeyShare, completeKeyShare and verifyServerSignature, then completes', async () => {
    const pair = makePair(asyncClient(), serverContext(['ec256']));
    const points = await asyncHandshake(pair);
    expect(points).toEqual(['generateKeyShare', 'completeKeyShare', 'verifyServerSignature']);
    expect(pair.client.version()).toBe('TLSv1.3');
    expect(pair.client.connection.negotiated.peerSignatureScheme).toBe(0x0403);
    roundTrip(pair);
  });

  it.each([
    ['rsa2048', 0x0804],
    ['ed25519', 0x0807],
    ['ec384', 0x0503],
  ] as const)('verifies a %s server CertificateVerify asynchronously', async (keyType, scheme) => {
    const pair = makePair(asyncClient(), serverContext([keyType]));
    const points = await asyncHandshake(pair);
    expect(points).toContain('verifyServerSignature');
    expect(pair.client.connection.negotiated.peerSignatureScheme).toBe(scheme);
    roundTrip(pair);
  });

  it.each(['secp256r1', 'secp384r1'])('completes a %s share asynchronously', async (group) => {
    const client = asyncClient();
    client.setGroups([group]);
    const pair = makePair(client, serverContext());
    await asyncHandshake(pair);
    expect(pair.client.connection.negotiated.group).toBe(group);
    roundTrip(pair);
  });

  it('regenerates the share after a HelloRetryRequest asynchronously', async () => {
    const client = asyncClient();
    client.setGroups(['x25519', 'secp256r1']);
    const server = serverContext();
    server.setGroups(['secp256r1']);
    const pair = makePair(client, server);
    const points = await asyncHandshake(pair);
    expect(points).toEqual(['generateKeyShare', 'generateKeyShare', 'completeKeyShare', 'verifyServerSignature']);
    expect(pair.client.connection.negotiated.helloRetried).toBe(true);
    expect(pair.client.connection.negotiated.group).toBe('secp256r1');
    roundTrip(pair);
  });

  it('resumes with a ticket (psk_dhe_ke): the binder goes out after the share settles', async () => {
    const client = asyncClient();
    const server = serverContext();
    const first = makePair(client, server);
    await asyncHandshake(first);
    roundTrip(first); // the tickets arrive with the data
    const session = first.client.session!;
    expect(session.hasTicket).toBe(true);
    const second = makePair(client, server, 'localhost', session);
    const points = await asyncHandshake(second);
    // The PSK authenticates the server: no signature to check, only the (EC)DHE share (§4.2.9).
    expect(points).toEqual(['generateKeyShare', 'completeKeyShare']);
    expect(second.client.sessionReused).toBe(true);
    expect(second.server.sessionReused).toBe(true);
    roundTrip(second);
  });

  it('sends the bytes the synchronous provider sends (same randomness, same order)', async () => {
    const sent = async (async: boolean): Promise<string> => {
      const client = async
        ? asyncClient({}, 7)
        : clientContext({ cryptoProvider: defaultProvider, randomBytes: seededRandom(7) });
      client.setGroups(['x25519', 'secp256r1']);
      const server = serverContext(['ec256'], { randomBytes: seededRandom(9) });
      server.setGroups(['secp256r1']); // a HelloRetryRequest, so the second share is compared too
      const pair = makePair(client, server);
      const out: Uint8Array[] = [];
      const read = pair.clientOut.read.bind(pair.clientOut);
      pair.clientOut.read = (n?: number) => {
        const b = read(n);
        out.push(b.slice());
        return b;
      };
      await asyncHandshake(pair);
      return Buffer.concat(out).toString('hex');
    };
    const [syncBytes, asyncBytes] = [await sent(false), await sent(true)];
    expect(syncBytes.length).toBeGreaterThan(1000);
    expect(asyncBytes).toBe(syncBytes);
  });
});

describe('asynchronous client provider: TLS 1.2', () => {
  function tls12Client(options: AsyncOptions = {}): SSLContext {
    const client = asyncClient(options);
    client.maximumVersion = TLSVersion.TLSv1_2;
    return client;
  }

  it.each([
    ['ec256', 'x25519'],
    ['rsa2048', 'secp256r1'],
    ['ec384', 'secp384r1'],
  ] as const)(
    'ECDHE with a %s certificate over %s: ServerKeyExchange and key exchange asynchronously',
    async (keyType, group) => {
      const client = tls12Client();
      client.setGroups([group]);
      const pair = makePair(client, serverContext([keyType]));
      const points = await asyncHandshake(pair);
      expect(points).toEqual(['verifyServerSignature', 'generateKeyShare', 'completeKeyShare']);
      expect(pair.client.version()).toBe('TLSv1.2');
      expect(pair.client.connection.negotiated.group).toBe(group);
      roundTrip(pair);
    },
  );

  it('a ServerKeyExchange signature altered in transit → BAD_SIGNATURE (decrypt_error)', async () => {
    const pair = makePair(tls12Client(), serverContext(['ec256']));
    await firstRoundTrip(pair);
    // The server's first flight is plaintext: flip the last byte of the ServerKeyExchange signature.
    const flight = pair.clientIn.read();
    const records = splitRecords(flight);
    let altered = false;
    const bytes = records.map(({ type, body }) => {
      if (type === 22 && !altered) {
        // Walk the handshake messages in this record to the ServerKeyExchange (type 12).
        for (let at = 0; at + 4 <= body.length; ) {
          const length = (body[at + 1]! << 16) | (body[at + 2]! << 8) | body[at + 3]!;
          if (body[at] === 12) {
            body[at + 4 + length - 1]! ^= 0x01;
            altered = true;
            break;
          }
          at += 4 + length;
        }
      }
      return record(type, body);
    });
    expect(altered).toBe(true);
    pair.clientIn.write(Buffer.concat(bytes));
    const { client } = await asyncHandshakeError(pair);
    expect(client).toBeInstanceOf(SSLError);
    expect((client as SSLError).reason).toBe('BAD_SIGNATURE');
    expect((client as SSLError).alert).toBe(51);
  });
});

describe('asynchronous client provider: failures', () => {
  it('a CertificateVerify by another key → BAD_SIGNATURE (decrypt_error) after verifyServerSignature', async () => {
    const pki = testPki();
    // The server presents its ec256 certificate but signs with the client certificate's P-256 key.
    const signer = serverContext(['ec256']);
    signer.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const wrongKey = signer.engineConfig().certificates.at(-1)!;
    const server = serverContext([]);
    server.loadCertChainWithSigner(pki.leaf.ec256.certPem, (scheme, content) => wrongKey.sign(scheme, content));
    const pair = makePair(asyncClient(), server);
    const points: SuspensionPoint[] = [];
    let error: unknown;
    try {
      points.push(...(await asyncHandshake(pair)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SSLError);
    expect((error as SSLError).reason).toBe('BAD_SIGNATURE');
    expect((error as SSLError).alert).toBe(51);
    // The server hears decrypt_error.
    transfer(pair);
    expect(() => pair.server.doHandshake()).toThrow(/DECRYPT_ERROR/);
  });

  it('an invalid x25519 share in the ServerHello → BAD_KEY_SHARE (illegal_parameter)', async () => {
    const client = asyncClient();
    client.setGroups(['x25519']);
    const pair = makePair(client, serverContext());
    await firstRoundTrip(pair);
    const flight = pair.clientIn.read();
    // key_share (0x0033), length 36, x25519 (0x001d), 32 bytes: the all-zero point gives an all-zero
    // shared secret, which RFC 8446 §7.4.2 says to reject.
    const hex = Buffer.from(flight).toString('hex');
    const at = hex.indexOf('00330024001d0020');
    expect(at).toBeGreaterThan(0);
    flight.fill(0, at / 2 + 8, at / 2 + 40);
    pair.clientIn.write(flight);
    const { client: error } = await asyncHandshakeError(pair);
    expect(error).toBeInstanceOf(SSLError);
    expect((error as SSLError).reason).toBe('BAD_KEY_SHARE');
    expect((error as SSLError).alert).toBe(47);
  });

  it('a completion rejected with a non-SSLError → BAD_KEY_SHARE (illegal_parameter) with the cause', async () => {
    const cause = new Error('OperationError: invalid public key');
    const pair = makePair(asyncClient({ completeFails: cause }), serverContext());
    const { client: error } = await asyncHandshakeError(pair);
    expect(error).toBeInstanceOf(SSLError);
    expect((error as SSLError).reason).toBe('BAD_KEY_SHARE');
    expect((error as SSLError).alert).toBe(47);
    expect((error as SSLError).message).toContain('invalid public key');
    expect((error as Error).cause).toBe(cause);
  });

  it('a generation rejected → INTERNAL_ERROR naming the cause; an SSLError rejection passes through', async () => {
    const pair = makePair(asyncClient({ generateFails: new Error('no entropy') }), serverContext());
    const { client: error } = await asyncHandshakeError(pair);
    expect((error as SSLError).reason).toBe('INTERNAL_ERROR');
    expect((error as SSLError).message).toContain('key share generation failed: no entropy');
    const own = new SSLError('the backend lacks this group', { library: 'SSL', reason: 'NOT_SUPPORTED', alert: 40 });
    const pair2 = makePair(asyncClient({ generateFails: own }), serverContext());
    expect((await asyncHandshakeError(pair2)).client).toBe(own);
  });
});
