/**
 * What a resumption costs the engine besides the protocol (issue #9): the peer certificate of a resumed
 * session is restored from the stored chain — not validated again, parsed only when asked for, and
 * parsed once however often the session is resumed (the stored chain array travels from session to the
 * tickets issued on its resumptions) — with the same getPeerCert() as the full handshake, for sessions
 * kept in memory and sessions exported and imported as bytes. And the TLS 1.2 suite preference of a
 * pure-JS provider: ChaCha20-Poly1305 first unless a cipher string was set, as TLS 1.3 does.
 */

import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  CERT_REQUIRED,
  exportSession,
  importSession,
  MemoryBIO,
  OP_NO_TICKET,
  type SSLContext,
  type SSLSession,
  TLSVersion,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { evaluateCipherSuites, PYTHON_DEFAULT_CIPHERS } from '../src/cipher-string.js';
import { createNobleProvider } from '../src/crypto/noble.js';
import { pHash } from '../src/crypto/prf12.js';
import { POOLED_REQUEST_LIMIT, pooledRandomBytes, RANDOM_POOL_BLOCK } from '../src/crypto/random-pool.js';
import { preferChaCha20 } from '../src/session12.js';
import { clientContext, handshake, type Pair, readAll, serverContext, testPki, transfer } from './helpers/tls-pair.js';

function pairWith(clientCtx: SSLContext, serverCtx: SSLContext, session: SSLSession | null = null): Pair {
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  const client = clientCtx.wrapBio(clientIn, clientOut, { serverHostname: 'localhost', session });
  const server = serverCtx.wrapBio(serverIn, serverOut, { serverSide: true });
  return { client, server, clientIn, clientOut, serverIn, serverOut };
}

/** Handshake, then one byte each way (the client takes in the TLS 1.3 tickets). */
function connect(clientCtx: SSLContext, serverCtx: SSLContext, session: SSLSession | null = null): Pair {
  const pair = pairWith(clientCtx, serverCtx, session);
  handshake(pair);
  pair.server.write('x');
  transfer(pair);
  expect(readAll(pair.client)).toEqual(new Uint8Array([0x78]));
  return pair;
}

function contexts(version: 'TLSv1.2' | 'TLSv1.3'): { client: SSLContext; server: SSLContext } {
  const client = clientContext();
  const server = serverContext(['ec256']);
  for (const ctx of [client, server]) {
    if (version === 'TLSv1.2') ctx.maximumVersion = TLSVersion.TLSv1_2;
    else ctx.minimumVersion = TLSVersion.TLSv1_3;
  }
  return { client, server };
}

const peerOf = (pair: Pair, side: 'client' | 'server') => pair[side].connection.negotiated.peerCertificate;

