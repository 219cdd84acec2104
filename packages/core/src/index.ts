/**
 * @sanstls/core: a synchronous, sans-IO TLS 1.2/1.3 engine with Python's `ssl` API shape
 * (SSLContext, SSLObject, MemoryBIO, SSLSession).
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
  type OcspRequestCallback,
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
export {
  exportSession,
  importSession,
  type NewSessionTicketSource,
  sessionFromNewSessionTicket,
  type TicketLookupCallback,
  type TicketLookupResult,
  type Tls13ClientTicket,
} from './tickets.js';

import { installPrivateKeySupport, installServerSupport } from './support.js';

// The full entry serves and loads private keys out of the box; `@sanstls/core/client` (client-only.ts)
// leaves both to an explicit call so a browser bundle does not carry them (slots.ts, issue #9). This is
// why package.json lists this file under "sideEffects".
installServerSupport();
installPrivateKeySupport();
