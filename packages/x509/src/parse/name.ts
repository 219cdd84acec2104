/**
 * X.501 Names, directory strings, GeneralNames and X.509 times (RFC 5280 §4.1.2.4–§4.1.2.6, §4.2.1.6).
 * @module
 */
import { contextConstructed, contextPrimitive, type DerElement, DerReader, decodeOid, Tag } from '../der.js';
import { X509ParseError } from '../errors.js';
import type { AttributeTypeAndValue, GeneralName, Name } from '../types.js';
import { oidShortName } from './oids.js';

function fail(what: string, detail: string): never {
  throw new X509ParseError(`${what}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Strings

const latin1 = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (RFC 3629): overlong forms, surrogates and bytes past U+10FFFF are errors. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return fail(what, 'invalid UTF-8');
  }
}

/** BMPString: UCS-2 big-endian (X.680 §41). */
function decodeBmp(bytes: Uint8Array, what: string): string {
  if (bytes.length % 2 !== 0) fail(what, 'BMPString length is odd');
  let s = '';
  for (let i = 0; i < bytes.length; i += 2)
    s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return s;
}

/** UniversalString: UCS-4 big-endian. */
function decodeUniversal(bytes: Uint8Array, what: string): string {
  if (bytes.length % 4 !== 0) fail(what, 'UniversalString length is not a multiple of 4');
  let s = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const cp =
      (bytes[i] as number) * 0x1000000 +
      (((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number));
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(what, 'UniversalString character out of range');
    s += String.fromCodePoint(cp);
  }
  return s;
}

/** Universal string tags whose content is one octet per character. */
const ONE_OCTET_STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.NumericString,
  Tag.PrintableString,
  Tag.T61String,
  0x15 /* VideotexString */,
  Tag.IA5String,
  0x19 /* GraphicString */,
  Tag.VisibleString,
  0x1b /* GeneralString */,
]);

/**
 * A character string's content as text, per its tag: UTF8String as UTF-8, BMPString as UCS-2,
 * UniversalString as UCS-4, and the one-octet types (including T61String, as OpenSSL treats it) as
 * Latin-1.
 */
export function decodeString(tag: number, content: Uint8Array, what: string): string {
  if (tag === Tag.UTF8String) return decodeUtf8(content, what);
  if (tag === Tag.BMPString) return decodeBmp(content, what);
  if (tag === Tag.UniversalString) return decodeUniversal(content, what);
  if (ONE_OCTET_STRING_TAGS.has(tag)) return latin1(content);
  return fail(what, `tag 0x${tag.toString(16)} is not a character string`);
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Lower-case hex of some bytes, as one flat string: `+=` per byte built a rope of 2n strings that V8 keeps as
 * such, so a 32-byte id used as a Map key (TLS 1.2 session cache, 0-RTT anti-replay store) held ~1.5 KB
 * instead of ~0.13 KB.
 */
export function toHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_BYTE[bytes[i] as number] as string;
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Names (RFC 5280 §4.1.2.4)

/**
 * Attribute value types OpenSSL's X509_NAME accepts, so the certificates OpenSSL (and Python) load:
 * the DirectoryString types of RFC 5280 §4.1.2.4 (UTF8String, PrintableString, TeletexString,
 * UniversalString, BMPString) plus IA5String (emailAddress, domainComponent) and NumericString.
 * OpenSSL also carries BIT STRING and SEQUENCE values without a text form; other types (INTEGER,
 * VisibleString, GeneralString, …) make it reject the certificate, and so do we.
 */
const NAME_STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.UTF8String,
  Tag.NumericString,
  Tag.PrintableString,
  Tag.T61String,
  Tag.IA5String,
  Tag.UniversalString,
  Tag.BMPString,
]);

function checkAttributeValue(el: DerElement, what: string): string {
  if (NAME_STRING_TAGS.has(el.tag)) return decodeString(el.tag, el.content, what);
  if (el.tag === Tag.SEQUENCE || el.tag === Tag.BIT_STRING) {
    // RFC 4514 §2.4: a value without a string form is written as '#' and the hex of its BER.
    return `#${toHex(el.raw)}`;
  }
  return fail(what, `attribute value with tag 0x${el.tag.toString(16)} is not a directory string`);
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET SIZE (1..MAX) OF AttributeTypeAndValue. */
export function parseName(der: Uint8Array, what = 'Name'): Name {
  const outer = new DerReader(der, what);
  const el = outer.read(Tag.SEQUENCE, what);
  outer.end(what);
  return parseNameElement(el, what);
}

/** A Name from an already-read SEQUENCE element. */
export function parseNameElement(el: DerElement, what = 'Name'): Name {
  if (el.tag !== Tag.SEQUENCE) fail(what, 'a Name must be a SEQUENCE');
  const rdnReader = new DerReader(el.content, what);
  const rdns: AttributeTypeAndValue[][] = [];
  while (!rdnReader.done) {
    rdns.push(parseRdnContent(rdnReader.read(Tag.SET, what).content, what));
  }
  return { rdns, der: el.raw };
}

/** The content of one RelativeDistinguishedName SET: one or more AttributeTypeAndValue. */
export function parseRdnContent(content: Uint8Array, what = 'RelativeDistinguishedName'): AttributeTypeAndValue[] {
  const set = new DerReader(content, what);
  const rdn: AttributeTypeAndValue[] = [];
  while (!set.done) {
    const atv = set.sequence(what);
    const oid = atv.readOid(what);
    const valueEl = atv.readAny();
    atv.end(what);
    rdn.push({ oid, valueTag: valueEl.tag, value: checkAttributeValue(valueEl, what), rawValue: valueEl.raw });
  }
  if (rdn.length === 0) fail(what, 'empty RelativeDistinguishedName');
  return rdn;
}

// ---------------------------------------------------------------------------------------------
// GeneralName (RFC 5280 §4.2.1.6)

/** Reads one GeneralName element. */
export function parseGeneralNameElement(el: DerElement, what = 'GeneralName'): GeneralName {
  switch (el.tag) {
    case contextConstructed(0): {
      // otherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
      const r = new DerReader(el.content, what);
      const oid = r.readOid(what);
      const value = r.read(contextConstructed(0), what);
      const inner = new DerReader(value.content, what);
      inner.readAny();
      inner.end(what);
      r.end(what);
      return { type: 'otherName', oid, value: value.content };
    }
    case contextPrimitive(1):
      return { type: 'email', value: ia5(el.content) };
    case contextPrimitive(2):
      return { type: 'dns', value: ia5(el.content) };
    case contextConstructed(3):
      return { type: 'x400Address', der: el.raw };
    case contextConstructed(4): {
      // Name is a CHOICE, so [4] is EXPLICIT (RFC 5280 Appendix A.2 uses IMPLICIT tags elsewhere).
      const r = new DerReader(el.content, what);
      const name = parseNameElement(r.read(Tag.SEQUENCE, what), what);
      r.end(what);
      return { type: 'dirName', name };
    }
    case contextConstructed(5): {
      // EDIPartyName ::= SEQUENCE { nameAssigner [0] DirectoryString OPTIONAL, partyName [1] DirectoryString }
      // (DirectoryString is a CHOICE, so both tags are EXPLICIT); OpenSSL parses it this strictly.
      const r = new DerReader(el.content, what);
      const assigner = r.readOptional(contextConstructed(0));
      const party = r.read(contextConstructed(1), what);
      r.end(what);
      for (const part of assigner === undefined ? [party] : [assigner, party]) {
        const inner = new DerReader(part.content, what);
        const str = inner.readAny();
        inner.end(what);
        decodeString(str.tag, str.content, what);
      }
      return { type: 'ediPartyName', der: el.raw };
    }
    case contextPrimitive(6):
      return { type: 'uri', value: ia5(el.content) };
    case contextPrimitive(7):
      return { type: 'ip', bytes: el.content };
    case contextPrimitive(8):
      return { type: 'registeredId', oid: decodeOid(el.content, what) };
    default:
      return fail(what, `unknown GeneralName tag 0x${el.tag.toString(16)}`);
  }
}

/**
 * IA5String content. Kept octet-for-octet (Latin-1) so nothing is lost: the Python dict decoder
 * reinterprets the octets as UTF-8, as CPython does, and the validator rejects non-ASCII names.
 */
const ia5 = latin1;

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from the SEQUENCE's content. */
export function parseGeneralNamesContent(content: Uint8Array, what = 'GeneralNames'): GeneralName[] {
  const r = new DerReader(content, what);
  const names: GeneralName[] = [];
  while (!r.done) names.push(parseGeneralNameElement(r.readAny(), what));
  if (names.length === 0) fail(what, 'GeneralNames must not be empty');
  return names;
}

/** GeneralNames from the DER of the whole SEQUENCE. */
export function parseGeneralNames(der: Uint8Array, what = 'GeneralNames'): GeneralName[] {
  const r = new DerReader(der, what);
  const seq = r.read(Tag.SEQUENCE, what);
  r.end(what);
  return parseGeneralNamesContent(seq.content, what);
}

/** One GeneralName from its DER. */
export function parseGeneralName(der: Uint8Array, what = 'GeneralName'): GeneralName {
  const r = new DerReader(der, what);
  const name = parseGeneralNameElement(r.readAny(), what);
  r.end(what);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Time (RFC 5280 §4.1.2.5)

const DIGITS = /^[0-9]+$/;

/**
 * UTCTime `YYMMDDHHMMSSZ` (§4.1.2.5.1: YY ≥ 50 is 19YY, otherwise 20YY) or GeneralizedTime
 * `YYYYMMDDHHMMSSZ` (§4.1.2.5.2: no fractional seconds) to milliseconds since the epoch.
 */
export function parseTime(el: DerElement, what = 'Time'): number {
  const text = latin1(el.content);
  let year: number;
  let rest: string;
  if (el.tag === Tag.UTCTime) {
    if (text.length !== 13) fail(what, `UTCTime "${printable(text)}" is not YYMMDDHHMMSSZ`);
    const yy = Number(text.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = text.slice(2);
  } else if (el.tag === Tag.GeneralizedTime) {
    if (text.length !== 15) fail(what, `GeneralizedTime "${printable(text)}" is not YYYYMMDDHHMMSSZ`);
    year = Number(text.slice(0, 4));
    rest = text.slice(4);
  } else {
    return fail(what, `expected UTCTime or GeneralizedTime, found tag 0x${el.tag.toString(16)}`);
  }
  if (!rest.endsWith('Z') || !DIGITS.test(text.slice(0, text.length - 1))) {
    fail(what, `time "${printable(text)}" must be digits ending in Z`);
  }
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const hour = Number(rest.slice(4, 6));
  const minute = Number(rest.slice(6, 8));
  const second = Number(rest.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    fail(what, `time "${printable(text)}" is out of range`);
  }
  return dateToEpochMs(year, month, day, hour, minute, second);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Proleptic Gregorian UTC date to epoch milliseconds (Date.UTC maps years 0–99 to 1900+, so avoid it). */
export function dateToEpochMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  // Days from civil (H. Hinnant's algorithm): exact for every year, no Date object involved.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

/** Keeps error messages printable whatever bytes arrived. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

// ---------------------------------------------------------------------------------------------
// Display

/**
 * A one-line form of a Name for messages, in encoded order: `C=US, O=Example, CN=host`; multi-valued
 * RDNs joined with `+`; RFC 4514 §2.4 escaping of the special characters.
 */
export function nameToString(name: Name): string {
  return name.rdns
    .map((rdn) => rdn.map((atv) => `${oidShortName(atv.oid)}=${escapeDnValue(atv.value)}`).join('+'))
    .join(', ');
}

function escapeDnValue(value: string): string {
  let s = '';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x20 || c === 0x7f) s += `\\${c.toString(16).padStart(2, '0')}`;
    else s += '\\,+"<>;='.includes(ch) ? `\\${ch}` : ch;
  }
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ') && s.length > 1) s = `${s.slice(0, -1)}\\ `;
  return s;
}
