/**
 * RSA with BigInt: the RSAVP1/RSASP1 primitives (RFC 8017 §5.2), EMSA-PKCS1-v1_5 (§9.2) and EMSA-PSS
 * (§9.1) with MGF1 (B.2.1), for RSASSA-PKCS1-v1_5 (§8.2) and RSASSA-PSS (§8.1). Private operations use
 * the CRT (§5.1.2 2.b), random blinding against timing attacks, and re-check their result with the
 * public exponent before releasing it (a fault in the CRT would otherwise leak a factor of n).
 * @module
 */
import { invert } from '@noble/curves/abstract/modular.js';
import { bitLen, bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { derNull, derOctetString, derOid, derSequence } from '../der.js';
import { SSLError } from '../errors.js';
import type { HashName, PrivateKey } from '../types.js';
import { constantTimeEqual, digest, digestLength } from './hash.js';
import { HASH_OIDS } from './oids.js';

type RsaPrivateKey = Extract<PrivateKey, { kind: 'rsa' }>;

function rsaError(text: string): SSLError {
  return new SSLError(text, { library: 'RSA', reason: 'RSA_OPERATION_FAILED' });
}

/** Window width for a sliding-window exponentiation, by exponent size (fewer multiplications per bit). */
function windowBits(exponentBits: number): number {
  if (exponentBits > 671) return 6;
  if (exponentBits > 239) return 5;
  if (exponentBits > 79) return 4;
  if (exponentBits > 23) return 3;
  return 1;
}

/**
 * `base^exponent mod modulus` by left-to-right sliding-window exponentiation (HAC Algorithm 14.85):
 * about one squaring per exponent bit plus one multiplication per window. Also used for finite-field
 * Diffie-Hellman. Not constant time: callers blind secret operands.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus <= 0n) throw rsaError('modPow: modulus must be positive');
  if (exponent < 0n) throw rsaError('modPow: exponent must not be negative');
  if (modulus === 1n) return 0n;
  let b = base % modulus;
  if (b < 0n) b += modulus;
  if (exponent === 0n) return 1n;
  const bits = exponent.toString(2);
  const w = windowBits(bits.length);
  // Odd powers b^1, b^3, …, b^(2^w − 1).
  const odd: bigint[] = [b];
  if (w > 1) {
    const b2 = (b * b) % modulus;
    for (let i = 1; i < 1 << (w - 1); i++) odd.push(((odd[i - 1] as bigint) * b2) % modulus);
  }
  let result = 1n;
  let started = false;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      if (started) result = (result * result) % modulus;
      i++;
      continue;
    }
    // The longest window of at most w bits starting here and ending in a 1 bit.
    let end = Math.min(i + w, bits.length) - 1;
    while (bits[end] === '0') end--;
    const value = Number.parseInt(bits.slice(i, end + 1), 2);
    if (started) {
      for (let k = i; k <= end; k++) result = (result * result) % modulus;
      result = (result * (odd[(value - 1) >> 1] as bigint)) % modulus;
    } else {
      result = odd[(value - 1) >> 1] as bigint;
      started = true;
    }
    i = end + 1;
  }
  return result;
}

/** Octet length of the modulus (k in RFC 8017). */
export function modulusLength(n: bigint): number {
  return Math.ceil(bitLen(n) / 8);
}

/** RSAVP1 (RFC 8017 §5.2.2) on a signature of exactly k octets; undefined when s ≥ n. */
function rsaPublicOperation(n: bigint, e: bigint, signature: Uint8Array): Uint8Array | undefined {
  const k = modulusLength(n);
  // §8.2.2 step 1 / §8.1.2 step 1: the signature MUST be k octets long.
  if (signature.length !== k) return undefined;
  const s = bytesToNumberBE(signature);
  if (s >= n) return undefined;
  return numberToBytesBE(modPow(s, e, n), k);
}

/** RSASP1 (RFC 8017 §5.2.1) with CRT, blinding and a public-exponent check of the result. */
function rsaPrivateOperation(key: RsaPrivateKey, message: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const { n, e, p, q, dp, dq, qinv } = key;
  if (message >= n) throw rsaError('message representative out of range');
  // Blinding: operate on m·r^e, then divide the result by r (r random, invertible mod n).
  let r = 0n;
  let rInverse = 0n;
  for (let attempt = 0; attempt < 8 && rInverse === 0n; attempt++) {
    r = bytesToNumberBE(randomBytes(modulusLength(n) + 16)) % n;
    if (r < 2n) continue;
    try {
      rInverse = invert(r, n);
    } catch {
      rInverse = 0n;
    }
  }
  if (rInverse === 0n) throw rsaError('could not pick a blinding factor');
  const blinded = (message * modPow(r, e, n)) % n;
  const m1 = modPow(blinded % p, dp, p);
  const m2 = modPow(blinded % q, dq, q);
  let h = ((m1 - m2) * qinv) % p;
  if (h < 0n) h += p;
  const signature = ((m2 + h * q) * rInverse) % n;
  // Fault guard: release nothing that does not verify.
  if (modPow(signature, e, n) !== message) throw rsaError('RSA private key operation failed its consistency check');
  return signature;
}

/** DigestInfo DER (RFC 8017 §9.2 step 2; the hash AlgorithmIdentifier carries NULL parameters, Note 1). */
function digestInfo(hash: HashName, h: Uint8Array): Uint8Array {
  return derSequence(derSequence(derOid(HASH_OIDS[hash]), derNull()), derOctetString(h));
}

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2); undefined when emLen < tLen + 11 ("intended encoded message length too short"). */
function emsaPkcs1v15Encode(hash: HashName, message: Uint8Array, emLen: number): Uint8Array | undefined {
  const t = digestInfo(hash, digest(hash, message));
  if (emLen < t.length + 11) return undefined;
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

/** MGF1 (RFC 8017 B.2.1). */
function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const hLen = digestLength(hash);
  const out = new Uint8Array(Math.ceil(length / hLen) * hLen);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, offset = 0; offset < length; counter++, offset += hLen) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    out.set(digest(hash, input), offset);
  }
  return out.subarray(0, length);
}

