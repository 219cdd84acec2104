/**
 * Key generation and private key encoding. RSA primes are random odd numbers of exactly half the
 * modulus size with the top two bits set (so p·q has the exact bit length), sieved by small primes and
 * tested with Miller–Rabin (FIPS 186-5 B.3.3 / C.3.1 in spirit; rounds per FIPS 186-5 Table B.1 for
 * 2^-100 error). EC secrets come from noble's reduction of extra random bits (FIPS 186-5 A.2.1),
 * Ed25519 seeds are 32 random octets (RFC 8032 §5.1.5).
 * @module
 */
import { invert } from '@noble/curves/abstract/modular.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bitLen, bytesToNumberBE } from '@noble/curves/utils.js';
import { derBitString, derExplicit, derInteger, derNull, derOctetString, derOid, derSequence } from '../der.js';
import { SSLError } from '../errors.js';
import { pemEncode } from '../parse/pem.js';
import type { NamedCurve, PrivateKey } from '../types.js';
import { CURVE_OIDS, OID } from './oids.js';
import { pssParamsToDer } from './pss-params.js';
import { modPow } from './rsa.js';
import { NOBLE_CURVES } from './spki.js';

export type PrivateKeySpec =
  | { readonly kind: 'ec'; readonly curve: NamedCurve }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'rsa'; readonly bits: number; readonly e?: bigint };

function generationError(text: string): SSLError {
  return new SSLError(text, { library: 'X509', reason: 'KEY_GENERATION_FAILED' });
}

/** Generates a private key. `randomBytes` must be a cryptographically secure source. */
export function generatePrivateKey(spec: PrivateKeySpec, randomBytes: (n: number) => Uint8Array): PrivateKey {
  switch (spec.kind) {
    case 'ec': {
      const curve = NOBLE_CURVES[spec.curve];
      const seedLength = curve.lengths.seed ?? curve.Point.Fn.BYTES + 8;
      const d = curve.utils.randomSecretKey(randomBytes(seedLength));
      return { kind: 'ec', curve: spec.curve, d, point: curve.getPublicKey(d, false) };
    }
    case 'ed25519': {
      const seed = randomBytes(32);
      if (seed.length !== 32) throw generationError('randomBytes returned the wrong length');
      return { kind: 'ed25519', seed, key: ed25519.getPublicKey(seed) };
    }
    case 'rsa':
      return generateRsaKey(spec.bits, spec.e ?? 65537n, randomBytes);
  }
}

/** Odd primes below 2000, for trial division before Miller–Rabin. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) out.push(BigInt(n));
  }
  return out;
})();

/** Miller–Rabin rounds for a 2^-100 error on random candidates (FIPS 186-5 Table B.1). */
function millerRabinRounds(bits: number): number {
  if (bits >= 1536) return 4;
  if (bits >= 1024) return 5;
  if (bits >= 512) return 8;
  return 40;
}

