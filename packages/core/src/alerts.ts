/**
 * The one error → alert table of the engine (RFC 8446 §6.2, RFC 5246 §7.2.2).
 *
 * Handshake and record code never picks an alert at the failure site: it raises {@link tlsFailure}
 * with an OpenSSL reason mnemonic (`SSL_R_*`, the strings Python shows in `[SSL: REASON]`), and
 * {@link LOCAL_FAILURE_ALERT} — a `Record` over every reason, so the compiler enforces totality — says
 * which alert goes on the wire. {@link alertForError} extends the mapping to errors raised by other
 * modules (codec errors already carry their alert, certificate-verification errors map through
 * OpenSSL's `ssl_verify_alarm_type`), and {@link receivedAlertError} turns a peer's fatal alert into the
 * SSLError Python raises for it (`TLSV1_ALERT_PROTOCOL_VERSION`, `SSLV3_ALERT_HANDSHAKE_FAILURE`, …).
 * @module
 */
import { SSLCertVerificationError, SSLError, X509ParseError } from '@sanstls/x509';

/** Alert codes used below (RFC 8446 §6; the full registry is the codec's AlertDescription). */
const A = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

/**
 * Every local failure the engine raises, with the alert it sends (null: no alert — local misuse, or a
 * condition where OpenSSL sends none). Reasons are OpenSSL's mnemonics where OpenSSL has one.
 */
export const LOCAL_FAILURE_ALERT = {
  // Record layer (RFC 8446 §5)
  WRONG_VERSION_NUMBER: A.protocol_version,
  HTTP_REQUEST: null,
  WRONG_RECORD_TYPE: A.unexpected_message,
  UNEXPECTED_RECORD: A.unexpected_message,
  UNEXPECTED_CCS_MESSAGE: A.unexpected_message,
  BAD_CHANGE_CIPHER_SPEC: A.unexpected_message,
  ENCRYPTED_LENGTH_TOO_LONG: A.record_overflow,
  DATA_LENGTH_TOO_LONG: A.record_overflow,
  DECRYPTION_FAILED_OR_BAD_RECORD_MAC: A.bad_record_mac,
  BAD_RECORD_LENGTH: A.decode_error,
  ZERO_LENGTH_HANDSHAKE_FRAGMENT: A.unexpected_message,
  NO_CONTENT_TYPE: A.unexpected_message,
  TOO_MANY_EMPTY_RECORDS: A.unexpected_message,
  TOO_MANY_WARN_ALERTS: A.unexpected_message,
  BAD_ALERT: A.decode_error,
  APPLICATION_DATA_AFTER_CLOSE_NOTIFY: A.unexpected_message,
  NOT_ON_RECORD_BOUNDARY: A.unexpected_message,
  EXCESSIVE_MESSAGE_SIZE: A.illegal_parameter,
  SEQUENCE_NUMBER_EXHAUSTED: A.internal_error,
  // Handshake flow (RFC 8446 §4)
  UNEXPECTED_MESSAGE: A.unexpected_message,
  UNSUPPORTED_PROTOCOL: A.protocol_version,
  BAD_PROTOCOL_VERSION_NUMBER: A.illegal_parameter,
  TLS13_DOWNGRADE: A.illegal_parameter,
  BAD_LEGACY_VERSION: A.protocol_version,
  INVALID_COMPRESSION_ALGORITHM: A.illegal_parameter,
  INVALID_SESSION_ID: A.illegal_parameter,
  NO_SHARED_CIPHER: A.handshake_failure,
  WRONG_CIPHER_RETURNED: A.illegal_parameter,
  NO_SHARED_GROUPS: A.handshake_failure,
  WRONG_CURVE: A.illegal_parameter,
  BAD_KEY_SHARE: A.illegal_parameter,
  MISSING_KEY_SHARE: A.missing_extension,
  BAD_HELLO_RETRY_REQUEST: A.illegal_parameter,
  BAD_SECOND_CLIENT_HELLO: A.illegal_parameter,
  BAD_COOKIE: A.illegal_parameter,
  MISSING_EXTENSION: A.missing_extension,
  MISSING_SIGALGS_EXTENSION: A.missing_extension,
  MISSING_SUPPORTED_GROUPS_EXTENSION: A.missing_extension,
  UNSOLICITED_EXTENSION: A.unsupported_extension,
  BAD_EXTENSION: A.illegal_parameter,
  ILLEGAL_PARAMETER: A.illegal_parameter,
  DECODE_ERROR: A.decode_error,
  NO_APPLICATION_PROTOCOL: A.no_application_protocol,
  INVALID_ALPN_PROTOCOL: A.illegal_parameter,
  UNRECOGNIZED_NAME: A.unrecognized_name,
  CALLBACK_FAILED: A.handshake_failure,
  // Authentication (RFC 8446 §4.4)
  NO_CERTIFICATES_RETURNED: A.decode_error,
  BAD_CERTIFICATE: A.bad_certificate,
  UNSUPPORTED_CERTIFICATE_TYPE: A.unsupported_certificate,
  CERTIFICATE_VERIFY_FAILED: A.certificate_unknown,
  PEER_DID_NOT_RETURN_A_CERTIFICATE: A.certificate_required,
  NO_SUITABLE_SIGNATURE_ALGORITHM: A.handshake_failure,
  WRONG_SIGNATURE_TYPE: A.illegal_parameter,
  BAD_SIGNATURE: A.decrypt_error,
  DIGEST_CHECK_FAILED: A.decrypt_error,
  PINNED_KEY_MISMATCH: A.bad_certificate,
  INSUFFICIENT_SECURITY: A.insufficient_security,
  // Post-handshake (RFC 8446 §4.6)
  BAD_KEY_UPDATE: A.illegal_parameter,
  TOO_MANY_KEY_UPDATES: A.unexpected_message,
  // OCSP stapling (RFC 6066 §8): a status we did not ask for, or one the application rejected
  INVALID_STATUS_RESPONSE: A.bad_certificate_status_response,
  // Resumption, 0-RTT, post-handshake authentication (issue #7; RFC 8446 §4.2.10, §4.2.11, §4.6)
  BINDER_DOES_NOT_VERIFY: A.decrypt_error,
  BAD_PSK_IDENTITY: A.illegal_parameter,
  BAD_PSK: A.illegal_parameter,
  TOO_MUCH_EARLY_DATA: A.unexpected_message,
  BAD_EARLY_DATA: A.illegal_parameter,
  // TLS 1.2 (issue #6): RFC 5746 secure renegotiation, RFC 7627 extended master secret, RFC 7507 fallback
  RENEGOTIATION_MISMATCH: A.handshake_failure,
  UNSAFE_LEGACY_RENEGOTIATION_DISABLED: A.handshake_failure,
  NO_RENEGOTIATION: A.no_renegotiation,
  EXTENDED_MASTER_SECRET_REQUIRED: A.handshake_failure,
  INCONSISTENT_EXTMS: A.handshake_failure,
  INAPPROPRIATE_FALLBACK: A.inappropriate_fallback,
  // Local
  INTERNAL_ERROR: A.internal_error,
  PROTOCOL_IS_SHUTDOWN: null,
  NOT_SUPPORTED: null,
  KEY_VALUES_MISMATCH: null,
  NO_CIPHER_MATCH: null,
  BAD_VALUE: null,
} as const satisfies Record<string, number | null>;