export interface PssParameters {
  readonly hash: HashName;
  readonly mgfHash: HashName;
  readonly saltLength: number;
}

/** M' = (0x)00 00 00 00 00 00 00 00 || mHash || salt, hashed (RFC 8017 §9.1.1 steps 5–6). */
function pssHashPrime(params: PssParameters, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  const mPrime = new Uint8Array(8 + mHash.length + salt.length);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + mHash.length);
  return digest(params.hash, mPrime);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1). */
function emsaPssEncode(params: PssParameters, message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const hLen = digestLength(params.hash);
  const emLen = Math.ceil(emBits / 8);
  const sLen = salt.length;
  if (emLen < hLen + sLen + 2) throw rsaError('RSA key too small for this PSS hash and salt length');
  const h = pssHashPrime(params, digest(params.hash, message), salt);
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - sLen - hLen - 2] = 0x01;
  db.set(salt, emLen - sLen - hLen - 1);
  const dbMask = mgf1(params.mgfHash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (dbMask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2): true for "consistent". */
function emsaPssVerify(params: PssParameters, message: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const hLen = digestLength(params.hash);
  const sLen = params.saltLength;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen) return false;
  if (emLen < hLen + sLen + 2) return false; // step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = (0xff << (8 - (8 * emLen - emBits))) & 0xff;
  if (((maskedDb[0] as number) & topMask) !== 0) return false; // step 6
  const dbMask = mgf1(params.mgfHash, h, maskedDb.length);
  const db = new Uint8Array(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] as number) ^ (dbMask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits)); // step 9
  const psLength = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false; // step 10
  if (db[psLength] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  return constantTimeEqual(pssHashPrime(params, digest(params.hash, message), salt), h); // steps 12–14
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2): re-encode and compare the whole block in constant time. */
export function rsaPkcs1Verify(
  n: bigint,
  e: bigint,
  hash: HashName,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const em = rsaPublicOperation(n, e, signature);
  if (em === undefined) return false;
  const expected = emsaPkcs1v15Encode(hash, message, em.length);
  return expected !== undefined && constantTimeEqual(em, expected);
}

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). */
export function rsaPkcs1Sign(
  key: RsaPrivateKey,
  hash: HashName,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const k = modulusLength(key.n);
  const em = emsaPkcs1v15Encode(hash, message, k);
  if (em === undefined) throw rsaError('RSA key too small for this digest');
  return numberToBytesBE(rsaPrivateOperation(key, bytesToNumberBE(em), randomBytes), k);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with emBits = modBits − 1. */
export function rsaPssVerify(
  n: bigint,
  e: bigint,
  params: PssParameters,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const m = rsaPublicOperation(n, e, signature);
  if (m === undefined) return false;
  const emBits = bitLen(n) - 1;
  const emLen = Math.ceil(emBits / 8);
  // I2OSP(m, emLen) (§8.1.2 step 2c): m has k octets; when emLen = k − 1 its first octet must be zero.
  if (m.length > emLen && m[0] !== 0) return false;
  return emsaPssVerify(params, message, m.subarray(m.length - emLen), emBits);
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1). */
export function rsaPssSign(
  key: RsaPrivateKey,
  params: PssParameters,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const emBits = bitLen(key.n) - 1;
  const salt = params.saltLength === 0 ? new Uint8Array(0) : randomBytes(params.saltLength);
  if (salt.length !== params.saltLength) throw rsaError('randomBytes returned the wrong length');
  const em = emsaPssEncode(params, message, emBits, salt);
  return numberToBytesBE(rsaPrivateOperation(key, bytesToNumberBE(em), randomBytes), modulusLength(key.n));
}
