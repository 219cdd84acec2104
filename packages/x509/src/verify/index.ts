/**
 * Chain building and validation (RFC 5280 §6), trust stores, CRL checks, hostname/IP matching and
 * OpenSSL's verification error table.
 * @module
 */

export {
  type VerifyChainOptions,
  type VerifyChainResult,
  type VerifyChainWithOptions,
  type VerifyPurpose,
  verifyChain,
  verifyChainWith,
} from './chain.js';
export { type CachedChain, VerifiedChainCache } from './chain-cache.js';
export {
  checkEmail,
  checkHostname,
  checkIp,
  type HostnameCheckOptions,
  type HostnameMatchInput,
  matchHostname,
} from './hostname.js';
export { formatIpAddress, parseIpAddress } from './ip.js';
export { type SignatureCacheLike, VerifiedSignatureCache } from './signature-cache.js';
export { TrustStore } from './trust-store.js';
export {
  VERIFY_ALLOW_PROXY_CERTS,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_DEFAULT,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifyFlags,
  verifyErrorText,
  X509_V_ERR,
  type X509VerifyErrorName,
} from './verify-errors.js';
