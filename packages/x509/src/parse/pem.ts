/**
 * PEM (RFC 7468) framing and the base64 underneath it, plus Python's `PEM_cert_to_DER_cert` /
 * `DER_cert_to_PEM_cert`.
 *
 * Reading follows OpenSSL's `PEM_read_bio` habits, which is what Python's `load_verify_locations` and
 * `load_cert_chain` see: text outside `-----BEGIN …-----`/`-----END …-----` pairs is ignored (bundles
 * carry comments and human-readable dumps between blocks), while the inside of a block is strict.
 * @module
 */
import { X509ParseError } from '../errors.js';

/** One decoded PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`, `PRIVATE KEY`. */
  readonly label: string;
  readonly der: Uint8Array;
  /**
   * RFC 1421 encapsulated headers (`Proc-Type`, `DEK-Info` of legacy encrypted keys), in order; empty
   * when the block has none. RFC 7468 §2 forbids them elsewhere, but OpenSSL still writes them there.
   */
  readonly headers: readonly (readonly [name: string, value: string])[];
}

function pemError(text: string, reason = 'BAD_BASE64_DECODE'): X509ParseError {
  return new X509ParseError(text, { library: 'PEM', reason });
}

// ---------------------------------------------------------------------------------------------
// Base64 (RFC 4648 §4), written here because x509 may use no Node built-ins and `atob` is lenient in
// ways we do not want (it accepts missing padding).

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64_ALPHABET.length; i++) table[B64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

const isPemWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Strict base64: whitespace is skipped, anything else outside the alphabet is an error, padding must
 * be correct and only at the end, and the final quantum's unused bits must be zero (RFC 4648 §3.5).
 */
export function base64Decode(text: string, what = 'base64'): Uint8Array {
  const values: number[] = [];
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isPemWhitespace(c)) continue;
    if (c === 0x3d /* = */) {
      padding++;
      continue;
    }
    const v = c < 128 ? (B64_VALUES[c] as number) : -1;
    if (v < 0) throw pemError(`${what}: invalid base64 character at offset ${i}`);
    if (padding > 0) throw pemError(`${what}: base64 data after padding`);
    values.push(v);
  }
  if ((values.length + padding) % 4 !== 0 || padding > 2 || (padding > 0 && values.length % 4 === 0)) {
    throw pemError(`${what}: base64 length or padding is wrong`);
  }
  const rest = values.length % 4;
  if (rest === 1) throw pemError(`${what}: base64 length or padding is wrong`);
  const out = new Uint8Array(Math.floor(values.length / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let i = 0;
  for (; i + 4 <= values.length; i += 4) {
    const n =
      ((values[i] as number) << 18) |
      ((values[i + 1] as number) << 12) |
      ((values[i + 2] as number) << 6) |
      (values[i + 3] as number);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (rest === 2) {
    const a = values[i] as number;
    const b = values[i + 1] as number;
    if ((b & 0x0f) !== 0) throw pemError(`${what}: non-canonical base64 padding bits`);
    out[o++] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = values[i] as number;
    const b = values[i + 1] as number;
    const c = values[i + 2] as number;
    if ((c & 0x03) !== 0) throw pemError(`${what}: non-canonical base64 padding bits`);
    out[o++] = (a << 2) | (b >>> 4);
    out[o++] = ((b & 0x0f) << 4) | (c >>> 2);
  }
  return out;
}

/** Standard base64 with padding, no line breaks. */
export function base64Encode(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    s +=
      B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]! + B64_ALPHABET[(n >>> 6) & 63]! + B64_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    s += B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    s += B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]! + B64_ALPHABET[(n >>> 6) & 63]! + '=';
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// PEM framing

const BEGIN_LINE = /-----BEGIN ([^\r\n-]*(?:-[^\r\n-]+)*)-----/g;

/**
 * Every PEM block in `text`, in order. Text before, between and after blocks is ignored (as OpenSSL
 * does); a BEGIN without its matching END, or bad base64 inside a block, is an error.
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN_LINE.lastIndex = 0;
  for (let m = BEGIN_LINE.exec(text); m !== null; m = BEGIN_LINE.exec(text)) {
    const label = m[1] as string;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const endAt = text.indexOf(endMarker, bodyStart);
    if (endAt < 0) throw pemError(`PEM block "${label}" has no "${endMarker}" line`, 'NO_END_LINE');
    const { headers, body } = splitHeaders(text.slice(bodyStart, endAt), label);
    blocks.push({ label, headers, der: base64Decode(body, `PEM block "${label}"`) });
    BEGIN_LINE.lastIndex = endAt + endMarker.length;
  }
  return blocks;
}

/** RFC 1421 §4.6 headers: `Name: value` lines, then an empty line, before the base64. */
function splitHeaders(raw: string, label: string): { headers: [string, string][]; body: string } {
  const lines = raw.split(/\r?\n/);
  // The line break before the END line is not an empty line of its own.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  // The BEGIN line's own line break leaves an empty first entry.
  let first = 0;
  while (first < lines.length && (lines[first] as string).trim() === '') first++;
  if (first >= lines.length || !(lines[first] as string).includes(':')) return { headers: [], body: raw };
  const headers: [string, string][] = [];
  let i = first;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw pemError(`PEM block "${label}": malformed header line`, 'BAD_END_LINE');
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  if (i >= lines.length) throw pemError(`PEM block "${label}": headers are not followed by an empty line`);
  return { headers, body: lines.slice(i + 1).join('\n') };
}

/** Python's `ssl.PEM_HEADER` / `ssl.PEM_FOOTER`. */
export const PEM_HEADER = '-----BEGIN CERTIFICATE-----';
export const PEM_FOOTER = '-----END CERTIFICATE-----';

/**
 * Python's `ssl.PEM_cert_to_DER_cert`: the text must start with the BEGIN CERTIFICATE line and end
 * (after trailing whitespace) with the END line. Python raises ValueError there; we raise the SSLError
 * family as for every malformed input. Unlike Python's lenient base64 the body must be clean base64.
 */
export function PEM_cert_to_DER_cert(pemCertString: string): Uint8Array {
  if (!pemCertString.startsWith(PEM_HEADER)) {
    throw pemError(`Invalid PEM encoding; must start with ${PEM_HEADER}`, 'NO_START_LINE');
  }
  // Python strips with str.strip(): all Unicode whitespace, both ends.
  const stripped = pemCertString.trim();
  if (!stripped.endsWith(PEM_FOOTER)) {
    throw pemError(`Invalid PEM encoding; must end with ${PEM_FOOTER}`, 'BAD_END_LINE');
  }
  return base64Decode(stripped.slice(PEM_HEADER.length, stripped.length - PEM_FOOTER.length), 'PEM certificate');
}

/** RFC 7468 §5 textual encoding: the label's markers around base64 in 64-character lines, final newline. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = base64Encode(der);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`, '');
  return lines.join('\n');
}

/** Python's `ssl.DER_cert_to_PEM_cert`: 64-character lines between the markers, final newline. */
export function DER_cert_to_PEM_cert(derCertBytes: Uint8Array): string {
  return pemEncode('CERTIFICATE', derCertBytes);
}
