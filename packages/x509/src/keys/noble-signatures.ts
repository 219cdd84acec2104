/**
 * The default {@link SignatureProvider}: RSA PKCS#1 v1.5 and RSASSA-PSS in BigInt (./rsa.ts), ECDSA on
 * P-256/P-384/P-521, Ed25519 and Ed448 (verify only) on @noble/curves.
 *
 * Policy, where standards leave a choice:
 * - RSA PKCS#1 v1.5: only the exact DER DigestInfo with NULL parameters verifies (RFC 8017 §8.2.2 re-encodes
 *   and compares); a DigestInfo without the NULL is rejected.
 * - ECDSA: signatures are DER `SEQUENCE { r, s }` (RFC 5480 §2.2.3 / RFC 3279 §2.2.3, RFC 8446 §4.2.3) read
 *   strictly — BER forms, extra bytes, non-minimal or negative integers, and r or s outside [1, n−1] are
 *   rejected. High-S signatures are accepted: neither X.509 nor TLS requires low S. We sign with low S
 *   and RFC 6979 nonces hedged with fresh randomness.
 * - Ed25519: RFC 8032 §5.1.7 strict decoding (canonical S and points), not ZIP-215.
 * - Weak hashes and small keys are not refused here; that is the certificate validator's policy.
 * `verify` returns false, never throws, for any bad signature, key/algorithm mismatch or unsupported key.
 * @module
 */

import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { DerReader } from '../der.js';
import { SSLError } from '../errors.js';
import type { NamedCurve, PrivateKey, PublicKey, SignatureAlgorithm, SignatureProvider } from '../types.js';
import { digest } from './hash.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js';
import { NOBLE_CURVES } from './spki.js';

/** ECDSA-Sig-Value (RFC 3279 §2.2.3) → fixed-width r ‖ s, or undefined for anything but strict DER in range. */
function ecdsaDerToCompact(curve: NamedCurve, signature: Uint8Array): Uint8Array | undefined {
  const { Fn } = NOBLE_CURVES[curve].Point;
  try {
    const outer = new DerReader(signature, 'ECDSA-Sig-Value');
    const seq = outer.sequence();
    outer.end();
    const rBytes = seq.readIntegerBytes();
    const sBytes = seq.readIntegerBytes();
    seq.end();
    if (((rBytes[0] as number) & 0x80) !== 0 || ((sBytes[0] as number) & 0x80) !== 0) return undefined;
    const r = bytesToNumberBE(rBytes);
    const s = bytesToNumberBE(sBytes);
    if (r < 1n || r >= Fn.ORDER || s < 1n || s >= Fn.ORDER) return undefined;
    const out = new Uint8Array(2 * Fn.BYTES);
    out.set(numberToBytesBE(r, Fn.BYTES), 0);
    out.set(numberToBytesBE(s, Fn.BYTES), Fn.BYTES);
    return out;
  } catch (error) {
    if (error instanceof SSLError) return undefined;
    throw error;
  }
}

function verifyUnchecked(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      return key.kind === 'rsa' && rsaPkcs1Verify(key.n, key.e, alg.hash, message, signature);
    case 'rsa-pss':
      if (key.kind === 'rsa-pss' && !pssParametersAllowed(key.restriction, alg)) return false;
      return (key.kind === 'rsa' || key.kind === 'rsa-pss') && rsaPssVerify(key.n, key.e, alg, message, signature);
    case 'ecdsa': {
      if (key.kind !== 'ec') return false;
      const compact = ecdsaDerToCompact(key.curve, signature);
      if (compact === undefined) return false;
      return NOBLE_CURVES[key.curve].verify(compact, digest(alg.hash, message), key.point, {
        prehash: false,
        lowS: false,
        format: 'compact',
      });
    }
    case 'ed25519':
      return (
        key.kind === 'ed25519' &&
        signature.length === 64 &&
        ed25519.verify(signature, message, key.key, { zip215: false })
      );
    case 'ed448':
      return (
        key.kind === 'ed448' && signature.length === 114 && ed448.verify(signature, message, key.key, { zip215: false })
      );
  }
}

/**
 * RFC 4055 §3.3: a restricted RSASSA-PSS key signs and verifies only with its hash and MGF hash, and a
 * salt at least as long as its own; an unrestricted key (undefined) allows any parameters.
 */
function pssParametersAllowed(
  restriction: SignatureAlgorithm | undefined,
  alg: Extract<SignatureAlgorithm, { kind: 'rsa-pss' }>,
): boolean {
  if (restriction === undefined) return true;
  return (
    restriction.kind === 'rsa-pss' &&
    restriction.hash === alg.hash &&
    restriction.mgfHash === alg.mgfHash &&
    alg.saltLength >= restriction.saltLength
  );
}

function signatureError(text: string): SSLError {
  return new SSLError(text, { library: 'X509', reason: 'WRONG_SIGNATURE_TYPE' });
}

/**
 * The default provider's verification alone (`SignatureProvider.verify`). Chain validation and a TLS
 * client need only this; keeping it apart from {@link nobleSign} lets a client-only bundle leave the
 * signing code out (issue #9: `@sanstls/core/client` reaches signing through a slot).
 */
export function nobleVerify(
  alg: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verifyUnchecked(alg, key, message, signature);
  } catch {
    // Contract: bad signature bytes or key/algorithm combinations give false, never an exception.
    return false;
  }
}

/** The default provider's signing (`SignatureProvider.sign`): RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, Ed25519. */
export function nobleSign(
  alg: SignatureAlgorithm,
  key: PrivateKey,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa') throw signatureError(`an ${key.kind} key cannot make RSA PKCS#1 signatures`);
      // RFC 4055 §1.2: an id-RSASSA-PSS key is for RSASSA-PSS only.
      if (key.pssOnly !== undefined) throw signatureError('an RSASSA-PSS key cannot make RSA PKCS#1 signatures');
      return rsaPkcs1Sign(key, alg.hash, message, randomBytes);
    case 'rsa-pss':
      if (key.kind !== 'rsa') throw signatureError(`an ${key.kind} key cannot make RSASSA-PSS signatures`);
      if (!pssParametersAllowed(key.pssOnly?.restriction, alg)) {
        throw signatureError("the RSASSA-PSS parameters are outside the key's restriction (RFC 4055 §3.3)");
      }
      return rsaPssSign(key, alg, message, randomBytes);
    case 'ecdsa': {
      if (key.kind !== 'ec') throw signatureError(`an ${key.kind} key cannot make ECDSA signatures`);
      return NOBLE_CURVES[key.curve].sign(digest(alg.hash, message), key.d, {
        prehash: false,
        lowS: true,
        format: 'der',
        extraEntropy: randomBytes(32),
      });
    }
    case 'ed25519':
      if (key.kind !== 'ed25519') throw signatureError(`an ${key.kind} key cannot make Ed25519 signatures`);
      return ed25519.sign(message, key.seed);
    case 'ed448':
      throw new SSLError('not supported: Ed448 signing (Ed448 private keys are not implemented)', {
        library: 'X509',
        reason: 'UNSUPPORTED_ALGORITHM',
      });
  }
}

/** The default signature provider (pure TypeScript on noble and BigInt): {@link nobleVerify} and {@link nobleSign}. */
export const nobleSignatureProvider: SignatureProvider = { verify: nobleVerify, sign: nobleSign };
