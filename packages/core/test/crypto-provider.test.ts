/**
 * The noble provider's own contract: hashing state semantics, randomness, AEAD edge cases, the RFC 7919
 * groups, signature delegation. Oracles: node:crypto and the RFC texts.
 */
import { createDiffieHellman, createECDH, createHash, createHmac, generateKeyPairSync, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPrivateKey, publicKeyFromPrivate, SSLError, signatureAlgorithmFromTlsScheme } from '@sanstls/x509';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FFDHE_PRIMES } from '../src/crypto/ffdhe.js';
import { createNobleProvider, defaultProvider } from '../src/crypto/index.js';
import type { GroupName } from '../src/crypto/provider.js';
import { installPrivateKeySupport } from '../src/support.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const rfc7919 = fileURLToPath(new URL('../../../../shared/reference/rfc/rfc7919.txt', import.meta.url));
const haveRfc7919 = (() => {
  try {
    readFileSync(rfc7919);
    return true;
  } catch {
    return false;
  }
})();
if (!haveRfc7919) console.log(`skipping RFC 7919 prime check: ${rfc7919} is absent`);

describe('noble provider: hashes', () => {
  for (const name of ['sha256', 'sha384'] as const) {
    test(`${name}: digest() snapshots without ending, clone() forks, HMAC/HKDF match node:crypto`, () => {
      const h = defaultProvider.hash(name);
      expect(h.outputLength).toBe(name === 'sha256' ? 32 : 48);
      const state = h.create();
      state.update(Buffer.from('abc'));
      expect(hex(state.digest())).toBe(createHash(name).update('abc').digest('hex'));
      expect(hex(state.digest())).toBe(createHash(name).update('abc').digest('hex')); // still usable
      const fork = state.clone();
      fork.update(Buffer.from('def'));
      state.update(Buffer.from('xyz'));
      expect(hex(fork.digest())).toBe(createHash(name).update('abcdef').digest('hex'));
      expect(hex(state.digest())).toBe(createHash(name).update('abcxyz').digest('hex'));
      expect(hex(h.digest(Buffer.from('')))).toBe(createHash(name).digest('hex'));
      const key = Buffer.from('key');
      expect(hex(h.hmac(key, Buffer.from('msg')))).toBe(createHmac(name, key).update('msg').digest('hex'));
      const prk = h.hkdfExtract(Buffer.from('salt'), Buffer.from('ikm'));
      expect(hex(h.hkdfExpand(prk, Buffer.from('info'), 100))).toBe(
        Buffer.from(hkdfSync(name, Buffer.from('ikm'), Buffer.from('salt'), Buffer.from('info'), 100)).toString('hex'),
      );
      expect(() => h.hkdfExpand(prk, new Uint8Array(0), 255 * h.outputLength + 1)).toThrow(SSLError);
      expect(() => h.hkdfExpand(prk, new Uint8Array(0), -1)).toThrow(SSLError);
      // RFC 5869 §2.3: a PRK shorter than HashLen is refused with an SSLError, not noble's plain Error.
      expect(() => h.hkdfExpand(prk.subarray(0, h.outputLength - 1), new Uint8Array(0), 16)).toThrow(SSLError);
    });
  }
});

