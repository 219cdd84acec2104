/**
 * The constants of Python's `ssl` module (3.7), with the values Python shows on OpenSSL 3.0: protocol
 * selectors, verification modes, option bits, TLS versions, alert descriptions, purposes and the
 * `HAS_*` feature flags describing what this engine implements.
 *
 * Verification flags (`VERIFY_*`) are defined by @sanstls/x509's verifier and re-exported from this
 * package's index, so there is one definition.
 * @module
 */

/** Python's `ssl._SSLMethod`. Only the version-flexible selectors build a context. */
export const PROTOCOL_TLS = 2;
/** Alias of {@link PROTOCOL_TLS} (Python keeps the old name). */
export const PROTOCOL_SSLv23 = 2;
export const PROTOCOL_TLS_CLIENT = 16;
export const PROTOCOL_TLS_SERVER = 17;
/** Fixed-version selectors: the names exist, but `new SSLContext(PROTOCOL_TLSv1)` raises 'not supported'. */
export const PROTOCOL_TLSv1 = 3;
export const PROTOCOL_TLSv1_1 = 4;
export const PROTOCOL_TLSv1_2 = 5;

export const _SSLMethod = {
  PROTOCOL_TLS,
  PROTOCOL_SSLv23,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  PROTOCOL_TLSv1,
  PROTOCOL_TLSv1_1,
  PROTOCOL_TLSv1_2,
} as const;
export type SSLProtocol = (typeof _SSLMethod)[keyof typeof _SSLMethod];

/** Python's `ssl.VerifyMode`. */
export const VerifyMode = { CERT_NONE: 0, CERT_OPTIONAL: 1, CERT_REQUIRED: 2 } as const;
export type VerifyMode = (typeof VerifyMode)[keyof typeof VerifyMode];
export const { CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED } = VerifyMode;

/**
 * Python's `ssl.Options`: OpenSSL 3.0's SSL_OP_* bits. Options that are no-ops in OpenSSL 3.0 (and in
 * this engine) keep Python's value 0 (`OP_NO_SSLv2`, `OP_SINGLE_DH_USE`, `OP_SINGLE_ECDH_USE`).
 */
export const Options = {
  OP_ALL: 0x80000050,
  OP_NO_SSLv2: 0,
  OP_NO_SSLv3: 0x02000000,
  OP_NO_TLSv1: 0x04000000,
  OP_NO_TLSv1_1: 0x10000000,
  OP_NO_TLSv1_2: 0x08000000,
  OP_NO_TLSv1_3: 0x20000000,
  OP_NO_RENEGOTIATION: 0x40000000,
  OP_CIPHER_SERVER_PREFERENCE: 0x00400000,
  OP_SINGLE_DH_USE: 0,
  OP_SINGLE_ECDH_USE: 0,
  OP_ENABLE_MIDDLEBOX_COMPAT: 0x00100000,
  OP_NO_COMPRESSION: 0x00020000,
  OP_NO_TICKET: 0x00004000,
  OP_IGNORE_UNEXPECTED_EOF: 0x00000080,
} as const;
export type Options = number;
export const {
  OP_ALL,
  OP_NO_SSLv2,
  OP_NO_SSLv3,
  OP_NO_TLSv1,
  OP_NO_TLSv1_1,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  OP_NO_RENEGOTIATION,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_SINGLE_DH_USE,
  OP_SINGLE_ECDH_USE,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_NO_COMPRESSION,
  OP_NO_TICKET,
  OP_IGNORE_UNEXPECTED_EOF,
} = Options;

/**
 * The options a new context starts with, as Python 3.7+ on OpenSSL 3.0 reports them
 * (`SSLContext(PROTOCOL_TLS_CLIENT).options == 2186412112`): OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION |
 * OP_CIPHER_SERVER_PREFERENCE | OP_ENABLE_MIDDLEBOX_COMPAT (OP_NO_SSLv2 and the SINGLE_* bits are 0).
 */
export const DEFAULT_OPTIONS: number =
  (OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE | OP_ENABLE_MIDDLEBOX_COMPAT) >>> 0;

