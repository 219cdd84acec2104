/**
 * Keys and signatures: SubjectPublicKeyInfo parsing and encoding, signature algorithm identifiers
 * (X.509 and TLS SignatureScheme), the default noble/BigInt signature provider, private key loading
 * (PKCS #8, encrypted PKCS #8, PKCS #1, SEC 1, PKCS #12).
 * @module
 */
export { parsePublicKey, encodeSpki } from './spki.js';
export {
  signatureAlgorithmFromX509,
  x509AlgorithmIdentifier,
  signatureAlgorithmFromTlsScheme,
  tlsSignatureSchemeName,
  tlsSchemeFitsKey,
  TlsSignatureScheme,
  type TlsSignatureSchemeName,
} from './algorithms.js';
export { nobleSignatureProvider } from './noble-signatures.js';
export { modPow } from './rsa.js';
export {
  loadPrivateKey,
  publicKeyFromPrivate,
  privateKeyMatchesPublicKey,
  assertPrivateKeyMatches,
  type PasswordInput,
} from './private.js';
export { loadPkcs12, type Pkcs12Contents } from './pkcs12.js';