export type FailureReason = keyof typeof LOCAL_FAILURE_ALERT;

/** An SSLError for a local failure: the reason's alert (from the table) travels with it. */
export function tlsFailure(reason: FailureReason, text: string): SSLError {
  const alert = LOCAL_FAILURE_ALERT[reason];
  return new SSLError(text, alert === null ? { library: 'SSL', reason } : { library: 'SSL', reason, alert });
}

/**
 * OpenSSL's `ssl_verify_alarm_type` (ssl/statem/statem_lib.c): the alert for an X509_V_ERR code.
 * Codes not listed send certificate_unknown.
 */
const VERIFY_ERROR_ALERT: ReadonlyMap<number, number> = new Map([
  // unable to get issuer / local issuer, unable to verify leaf signature, self-signed (in chain),
  // chain too long, invalid CA, path length exceeded: the issuer is not trusted.
  [2, A.unknown_ca],
  [20, A.unknown_ca],
  [21, A.unknown_ca],
  [18, A.unknown_ca],
  [19, A.unknown_ca],
  [22, A.unknown_ca],
  [24, A.unknown_ca],
  [25, A.unknown_ca],
  // undecodable/bad signatures, not yet valid, bad time fields, CRL problems: the certificate is bad.
  [4, A.bad_certificate],
  [5, A.bad_certificate],
  [6, A.bad_certificate],
  [7, A.bad_certificate],
  [8, A.bad_certificate],
  [9, A.bad_certificate],
  [11, A.bad_certificate],
  [13, A.bad_certificate],
  [14, A.bad_certificate],
  [15, A.bad_certificate],
  [16, A.bad_certificate],
  [10, A.certificate_expired],
  [12, A.certificate_expired],
  [23, A.certificate_revoked],
  [26, A.unsupported_certificate],
  [28, A.bad_certificate],
  [50, A.handshake_failure],
]);

/** The alert for a certificate-verification failure (X509_V_ERR code). */
export function alertForVerifyCode(verifyCode: number): number {
  return VERIFY_ERROR_ALERT.get(verifyCode) ?? A.certificate_unknown;
}

/**
 * The alert to send for any error raised while processing input, or null for none. Errors that carry
 * an alert (codec, key exchange, this module) keep it; certificate-verification errors use OpenSSL's
 * table; a certificate that does not parse is bad_certificate; anything else is internal_error.
 */
