/**
 * `@sanstls/core/client-base`: the API of `@sanstls/core/client` without a default crypto provider
 * (issue #9). `new SSLContext(…)` here needs `options.cryptoProvider` (SSLError NOT_SUPPORTED without it,
 * unless `@sanstls/core` or `@sanstls/core/client` was loaded and installed the noble provider), so a
 * bundle built on this entry with its own provider — the WebCrypto client,
 * `@sanstls/web-adapter/client-webcrypto` — carries none of noble's key exchange (X25519, P-256/P-384,
 * ML-KEM) or signature code. Same modules, same classes as the other entries.
 * @module
 */
// The error family is defined once in @sanstls/x509 and re-exported so `instanceof` works everywhere.
export {
  CertificateError,
  CertificateVerificationError,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_ZERO_RETURN,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLErrorNumber,
  SSLSyscallError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
  VERIFY_ALLOW_PROXY_CERTS,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_DEFAULT,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifyFlags,
} from '@sanstls/x509';
export { type FailureReason, LOCAL_FAILURE_ALERT, receivedAlertReason } from './alerts.js';
export { evaluateCipherString } from './cipher-string.js';
export { type ConnectionState, TlsConnection, type TlsConnectionOptions } from './connection.js';
export * from './constants.js';
export {
  type CipherInfo,
  createDefaultContext,
  type SniCallback,
  SSLContext,
  type SSLContextOptions,
} from './context.js';
export * from './crypto/index.js';
export type { Negotiated, SuspensionPoint } from './handshake/common.js';
export type {
  Awaitable,
  CertifiedKey,
  EngineConfig,
  OcspResponseCallback,
  VerifyCallback,
  VerifyCallbackInfo,
} from './handshake/config.js';
export { DEFAULT_LIMITS, resolveLimits, type TlsLimits } from './limits.js';
export { MemoryBIO } from './memorybio.js';
export { SSLSession } from './session.js';
/** Session-ticket keys as `SSLContext.setTicketKeys()` takes them (48 bytes). */
export { TICKET_KEYS_LENGTH } from './session12.js';
export { setDefaultCryptoProvider } from './slots.js';
export { SSLObject, type WrapBioOptions } from './sslobject.js';
export { installPrivateKeySupport, installServerSupport } from './support.js';
/** TLS 1.3 tickets and sessions as bytes (issue #7). */
export { exportSession, importSession, type Tls13ClientTicket } from './tickets.js';
