/**
 * The pure-JS provider's X25519 (issue #9): shared secrets from core's limb ladder (crypto/x25519.ts),
 * public keys from noble's Edwards base-point tables. Checked against RFC 7748's vectors (§5.2 including
 * the iterated one to 1,000, §6.1's Diffie-Hellman), against noble's BigInt ladder for random scalars and
 * random u-coordinates (non-canonical ones and a set top bit included), and key generation against the
 * ladder on the base point u = 9. The Wycheproof file runs through the group in crypto-wycheproof.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { defaultProvider } from '../src/crypto/noble.js';
import { x25519Ladder } from '../src/crypto/x25519.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const BASE = bytes('0900000000000000000000000000000000000000000000000000000000000000');

describe('X25519 ladder (RFC 7748)', () => {
  it('§5.2 test vectors', () => {
    expect(
      hex(
        x25519Ladder(
          bytes('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
          bytes('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
        ),
      ),
    ).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
    // The u-coordinate's top bit is set: it must be masked (§5).
    expect(
      hex(
        x25519Ladder(
          bytes('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
          bytes('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
        ),
      ),
    ).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
  });

  it('§5.2 iterated: 1 and 1,000 iterations from k = u = 9', () => {
    let k = BASE.slice();
    let u = BASE.slice();
    for (let i = 1; i <= 1000; i++) {
      const r = x25519Ladder(k, u);
      u = k;
      k = r;
      if (i === 1) expect(hex(k)).toBe('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
    }
    expect(hex(k)).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
  });

  it('§6.1 Diffie-Hellman through the provider’s group (injected scalars)', () => {
    const alice = bytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = bytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const group = defaultProvider.group('x25519')!;
    const offer = group.generate(() => alice.slice());
    expect(hex(offer.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    const answer = group.respond(offer.publicKey, () => bob.slice());
    expect(hex(answer.share)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hex(answer.sharedSecret)).toBe(shared);
    expect(hex(offer.complete(answer.share))).toBe(shared);
  });

  it('equals noble’s BigInt ladder for 400 random scalars and u-coordinates (any 32 bytes)', () => {
    for (let i = 0; i < 400; i++) {
      const k = randomBytes(32);
      const u = i % 3 === 0 ? x25519.getPublicKey(randomBytes(32)) : randomBytes(32);
      if (i % 5 === 0) u[31]! |= 0x80;
      if (i % 50 === 1) {
        // Non-canonical: p + small (2^255 − 19 + d, d < 19) and values just below 2^255, taken mod p (§5).
        u.fill(0xff);
        u[0] = 0xed + (i % 19);
        u[31] = 0x7f;
      }
      let expected: string;
      try {
        expected = hex(x25519.scalarMult(k, u));
      } catch {
        expected = '00'.repeat(32); // noble refuses an all-zero output (a small-order point)
      }
      expect(hex(x25519Ladder(k, u))).toBe(expected);
    }
  });

  it('key generation (noble’s Edwards base-point multiplication) equals the ladder on u = 9 for 250 scalars', () => {
    const group = defaultProvider.group('x25519')!;
    for (let i = 0; i < 250; i++) {
      const k = randomBytes(32);
      // Edge scalars: all ones and all zeros before clamping.
      if (i === 0) k.fill(0xff);
      if (i === 1) k.fill(0);
      const { publicKey } = group.generate(() => Uint8Array.from(k));
      expect(hex(publicKey)).toBe(hex(x25519Ladder(k, BASE)));
    }
  });

  it('small-order points give all zeros, which the group refuses (RFC 8446 §7.4.2)', () => {
    const group = defaultProvider.group('x25519')!;
    const p = (1n << 255n) - 19n;
    const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    const smallOrder = [
      0n,
      1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
      p - 1n,
      p,
      p + 1n,
    ];
    for (const u of smallOrder) {
      expect(x25519Ladder(randomBytes(32), le(u)).every((b) => b === 0)).toBe(true);
      expect(() => group.respond(le(u), () => randomBytes(32))).toThrow(/all-zero/);
    }
  });
});
