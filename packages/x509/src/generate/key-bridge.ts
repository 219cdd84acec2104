/**
 * The key operations generation needs, taken from the keys module.
 * @module
 */
import { nobleSignatureProvider } from '../keys/noble-signatures.js';
import { encodeSpki, parsePublicKey } from '../keys/spki.js';
import type { PrivateKey, PublicKey, SignatureProvider } from '../types.js';

/** The public half of a private key, or the key in an SPKI. */
export function publicKeyOf(key: PrivateKey | Uint8Array): PublicKey {
  if (key instanceof Uint8Array) return parsePublicKey(key);
  switch (key.kind) {
    case 'rsa':
      return { kind: 'rsa', n: key.n, e: key.e, bits: key.bits };
    case 'ec':
      return { kind: 'ec', curve: key.curve, point: key.point };
    case 'ed25519':
      return { kind: 'ed25519', key: key.key };
  }
}

export const spkiOf = (key: PublicKey): Uint8Array => encodeSpki(key);

/** The noble provider: RSA (BigInt, CRT), ECDSA and Ed25519 signing. */
export const defaultSignatureProvider = (): SignatureProvider => nobleSignatureProvider;