describe('the peer certificate of a resumed session', () => {
  for (const [version, mode] of [
    ['TLSv1.3', 'ticket'],
    ['TLSv1.2', 'ticket'],
    ['TLSv1.2', 'session ID'],
  ] as const) {
    it(`${version} by ${mode}: parsed once over chained resumptions, getPeerCert() as after the full handshake`, () => {
      const { client, server } = contexts(version);
      if (mode === 'session ID') server.options |= OP_NO_TICKET;
      const full = connect(client, server);
      const fullCert = full.client.getPeerCert();
      expect(fullCert).toMatchObject({ subject: [[['commonName', 'server-ec256']]] });
      let session = full.client.session!;
      let firstLeaf: unknown;
      for (let round = 0; round < 3; round++) {
        const resumed = connect(client, server, session);
        expect(resumed.client.sessionReused).toBe(true);
        expect(resumed.client.getPeerCert()).toEqual(fullCert);
        expect(resumed.client.getPeerCert(true)).toEqual(full.client.getPeerCert(true));
        const peer = peerOf(resumed, 'client')!;
        expect(peer.verified).toBe(true);
        expect(peer.chain).toEqual(peerOf(full, 'client')!.chain);
        // The same parsed leaf every time: the newest session still carries the first one's chain array.
        if (round === 0) firstLeaf = peer.leaf;
        else expect(peer.leaf).toBe(firstLeaf);
        expect(peer.publicKey).toEqual(peerOf(full, 'client')!.publicKey);
        session = resumed.client.session!;
      }
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: a session exported and imported as bytes resumes with the same peer certificate`, () => {
      const { client, server } = contexts(version);
      const full = connect(client, server);
      const copy = importSession(exportSession(full.client.session!))!;
      const resumed = connect(client, server, copy);
      expect(resumed.client.sessionReused).toBe(true);
      expect(resumed.client.getPeerCert()).toEqual(full.client.getPeerCert());
      expect(peerOf(resumed, 'client')!.publicKey).toEqual(peerOf(full, 'client')!.publicKey);
    });

    it(`${version}: the server restores the client certificate of a mutually authenticated session`, () => {
      const { client, server } = contexts(version);
      const pki = testPki();
      server.verifyMode = CERT_REQUIRED;
      server.loadVerifyLocations({ cadata: pki.caPem });
      client.loadCertChain(pki.client.certPem, pki.client.keyPem);
      const full = connect(client, server);
      const resumed = connect(client, server, full.client.session!);
      expect(resumed.server.sessionReused).toBe(true);
      expect(resumed.server.getPeerCert()).toEqual(full.server.getPeerCert());
      expect(resumed.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
      expect(peerOf(resumed, 'server')!.publicKey).toEqual(peerOf(full, 'server')!.publicKey);
    });
  }

  it('a resumed session whose peer sent no certificate restores none', () => {
    const { client, server } = contexts('TLSv1.3');
    const full = connect(client, server);
    const resumed = connect(client, server, full.client.session!);
    expect(resumed.server.sessionReused).toBe(true);
    expect(resumed.server.getPeerCert()).toBeNull();
  });
});

describe('TLS 1.2 suite preference by provider', () => {
  const names = (s: readonly { name: string }[]) => s.map((x) => x.name);

  it('a pure-JS provider negotiates ChaCha20-Poly1305 by default; getCiphers() keeps Python’s order', () => {
    const { client, server } = contexts('TLSv1.2');
    const pair = connect(client, server);
    expect(pair.client.cipher()).toEqual(['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 256]);
    const python = names(evaluateCipherSuites(PYTHON_DEFAULT_CIPHERS));
    expect(
      client
        .getCiphers()
        .filter((c) => !c.name.startsWith('TLS_'))
        .map((c) => c.name),
    ).toEqual(python);
  });

  it('an explicit cipher string keeps its order, even the default string', () => {
    const { client, server } = contexts('TLSv1.2');
    for (const ctx of [client, server]) ctx.setCiphers(PYTHON_DEFAULT_CIPHERS);
    expect(connect(client, server).client.cipher()![0]).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
  });

  it('a provider with fast AES-GCM keeps the cipher string’s order', () => {
    const fast = { ...createNobleProvider(), fastAesGcm: true };
    const client = clientContext({ cryptoProvider: fast });
    const server = serverContext(['ec256'], { cryptoProvider: fast });
    client.maximumVersion = TLSVersion.TLSv1_2;
    expect(connect(client, server).client.cipher()![0]).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
  });

  it('preferChaCha20 moves ChaCha20 ahead within each key exchange, keeping ECDHE before DHE', () => {
    const all = evaluateCipherSuites('ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20');
    expect(names(preferChaCha20(all))).toEqual([
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'DHE-RSA-CHACHA20-POLY1305',
      'DHE-RSA-AES256-GCM-SHA384',
      'DHE-RSA-AES128-GCM-SHA256',
    ]);
  });
});

describe('pooledRandomBytes (the providers’ default generators)', () => {
  /** The platform CSPRNG, recording each block it hands out. */
  function recordingSource() {
    const blocks: Uint8Array[] = [];
    const source = (n: number) => {
      const b = globalThis.crypto.getRandomValues(new Uint8Array(n));
      blocks.push(b);
      return b;
    };
    return { source, blocks };
  }

  it('serves small draws from one block, in order, as copies, zeroing each region it hands out', () => {
    const { source, blocks } = recordingSource();
    const draw = pooledRandomBytes(source, 1024);
    const outs = Array.from({ length: 32 }, () => draw(32));
    expect(blocks.map((b) => b.length)).toEqual([1024]);
    expect(blocks[0]!.every((b) => b === 0)).toBe(true);
    const seen = new Set(outs.map((o) => Buffer.from(o).toString('hex')));
    expect(seen.size).toBe(32);
    for (const o of outs) expect(o.length).toBe(32);
    outs[0]!.fill(7);
    expect(outs[1]!.every((b) => b === 7)).toBe(false);
    // The block is spent: the next draw takes a new one.
    expect(draw(4).length).toBe(4);
    expect(blocks.map((b) => b.length)).toEqual([1024, 1024]);
    expect(blocks[1]!.subarray(0, 4).every((b) => b === 0)).toBe(true);
  });

  it('a draw that does not fit the rest of the block takes a fresh block', () => {
    const { source, blocks } = recordingSource();
    const draw = pooledRandomBytes(source, 512);
    draw(200);
    draw(200);
    expect(draw(200).length).toBe(200);
    expect(blocks.map((b) => b.length)).toEqual([512, 512]);
  });

  it('large, empty and odd requests go to the source directly', () => {
    const { source, blocks } = recordingSource();
    const draw = pooledRandomBytes(source);
    expect(draw(POOLED_REQUEST_LIMIT + 1).length).toBe(POOLED_REQUEST_LIMIT + 1);
    expect(draw(0).length).toBe(0);
    expect(blocks.map((b) => b.length)).toEqual([POOLED_REQUEST_LIMIT + 1, 0]);
    expect(draw(48).length).toBe(48);
    expect(blocks.map((b) => b.length)).toEqual([POOLED_REQUEST_LIMIT + 1, 0, RANDOM_POOL_BLOCK]);
  });

  it('the noble provider’s default generator (pooled) never repeats itself over 2,000 draws', () => {
    const draw = createNobleProvider().randomBytes;
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(Buffer.from(draw(8 + (i % 41))).toString('hex'));
    expect(seen.size).toBe(2000);
  });
});

describe('TLS 1.2 PRF with a keyed HMAC (HashAlgorithm.hmacKeyed)', () => {
  /** P_hash spelled out on node:crypto's HMAC (RFC 5246 §5), the reference. */
  function referencePHash(name: 'sha256' | 'sha384', secret: Uint8Array, seed: Uint8Array, length: number) {
    const mac = (data: Uint8Array) => createHmac(name, secret).update(data).digest();
    const out: Buffer[] = [];
    let a: Uint8Array = seed;
    while (Buffer.concat(out).length < length) {
      a = mac(a);
      out.push(mac(Buffer.concat([a, seed])));
    }
    return new Uint8Array(Buffer.concat(out).subarray(0, length));
  }

  it('equals P_hash on node:crypto for both hashes, short and long secrets, any length', () => {
    const provider = createNobleProvider();
    for (const name of ['sha256', 'sha384'] as const) {
      const hash = provider.hash(name);
      expect(hash.hmacKeyed).toBeTypeOf('function');
      for (const secretLength of [0, 32, 48, 129, 200]) {
        for (const length of [0, 12, 48, 88, 200]) {
          const secret = randomBytes(secretLength);
          const seed = randomBytes(77);
          expect(pHash(hash, secret, seed, length)).toEqual(referencePHash(name, secret, seed, length));
        }
      }
    }
  });

  it('keyed HMACs under different keys, used in turn, and a running hash digested repeatedly stay exact', () => {
    // The noble provider copies keyed and running states into reused instances (issue #9): interleaving
    // keys, and digesting between updates, must not carry state from one use into the next.
    const provider = createNobleProvider();
    for (const name of ['sha256', 'sha384'] as const) {
      const hash = provider.hash(name);
      const keys = [randomBytes(32), randomBytes(150)];
      const keyed = keys.map((k) => hash.hmacKeyed!(k));
      for (let i = 0; i < 6; i++) {
        const data = randomBytes(i * 40);
        const k = i % 2;
        expect(keyed[k]!.mac(data)).toEqual(new Uint8Array(createHmac(name, keys[k]!).update(data).digest()));
      }
      for (const k of keyed) k.destroy();
      const state = hash.create();
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < 5; i++) {
        chunks.push(randomBytes(i * 70 + 1));
        state.update(chunks[i]!);
        const expected = new Uint8Array(createHash(name).update(Buffer.concat(chunks)).digest());
        expect(state.digest()).toEqual(expected);
        expect(state.digest()).toEqual(expected);
        expect(state.clone().digest()).toEqual(expected);
      }
    }
  });
});
