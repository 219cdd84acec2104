/**
 * Keys and signatures: SubjectPublicKeyInfo parsing and encoding, signature algorithm identifiers
 * (X.509 and TLS SignatureScheme), the default noble/BigInt signature provider, private key loading
 * (PKCS #8, encrypted PKCS #8, PKCS #1, SEC 1, PKCS #12).
 * @module
 */

export {
  signatureAlgorithmFromTlsScheme,
  signatureAlgorithmFromX509,
  TlsSignatureScheme,
  type TlsSignatureSchemeName,
  tlsSchemeFitsKey,
  tlsSignatureSchemeName,
  x509AlgorithmIdentifier,
} from './algorithms.js';
export { encodePrivateKeyPem, encodePrivateKeyPkcs8, generatePrivateKey, type PrivateKeySpec } from './generate-key.js';
export { constantTimeEqual } from './hash.js';
export { nobleSign, nobleSignatureProvider, nobleVerify } from './noble-signatures.js';
export { loadPkcs12, type Pkcs12Contents } from './pkcs12.js';
export {
  assertPrivateKeyMatches,
  loadPrivateKey,
  type PasswordInput,
  privateKeyMatchesPublicKey,
  publicKeyFromPrivate,
} from './private.js';
export { modPow, modulusLength } from './rsa.js';
export { encodeSpki, parsePublicKey } from './spki.js';
