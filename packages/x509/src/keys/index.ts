/**
 * Keys and signatures: SubjectPublicKeyInfo parsing, signature algorithm identifiers (X.509 and TLS).
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
export { nobleSignatureProvider } from './noble-signatures.js';
export { modPow } from './rsa.js';
export { encodeSpki, parsePublicKey } from './spki.js';
