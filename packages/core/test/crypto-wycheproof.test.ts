/**
 * Wycheproof vectors through the noble provider's own entry points (AeadKey, HashAlgorithm,
 * KeyExchangeGroup), so the code the engine calls is the code under test. Cases outside what TLS can
 * present are counted and printed as skipped with the reason.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { DerReader, SSLError, Tag } from '@sanstls/x509';
import { describe, expect, test } from 'vitest';
import { defaultProvider } from '../src/crypto/index.js';
import type { AeadName, GroupName, TlsHashName } from '../src/crypto/provider.js';

const dir = new URL('../../../../shared/vectors/wycheproof/', import.meta.url);
const haveShared = (() => {
  try {
    readFileSync(new URL('aes_gcm_test.json', dir));
    return true;
  } catch {
    return false;
  }
})();
if (!haveShared) console.log(`skipping Wycheproof tests: ${fileURLToPath(dir)} is absent`);

interface Group<T> {
  tests: T[];
  [key: string]: unknown;
}
const load = <T>(name: string): { numberOfTests: number; testGroups: Group<T>[] } =>
  JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fixed = (b: Uint8Array) => () => b.slice();

function expectBadKeyShare(run: () => unknown, what: string): void {
  try {
    run();
  } catch (error) {
    expect(error, what).toBeInstanceOf(SSLError);
    expect((error as SSLError).reason, what).toBe('BAD_KEY_SHARE');
    return;
  }
  expect.fail(`${what}: accepted`);
}

function report(file: string, ran: number, skipped: Record<string, number>): void {
  const parts = Object.entries(skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${why}`);
  console.log(`wycheproof ${file}: ${ran} run${parts.length > 0 ? `; skipped: ${parts.join('; ')}` : ''}`);
}

interface AeadCase {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}

function runAead(file: string, aeadFor: (keyBytes: number) => AeadName | undefined) {
  const data = load<AeadCase>(file);
  let ran = 0;
  const skipped = { 'with a key size TLS has no suite for (AES-192)': 0 };
  for (const group of data.testGroups) {
    for (const t of group.tests) {
      const key = bytes(t.key);
      const name = aeadFor(key.length);
      if (name === undefined) {
        skipped['with a key size TLS has no suite for (AES-192)']++;
        continue;
      }
      const aead = defaultProvider.aead(name).create(key);
      const nonce = bytes(t.iv);
      const aad = bytes(t.aad);
      const sealed = bytes(t.ct + t.tag);
      ran++;
      if (nonce.length !== 12 || t.tag.length !== 32) {
        // TLS nonces are 12 bytes and tags 16 (RFC 8446 §5.3): other sizes must be refused, never used.
        if (nonce.length !== 12) {
          expect(() => aead.seal(nonce, bytes(t.msg), aad), `tc ${t.tcId}`).toThrow(SSLError);
          expect(() => aead.open(nonce, sealed, aad), `tc ${t.tcId}`).toThrow(SSLError);
        } else {
          expect(aead.open(nonce, sealed, aad), `tc ${t.tcId}`).toBeNull();
        }
        continue;
      }
      if (t.result === 'valid') {
        expect(hex(aead.seal(nonce, bytes(t.msg), aad)), `tc ${t.tcId}`).toBe(t.ct + t.tag);
        expect(hex(aead.open(nonce, sealed, aad) ?? new Uint8Array([0xde, 0xad])), `tc ${t.tcId}`).toBe(t.msg);
      } else {
        expect(aead.open(nonce, sealed, aad), `tc ${t.tcId} ${t.flags}`).toBeNull();
      }
    }
  }
  report(file, ran, skipped);
  expect(ran + Object.values(skipped).reduce((a, b) => a + b, 0)).toBe(data.numberOfTests);
  return ran;
}

describe.skipIf(!haveShared)('Wycheproof AEAD through AeadKey', () => {
  test('aes_gcm_test.json (12-byte IV, 16-byte tag; other IV sizes must be refused)', () => {
    expect(
      runAead('aes_gcm_test.json', (n) => (n === 16 ? 'AES-128-GCM' : n === 32 ? 'AES-256-GCM' : undefined)),
    ).toBeGreaterThan(200);
  });
  test('AES-192 keys are refused', () => {
    expect(() => defaultProvider.aead('AES-128-GCM').create(new Uint8Array(24))).toThrow(SSLError);
    expect(() => defaultProvider.aead('AES-256-GCM').create(new Uint8Array(16))).toThrow(SSLError);
  });
  test('chacha20_poly1305_test.json', () => {
    expect(runAead('chacha20_poly1305_test.json', (n) => (n === 32 ? 'CHACHA20-POLY1305' : undefined))).toBe(325);
  });
});

describe.skipIf(!haveShared)('Wycheproof HKDF and HMAC through HashAlgorithm', () => {
  for (const hash of ['sha256', 'sha384'] as TlsHashName[]) {
    test(`hkdf_${hash}_test.json`, () => {
      const data = load<{
        tcId: number;
        ikm: string;
        salt: string;
        info: string;
        size: number;
        okm: string;
        result: string;
      }>(`hkdf_${hash}_test.json`);
      const h = defaultProvider.hash(hash);
      let ran = 0;
      for (const group of data.testGroups) {
        for (const t of group.tests) {
          ran++;
          const run = () => h.hkdfExpand(h.hkdfExtract(bytes(t.salt), bytes(t.ikm)), bytes(t.info), t.size);
          if (t.result === 'valid') expect(hex(run()), `tc ${t.tcId}`).toBe(t.okm);
          else expect(run, `tc ${t.tcId}`).toThrow(SSLError); // SizeTooLarge: > 255·HashLen (RFC 5869 §2.3)
        }
      }
      report(`hkdf_${hash}_test.json`, ran, {});
      expect(ran).toBe(data.numberOfTests);
    });

    test(`hmac_${hash}_test.json (truncated tags compared on their prefix)`, () => {
      const data = load<{ tcId: number; key: string; msg: string; tag: string; result: string }>(
        `hmac_${hash}_test.json`,
      );
      const h = defaultProvider.hash(hash);
      let ran = 0;
      for (const group of data.testGroups) {
        for (const t of group.tests) {
          ran++;
          const mac = hex(h.hmac(bytes(t.key), bytes(t.msg))).slice(0, t.tag.length);
          if (t.result === 'valid') expect(mac, `tc ${t.tcId}`).toBe(t.tag);
          else expect(mac, `tc ${t.tcId}`).not.toBe(t.tag);
        }
      }
      report(`hmac_${hash}_test.json`, ran, {});
      expect(ran).toBe(data.numberOfTests);
    });
  }
});

describe.skipIf(!haveShared)('Wycheproof key exchange through KeyExchangeGroup', () => {
  test('x25519_test.json: both generate/complete and respond; all-zero secrets raise BAD_KEY_SHARE', () => {
    const data = load<{
      tcId: number;
      public: string;
      private: string;
      shared: string;
      result: string;
      flags: string[];
    }>('x25519_test.json');
    const group = defaultProvider.group('x25519')!;
    let ran = 0;
    let zero = 0;
    for (const t of data.testGroups[0]!.tests) {
      ran++;
      const priv = bytes(t.private);
      const peer = bytes(t.public);
      if (/^(00)+$/.test(t.shared)) {
        // RFC 8446 §7.4.2: an all-zero X25519 output must abort the handshake.
        expect(t.flags).toContain('ZeroSharedSecret');
        zero++;
        expectBadKeyShare(() => group.generate(fixed(priv)).complete(peer), `tc ${t.tcId}`);
        expectBadKeyShare(() => group.respond(peer, fixed(priv)), `tc ${t.tcId}`);
        continue;
      }
      // valid and acceptable (twist points, non-canonical u) alike compute the RFC 7748 result.
      expect(hex(group.generate(fixed(priv)).complete(peer)), `tc ${t.tcId}`).toBe(t.shared);
      expect(hex(group.respond(peer, fixed(priv)).sharedSecret), `tc ${t.tcId}`).toBe(t.shared);
    }
    expect(zero).toBe(31);
    report('x25519_test.json', ran, {});
    expect(ran).toBe(data.numberOfTests);
  });

  test('X25519 shares of the wrong length', () => {
    const group = defaultProvider.group('x25519')!;
    const offer = group.generate(defaultProvider.randomBytes);
    for (const n of [0, 31, 33, 65]) {
      expectBadKeyShare(() => offer.complete(new Uint8Array(n).fill(9)), `length ${n}`);
      expectBadKeyShare(() => group.respond(new Uint8Array(n).fill(9), defaultProvider.randomBytes), `length ${n}`);
    }
  });

  for (const [file, name, oid] of [
    ['ecdh_secp256r1_test.json', 'secp256r1', '1.2.840.10045.3.1.7'],
    ['ecdh_secp384r1_test.json', 'secp384r1', '1.3.132.0.34'],
  ] as const) {
    test(`${file}: uncompressed points match or are rejected`, () => {
      const data = load<{
        tcId: number;
        public: string;
        private: string;
        shared: string;
        result: string;
        flags: string[];
      }>(file);
      const group = defaultProvider.group(name as GroupName)!;
      const scalarLength = name === 'secp256r1' ? 32 : 48;
      let ran = 0;
      const skipped = {
        'whose SubjectPublicKeyInfo is malformed or not a named-curve key (ASN.1 cases; TLS key shares are raw points)': 0,
        'with a private key longer than the order (not a TLS ephemeral scalar)': 0,
        'with explicit (unnamed) curve parameters in the SPKI: their verdict is about the parameters, and TLS shares carry none': 0,
      };
      for (const t of data.testGroups[0]!.tests) {
        let point: Uint8Array;
        let namedCurve: string | undefined;
        if (t.flags.includes('InvalidAsn')) {
          skipped[
            'whose SubjectPublicKeyInfo is malformed or not a named-curve key (ASN.1 cases; TLS key shares are raw points)'
          ]++;
          continue;
        }
        try {
          const spki = new DerReader(bytes(t.public), 'SPKI').sequence();
          const algorithm = spki.sequence();
          algorithm.readOid();
          namedCurve = algorithm.peekTag() === Tag.OID ? algorithm.readOid() : undefined;
          const bits = spki.readBitString();
          spki.end();
          point = bits.bytes;
        } catch {
          skipped[
            'whose SubjectPublicKeyInfo is malformed or not a named-curve key (ASN.1 cases; TLS key shares are raw points)'
          ]++;
          continue;
        }
        if (namedCurve === undefined) {
          skipped[
            'with explicit (unnamed) curve parameters in the SPKI: their verdict is about the parameters, and TLS shares carry none'
          ]++;
          continue;
        }
        let priv = bytes(t.private);
        while (priv.length > scalarLength && priv[0] === 0) priv = priv.subarray(1);
        if (priv.length > scalarLength) {
          skipped['with a private key longer than the order (not a TLS ephemeral scalar)']++;
          continue;
        }
        const scalar = new Uint8Array(scalarLength);
        scalar.set(priv, scalarLength - priv.length);
        ran++;
        const compute = () => group.generate(fixed(scalar)).complete(point);
        if (point[0] !== 0x04) {
          // RFC 8446 §4.2.8.2: only the uncompressed form exists in TLS 1.3; compressed points are refused.
          expectBadKeyShare(compute, `tc ${t.tcId} (compressed)`);
          expectBadKeyShare(() => group.respond(point, fixed(scalar)), `tc ${t.tcId} (compressed)`);
        } else if (t.result === 'invalid' || namedCurve !== oid) {
          // Points of another named curve, off the curve, or with bad coordinates must be refused; an
          // "acceptable" one may be refused, and if accepted must give the right secret.
          let accepted: string | undefined;
          try {
            accepted = hex(compute());
          } catch (error) {
            expect((error as SSLError).reason, `tc ${t.tcId}`).toBe('BAD_KEY_SHARE');
          }
          if (t.result === 'invalid') expect(accepted, `tc ${t.tcId} ${t.flags}`).toBeUndefined();
          else if (accepted !== undefined) expect(accepted, `tc ${t.tcId}`).toBe(t.shared);
        } else {
          expect(hex(compute()), `tc ${t.tcId} ${t.flags}`).toBe(t.shared);
          // The server path shares the code; a sample keeps the P-384 run short.
          if (t.tcId % 8 === 0)
            expect(hex(group.respond(point, fixed(scalar)).sharedSecret), `tc ${t.tcId}`).toBe(t.shared);
        }
      }
      report(file, ran, skipped);
      expect(ran).toBeGreaterThan(300);
    });
  }

  test('NIST shares: wrong length, compressed, infinity, off-curve', () => {
    const group = defaultProvider.group('secp256r1')!;
    const offer = group.generate(defaultProvider.randomBytes);
    const good = group.generate(defaultProvider.randomBytes).publicKey;
    const offCurve = good.slice();
    offCurve[64]! ^= 1;
    const compressed = new Uint8Array(33);
    compressed.set(good.subarray(0, 33));
    compressed[0] = 0x02 | (good[64]! & 1);
    for (const bad of [
      new Uint8Array(0),
      good.subarray(0, 64),
      compressed,
      new Uint8Array(65),
      offCurve,
      Uint8Array.of(0),
    ]) {
      expectBadKeyShare(() => offer.complete(bad), `share of ${bad.length} bytes`);
      expectBadKeyShare(() => group.respond(bad, defaultProvider.randomBytes), `share of ${bad.length} bytes`);
    }
  });

  test('mlkem_768_test.json through the X25519MLKEM768 group (keygen seed, decapsulation)', () => {
    const data = load<{
      tcId: number;
      seed: string;
      ek?: string;
      c: string;
      K: string;
      result: string;
      comment?: string;
    }>('mlkem_768_test.json');
    const group = defaultProvider.group('X25519MLKEM768')!;
    const x25519Scalar = new Uint8Array(32).fill(7);
    const x25519Peer = defaultProvider.group('x25519')!.generate(fixed(new Uint8Array(32).fill(9))).publicKey;
    const x25519Secret = defaultProvider.group('x25519')!.generate(fixed(x25519Scalar)).complete(x25519Peer);
    let ran = 0;
    for (const g of data.testGroups) {
      for (const t of g.tests) {
        ran++;
        const seed = bytes(t.seed);
        const draws = [seed, x25519Scalar];
        const rng = (n: number) => {
          const next = draws.shift()!;
          // The group asks for exactly 64 bytes of seed; a vector with another seed length is a broken RNG.
          return next.length === n ? next.slice() : next;
        };
        if (seed.length !== 64) {
          expect(t.result, `tc ${t.tcId}`).toBe('invalid');
          expect(() => group.generate(rng), `tc ${t.tcId}`).toThrow(SSLError);
          continue;
        }
        const offer = group.generate(rng);
        // Client share = ML-KEM-768 encapsulation key (1184 bytes) || X25519 public key (32 bytes).
        expect(offer.publicKey.length).toBe(1216);
        if (t.ek !== undefined) expect(hex(offer.publicKey.subarray(0, 1184)), `tc ${t.tcId}`).toBe(t.ek);
        expect(hex(offer.publicKey.subarray(1184))).toBe(
          hex(defaultProvider.group('x25519')!.generate(fixed(x25519Scalar)).publicKey),
        );
        const serverShare = new Uint8Array([...bytes(t.c), ...x25519Peer]);
        if (t.result === 'invalid') {
          expectBadKeyShare(() => offer.complete(serverShare), `tc ${t.tcId} ${t.comment}`);
          continue;
        }
        // Shared secret = ML-KEM shared secret || X25519 shared secret.
        expect(hex(offer.complete(serverShare)), `tc ${t.tcId} ${t.comment}`).toBe(t.K + hex(x25519Secret));
      }
    }
    report('mlkem_768_test.json', ran, {});
    expect(ran).toBe(data.numberOfTests);
  });

  test('X25519MLKEM768 respond: server share layout, secret agreement, invalid client shares', () => {
    const group = defaultProvider.group('X25519MLKEM768')!;
    const offer = group.generate(defaultProvider.randomBytes);
    const m = new Uint8Array(32).fill(3);
    const serverX = new Uint8Array(32).fill(5);
    const draws = [m, serverX];
    const answer = group.respond(offer.publicKey, () => draws.shift()!.slice());
    expect(answer.share.length).toBe(1088 + 32);
    // Server share = ML-KEM ciphertext || X25519 public key; the ciphertext is encapsulate(ek, m).
    const kem = ml_kem768.encapsulate(offer.publicKey.subarray(0, 1184), m);
    expect(hex(answer.share.subarray(0, 1088))).toBe(hex(kem.cipherText));
    expect(hex(answer.sharedSecret.subarray(0, 32))).toBe(hex(kem.sharedSecret));
    expect(hex(offer.complete(answer.share))).toBe(hex(answer.sharedSecret));
    expect(answer.sharedSecret.length).toBe(64);
    // An encapsulation key whose coefficients are not reduced mod q fails FIPS 203 §7.2's check.
    const unreduced = offer.publicKey.slice();
    unreduced.fill(0xff, 0, 384);
    expectBadKeyShare(() => group.respond(unreduced, defaultProvider.randomBytes), 'unreduced ek');
    expectBadKeyShare(() => group.respond(offer.publicKey.subarray(1), defaultProvider.randomBytes), 'short share');
    expectBadKeyShare(() => offer.complete(answer.share.subarray(1)), 'short server share');
    // A small-order X25519 half is rejected even when the ML-KEM half is fine.
    const lowOrder = answer.share.slice();
    lowOrder.fill(0, 1088);
    expectBadKeyShare(() => offer.complete(lowOrder), 'zero X25519 half');
  });
});
