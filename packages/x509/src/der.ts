/**
 * A small strict DER (X.690 §10) reader and writer. Every length is checked against its enclosing
 * element; indefinite lengths, non-minimal length encodings and trailing bytes are errors. Parsers
 * built on it end each structure with {@link DerReader.end} so nothing is silently ignored.
 * @module
 */
import { X509ParseError } from './errors.js';

/** Universal tags (X.680 §8.4) and the two class bits we use. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  NumericString: 0x12,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
} as const;

/** `[n]` context-specific tag, constructed (EXPLICIT or structured IMPLICIT). */
export const contextConstructed = (n: number): number => 0xa0 | n;
/** `[n]` context-specific tag, primitive (IMPLICIT over a primitive type). */
export const contextPrimitive = (n: number): number => 0x80 | n;

export interface DerElement {
  /** The identifier octet (we accept only low-tag-number form: tag numbers 0..30). */
  readonly tag: number;
  readonly constructed: boolean;
  /** The content octets (a view into the input). */
  readonly content: Uint8Array;
  /** The whole TLV encoding (a view into the input). */
  readonly raw: Uint8Array;
}

function fail(what: string, detail: string): never {
  throw new X509ParseError(`${what}: ${detail}`, { library: 'ASN1', reason: 'BAD_DER' });
}

/** Reads consecutive DER elements from a byte range. */
export class DerReader {
  private pos: number;
  private readonly limit: number;

  constructor(
    private readonly bytes: Uint8Array,
    /** Names the structure being read, for error messages. */
    readonly what = 'DER',
  ) {
    this.pos = 0;
    this.limit = bytes.length;
  }

  get done(): boolean {
    return this.pos >= this.limit;
  }

  get remaining(): number {
    return this.limit - this.pos;
  }