describe('noble provider: randomness and options', () => {
  test('platform randomBytes fills large requests (getRandomValues caps at 65536 per call)', () => {
    const r = defaultProvider.randomBytes(200_000);
    expect(r.length).toBe(200_000);
    // A zero tail would mean a chunk was skipped; the chance of 1 KiB of zeros is nil.
    expect(r.subarray(199_000).some((b) => b !== 0)).toBe(true);
    expect(defaultProvider.randomBytes(0).length).toBe(0);
  });

  test('an injected RNG drives key generation byte for byte', () => {
    const seed = new Uint8Array(32).fill(42);
    const provider = createNobleProvider({ randomBytes: (n) => new Uint8Array(n).fill(42) });
    expect(hex(provider.randomBytes(4))).toBe('2a2a2a2a');
    const a = provider.group('x25519')!.generate(provider.randomBytes).publicKey;
    const b = defaultProvider.group('x25519')!.generate(() => seed.slice()).publicKey;
    expect(hex(a)).toBe(hex(b));
    expect(provider.fastAesGcm).toBe(false);
    expect(provider.name).toBe('noble');
  });

  test('an RNG returning the wrong length is refused with an SSLError', () => {
    for (const name of ['x25519', 'secp256r1', 'X25519MLKEM768', 'ffdhe2048'] as GroupName[]) {
      expect(() => defaultProvider.group(name)!.generate(() => new Uint8Array(3)), name).toThrow(SSLError);
    }
  });

  test('group names and code points (RFC 8446 §4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem)', () => {
    const codes: Record<GroupName, number> = {
      x25519: 0x1d,
      secp256r1: 0x17,
      secp384r1: 0x18,
      secp521r1: 0x19,
      X25519MLKEM768: 0x11ec,
      ffdhe2048: 0x100,
      ffdhe3072: 0x101,
      ffdhe4096: 0x102,
    };
    for (const [name, code] of Object.entries(codes)) {
      const group = defaultProvider.group(name as GroupName)!;
      expect(group.name).toBe(name);
      expect(group.code).toBe(code);
    }
    expect(defaultProvider.group('x448' as GroupName)).toBeUndefined();
  });
});

describe('noble provider: AEAD edge cases', () => {
  for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
    test(`${name}: short input, wrong key/nonce sizes, tampering`, () => {
      const alg = defaultProvider.aead(name);
      expect(alg.nonceLength).toBe(12);
      expect(alg.tagLength).toBe(16);
      expect(() => alg.create(new Uint8Array(alg.keyLength + 1))).toThrow(SSLError);
      const key = alg.create(new Uint8Array(alg.keyLength).fill(1));
      const nonce = new Uint8Array(12).fill(2);
      const aad = Uint8Array.of(23, 3, 3, 0, 17);
      for (const n of [0, 15]) expect(key.open(nonce, new Uint8Array(n), aad)).toBeNull();
      expect(() => key.seal(new Uint8Array(8), new Uint8Array(1), aad)).toThrow(SSLError);
      const sealed = key.seal(nonce, Uint8Array.of(1, 2, 3), aad);
      expect(sealed.length).toBe(3 + 16);
      expect(key.open(nonce, sealed, aad)).toEqual(Uint8Array.of(1, 2, 3));
      for (let i = 0; i < sealed.length; i++) {
        const bad = sealed.slice();
        bad[i]! ^= 0x80;
        expect(key.open(nonce, bad, aad), `byte ${i}`).toBeNull();
      }
      expect(key.open(nonce, sealed, Uint8Array.of(23, 3, 3, 0, 18))).toBeNull();
      expect(key.open(new Uint8Array(12), sealed, aad)).toBeNull();
      // The empty plaintext still authenticates.
      expect(key.open(nonce, key.seal(nonce, new Uint8Array(0), aad), aad)).toEqual(new Uint8Array(0));
    });
  }
});

describe('noble provider: NIST groups against node:crypto ECDH', () => {
  for (const [name, curve, length] of [
    ['secp256r1', 'prime256v1', 32],
    ['secp384r1', 'secp384r1', 48],
    ['secp521r1', 'secp521r1', 66],
  ] as const) {
    test(`${name}: uncompressed shares and x-coordinate secrets agree both ways`, () => {
      const group = defaultProvider.group(name)!;
      const node = createECDH(curve);
      const nodePublic = node.generateKeys(); // uncompressed 04 || x || y
      const offer = group.generate(defaultProvider.randomBytes);
      expect(offer.publicKey.length).toBe(1 + 2 * length);
      expect(offer.publicKey[0]).toBe(4);
      const ours = offer.complete(nodePublic);
      expect(ours.length).toBe(length);
      expect(hex(ours)).toBe(node.computeSecret(Buffer.from(offer.publicKey)).toString('hex'));
      const answer = group.respond(nodePublic, defaultProvider.randomBytes);
      expect(hex(answer.sharedSecret)).toBe(node.computeSecret(Buffer.from(answer.share)).toString('hex'));
    });
  }
});