export function alertForError(error: unknown): number | null {
  if (error instanceof SSLError) {
    if (error.alertReceived) return null;
    if (error.alert !== undefined) return error.alert;
    if (error instanceof SSLCertVerificationError) return alertForVerifyCode(error.verifyCode);
    if (error instanceof X509ParseError) return A.bad_certificate;
    const reason = error.reason;
    if (reason !== undefined && reason in LOCAL_FAILURE_ALERT) {
      return LOCAL_FAILURE_ALERT[reason as FailureReason];
    }
    return A.internal_error;
  }
  return A.internal_error;
}

/**
 * Normalises anything thrown inside the engine to the SSLError family with its alert attached, so
 * callers only ever see SSLErrors (a TypeError from a bug becomes INTERNAL_ERROR, not a crash).
 */
export function asTlsError(error: unknown): SSLError {
  if (error instanceof SSLError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new SSLError(`internal error: ${text}`, {
    library: 'SSL',
    reason: 'INTERNAL_ERROR',
    alert: A.internal_error,
    cause: error,
  });
}

/**
 * OpenSSL's reason for a received alert (`SSL_R_SSLV3_ALERT_*` for SSLv3's codes, `SSL_R_TLSV1_ALERT_*`
 * and `SSL_R_TLSV13_ALERT_*` for later ones), as Python shows it.
 */
const RECEIVED_ALERT_REASON: ReadonlyMap<number, string> = new Map([
  [0, 'SSLV3_ALERT_CLOSE_NOTIFY'],
  [10, 'SSLV3_ALERT_UNEXPECTED_MESSAGE'],
  [20, 'SSLV3_ALERT_BAD_RECORD_MAC'],
  [21, 'TLSV1_ALERT_DECRYPTION_FAILED'],
  [22, 'TLSV1_ALERT_RECORD_OVERFLOW'],
  [30, 'SSLV3_ALERT_DECOMPRESSION_FAILURE'],
  [40, 'SSLV3_ALERT_HANDSHAKE_FAILURE'],
  [41, 'SSLV3_ALERT_NO_CERTIFICATE'],
  [42, 'SSLV3_ALERT_BAD_CERTIFICATE'],
  [43, 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE'],
  [44, 'SSLV3_ALERT_CERTIFICATE_REVOKED'],
  [45, 'SSLV3_ALERT_CERTIFICATE_EXPIRED'],
  [46, 'SSLV3_ALERT_CERTIFICATE_UNKNOWN'],
  [47, 'SSLV3_ALERT_ILLEGAL_PARAMETER'],
  [48, 'TLSV1_ALERT_UNKNOWN_CA'],
  [49, 'TLSV1_ALERT_ACCESS_DENIED'],
  [50, 'TLSV1_ALERT_DECODE_ERROR'],
  [51, 'TLSV1_ALERT_DECRYPT_ERROR'],
  [60, 'TLSV1_ALERT_EXPORT_RESTRICTION'],
  [70, 'TLSV1_ALERT_PROTOCOL_VERSION'],
  [71, 'TLSV1_ALERT_INSUFFICIENT_SECURITY'],
  [80, 'TLSV1_ALERT_INTERNAL_ERROR'],
  [86, 'TLSV1_ALERT_INAPPROPRIATE_FALLBACK'],
  [90, 'TLSV1_ALERT_USER_CANCELLED'],
  [100, 'TLSV1_ALERT_NO_RENEGOTIATION'],
  [109, 'TLSV13_ALERT_MISSING_EXTENSION'],
  [110, 'TLSV1_ALERT_UNSUPPORTED_EXTENSION'],
  [111, 'TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE'],
  [112, 'TLSV1_ALERT_UNRECOGNIZED_NAME'],
  [113, 'TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE'],
  [114, 'TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE'],
  [115, 'TLSV1_ALERT_UNKNOWN_PSK_IDENTITY'],
  [116, 'TLSV13_ALERT_CERTIFICATE_REQUIRED'],
  [120, 'TLSV1_ALERT_NO_APPLICATION_PROTOCOL'],
]);

/** OpenSSL's reason string for a received alert code (`SSL_AD_REASON_OFFSET + code` for unknown ones). */
export function receivedAlertReason(code: number): string {
  return RECEIVED_ALERT_REASON.get(code) ?? `SSL_AD_UNKNOWN_ALERT_${code}`;
}

/** The SSLError for a fatal alert received from the peer: `[SSL: TLSV1_ALERT_…] tlsv1 alert …`. */
export function receivedAlertError(code: number): SSLError {
  const reason = receivedAlertReason(code);
  const text = reason.toLowerCase().replace(/_/g, ' ');
  return new SSLError(text, { library: 'SSL', reason, alert: code, alertReceived: true });
}