/** Python's `ssl.TLSVersion` (the wire versions, plus the two sentinels). */
export const TLSVersion = {
  MINIMUM_SUPPORTED: -2,
  MAXIMUM_SUPPORTED: -1,
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;
export type TLSVersion = (typeof TLSVersion)[keyof typeof TLSVersion];

/** Python's `ssl.AlertDescription` (the TLS alert registry, RFC 8446 §6). */
export const AlertDescription = {
  ALERT_DESCRIPTION_CLOSE_NOTIFY: 0,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE: 10,
  ALERT_DESCRIPTION_BAD_RECORD_MAC: 20,
  ALERT_DESCRIPTION_RECORD_OVERFLOW: 22,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE: 30,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE: 40,
  ALERT_DESCRIPTION_BAD_CERTIFICATE: 42,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE: 43,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED: 44,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED: 45,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN: 46,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER: 47,
  ALERT_DESCRIPTION_UNKNOWN_CA: 48,
  ALERT_DESCRIPTION_ACCESS_DENIED: 49,
  ALERT_DESCRIPTION_DECODE_ERROR: 50,
  ALERT_DESCRIPTION_DECRYPT_ERROR: 51,
  ALERT_DESCRIPTION_PROTOCOL_VERSION: 70,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY: 71,
  ALERT_DESCRIPTION_INTERNAL_ERROR: 80,
  ALERT_DESCRIPTION_USER_CANCELLED: 90,
  ALERT_DESCRIPTION_NO_RENEGOTIATION: 100,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION: 110,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE: 111,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME: 112,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE: 113,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE: 114,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY: 115,
  /** Not in Python 3.7's enum; RFC 8446 §6.2 codes this engine sends. */
  ALERT_DESCRIPTION_MISSING_EXTENSION: 109,
  ALERT_DESCRIPTION_CERTIFICATE_REQUIRED: 116,
  ALERT_DESCRIPTION_NO_APPLICATION_PROTOCOL: 120,
} as const;
export type AlertDescriptionCode = (typeof AlertDescription)[keyof typeof AlertDescription];
export const {
  ALERT_DESCRIPTION_CLOSE_NOTIFY,
  ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
  ALERT_DESCRIPTION_BAD_RECORD_MAC,
  ALERT_DESCRIPTION_RECORD_OVERFLOW,
  ALERT_DESCRIPTION_DECOMPRESSION_FAILURE,
  ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE,
  ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
  ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
  ALERT_DESCRIPTION_CERTIFICATE_EXPIRED,
  ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN,
  ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
  ALERT_DESCRIPTION_UNKNOWN_CA,
  ALERT_DESCRIPTION_ACCESS_DENIED,
  ALERT_DESCRIPTION_DECODE_ERROR,
  ALERT_DESCRIPTION_DECRYPT_ERROR,
  ALERT_DESCRIPTION_PROTOCOL_VERSION,
  ALERT_DESCRIPTION_INSUFFICIENT_SECURITY,
  ALERT_DESCRIPTION_INTERNAL_ERROR,
  ALERT_DESCRIPTION_USER_CANCELLED,
  ALERT_DESCRIPTION_NO_RENEGOTIATION,
  ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION,
  ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
  ALERT_DESCRIPTION_UNRECOGNIZED_NAME,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE,
  ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
  ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
  ALERT_DESCRIPTION_MISSING_EXTENSION,
  ALERT_DESCRIPTION_CERTIFICATE_REQUIRED,
  ALERT_DESCRIPTION_NO_APPLICATION_PROTOCOL,
} = AlertDescription;

/**
 * Python's `ssl.Purpose`: the extended key usage a context is created for (`createDefaultContext`).
 * SERVER_AUTH builds a client context (it authenticates servers), CLIENT_AUTH a server context.
 */
export const Purpose = {
  SERVER_AUTH: {
    nid: 129,
    shortname: 'serverAuth',
    longname: 'TLS Web Server Authentication',
    oid: '1.3.6.1.5.5.7.3.1',
  },
  CLIENT_AUTH: {
    nid: 130,
    shortname: 'clientAuth',
    longname: 'TLS Web Client Authentication',
    oid: '1.3.6.1.5.5.7.3.2',
  },
} as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

export const HAS_ALPN = true;
export const HAS_SNI = true;
export const HAS_ECDH = true;
export const HAS_NPN = false;
export const HAS_NEVER_CHECK_COMMON_NAME = true;
export const HAS_SSLv2 = false;
export const HAS_SSLv3 = false;
export const HAS_TLSv1 = false;
export const HAS_TLSv1_1 = false;
/** TLS 1.2 (RFC 5246, AEAD suites only) is implemented (issue #6). */
export const HAS_TLSv1_2 = true;
export const HAS_TLSv1_3 = true;

/**
 * Python's `CHANNEL_BINDING_TYPES`. For TLS 1.3, 'tls-unique' is what OpenSSL/Python return: the
 * client's Finished verify_data. `tls-exporter` (RFC 9266) comes with the exporter work.
 */
export const CHANNEL_BINDING_TYPES: readonly string[] = ['tls-unique'];

/** Python's `OPENSSL_VERSION` equivalent for this engine. */
export const OPENSSL_VERSION = 'sanstls 0.1.0 (TLS 1.3)';
export const OPENSSL_VERSION_INFO: readonly [number, number, number, number, number] = [0, 1, 0, 0, 0];
export const OPENSSL_VERSION_NUMBER = 0x00100000;
