/**
 * Key generation for the helpers: a private key in the x509 model together with its public key,
 * PKCS#8 DER (RFC 5958) and PEM.
 * @module
 */
import {
  encodePrivateKeyPem,
  encodePrivateKeyPkcs8,
  generatePrivateKey,
  type PrivateKeySpec,
} from '../keys/generate-key.js';
import { publicKeyFromPrivate } from '../keys/private.js';
import type { PrivateKey, PublicKey } from '../types.js';
import { invalidArgument } from './errors.js';
import { type RandomBytes, resolveRandomBytes } from './random.js';

/** Key types the helpers generate. */
export type KeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'ed25519' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

export interface GeneratedKey {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
  /** Unencrypted PKCS#8 PrivateKeyInfo DER. */
  readonly pkcs8: Uint8Array;
  /** `-----BEGIN PRIVATE KEY-----` PEM of `pkcs8`. */
  readonly pem: string;
}

const KEY_SPECS: Readonly<Record<KeyType, PrivateKeySpec>> = {
  'ecdsa-p256': { kind: 'ec', curve: 'P-256' },
  'ecdsa-p384': { kind: 'ec', curve: 'P-384' },
  'ecdsa-p521': { kind: 'ec', curve: 'P-521' },
  ed25519: { kind: 'ed25519' },
  'rsa-2048': { kind: 'rsa', bits: 2048 },
  'rsa-3072': { kind: 'rsa', bits: 3072 },
  'rsa-4096': { kind: 'rsa', bits: 4096 },
};

export const KEY_TYPES: readonly KeyType[] = [
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'ed25519',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
];

/**
 * Generates a key pair. ECDSA and Ed25519 take well under a millisecond; RSA runs a pure-BigInt prime
 * search (seconds for 2048 bits): generate RSA keys once and reuse them.
 */
export function generateKey(type: KeyType, opts: { readonly randomBytes?: RandomBytes } = {}): GeneratedKey {
  const randomBytes = resolveRandomBytes(opts.randomBytes);
  const spec = KEY_SPECS[type as KeyType];
  if (spec === undefined) throw invalidArgument(`unknown key type "${String(type)}" (one of ${KEY_TYPES.join(', ')})`);
  const privateKey = generatePrivateKey(spec, randomBytes);
  return {
    privateKey,
    publicKey: publicKeyFromPrivate(privateKey),
    pkcs8: encodePrivateKeyPkcs8(privateKey),
    pem: encodePrivateKeyPem(privateKey),
  };
}

/** The unencrypted PKCS#8 PEM of a key. */
export const privateKeyPem = (key: PrivateKey): string => encodePrivateKeyPem(key);
