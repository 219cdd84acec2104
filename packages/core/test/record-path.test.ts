/**
 * The allocation-lean record path (issue #9): records sealed in place (AeadKey.sealInPlace) must be the
 * bytes seal() produces, and the buffers the BIOs and SSLObject hand out must stay the caller's — never
 * rewritten by later writes, records or the shared BIO arenas.
 */
import { TLSVersion } from '@sanstls/core';
import { SSLError } from '@sanstls/x509';
import fc from 'fast-check';
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

  it('MemoryBIO against a plain byte-array model: random writes, reads, chunk reads and drains over shared arenas', () => {
    const op = fc.oneof(
      // 70,000 bytes overflow an arena (4 records' worth): the write gets its own copy.
      fc.record({
        kind: fc.constant('write' as const),
        bio: fc.nat(2),
        size: fc.oneof(fc.integer({ min: 0, max: 6000 }), fc.constant(70_000)),
      }),
      fc.record({ kind: fc.constant('writeOwned' as const), bio: fc.nat(2), size: fc.integer({ min: 0, max: 6000 }) }),
      fc.record({
        kind: fc.constant('read' as const),
        bio: fc.nat(2),
        size: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 9000 })),
      }),
      fc.record({ kind: fc.constant('readChunks' as const), bio: fc.nat(2), size: fc.constant(0) }),
      fc.record({ kind: fc.constant('drainTo' as const), bio: fc.nat(2), size: fc.integer({ min: -1, max: 9000 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            op,
            op.map((o) => ({ ...o, bio: 0 })),
          ),
          { maxLength: 40 },
        ),
        fc.nat(),
        (ops, seed) => {
          const bios = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
          const models: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];
          // Everything handed out, with the bytes it had then: none may change later.
          const handedOut: Array<[Uint8Array, Uint8Array]> = [];
          let counter = seed;
          const bytes = (n: number) =>
            Uint8Array.from({ length: n }, () => {
              counter = (Math.imul(counter, 1103515245) + 12345) >>> 0;
              return counter >>> 24;
            });
          const take = (i: number, n: number): Buffer => {
            const model = models[i]!;
            const k = n < 0 ? model.length : Math.min(n, model.length);
            models[i] = model.subarray(k);
            return model.subarray(0, k);
          };
          for (const { kind, bio: i, size } of ops) {
            const bio = bios[i]!;
            if (kind === 'write' || kind === 'writeOwned') {
              const data = bytes(size);
              models[i] = Buffer.concat([models[i]!, data]);
              if (kind === 'write') {
                bio.write(data);
                data.fill(0xee); // the caller reuses its buffer
              } else bio.writeOwned(data);
            } else if (kind === 'read') {
              const got = bio.read(size);
              expect(Buffer.from(got).equals(take(i, size))).toBe(true);
              handedOut.push([got, got.slice()]);
            } else if (kind === 'readChunks') {
              const chunks = bio.readChunks();
              expect(Buffer.concat(chunks).equals(take(i, -1))).toBe(true);
              for (const c of chunks) handedOut.push([c, c.slice()]);
            } else {
              const seen: Uint8Array[] = [];
              const n = bio.drainTo(size, (v) => seen.push(v.slice()));
              expect(Buffer.concat(seen).equals(take(i, size))).toBe(true);
              expect(n).toBe(Buffer.concat(seen).length);
            }
            expect(bio.pending).toBe(models[i]!.length);
          }
          // Drained, the BIOs give their arenas back for the next run (and later writes may reuse them).
          for (let i = 0; i < 3; i++) expect(Buffer.concat(bios[i]!.readChunks()).equals(take(i, -1))).toBe(true);
          bios[0]!.write(bytes(60_000));
          bios[1]!.write(bytes(60_000));
          for (const [buffer, copy] of handedOut) expect(Buffer.from(buffer).equals(copy)).toBe(true);
          for (const bio of bios) bio.readChunks();
        },
      ),
      { numRuns: 200 },
    );
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
