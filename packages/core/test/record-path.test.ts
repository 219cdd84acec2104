/**
 * The allocation-lean record path (issue #9): records sealed in place (AeadKey.sealInPlace) must be the
 * bytes seal() produces, and the buffers the BIOs and SSLObject hand out must stay the caller's — never
 * rewritten by later writes, records or the shared BIO arenas.
 */
import { TLSVersion } from '@sanstls/core';
import { SSLError } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { createNobleProvider, defaultProvider } from '../src/crypto/index.js';
import type { AeadKey, AeadName, CryptoProvider } from '../src/crypto/provider.js';
import { MemoryBIO } from '../src/memorybio.js';
import {
  clientContext,
  handshake,
  makePair,
  readAll,
  seededRandom,
  serverContext,
  transfer,
} from './helpers/tls-pair.js';

const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'];
const rnd = seededRandom(7);

describe('AeadKey.sealInPlace (noble provider)', () => {
  for (const name of AEADS) {
    it(`${name}: the bytes of seal(), at aligned and unaligned offsets, the AAD inside the same buffer`, () => {
      const alg = defaultProvider.aead(name);
      const key = alg.create(rnd(alg.keyLength));
      expect(key.sealInPlace).toBeTypeOf('function');
      for (const size of [0, 1, 15, 16, 17, 1000, 16_385]) {
        for (const offset of [5, 8, 13]) {
          const nonce = rnd(12);
          const plaintext = rnd(size);
          const buffer = new Uint8Array(offset + size + 16);
          buffer.set(rnd(offset), 0); // the "header": the AAD, a view into the buffer
          const aad = buffer.slice(0, offset);
          buffer.set(plaintext, offset);
          key.sealInPlace!(nonce, buffer.subarray(0, offset), buffer, offset, size);
          expect(buffer.subarray(0, offset)).toEqual(aad); // the AAD is not touched
          const sealed = key.seal(nonce, plaintext, aad);
          expect(buffer.subarray(offset)).toEqual(sealed);
          expect(key.open(nonce, buffer.subarray(offset), aad)).toEqual(plaintext);
        }
      }
    });

    it(`${name}: a region that does not leave room for the tag is an SSLError, not a short tag`, () => {
      const alg = defaultProvider.aead(name);
      const key = alg.create(rnd(alg.keyLength));
      const nonce = rnd(12);
      expect(() => key.sealInPlace!(nonce, new Uint8Array(5), new Uint8Array(40), 5, 20)).toThrow(SSLError);
      expect(() => key.sealInPlace!(nonce, new Uint8Array(5), new Uint8Array(40), -1, 4)).toThrow(SSLError);
    });
  }
});

/** A provider whose AEAD keys have only seal/open (sealInPlace is optional): the record layer's fallback. */
function withoutSealInPlace(inner: CryptoProvider): CryptoProvider {
  return {
    ...inner,
    aead(name) {
      const alg = inner.aead(name);
      return {
        ...alg,
        create(key): AeadKey {
          const k = alg.create(key);
          return { seal: (n, p, a) => k.seal(n, p, a), open: (n, c, a) => k.open(n, c, a) };
        },
      };
    },
  };
}

describe('records between a provider with sealInPlace and one without', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: both directions carry the same bytes`, () => {
      const client = clientContext({ cryptoProvider: withoutSealInPlace(createNobleProvider()) });
      const server = serverContext(['ec256']);
      if (version === 'TLSv1.2') client.maximumVersion = TLSVersion.TLSv1_2;
      const pair = makePair(client, server);
      handshake(pair);
      expect(pair.client.version()).toBe(version);
      const data = rnd(40_000);
      pair.client.write(data);
      pair.server.write(data);
      transfer(pair);
      expect(readAll(pair.server)).toEqual(data);
      expect(readAll(pair.client)).toEqual(data);
    });
  }
});

describe('buffers handed out stay the caller’s', () => {
  it('MemoryBIO: what read() returned is not rewritten by later writes reusing the arena', () => {
    const bio = new MemoryBIO();
    const first = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    bio.write(first);
    const whole = bio.read(); // the BIO is empty now: its arena went back to the pool
    const other = new MemoryBIO();
    other.write(new Uint8Array(3000).fill(0xaa)); // another BIO borrows the same arena
    bio.write(new Uint8Array(3000).fill(0x55));
    expect(whole).toEqual(first);
    // Partial reads: copies as well.
    const part = bio.read(1000);
    bio.read();
    bio.write(new Uint8Array(3000).fill(0x11));
    expect(part).toEqual(new Uint8Array(1000).fill(0x55));
    expect(other.read()).toEqual(new Uint8Array(3000).fill(0xaa));
  });

  it('MemoryBIO: the caller’s buffer is copied on write, writeOwned buffers are returned as they are', () => {
    const bio = new MemoryBIO();
    const mine = Uint8Array.of(1, 2, 3);
    bio.write(mine);
    mine[0] = 9;
    expect(bio.read()).toEqual(Uint8Array.of(1, 2, 3));
    const owned = Uint8Array.of(4, 5);
    bio.writeOwned(owned);
    expect(bio.read()).toBe(owned);
    // Larger than an arena: a private copy.
    const big = new Uint8Array(300_000).fill(7);
    bio.write(big);
    big.fill(0);
    expect(bio.read().every((b) => b === 7)).toBe(true);
  });

  it('MemoryBIO.drainTo: lends views in order across chunks and consumes exactly n bytes', () => {
    const bio = new MemoryBIO();
    bio.write(Uint8Array.of(1, 2, 3));
    bio.writeOwned(Uint8Array.of(4, 5));
    bio.write('67');
    const seen: number[][] = [];
    expect(bio.drainTo(4, (v) => seen.push([...v]))).toBe(4);
    expect(seen).toEqual([[1, 2, 3], [4]]);
    expect(bio.pending).toBe(3);
    expect(bio.drainTo(-1, (v) => seen.push([...v]))).toBe(3);
    expect(seen.slice(2)).toEqual([[5], [0x36, 0x37]]);
    expect(bio.drainTo(5, () => expect.unreachable())).toBe(0);
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: data returned by SSLObject.read() is not mutated by later records`, () => {
      const client = clientContext();
      const server = serverContext(['ec256']);
      if (version === 'TLSv1.2') client.maximumVersion = TLSVersion.TLSv1_2;
      const pair = makePair(client, server);
      handshake(pair);
      const reads: Uint8Array[] = [];
      const copies: Uint8Array[] = [];
      for (let i = 0; i < 6; i++) {
        pair.client.write(new Uint8Array(16_384 + i * 1000).fill(i + 1));
        pair.serverIn.write(pair.clientOut.read());
        const got = pair.server.read(5000); // partial reads of a record, then the rest
        reads.push(got);
        copies.push(got.slice());
        const rest = readAll(pair.server);
        reads.push(rest);
        copies.push(rest.slice());
      }
      for (let i = 0; i < reads.length; i++) expect(reads[i], `read ${i}`).toEqual(copies[i]);
      // And the records themselves: what clientOut.read() returned stays as sent.
      pair.client.write(new Uint8Array(100).fill(9));
      const record = pair.clientOut.read();
      const recordCopy = record.slice();
      pair.client.write(new Uint8Array(100).fill(8));
      pair.serverIn.write(record);
      pair.serverIn.write(pair.clientOut.read());
      readAll(pair.server);
      expect(record).toEqual(recordCopy);
    });
  }
});