describe('noble provider: FFDHE groups (RFC 7919)', () => {
  test.skipIf(!haveRfc7919)('agreement matches node:crypto DiffieHellman over the RFC 7919 primes', () => {
    const text = readFileSync(rfc7919, 'utf8');
    for (const [name, bits] of [
      ['ffdhe2048', 2048],
      ['ffdhe3072', 3072],
      ['ffdhe4096', 4096],
    ] as const) {
      // Appendix A: "A.n.  ffdheNNNN", then the hex of p (possibly across a page break) before "The generator".
      const section = text.slice(new RegExp(`^A\\.\\d\\.  ${name}$`, 'm').exec(text)!.index);
      const start = section.indexOf('The hexadecimal representation of p is:');
      const block = section.slice(start, section.indexOf('The generator', start)).split('\n').slice(1);
      const prime = Buffer.from(
        block
          .filter((line) => /^\s+[0-9A-F ]+$/.test(line))
          .join('')
          .replace(/\s+/g, ''),
        'hex',
      );
      expect(prime.length * 8).toBe(bits);
      // ffdhe.ts builds the primes from e (Appendix A's formula) instead of carrying their hex.
      expect(FFDHE_PRIMES[name]).toBe(prime.toString('hex'));
      const node = createDiffieHellman(prime, Buffer.from([2]));
      const nodePublic = node.generateKeys();
      const group = defaultProvider.group(name as GroupName)!;
      const offer = group.generate(defaultProvider.randomBytes);
      expect(offer.publicKey.length).toBe(bits / 8);
      const ours = offer.complete(
        nodePublic.length === bits / 8
          ? nodePublic
          : Buffer.concat([Buffer.alloc(bits / 8 - nodePublic.length), nodePublic]),
      );
      const theirs = node.computeSecret(Buffer.from(offer.publicKey));
      // RFC 8446 §7.4.1: the FFDHE shared secret keeps its leading zeros (padded to the size of p).
      expect(hex(ours)).toBe(Buffer.concat([Buffer.alloc(bits / 8 - theirs.length), theirs]).toString('hex'));
      // RFC 7919 §5.1 peer checks: 1 < Y < p − 1, and exactly the size of p.
      const pMinus1 = Buffer.from(prime);
      pMinus1[pMinus1.length - 1]! -= 1;
      const one = Buffer.alloc(bits / 8);
      one[one.length - 1] = 1;
      for (const bad of [
        Buffer.alloc(bits / 8),
        one,
        pMinus1,
        prime,
        Buffer.alloc(bits / 8, 0xff),
        nodePublic.subarray(1),
      ]) {
        expect(() => offer.complete(bad), name).toThrow(SSLError);
        expect(() => group.respond(bad, defaultProvider.randomBytes), name).toThrow(SSLError);
      }
    }
  });

  test('respond and generate agree', () => {
    const group = defaultProvider.group('ffdhe2048')!;
    const offer = group.generate(defaultProvider.randomBytes);
    const answer = group.respond(offer.publicKey, defaultProvider.randomBytes);
    expect(hex(offer.complete(answer.share))).toBe(hex(answer.sharedSecret));
  });
});

