/**
 * The dict Python's `SSLSocket.getpeercert()` returns, built from our parsed {@link Certificate}.
 *
 * CPython builds it in Modules/_ssl.c (`_decode_certificate` and helpers) from OpenSSL's printing
 * functions, so the rules here are OpenSSL's as CPython uses them:
 * - names are tuples of RDN tuples of `(longName, value)`; the long name is `OBJ_obj2txt`'s (dotted
 *   text for OIDs OpenSSL does not know) and the value is `ASN1_STRING_to_UTF8`'s conversion;
 * - `serialNumber` is `i2a_ASN1_INTEGER`'s upper-case hex, `notBefore`/`notAfter` `ASN1_TIME_print`'s
 *   `Mon DD HH:MM:SS YYYY GMT`;
 * - `subjectAltName`, `OCSP`, `caIssuers` and `crlDistributionPoints` are left out when they would be
 *   empty.
 * Where CPython would raise (a string OpenSSL cannot convert, bytes that are not UTF-8) we raise an
 * {@link X509ParseError}.
 * @module
 */
import { DerReader, Tag } from '../der.js';
import { X509ParseError } from '../errors.js';
import type { AttributeTypeAndValue, Certificate, GeneralName, Name } from '../types.js';
import { firstCertificate } from './cert.js';
import { decodeUtf8 } from './name.js';
import { oidLongName } from './oids.js';

/** `(attributeLongName, value)` */
export type PeerCertAttribute = readonly [name: string, value: string];
/** A Name: a tuple of RDNs, each a tuple of attributes. */
export type PeerCertName = readonly (readonly PeerCertAttribute[])[];
/** One subjectAltName entry: `('DNS', 'example.com')`, `('IP Address', '10.0.0.1')`, `('DirName', name)`, … */
export type PeerCertAltName = readonly [type: string, value: string] | readonly [type: 'DirName', value: PeerCertName];

/** Python's `getpeercert()` dict, tuples as arrays. Optional keys are absent, never undefined. */
export interface PeerCertDict {
  readonly subject: PeerCertName;
  readonly issuer: PeerCertName;
  readonly version: number;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subjectAltName?: readonly PeerCertAltName[];
  readonly OCSP?: readonly string[];
  readonly caIssuers?: readonly string[];
  readonly crlDistributionPoints?: readonly string[];
}

const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';

function fail(detail: string): never {
  throw new X509ParseError(detail, { library: 'ASN1', reason: 'UNABLE_TO_DECODE' });
}

/**
 * Python's `getpeercert()` dict for a certificate given as PEM (the first CERTIFICATE block, as
 * `PEM_read_bio_X509`), DER bytes, or an already parsed {@link Certificate}.
 */
export function decodeCertificate(pemOrDer: string | Uint8Array | Certificate): PeerCertDict {
  const cert = typeof pemOrDer === 'string' || pemOrDer instanceof Uint8Array ? firstCertificate(pemOrDer) : pemOrDer;
  if (typeof cert !== 'object' || cert === null || !(cert.der instanceof Uint8Array)) {
    throw new X509ParseError('decodeCertificate: expected PEM text, DER bytes or a parsed Certificate');
  }
  const dict: {
    -readonly [K in keyof PeerCertDict]: PeerCertDict[K];
  } = {
    subject: peerCertName(cert.subject),
    issuer: peerCertName(cert.issuer),
    version: cert.version,
    serialNumber: serialNumberText(cert.serialNumber),
    notBefore: asn1TimeText(cert.notBefore),
    notAfter: asn1TimeText(cert.notAfter),
  };
  if (cert.subjectAltName !== undefined) dict.subjectAltName = cert.subjectAltName.map(altName);
  // _get_aia_uri: only URI locations of the wanted access method.
  const aia = (method: string): string[] =>
    (cert.authorityInfoAccess ?? []).flatMap(({ method: m, location }) =>
      m === method && location.type === 'uri' ? [ia5Text(location.value)] : [],
    );
  const ocsp = aia(OID_AD_OCSP);
  if (ocsp.length > 0) dict.OCSP = ocsp;
  const caIssuers = aia(OID_AD_CA_ISSUERS);
  if (caIssuers.length > 0) dict.caIssuers = caIssuers;
  // Only fullName URIs count; CPython skips points without a distributionPoint (CVE-2019-5010).
  const crlDps = (cert.crlDistributionPoints ?? []).flatMap((dp) =>
    (dp.fullName ?? []).flatMap((gn) => (gn.type === 'uri' ? [ia5Text(gn.value)] : [])),
  );
  if (crlDps.length > 0) dict.crlDistributionPoints = crlDps;
  return dict;
}

/** `_create_tuple_for_X509_NAME`: RDNs in encoded order, attributes in encoded order. */
export function peerCertName(name: Name): PeerCertName {
  return name.rdns.map((rdn) => rdn.map((atv) => [oidLongName(atv.oid), attributeText(atv)] as const));
}

/**
 * `ASN1_STRING_to_UTF8` then CPython's strict UTF-8 decoding: the one-octet types (NumericString,
 * PrintableString, T61String, IA5String) are Latin-1, UTF8String, BMPString (UCS-2,
 * where a surrogate code unit cannot survive the round trip) and UniversalString are converted; every
 * other type the parser lets through (BIT STRING, SEQUENCE) is an error.
 */
