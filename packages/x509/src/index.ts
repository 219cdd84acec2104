/**
 * @sanstls/x509: certificates for sanstls. Parsing (DER/PEM), Python `getpeercert()` dicts, keys and
 * signatures, RFC 5280 chain building and validation, hostname and IP matching.
 * @module
 */
export * from './errors.js';
export * from './types.js';
export * from './der.js';
export * from './parse/index.js';
export * from './keys/index.js';
export * from './verify/index.js';