describe('noble provider: signatures delegate to @sanstls/x509', () => {
  test('signing goes through the private-key slot: NOT_SUPPORTED until installPrivateKeySupport()', () => {
    // This file imports core's modules, not the full entry, so nothing has installed the slot yet.
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = loadPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const alg = signatureAlgorithmFromTlsScheme(0x0807)!;
    const attempt = () => defaultProvider.sign(alg, key, new Uint8Array(1), defaultProvider.randomBytes);
    expect(attempt).toThrow(SSLError);
    expect(attempt).toThrow(/installPrivateKeySupport\(\)/);
    installPrivateKeySupport();
    expect(attempt()).toHaveLength(64);
  });

  test('Ed25519 and ECDSA P-256 sign/verify round trip through the provider', () => {
    installPrivateKeySupport();
    for (const [type, scheme, options] of [
      ['ed25519', 0x0807, {}],
      ['ec', 0x0403, { namedCurve: 'P-256' }],
    ] as const) {
      const { privateKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
      const key = loadPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      const alg = signatureAlgorithmFromTlsScheme(scheme)!;
      const message = Buffer.from('TLS 1.3, server CertificateVerify');
      const signature = defaultProvider.sign(alg, key, message, defaultProvider.randomBytes);
      expect(defaultProvider.verify(alg, publicKeyFromPrivate(key), message, signature)).toBe(true);
      expect(defaultProvider.verify(alg, publicKeyFromPrivate(key), Buffer.from('other'), signature)).toBe(false);
    }
  });

  test('a custom SignatureProvider replaces the default', () => {
    const calls: string[] = [];
    const provider = createNobleProvider({
      signatures: {
        verify: () => {
          calls.push('verify');
          return true;
        },
        sign: () => {
          calls.push('sign');
          return Uint8Array.of(1);
        },
      },
    });
    const alg = signatureAlgorithmFromTlsScheme(0x0807)!;
    expect(provider.verify(alg, { kind: 'ed25519' } as never, new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(provider.sign(alg, { kind: 'ed25519' } as never, new Uint8Array(0), provider.randomBytes)).toEqual(
      Uint8Array.of(1),
    );
    expect(calls).toEqual(['verify', 'sign']);
  });
});

describe('noble provider: arbitrary peer input only ever raises SSLError', () => {
  const lengths: Record<GroupName, [number, number]> = {
    x25519: [32, 32],
    secp256r1: [65, 65],
    secp384r1: [97, 97],
    secp521r1: [133, 133],
    X25519MLKEM768: [1216, 1120],
    ffdhe2048: [256, 256],
    ffdhe3072: [384, 384],
    ffdhe4096: [512, 512],
  };
  for (const [name, [clientLength, serverLength]] of Object.entries(lengths) as [GroupName, [number, number]][]) {
    test(`${name}: random shares of near-valid lengths`, () => {
      const group = defaultProvider.group(name)!;
      const offer = group.generate(defaultProvider.randomBytes);
      const share = (length: number) =>
        fc.oneof(
          fc.uint8Array({ minLength: length, maxLength: length }),
          fc.uint8Array({ minLength: 0, maxLength: length + 2 }),
          // Valid-looking prefix for the NIST uncompressed form.
          fc.uint8Array({ minLength: length - 1, maxLength: length - 1 }).map((b) => Uint8Array.of(4, ...b)),
        );
      const outcome = (run: () => Uint8Array) => {
        try {
          return run().length;
        } catch (error) {
          if (!(error instanceof SSLError) || error.reason !== 'BAD_KEY_SHARE') throw error;
          return -1;
        }
      };
      const runs = name.startsWith('ffdhe') || name === 'secp521r1' ? 8 : 40;
      fc.assert(
        fc.property(share(serverLength), (peer) => {
          const n = outcome(() => offer.complete(peer));
          expect(n === -1 || n > 0).toBe(true);
        }),
        { numRuns: runs },
      );
      fc.assert(
        fc.property(share(clientLength), (peer) => {
          const n = outcome(() => group.respond(peer, defaultProvider.randomBytes).sharedSecret);
          expect(n === -1 || n > 0).toBe(true);
        }),
        { numRuns: runs },
      );
    });
  }

  test('AEAD open of arbitrary bytes returns null, never throws', () => {
    for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
      const alg = defaultProvider.aead(name);
      const key = alg.create(new Uint8Array(alg.keyLength).fill(5));
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 20 }), (data, aad) => {
          expect(key.open(new Uint8Array(12), data, aad)).toBeNull();
        }),
        { numRuns: 200 },
      );
    }
  });
});
