/**
 * The key operations generation needs, taken from the keys module.
 * @module
 */
import { encodeSpki, parsePublicKey } from '../keys/spki.js';
import type { PrivateKey, PublicKey, SignatureProvider } from '../types.js';
import { notSupported } from './errors.js';

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

export function defaultSignatureProvider(): SignatureProvider {
  throw notSupported('signing without a signatureProvider (the noble provider is not wired yet)');
}