/** Miller–Rabin with random bases (FIPS 186-5 B.3.1). */
export function isProbablePrime(
  n: bigint,
  randomBytes: (n: number) => Uint8Array,
  rounds = millerRabinRounds(bitLen(n)),
): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  if ((n & 1n) === 0n) return n === 2n;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  const byteLength = Math.ceil(bitLen(n) / 8) + 8;
  for (let round = 0; round < rounds; round++) {
    const a = 2n + (bytesToNumberBE(randomBytes(byteLength)) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < s && composite; i++) {
      x = (x * x) % n;
      if (x === n - 1n) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

function randomPrime(bits: number, e: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const byteLength = Math.ceil(bits / 8);
  const excess = BigInt(byteLength * 8 - bits);
  // Expected tries are about ln(2^bits)/2 ≈ 0.35·bits; the cap only stops a broken randomBytes looping forever.
  for (let attempt = 0; attempt < 100 * bits; attempt++) {
    let candidate = bytesToNumberBE(randomBytes(byteLength)) >> excess;
    candidate |= (3n << BigInt(bits - 2)) | 1n; // top two bits: exact modulus length; odd
    // e must be invertible mod p − 1 (FIPS 186-5 A.1.3 step 4.5); cheap, so test it first.
    if (gcd(candidate - 1n, e) !== 1n) continue;
    if (!isProbablePrime(candidate, randomBytes)) continue;
    return candidate;
  }
  throw generationError('no prime found: is randomBytes working?');
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function generateRsaKey(bits: number, e: bigint, randomBytes: (n: number) => Uint8Array): PrivateKey {
  if (!Number.isInteger(bits) || bits < 512 || bits > 16384 || bits % 2 !== 0) {
    throw generationError('RSA key size must be an even number of bits from 512 to 16384');
  }
  // FIPS 186-5 A.1.1: 2^16 < e < 2^256, odd (we also allow 3 for test keys).
  if (e < 3n || (e & 1n) === 0n || bitLen(e) > 256)
    throw generationError('RSA public exponent must be odd, at least 3 and at most 256 bits');
  const half = bits / 2;
  // Retries are rare (|p − q| or d too small); the cap stops a constant randomBytes looping forever.
  for (let attempt = 0; attempt < 64; attempt++) {
    let p = randomPrime(half, e, randomBytes);
    let q = randomPrime(half, e, randomBytes);
    // FIPS 186-5 A.1.3 step 5.4: |p − q| > 2^(nlen/2 − 100).
    const diff = p > q ? p - q : q - p;
    if (diff <= 1n << BigInt(half - 100 > 0 ? half - 100 : 1)) continue;
    if (p < q) [p, q] = [q, p];
    const n = p * q;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = invert(e, lambda);
    // FIPS 186-5 A.1.1: d > 2^(nlen/2); retry in the (astronomically rare) other case.
    if (d <= 1n << BigInt(half)) continue;
    return { kind: 'rsa', n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qinv: invert(q, p), bits: bitLen(n) };
  }
  throw generationError('no suitable RSA primes found: is randomBytes working?');
}

/** RSAPrivateKey DER (RFC 8017 A.1.2), two-prime. */
export function encodeRsaPrivateKey(key: Extract<PrivateKey, { kind: 'rsa' }>): Uint8Array {
  return derSequence(...[0n, key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qinv].map((v) => derInteger(v)));
}

/** PKCS #8 PrivateKeyInfo DER (RFC 5958 §2, version 1 as OpenSSL writes it). */
export function encodePrivateKeyPkcs8(key: PrivateKey): Uint8Array {
  switch (key.kind) {
    case 'rsa': {
      // RFC 4055 §1.2: an RSASSA-PSS key keeps its OID (and restriction, when it has one).
      const algorithm =
        key.pssOnly === undefined
          ? derSequence(derOid(OID.rsaEncryption), derNull())
          : key.pssOnly.restriction === undefined
            ? derSequence(derOid(OID.rsassaPss))
            : derSequence(derOid(OID.rsassaPss), pssParamsToDer(key.pssOnly.restriction));
      return derSequence(derInteger(0), algorithm, derOctetString(encodeRsaPrivateKey(key)));
    }
    case 'ec': {
      // RFC 5915 §3 inside PKCS #8: the curve is in the AlgorithmIdentifier; the public key is included.
      const ecPrivateKey = derSequence(derInteger(1), derOctetString(key.d), derExplicit(1, derBitString(key.point)));
      return derSequence(
        derInteger(0),
        derSequence(derOid(OID.ecPublicKey), derOid(CURVE_OIDS[key.curve])),
        derOctetString(ecPrivateKey),
      );
    }
    case 'ed25519':
      // RFC 8410 §7: privateKey holds CurvePrivateKey ::= OCTET STRING.
      return derSequence(derInteger(0), derSequence(derOid(OID.ed25519)), derOctetString(derOctetString(key.seed)));
  }
}

/** PEM `PRIVATE KEY` (RFC 7468 §10) with 64-character lines. */
export function encodePrivateKeyPem(key: PrivateKey): string {
  return pemEncode('PRIVATE KEY', encodePrivateKeyPkcs8(key));
}
