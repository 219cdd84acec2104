/**
 * @sanstls/core: a synchronous, sans-IO TLS 1.2/1.3 engine with Python's `ssl` API shape
 * (SSLContext, SSLObject, MemoryBIO, SSLSession).
 * @module
 */
// The error family is defined once in @sanstls/x509 and re-exported so `instanceof` works everywhere.
export {
  SSLError,
  SSLZeroReturnError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLSyscallError,
  SSLEOFError,
  SSLCertVerificationError,
  CertificateError,
  CertificateVerificationError,
  SSLErrorNumber,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
} from '@sanstls/x509';
export * from './crypto/index.js';
