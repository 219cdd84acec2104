/**
 * Malformed certificates: every structural rule of RFC 5280 §4.1 and the decoded extensions of §4.2
 * yields an X509ParseError (an SSLError), never a TypeError/RangeError. Certificates are assembled here
 * with the DER writer so each case changes exactly one thing.
 */

import {
  DER_cert_to_PEM_cert,
  decodeCertificate,
  derBitString,
  derBoolean,
  derExplicit,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derSetOf,
  derString,
  derTLV,
  loadCertificates,
  parseCertificate,
  SSLError,
  Tag,
  X509ParseError,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const name = (cn: string): Uint8Array =>
  derSequence(derSetOf(derSequence(derOid('2.5.4.3'), derString(Tag.UTF8String, cn))));
const utc = (s: string): Uint8Array => derTLV(Tag.UTCTime, ascii(s));
const gen = (s: string): Uint8Array => derTLV(Tag.GeneralizedTime, ascii(s));
const ecdsaSha256 = derSequence(derOid('1.2.840.10045.4.3.2'));
const spki = derSequence(
  derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')),
  derBitString(Uint8Array.of(4, ...new Uint8Array(64).fill(7))),
);
const ext = (oid: string, value: Uint8Array, critical?: boolean): Uint8Array =>
  derSequence(derOid(oid), ...(critical === undefined ? [] : [derBoolean(critical)]), derOctetString(value));
const extensions = (...exts: Uint8Array[]): Uint8Array => derExplicit(3, derSequence(...exts));

interface Parts {
  version: Uint8Array[];
  serial: Uint8Array;
  signature: Uint8Array;
  issuer: Uint8Array;
  validity: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  rest: Uint8Array[];
  outerAlgorithm: Uint8Array;
  signatureValue: Uint8Array;
}

const good: Parts = {
  version: [derExplicit(0, derInteger(2))],
  serial: derInteger(0x1234),
  signature: ecdsaSha256,
  issuer: name('issuer'),
  validity: derSequence(utc('240101000000Z'), gen('20500101000000Z')),
  subject: name('subject'),
  spki,
  rest: [extensions(ext('2.5.29.19', derSequence(derBoolean(true), derInteger(1)), true))],
  outerAlgorithm: ecdsaSha256,
  signatureValue: derBitString(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01)),
};

function cert(change: Partial<Parts> = {}): Uint8Array {
  const p = { ...good, ...change };
  const tbs = derSequence(...p.version, p.serial, p.signature, p.issuer, p.validity, p.subject, p.spki, ...p.rest);
  return derSequence(tbs, p.outerAlgorithm, p.signatureValue);
}
const withExts = (...exts: Uint8Array[]): Uint8Array => cert({ rest: [extensions(...exts)] });
const validity = (notBefore: Uint8Array, notAfter: Uint8Array = gen('20500101000000Z')): Uint8Array =>
  cert({ validity: derSequence(notBefore, notAfter) });

