/**
 * Errors raised by the TLS wire codec. Every one is an {@link SSLError} (library `SSL`) carrying the
 * alert the engine sends for it (RFC 8446 §6.2, RFC 5246 §7.2.2), so the engine maps codec failures to
 * alerts without a second table. Reasons follow OpenSSL's `SSL_R_*` mnemonics.
 * @module
 */
import { SSLError } from '@sanstls/x509';

/** Alert numbers the codec raises (the full registry is `AlertDescription` in enums.ts). */
export const CodecAlert = {
  unexpected_message: 10,
  record_overflow: 22,
  illegal_parameter: 47,
  decode_error: 50,
  internal_error: 80,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
} as const;

/** Base of every codec failure: an SSLError whose `alert` is always set. */
export class CodecError extends SSLError {
  declare readonly alert: number;
  constructor(text: string, reason: string, alert: number) {
    super(text, { library: 'SSL', reason, alert });
  }
}

/**
 * Malformed wire data: truncation, overrun, trailing bytes, a length outside its vector bounds
 * (RFC 8446 §3.4). Alert decode_error (50), RFC 8446 §6.2.
 */
export class DecodeError extends CodecError {
  constructor(text: string, reason = 'DECODE_ERROR') {
    super(text, reason, CodecAlert.decode_error);
  }
}

/**
 * Well-formed but semantically illegal value (duplicate extension, KeyUpdate value out of range, …).
 * Alert illegal_parameter (47), RFC 8446 §6.2.
 */
export class IllegalParameterError extends CodecError {
  constructor(text: string, reason = 'ILLEGAL_PARAMETER') {
    super(text, reason, CodecAlert.illegal_parameter);
  }
}

/** Caller passed a value the wire format cannot carry (encoder side): a local bug, internal_error. */
export class EncodeError extends CodecError {
  constructor(text: string, reason = 'BAD_LENGTH') {
    super(text, reason, CodecAlert.internal_error);
  }
}
