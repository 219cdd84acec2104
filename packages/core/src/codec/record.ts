/**
 * Record-layer framing: the 5-byte record header (RFC 8446 §5.1, RFC 5246 §6.2.1), the length limits
 * of §5.1/§5.2 (record_overflow), TLS 1.3 TLSInnerPlaintext (RFC 8446 §5.4), Alert (§6) and the
 * ChangeCipherSpec byte (RFC 8446 §5, RFC 5246 §7.1). These functions are on the record hot path: they
 * write into caller buffers and return views, never copying payloads.
 * @module
 */
import { type DeviationCollector, deviate } from './deviations.js';
import { CodecAlert, CodecError, DecodeError } from './errors.js';

export const RECORD_HEADER_LENGTH = 5;
/** RFC 8446 §5.1 / RFC 5246 §6.2.1: TLSPlaintext.fragment MUST NOT exceed 2^14 bytes. */
export const MAX_PLAINTEXT_LENGTH = 1 << 14;
/** RFC 8446 §5.4: TLSInnerPlaintext (content + type + padding) MUST NOT exceed 2^14 + 1 bytes. */
export const MAX_INNER_PLAINTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 1;
/** RFC 8446 §5.2: TLSCiphertext.encrypted_record MUST NOT exceed 2^14 + 256 bytes. */
export const MAX_TLS13_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 256;
/** RFC 5246 §6.2.3: TLSCiphertext.fragment MUST NOT exceed 2^14 + 2048 bytes. */
export const MAX_TLS12_CIPHERTEXT_LENGTH = MAX_PLAINTEXT_LENGTH + 2048;

export interface RecordHeader {
  /** ContentType (RFC 8446 §5.1); not validated here: unknown types are the engine's unexpected_message. */
  type: number;
  /** legacy_record_version. */
  version: number;
  /** Length of the fragment that follows the header. */
  length: number;
}

/** An error raised with alert record_overflow (22). */
export function recordOverflow(text: string, reason = 'PACKET_LENGTH_TOO_LONG'): CodecError {
  return new CodecError(text, reason, CodecAlert.record_overflow);
}

/**
 * Parses the record header at `offset`; undefined when fewer than 5 bytes are available. A length above
 * `maxLength` is record_overflow (RFC 8446 §5.1, §5.2: pass {@link MAX_PLAINTEXT_LENGTH} for
 * unprotected records, {@link MAX_TLS13_CIPHERTEXT_LENGTH} or {@link MAX_TLS12_CIPHERTEXT_LENGTH} for
 * protected ones).
 */
export function parseRecordHeader(
  buf: Uint8Array,
  offset = 0,
  maxLength: number = MAX_TLS12_CIPHERTEXT_LENGTH,
  deviations?: DeviationCollector,
): RecordHeader | undefined {
  if (buf.length - offset < RECORD_HEADER_LENGTH) return undefined;
  const length = (buf[offset + 3]! << 8) | buf[offset + 4]!;
  if (length > maxLength) {
    deviate(deviations, 'RFC 8446 §5.1', recordOverflow(`record length ${length} exceeds ${maxLength}`));
  }
  return { type: buf[offset]!, version: (buf[offset + 1]! << 8) | buf[offset + 2]!, length };
}

/** Writes a record header into `out` at `offset`; returns the offset after it. */
export function writeRecordHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  version: number,
  length: number,
): number {
  out[offset] = type;
  out[offset + 1] = version >>> 8;
  out[offset + 2] = version;
  out[offset + 3] = length >>> 8;
  out[offset + 4] = length;
  return offset + RECORD_HEADER_LENGTH;
}

/** A whole record (header + fragment) in a new buffer. The fragment must fit a 16-bit length. */
export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  if (fragment.length > 0xffff) throw new CodecError(`record fragment of ${fragment.length} bytes`, 'BAD_LENGTH', 80);
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  writeRecordHeader(out, 0, type, version, fragment.length);
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}

/** Length of a TLSInnerPlaintext for `contentLength` bytes of content and `padding` zero bytes. */
export function innerPlaintextLength(contentLength: number, padding = 0): number {
  return contentLength + 1 + padding;
}

/**
 * Writes TLSInnerPlaintext = content || ContentType || zeros[padding] (RFC 8446 §5.4) into `out` at
 * `offset`; returns the offset after it. `out` must be large enough (see {@link innerPlaintextLength}).
 */
export function writeInnerPlaintext(
  out: Uint8Array,
  offset: number,
  content: Uint8Array,
  type: number,
  padding = 0,
): number {
  out.set(content, offset);
  let at = offset + content.length;
  out[at++] = type;
  if (padding > 0) {
    out.fill(0, at, at + padding);
    at += padding;
  }
  return at;
}

/** TLSInnerPlaintext in a new buffer (RFC 8446 §5.4). */
export function encodeInnerPlaintext(content: Uint8Array, type: number, padding = 0): Uint8Array {
  const out = new Uint8Array(innerPlaintextLength(content.length, padding));
  writeInnerPlaintext(out, 0, content, type, padding);
  return out;
}

export interface InnerPlaintext {
  /** The real ContentType: the last non-zero byte. */
  type: number;
  /** The content, a view of the input. */
  content: Uint8Array;
}

/**
 * Decodes a decrypted TLSInnerPlaintext (RFC 8446 §5.4): strips the zero padding from the end; the last
 * non-zero byte is the content type. All zeros → unexpected_message; longer than 2^14 + 1 → record_overflow.
 */
export function decodeInnerPlaintext(plaintext: Uint8Array): InnerPlaintext {
  if (plaintext.length > MAX_INNER_PLAINTEXT_LENGTH) {
    throw recordOverflow(
      `TLSInnerPlaintext of ${plaintext.length} bytes exceeds ${MAX_INNER_PLAINTEXT_LENGTH}`,
      'DATA_LENGTH_TOO_LONG',
    );
  }
  let i = plaintext.length - 1;
  while (i >= 0 && plaintext[i] === 0) i--;
  if (i < 0) {
    // §5.4: "If a receiving implementation does not find a non-zero octet in the cleartext, it MUST
    // terminate the connection with an "unexpected_message" alert."
    throw new CodecError(
      'TLSInnerPlaintext has no content type (all zeros)',
      'BAD_RECORD_TYPE',
      CodecAlert.unexpected_message,
    );
  }
  return { type: plaintext[i]!, content: plaintext.subarray(0, i) };
}

export interface Alert {
  level: number;
  description: number;
}

/** RFC 8446 §6: an Alert is exactly 2 bytes, level then description. */
export function parseAlert(fragment: Uint8Array): Alert {
  if (fragment.length !== 2) throw new DecodeError(`alert of ${fragment.length} bytes (expected 2)`, 'BAD_ALERT');
  return { level: fragment[0]!, description: fragment[1]! };
}

export function encodeAlert(level: number, description: number): Uint8Array {
  return Uint8Array.of(level, description);
}

/**
 * True when a change_cipher_spec fragment is the single byte 0x01 (RFC 5246 §7.1; RFC 8446 §5: any
 * other value in TLS 1.3 is unexpected_message, which the engine raises).
 */
export function isValidChangeCipherSpec(fragment: Uint8Array): boolean {
  return fragment.length === 1 && fragment[0] === 1;
}

/** The ChangeCipherSpec fragment (RFC 5246 §7.1; RFC 8446 §D.4 middlebox compatibility). */
export const CHANGE_CIPHER_SPEC_FRAGMENT: Uint8Array = Uint8Array.of(1);
