/**
 * The SSLError family (Python `ssl` 3.7 exceptions). It lives in @sanstls/x509, the bottom of the
 * package graph, because certificate code raises it too; @sanstls/core and the adapters re-export these
 * very classes so `instanceof` works whichever package a caller imported them from.
 *
 * Messages never contain key material or traffic secrets: callers pass mnemonics and public facts only.
 * @module
 */

/** `SSL_ERROR_*` numbers, as Python's `ssl.SSLErrorNumber`. */
export const SSLErrorNumber = {
  SSL_ERROR_SSL: 1,
  SSL_ERROR_WANT_READ: 2,
  SSL_ERROR_WANT_WRITE: 3,
  SSL_ERROR_WANT_X509_LOOKUP: 4,
  SSL_ERROR_SYSCALL: 5,
  SSL_ERROR_ZERO_RETURN: 6,
  SSL_ERROR_WANT_CONNECT: 7,
  SSL_ERROR_EOF: 8,
  SSL_ERROR_INVALID_ERROR_CODE: 10,
} as const;
export type SSLErrorNumber = (typeof SSLErrorNumber)[keyof typeof SSLErrorNumber];

export const {
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_WANT_X509_LOOKUP,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_ZERO_RETURN,
  SSL_ERROR_WANT_CONNECT,
  SSL_ERROR_EOF,
  SSL_ERROR_INVALID_ERROR_CODE,
} = SSLErrorNumber;

export interface SSLErrorOptions {
  /** OpenSSL-style library mnemonic: `SSL`, `X509`, `PEM`, `ASN1`, `EVP`, … */
  library?: string;
  /** OpenSSL-style reason mnemonic: `CERTIFICATE_VERIFY_FAILED`, `WRONG_VERSION_NUMBER`, … */
  reason?: string;
  /** The `SSL_ERROR_*` number (Python's `errno`). Defaults to SSL_ERROR_SSL. */
  code?: number;
  /**
   * TLS alert description tied to this error: the alert we send for a local failure, or the one we
   * received for a peer's fatal alert (`received` tells which).
   */
  alert?: number;
  /** True when `alert` was received from the peer rather than raised locally. */
  alertReceived?: boolean;
  cause?: unknown;
}

/**
 * Raised to signal an error from the TLS implementation (Python: a subtype of OSError carrying
 * `library` and `reason`). `message` has Python's shape: `[LIBRARY: REASON] text`.
 */
export class SSLError extends Error {
  readonly library: string | undefined;
  readonly reason: string | undefined;
  /** Python's `errno`: one of {@link SSLErrorNumber}. */
  readonly code: number;
  /** Python's `errno` spelling. */
  get errno(): number {
    return this.code;
  }
  /** Python's `strerror`: the message without the library/reason prefix. */
  readonly strerror: string;
  readonly alert: number | undefined;
  readonly alertReceived: boolean;

  constructor(text: string, options: SSLErrorOptions = {}) {
    const prefix =
      options.library !== undefined && options.reason !== undefined
        ? `[${options.library}: ${options.reason}] `
        : options.reason !== undefined
          ? `[${options.reason}] `
          : '';
    super(prefix + text, options.cause === undefined ? undefined : { cause: options.cause });
    this.library = options.library;
    this.reason = options.reason;
    this.code = options.code ?? SSL_ERROR_SSL;
    this.strerror = text;
    this.alert = options.alert;
    this.alertReceived = options.alertReceived ?? false;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** The TLS connection was closed cleanly by the peer's close_notify. */
export class SSLZeroReturnError extends SSLError {
  constructor(text = 'TLS/SSL connection has been closed (EOF)', options: SSLErrorOptions = {}) {
    super(text, { reason: 'ZERO_RETURN', ...options, code: SSL_ERROR_ZERO_RETURN });
  }
}

/**
 * Flow control, not failure: SSLWantReadError is raised by every read that drains the incoming buffer and
 * every handshake step that waits for the peer, so it is built without capturing a stack trace (V8 reads
 * `Error.stackTraceLimit` when an error is constructed). The capture was ≈ 3 µs of ≈ 5 µs per error and
 * 9% of bulk transfer through SSLObject with the node:crypto provider (pnpm bench profile). Engines without
 * a writable stackTraceLimit (frozen intrinsics, other runtimes) keep their default behaviour.
 */
function suppressStacks(): number | undefined {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit !== 'number') return undefined;
  try {
    E.stackTraceLimit = 0;
  } catch {
    return undefined;
  }
  return limit;
}
function restoreStacks(limit: number | undefined): void {
  if (limit !== undefined) (Error as { stackTraceLimit?: number }).stackTraceLimit = limit;
}

/** More bytes must arrive on the transport (the incoming MemoryBIO) before the call can complete. */
export class SSLWantReadError extends SSLError {
  constructor(text = 'The operation did not complete (read)', options: SSLErrorOptions = {}) {
    const limit = suppressStacks();
    try {
      super(text, { ...options, code: SSL_ERROR_WANT_READ });
    } finally {
      restoreStacks(limit);
    }
  }
}

/** Bytes must be sent on the transport (drain the outgoing MemoryBIO) before the call can complete. */
export class SSLWantWriteError extends SSLError {
  constructor(text = 'The operation did not complete (write)', options: SSLErrorOptions = {}) {
    const limit = suppressStacks();
    try {
      super(text, { ...options, code: SSL_ERROR_WANT_WRITE });
    } finally {
      restoreStacks(limit);
    }
  }
}

/** A transport (system) error happened underneath the TLS connection. */
export class SSLSyscallError extends SSLError {
  constructor(text = 'Some I/O error occurred', options: SSLErrorOptions = {}) {
    super(text, { ...options, code: SSL_ERROR_SYSCALL });
  }
}

/** The transport ended without a close_notify (truncation): the connection was terminated abruptly. */
export class SSLEOFError extends SSLError {
  constructor(text = 'EOF occurred in violation of protocol', options: SSLErrorOptions = {}) {
    super(text, { reason: 'UNEXPECTED_EOF_WHILE_READING', ...options, code: SSL_ERROR_EOF });
  }
}

/**
 * Certificate validation failed. `verifyCode`/`verifyMessage` are OpenSSL's X509_V_ERR number and text
 * (e.g. 10 / `certificate has expired`, 62 / `Hostname mismatch`).
 */
export class SSLCertVerificationError extends SSLError {
  readonly verifyCode: number;
  readonly verifyMessage: string;
  constructor(verifyCode: number, verifyMessage: string, options: SSLErrorOptions & { text?: string } = {}) {
    super(options.text ?? `certificate verify failed: ${verifyMessage}`, {
      library: 'SSL',
      reason: 'CERTIFICATE_VERIFY_FAILED',
      ...options,
    });
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
  }
}

/** Python 3.7: `CertificateError` is an alias of {@link SSLCertVerificationError}. */
export const CertificateError = SSLCertVerificationError;
export type CertificateError = SSLCertVerificationError;
/** Alias named in the sanstls API contract. */
export const CertificateVerificationError = SSLCertVerificationError;
export type CertificateVerificationError = SSLCertVerificationError;

/** Malformed certificate, key, PEM or DER input: an SSLError with library `X509`/`PEM`/`ASN1`. */
export class X509ParseError extends SSLError {
  constructor(text: string, options: SSLErrorOptions = {}) {
    super(text, { library: 'X509', reason: 'BAD_ENCODING', ...options });
  }
}