  /** The identifier octet of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.limit ? this.bytes[this.pos] : undefined;
  }

  /** Reads the next element whatever its tag. */
  readAny(): DerElement {
    const start = this.pos;
    if (start >= this.limit) fail(this.what, 'unexpected end of data');
    const tag = this.bytes[start] as number;
    if ((tag & 0x1f) === 0x1f) fail(this.what, 'high tag numbers are not supported');
    let p = start + 1;
    if (p >= this.limit) fail(this.what, 'truncated length');
    const first = this.bytes[p++] as number;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      fail(this.what, 'indefinite length is not DER');
    } else {
      const n = first & 0x7f;
      if (n > 4) fail(this.what, 'length too large');
      if (p + n > this.limit) fail(this.what, 'truncated length');
      if (this.bytes[p] === 0) fail(this.what, 'non-minimal length encoding');
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + (this.bytes[p++] as number);
      if (length < 0x80) fail(this.what, 'non-minimal length encoding');
    }
    if (length > this.limit - p) fail(this.what, 'element runs past its container');
    const end = p + length;
    this.pos = end;
    return {
      tag,
      constructed: (tag & 0x20) !== 0,
      content: this.bytes.subarray(p, end),
      raw: this.bytes.subarray(start, end),
    };
  }

  /** Reads the next element, which must carry `tag`. */
  read(tag: number, what = this.what): DerElement {
    const next = this.peekTag();
    if (next !== tag) {
      fail(what, next === undefined ? 'missing element' : `expected tag 0x${hex2(tag)}, found 0x${hex2(next)}`);
    }
    return this.readAny();
  }

  /** Reads the next element if it carries `tag`. */
  readOptional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.readAny() : undefined;
  }

  /** Reads a SEQUENCE (or another constructed `tag`) and returns a reader over its content. */
  sequence(what = this.what, tag: number = Tag.SEQUENCE): DerReader {
    return new DerReader(this.read(tag, what).content, what);
  }

  /** Asserts that everything was consumed. */
  end(what = this.what): void {
    if (!this.done) fail(what, `${this.remaining} unexpected trailing byte(s)`);
  }

  readOid(what = this.what): string {
    return decodeOid(this.read(Tag.OID, what).content, what);
  }

  readBoolean(what = this.what): boolean {
    return decodeBoolean(this.read(Tag.BOOLEAN, what).content, what);
  }

  /** An INTEGER's content octets (two's complement, minimal), checked for DER minimality. */
  readIntegerBytes(what = this.what): Uint8Array {
    return checkInteger(this.read(Tag.INTEGER, what).content, what);
  }

  /** An INTEGER as a bigint. */
  readBigInt(what = this.what): bigint {
    return integerToBigInt(this.readIntegerBytes(what));
  }

  /** A small non-negative INTEGER as a number. */
  readSmallInt(what = this.what): number {
    const v = this.readBigInt(what);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(what, 'integer out of range');
    return Number(v);
  }

  readOctetString(what = this.what): Uint8Array {
    return this.read(Tag.OCTET_STRING, what).content;
  }

  /** A BIT STRING: its bits and the count of unused bits in the last octet. */
  readBitString(what = this.what): { bytes: Uint8Array; unusedBits: number } {
    return decodeBitString(this.read(Tag.BIT_STRING, what).content, what);
  }

  readNull(what = this.what): void {
    if (this.read(Tag.NULL, what).content.length !== 0) fail(what, 'NULL with content');
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function decodeBoolean(content: Uint8Array, what: string): boolean {
  if (content.length !== 1) fail(what, 'BOOLEAN must be one octet');
  const v = content[0];
  if (v === 0x00) return false;
  if (v === 0xff) return true;
  return fail(what, 'BOOLEAN must be 0x00 or 0xFF in DER');
}

export function checkInteger(content: Uint8Array, what: string): Uint8Array {
  if (content.length === 0) fail(what, 'empty INTEGER');
  if (content.length > 1) {
    const a = content[0] as number;
    const b = content[1] as number;
    if ((a === 0x00 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0)) {
      fail(what, 'non-minimal INTEGER encoding');
    }
  }
  return content;
}

/** Two's-complement big-endian bytes → bigint. */
export function integerToBigInt(content: Uint8Array): bigint {
  let v = 0n;
  for (const b of content) v = (v << 8n) | BigInt(b);
  if (content.length > 0 && ((content[0] as number) & 0x80) !== 0) v -= 1n << BigInt(content.length * 8);
  return v;
}

export function decodeBitString(content: Uint8Array, what: string): { bytes: Uint8Array; unusedBits: number } {
  if (content.length === 0) fail(what, 'empty BIT STRING');
  const unusedBits = content[0] as number;
  if (unusedBits > 7) fail(what, 'BIT STRING unused-bit count above 7');
  if (unusedBits > 0 && content.length === 1) fail(what, 'BIT STRING with unused bits but no data');
  const bytes = content.subarray(1);
  if (unusedBits > 0 && ((bytes[bytes.length - 1] as number) & ((1 << unusedBits) - 1)) !== 0) {
    fail(what, 'BIT STRING unused bits must be zero in DER');
  }
  return { bytes, unusedBits };
}

/** OBJECT IDENTIFIER content → dotted string (X.690 §8.19). */
export function decodeOid(content: Uint8Array, what = 'OID'): string {
  if (content.length === 0) fail(what, 'empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let v = 0n;
  let inArc = false;
  for (const b of content) {
    if (!inArc && b === 0x80) fail(what, 'non-minimal OID arc');
    v = (v << 7n) | BigInt(b & 0x7f);
    inArc = (b & 0x80) !== 0;
    if (!inArc) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (inArc) fail(what, 'truncated OID arc');
  const first = arcs[0] as bigint;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

// ---------------------------------------------------------------------------------------------
// Writer: functions that return complete TLV encodings, composed by nesting.

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given identifier octet and content. */
export function derTLV(tag: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const derSequence = (...items: readonly Uint8Array[]): Uint8Array => derTLV(Tag.SEQUENCE, ...items);
/** SET OF, with elements sorted as DER requires (X.690 §11.6). */
export function derSetOf(...items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return derTLV(Tag.SET, ...sorted);
}
export const derNull = (): Uint8Array => Uint8Array.of(Tag.NULL, 0);
export const derBoolean = (v: boolean): Uint8Array => Uint8Array.of(Tag.BOOLEAN, 1, v ? 0xff : 0);
export const derOctetString = (b: Uint8Array): Uint8Array => derTLV(Tag.OCTET_STRING, b);
export const derBitString = (b: Uint8Array, unusedBits = 0): Uint8Array =>
  derTLV(Tag.BIT_STRING, Uint8Array.of(unusedBits), b);
export const derExplicit = (n: number, inner: Uint8Array): Uint8Array => derTLV(contextConstructed(n), inner);
export const derString = (tag: number, s: string): Uint8Array => derTLV(tag, new TextEncoder().encode(s));

/** INTEGER from a bigint or number (two's complement, minimal). */
export function derInteger(value: bigint | number): Uint8Array {
  let v = BigInt(value);
  const bytes: number[] = [];
  if (v === 0n) bytes.push(0);
  const negative = v < 0n;
  while (negative ? v !== -1n || bytes.length === 0 : v !== 0n) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  if (!negative && ((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  if (negative && ((bytes[0] as number) & 0x80) === 0) bytes.unshift(0xff);
  return derTLV(Tag.INTEGER, Uint8Array.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes. */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return derTLV(Tag.INTEGER, ((m[0] ?? 0) & 0x80) !== 0 ? concat([Uint8Array.of(0), m]) : m.length ? m : Uint8Array.of(0));
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new X509ParseError(`bad OID ${oid}`, { library: 'ASN1', reason: 'BAD_OID' });
  const out: number[] = [];
  const push = (v: bigint): void => {
    const group: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  };
  push((arcs[0] as bigint) * 40n + (arcs[1] as bigint));
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}
export const derOid = (oid: string): Uint8Array => derTLV(Tag.OID, encodeOid(oid));

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function derTime(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const rest =
    p2(date.getUTCMonth() + 1) +
    p2(date.getUTCDate()) +
    p2(date.getUTCHours()) +
    p2(date.getUTCMinutes()) +
    p2(date.getUTCSeconds()) +
    'Z';
  if (y >= 1950 && y < 2050) return derString(Tag.UTCTime, p2(y % 100) + rest);
  return derString(Tag.GeneralizedTime, String(y).padStart(4, '0') + rest);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export { concat as concatBytes };
