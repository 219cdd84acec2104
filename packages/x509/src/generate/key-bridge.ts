/**
 * The key operations generation needs, taken from the keys module.
 * @module
 */

import { nobleSignatureProvider } from '../keys/noble-signatures.js';
import { publicKeyFromPrivate } from '../keys/private.js';
import { encodeSpki, parsePublicKey } from '../keys/spki.js';
import type { PrivateKey, PublicKey, SignatureProvider } from '../types.js';

/** The public half of a private key, or the key in an SPKI. */
export function publicKeyOf(key: PrivateKey | Uint8Array): PublicKey {
  return key instanceof Uint8Array ? parsePublicKey(key) : publicKeyFromPrivate(key);
}

export const spkiOf = (key: PublicKey): Uint8Array => encodeSpki(key);

/** The noble provider: RSA (BigInt, CRT), ECDSA and Ed25519 signing. */
export const defaultSignatureProvider = (): SignatureProvider => nobleSignatureProvider;
