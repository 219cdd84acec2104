/**
 * `@sanstls/x509/generate`: certificate, chain, CRL and key generation for tests, demos and benchmarks.
 * A separate entry point so the handshake path and browser bundles never carry it.
 *
 * Deterministic when given `now` and `randomBytes`; otherwise only the outermost call reads the clock
 * (`new Date()`) and the platform RNG (`globalThis.crypto.getRandomValues`).
 * @module
 */
export {
  type AutomaticExtension,
  type CertificateOptions,
  createCertificate,
  defaultSignatureAlgorithm,
  type GeneratedCertificate,
  type IssuerInput,
} from './certificate.js';
export { type ChainMember, type ChainOptions, createChain, type GeneratedChain } from './chain.js';
export { type CrlOptions, createCrl, type GeneratedCrl, type RevokedEntry } from './crl.js';
export { pemEncode } from '../parse/pem.js';
export {
  type AltNames,
  CrlReason,
  type CrlReasonName,
  type ExtKeyUsageName,
  ExtKeyUsageOid,
  type NameConstraintsInput,
  type NameSubtrees,
} from './extensions.js';
export { type GeneratedKey, generateKey, KEY_TYPES, type KeyType, privateKeyPem } from './keys.js';
export { encodeName, type NameAttribute, type NameInput, type NameStringType, parseNameString } from './name.js';
export type { RandomBytes } from './random.js';
