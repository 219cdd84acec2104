/**
 * `@sanstls/core/client`: the same API as `@sanstls/core` for a client-only bundle (issue #9). Nothing
 * here installs the server state machines or the private-key parsers (slots.ts), so a bundler leaves
 * them out: `wrapBio(…, { serverSide: true })` and `SSLContext.loadCertChain` with a PEM/DER key raise
 * SSLError NOT_SUPPORTED until {@link installServerSupport} / {@link installPrivateKeySupport} are called
 * (client certificates also work without them through `loadCertChainWithSigner`). Importing
 * `@sanstls/core` anywhere in the program installs both. Same modules, same classes: `instanceof` holds
 * across the two entries.
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
export { SSLObject, type WrapBioOptions } from './sslobject.js';
export { installPrivateKeySupport, installServerSupport } from './support.js';
/** TLS 1.3 tickets and sessions as bytes (issue #7). */
export { exportSession, importSession, type Tls13ClientTicket } from './tickets.js';