function expectParseError(der: Uint8Array): X509ParseError {
  let caught: unknown;
  try {
    parseCertificate(der);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(X509ParseError);
  expect(caught).toBeInstanceOf(SSLError);
  expect(() => decodeCertificate(der)).toThrow(SSLError);
  return caught as X509ParseError;
}

describe('the hand-built baseline certificate', () => {
  it('parses, so every negative case below fails for its one change', () => {
    const c = parseCertificate(cert());
    expect(c.version).toBe(3);
    expect(c.basicConstraints).toEqual({ ca: true, pathLenConstraint: 1 });
    expect(c.notAfter).toBe(Date.UTC(2050, 0, 1));
  });
});

describe('structure', () => {
  const der = cert();
  it('rejects every proper prefix (truncation anywhere)', () => {
    for (let n = 0; n < der.length; n++) expectParseError(der.subarray(0, n));
  });
  it('rejects trailing data after the certificate', () => {
    expect(expectParseError(Uint8Array.of(...der, 0)).message).toMatch(/trailing/);
  });
  it('rejects a wrong outer tag', () => {
    expectParseError(Uint8Array.of(0x31, ...der.subarray(1)));
  });
  it('rejects indefinite and non-minimal lengths', () => {
    expectParseError(Uint8Array.of(0x30, 0x80, ...der.subarray(4), 0, 0));
    expectParseError(Uint8Array.of(0x30, 0x83, 0x00, der[2] as number, der[3] as number, ...der.subarray(4)));
  });
  it('rejects a missing field and fields out of order', () => {
    expectParseError(cert({ serial: new Uint8Array(0) }));
    expectParseError(cert({ issuer: good.validity, validity: good.issuer }));
  });
  it.each([
    ['serial as OCTET STRING', { serial: derOctetString(Uint8Array.of(1)) }],
    ['issuer as a SET', { issuer: derSetOf() }],
    ['validity as a SET', { validity: derTLV(Tag.SET, utc('240101000000Z'), utc('250101000000Z')) }],
    ['an empty serial', { serial: derTLV(Tag.INTEGER) }],
    ['a non-minimal serial', { serial: derTLV(Tag.INTEGER, Uint8Array.of(0, 1)) }],
    ['a signature with unused bits', { signatureValue: derBitString(Uint8Array.of(0x80), 7) }],
    [
      'a public key with unused bits',
      { spki: derSequence(derSequence(derOid('1.2.840.10045.2.1')), derBitString(Uint8Array.of(0x80), 7)) },
    ],
    [
      'an AlgorithmIdentifier with trailing fields',
      { signature: derSequence(derOid('1.2.840.10045.4.3.2'), derNull(), derNull()) },
    ],
    ['an element after the extensions', { rest: [good.rest[0] as Uint8Array, derNull()] }],
  ] as const)('rejects %s', (_what, change) => {
    expectParseError(cert(change as Partial<Parts>));
  });
  it('rejects input that is not bytes', () => {
    expect(() => parseCertificate('30' as unknown as Uint8Array)).toThrow(X509ParseError);
    expect(() => loadCertificates(42 as unknown as Uint8Array)).toThrow(X509ParseError);
  });
  it('decodes only the first certificate of a bundle, as PEM_read_bio_X509 does', () => {
    const first = DER_cert_to_PEM_cert(cert());
    const broken = DER_cert_to_PEM_cert(Uint8Array.of(0x30, 0x00));
    expect(decodeCertificate(first + broken).version).toBe(3);
    expect(() => loadCertificates(first + broken)).toThrow(X509ParseError);
    expect(() => decodeCertificate(null as never)).toThrow(X509ParseError);
    expect(() => decodeCertificate({} as never)).toThrow(X509ParseError);
  });
  it('rejects PEM without a certificate block', () => {
    expect(() => loadCertificates('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toThrow(SSLError);
    expect(() => decodeCertificate('hello')).toThrow(SSLError);
  });
});

describe('version (RFC 5280 §4.1.2.1)', () => {
  it.each([
    ['4 (value 3)', derExplicit(0, derInteger(3))],
    ['-1', derExplicit(0, derInteger(-1))],
    ['a non-INTEGER', derExplicit(0, derNull())],
    ['trailing data inside [0]', derExplicit(0, Uint8Array.of(...derInteger(2), 0))],
  ])('rejects version %s', (_what, version) => {
    expectParseError(cert({ version: [version] }));
  });
  it('rejects extensions in v1 and v2 certificates (§4.1.2.9)', () => {
    expectParseError(cert({ version: [] }));
    expectParseError(cert({ version: [derExplicit(0, derInteger(1))] }));
  });
  it('rejects unique identifiers in a v1 certificate (§4.1.2.8)', () => {
    expectParseError(cert({ version: [], rest: [derTLV(0x81, Uint8Array.of(0, 1))] }));
  });
  it('accepts an explicitly encoded v1 and v2 unique identifiers, as OpenSSL does', () => {
    expect(parseCertificate(cert({ version: [derExplicit(0, derInteger(0))], rest: [] })).version).toBe(1);
    const v2 = parseCertificate(
      cert({
        version: [derExplicit(0, derInteger(1))],
        rest: [derTLV(0x81, Uint8Array.of(0, 9)), derTLV(0x82, Uint8Array.of(0, 8))],
      }),
    );
    expect([v2.version, v2.issuerUniqueId, v2.subjectUniqueId]).toEqual([2, Uint8Array.of(9), Uint8Array.of(8)]);
  });
});

describe('times (RFC 5280 §4.1.2.5)', () => {
  it.each([
    ['UTCTime without seconds', utc('2401010000Z')],
    ['UTCTime with an offset', utc('240101000000+0100')],
    ['UTCTime without Z', utc('240101000000')],
    ['month 13', utc('241301000000Z')],
    ['month 0', utc('240001000000Z')],
    ['day 32', utc('240132000000Z')],
    ['day 0', utc('240100000000Z')],
    ['Feb 29 in a common year', utc('230229000000Z')],
    ['hour 24', utc('240101240000Z')],
    ['second 60', utc('240101000060Z')],
    ['non-digits', utc('24O101000000Z')],
    ['a sign in a field', utc('24-101000000Z')],
    ['GeneralizedTime with fractional seconds', gen('20240101000000.5Z')],
    ['GeneralizedTime without seconds', gen('202401010000Z')],
    ['an INTEGER', derInteger(5)],
  ])('rejects %s', (_what, time) => {
    expectParseError(validity(time));
  });
  it('accepts Feb 29 in a leap year and maps UTCTime 50–99 to the 1900s', () => {
    const c = parseCertificate(validity(utc('520229000000Z'), utc('000229235959Z')));
    expect(c.notBefore).toBe(Date.UTC(1952, 1, 29));
    expect(c.notAfter).toBe(Date.UTC(2000, 1, 29, 23, 59, 59));
    expect(parseCertificate(validity(utc('491231235959Z'))).notBefore).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(parseCertificate(validity(utc('500101000000Z'))).notBefore).toBe(Date.UTC(1950, 0, 1));
  });
});

describe('names (RFC 5280 §4.1.2.4)', () => {
  const rdn = (tag: number, content: Uint8Array): Uint8Array =>
    derSequence(derSetOf(derSequence(derOid('2.5.4.3'), derTLV(tag, content))));
  it.each([
    ['an empty RDN', derSequence(derSetOf())],
    [
      'an RDN that is a SEQUENCE',
      derSequence(derSequence(derSequence(derOid('2.5.4.3'), derString(Tag.UTF8String, 'x')))),
    ],
    ['an attribute without a value', derSequence(derSetOf(derSequence(derOid('2.5.4.3'))))],
    ['an attribute with two values', derSequence(derSetOf(derSequence(derOid('2.5.4.3'), derNull(), derNull())))],
    ['an INTEGER value', rdn(Tag.INTEGER, Uint8Array.of(1))],
    ['a VisibleString value (OpenSSL refuses it)', rdn(Tag.VisibleString, ascii('x'))],
    ['invalid UTF-8', rdn(Tag.UTF8String, Uint8Array.of(0x61, 0xc3))],
    ['an overlong UTF-8 form', rdn(Tag.UTF8String, Uint8Array.of(0xc0, 0xaf))],
    ['an odd-length BMPString', rdn(Tag.BMPString, Uint8Array.of(0, 0x41, 0))],
    ['a UniversalString past U+10FFFF', rdn(Tag.UniversalString, Uint8Array.of(0, 0x11, 0, 0))],
    ['a UniversalString of 3 octets', rdn(Tag.UniversalString, Uint8Array.of(0, 0, 0x41))],
  ])('rejects %s', (_what, subject) => {
    expectParseError(cert({ subject }));
  });
});

describe('extensions (RFC 5280 §4.2)', () => {
  const bc = (...fields: Uint8Array[]): Uint8Array => ext('2.5.29.19', derSequence(...fields));
  const san = (...names: Uint8Array[]): Uint8Array => ext('2.5.29.17', derSequence(...names));
  const dns = (s: string): Uint8Array => derTLV(0x82, ascii(s));
  it.each([
    ['a duplicate extension', [bc(), bc()]],
    ['a duplicate unknown extension', [ext('1.2.3.4', derNull()), ext('1.2.3.4', derNull())]],
    ['an empty extension list', []],
    [
      'a non-DER critical flag',
      [derSequence(derOid('2.5.29.19'), derTLV(Tag.BOOLEAN, Uint8Array.of(1)), derOctetString(derSequence()))],
    ],
    ['a missing extnValue', [derSequence(derOid('2.5.29.19'), derBoolean(true))]],
    ['basicConstraints with trailing bytes', [ext('2.5.29.19', Uint8Array.of(...derSequence(), 0))]],
    ['basicConstraints with a negative pathLen', [bc(derBoolean(true), derInteger(-1))]],
    ['basicConstraints with fields swapped', [bc(derInteger(1), derBoolean(true))]],
    ['keyUsage that is not a BIT STRING', [ext('2.5.29.15', derOctetString(Uint8Array.of(0x80)))]],
    ['keyUsage with non-zero unused bits', [ext('2.5.29.15', derTLV(Tag.BIT_STRING, Uint8Array.of(7, 0x81)))]],
    ['an empty extKeyUsage', [ext('2.5.29.37', derSequence())]],
    ['extKeyUsage holding a string', [ext('2.5.29.37', derSequence(derString(Tag.UTF8String, 'serverAuth')))]],
    ['an empty subjectAltName', [san()]],
    ['a GeneralName with tag [9]', [san(derTLV(0x89, ascii('x')))]],
    ['a constructed dNSName', [san(derTLV(0xa2, dns('x')))]],
    ['a directoryName that is not a Name', [san(derTLV(0xa4, derString(Tag.UTF8String, 'x')))]],
    ['an otherName without its [0] value', [san(derTLV(0xa0, derOid('1.2.3')))]],
    ['an ediPartyName without partyName', [san(derTLV(0xa5, derTLV(0xa0, derString(Tag.UTF8String, 'x'))))]],
    ['an ediPartyName whose partyName is not a string', [san(derTLV(0xa5, derTLV(0xa1, derInteger(1))))]],
    ['a registeredID that is not an OID', [san(derTLV(0x88, Uint8Array.of(0x80)))]],
    ['an empty issuerAltName', [ext('2.5.29.18', derSequence())]],
    ['an empty nameConstraints', [ext('2.5.29.30', derSequence())]],
    ['nameConstraints with empty permittedSubtrees', [ext('2.5.29.30', derSequence(derTLV(0xa0)))]],
    ['a subjectKeyIdentifier that is not an OCTET STRING', [ext('2.5.29.14', derInteger(5))]],
    ['an authorityKeyIdentifier with an issuer but no serial', [ext('2.5.29.35', derSequence(derTLV(0xa1, dns('x'))))]],
    ['an empty authorityInfoAccess', [ext('1.3.6.1.5.5.7.1.1', derSequence())]],
    [
      'an AccessDescription without a location',
      [ext('1.3.6.1.5.5.7.1.1', derSequence(derSequence(derOid('1.3.6.1.5.5.7.48.1'))))],
    ],
    ['a DistributionPoint with neither name nor issuer', [ext('2.5.29.31', derSequence(derSequence()))]],
    ['an empty cRLDistributionPoints', [ext('2.5.29.31', derSequence())]],
    [
      'a certificate policy listed twice',
      [ext('2.5.29.32', derSequence(derSequence(derOid('2.5.29.32.0')), derSequence(derOid('2.5.29.32.0'))))],
    ],
    ['empty policyQualifiers', [ext('2.5.29.32', derSequence(derSequence(derOid('2.5.29.32.0'), derSequence())))]],
  ])('rejects %s', (_what, exts) => {
    expectParseError(withExts(...exts));
  });
  it('accepts an explicit FALSE critical flag, as OpenSSL does', () => {
    const c = parseCertificate(
      withExts(derSequence(derOid('2.5.29.19'), derBoolean(false), derOctetString(derSequence()))),
    );
    expect(c.extensions[0]?.critical).toBe(false);
    expect(c.basicConstraints).toEqual({ ca: false, pathLenConstraint: undefined });
  });
});