function attributeText(atv: AttributeTypeAndValue): string {
  switch (atv.valueTag) {
    case Tag.NumericString:
    case Tag.PrintableString:
    case Tag.T61String:
    case Tag.IA5String:
    case Tag.UTF8String:
    case Tag.UniversalString:
      return atv.value;
    case Tag.BMPString:
      if (/[\ud800-\udfff]/.test(atv.value)) fail(`${oidLongName(atv.oid)}: BMPString holds a surrogate code unit`);
      return atv.value;
    default:
      return fail(`${oidLongName(atv.oid)}: value of ASN.1 tag 0x${atv.valueTag.toString(16)} has no text form`);
  }
}

/** An IA5String kept octet-for-octet (see name.ts), read as CPython does: strict UTF-8. */
function ia5Text(octets: string): string {
  return decodeUtf8(latin1Bytes(octets), 'IA5String in a GeneralName');
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Other-name types OpenSSL's `GENERAL_NAME_print` shows, with the string type each must carry. */
const PRINTED_OTHER_NAMES: ReadonlyMap<string, readonly [label: string, tag: number]> = new Map([
  ['1.3.6.1.5.5.7.8.9', ['SmtpUTF8Mailbox', Tag.UTF8String]],
  ['1.3.6.1.5.5.7.8.5', ['XmppAddr', Tag.UTF8String]],
  ['1.3.6.1.5.5.7.8.7', ['SRVName', Tag.IA5String]],
  ['1.3.6.1.4.1.311.20.2.3', ['UPN', Tag.UTF8String]],
  ['1.3.6.1.5.5.7.8.8', ['NAIRealm', Tag.UTF8String]],
]);

/** CPython's `_get_peer_alt_names`. */
function altName(gn: GeneralName): PeerCertAltName {
  switch (gn.type) {
    case 'dns':
      return ['DNS', ia5Text(gn.value)];
    case 'email':
      return ['email', ia5Text(gn.value)];
    case 'uri':
      return ['URI', ia5Text(gn.value)];
    case 'dirName':
      return ['DirName', peerCertName(gn.name)];
    case 'registeredId':
      return ['Registered ID', oidLongName(gn.oid)];
    case 'ip':
      return ['IP Address', ipText(gn.bytes)];
    case 'x400Address':
      return ['X400Name', '<unsupported>'];
    case 'ediPartyName':
      return ['EdiPartyName', '<unsupported>'];
    case 'otherName':
      return ['othername', otherNameText(gn.oid, gn.value)];
  }
}

/** CPython formats IPv4 dotted and IPv6 as eight `%X` groups, uncompressed; other lengths `<invalid>`. */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return '<invalid>';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16).toUpperCase());
  return groups.join(':');
}

/**
 * `GENERAL_NAME_print` for an otherName, after CPython's split at the first colon: known types with the
 * expected string type print `Label:value` (the value cut at a NUL by `%.*s` and after the first line
 * break by `BIO_gets`), everything else `<unsupported>`.
 */
function otherNameText(oid: string, valueDer: Uint8Array): string {
  const printed = PRINTED_OTHER_NAMES.get(oid);
  const inner = new DerReader(valueDer, 'otherName value').readAny();
  if (printed === undefined || inner.tag !== printed[1]) return '<unsupported>';
  let octets = inner.content;
  const nul = octets.indexOf(0);
  if (nul >= 0) octets = octets.subarray(0, nul);
  const newline = octets.indexOf(0x0a);
  if (newline >= 0) octets = octets.subarray(0, newline + 1);
  // BIO_gets into CPython's 2048-octet buffer keeps at most 2046 octets of the whole line.
  const room = 2046 - 'othername:'.length - printed[0].length - 1;
  if (octets.length > room) octets = octets.subarray(0, Math.max(0, room));
  return `${printed[0]}:${decodeUtf8(octets, 'otherName value')}`;
}

/**
 * `i2a_ASN1_INTEGER`: the magnitude's octets in upper-case hex with a `-` for negatives. OpenSSL breaks
 * the line (`\` newline) after every 35 octets and CPython keeps only the first line, newline included.
 */
export function serialNumberText(content: Uint8Array): string {
  const negative = content.length > 0 && ((content[0] as number) & 0x80) !== 0;
  let magnitude = Array.from(content);
  if (negative) {
    // Two's complement negation: invert and add one.
    let carry = 1;
    for (let i = magnitude.length - 1; i >= 0; i--) {
      const v = ((magnitude[i] as number) ^ 0xff) + carry;
      magnitude[i] = v & 0xff;
      carry = v >> 8;
    }
  }
  while (magnitude.length > 1 && magnitude[0] === 0) magnitude = magnitude.slice(1);
  let text = negative ? '-' : '';
  for (let i = 0; i < magnitude.length; i++) {
    if (i !== 0 && i % 35 === 0) return `${text}\\\n`;
    text += (magnitude[i] as number).toString(16).padStart(2, '0').toUpperCase();
  }
  return text;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `ASN1_TIME_print`: `Jan  5 09:34:43 2018 GMT` (day padded to two with a space). */
export function asn1TimeText(epochMs: number): string {
  // A Date built from a number is a pure calendar conversion, not a clock read.
  const d = new Date(epochMs);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`
  );
}
