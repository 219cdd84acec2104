/**
 * getpeercert() parity on generated edge cases: certificates made at test time with the openssl CLI
 * (and a few byte-level variants of them), each decoded by python3 and by decodeCertificate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCertificate, derOid, derSequence, derString, derTLV, SSLError, Tag } from '@sanstls/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  haveOpenssl,
  havePython,
  makeCert,
  type OracleResult,
  openssl,
  patchString,
  pythonDecode,
  readPemCert,
  rebuildCert,
  scratchDir,
  writePemCert,
} from './decode-oracle.js';

const enabled = havePython && haveOpenssl;
if (!enabled) console.log('skipping generated getpeercert parity: python3 ssl or the openssl CLI is missing');

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `subjectAltName = DER:…` for a GeneralNames built from raw GeneralName TLVs. */
const derUtf8 = (s: string): Uint8Array => derString(Tag.UTF8String, s);
const sanDer = (...names: Uint8Array[]): string => `subjectAltName = DER:${hex(derSequence(...names))}`;

interface Case {
  readonly name: string;
  /** What Python must do with it: the fixture is wrong if the oracle disagrees. */
  readonly python: 'ok' | 'error';
  readonly make: (dir: string) => string;
}

const cases: Case[] = [
  { name: 'plain CN', python: 'ok', make: (d) => makeCert(d, 'plain', { subj: '/CN=plain.example' }) },
  {
    name: 'many attribute types incl. emailAddress, DC, UID, jurisdiction, businessCategory',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'attrs', {
        subj:
          '/C=DE/ST=Berlin/L=Berlin/street=Main St 1/postalCode=10115/O=Org/OU=Unit/CN=attrs' +
          '/emailAddress=someone@example.com/DC=example/DC=com/UID=jdoe/serialNumber=12345' +
          '/businessCategory=Private Organization/jurisdictionC=DE/jurisdictionST=Berlin/jurisdictionL=Berlin' +
          '/title=Dr/GN=Jane/SN=Doe/initials=JD/pseudonym=jd/organizationIdentifier=VATDE-123/description=d' +
          '/dnQualifier=q/generationQualifier=III/name=Name/role=admin/telephoneNumber=49 30 1',
      }),
  },
  {
    name: 'unknown attribute OIDs',
    python: 'ok',
    make: (d) => makeCert(d, 'unknown', { subj: '/1.2.3.4.5=foo/2.5.4.250=bar/CN=x' }),
  },
  {
    name: 'multi-valued RDNs',
    python: 'ok',
    make: (d) => makeCert(d, 'multi', { subj: '/CN=a+OU=b+O=c/O=Org+C=US/CN=last', extraArgs: ['-multivalue-rdn'] }),
  },
  {
    name: 'UTF-8 and IDN names',
    python: 'ok',
    make: (d) => makeCert(d, 'utf8', { subj: '/CN=Bücher.例え.テスト/O=Ωmega Ünïcödé 😀' }),
  },
  {
    name: 'BMPString names',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'bmp', { subj: '/CN=Ünï 日本/O=bmp', extraArgs: ['-config', stringMaskConf(d, 'bmp', '0x800')] }),
  },
  {
    name: 'UniversalString names',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'ucs4', { subj: '/CN=Ünï 日本 😀/O=u', extraArgs: ['-config', stringMaskConf(d, 'ucs4', '0x100')] }),
  },
  {
    name: 'T61String names',
    python: 'ok',
    make: (d) =>
      makeCert(d, 't61', { subj: '/CN=teletex/O=t', extraArgs: ['-config', stringMaskConf(d, 't61', '0x4')] }),
  },
  {
    name: 'empty subject (v1)',
    python: 'ok',
    make: (d) => makeCert(d, 'empty', { subj: '/', ext: '', extraArgs: [] }),
  },
  {
    name: 'v1 certificate from x509 -req',
    python: 'ok',
    make: (d) => {
      openssl(
        ['req', '-new', '-key', 'key.pem', '-subj', '/CN=v1 cert', '-out', 'v1.csr', '-config', minimalConf(d)],
        d,
      );
      openssl(['x509', '-req', '-in', 'v1.csr', '-signkey', 'key.pem', '-out', 'v1.pem'], d);
      return join(d, 'v1.pem');
    },
  },
  {
    name: 'every SAN type openssl writes',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'san', {
        subj: '/CN=san',
        ext: [
          'subjectAltName = @alt',
          '[alt]',
          'DNS.1 = example.com',
          'DNS.2 = *.xn--bcher-kva.example',
          'IP.1 = 192.0.2.1',
          'IP.2 = 2001:db8::ff00:42:8329',
          'IP.3 = ::1',
          'IP.4 = ::ffff:192.0.2.1',
          'IP.5 = fe80::',
          'email.1 = someone@example.com',
          'URI.1 = https://example.com/path?q=1',
          'RID.1 = 1.2.840.113549.1.1.1',
          'RID.2 = 1.2.3.4.5.6789012345',
          'RID.3 = 2.5.4.3',
          'dirName.1 = dir_sect',
          'otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com',
          'otherName.2 = 1.3.6.1.5.5.7.8.5;UTF8:xmpp@example.com',
          'otherName.3 = 1.3.6.1.5.5.7.8.7;IA5:_http.example.com',
          'otherName.4 = 1.3.6.1.5.5.7.8.9;UTF8:smtp@example.com',
          'otherName.5 = 1.3.6.1.5.5.7.8.8;UTF8:realm.example',
          'otherName.6 = 1.2.3.4;UTF8:other',
          'otherName.7 = 1.3.6.1.4.1.311.20.2.3;IA5:wrongtype',
          'otherName.8 = 1.3.6.1.5.5.7.8.7;UTF8:wrongtype',
          'otherName.9 = 1.2.3.4;INTEGER:5',
          '[dir_sect]',
          'C = US',
          'O = Dir Org',
          'CN = dir name',
        ].join('\n'),
      }),
  },
  {
    name: 'SAN types openssl cannot write: x400Address, ediPartyName, odd IP lengths, NULs, UTF-8 octets',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'san-raw', {
        subj: '/CN=san raw',
        ext: sanDer(
          derTLV(0xa3, derSequence()),
          derTLV(0xa5, derTLV(0xa1, derUtf8('party'))),
          derTLV(0x87, Uint8Array.of(10, 0, 0, 1, 255, 255, 255, 0)),
          derTLV(0x87, Uint8Array.of(1, 2, 3)),
          derTLV(0x82, ascii('nul\0inside.example')),
          derTLV(0x82, utf8('bücher.example')),
          derTLV(0x81, utf8('ünï@example.com')),
          derTLV(0x86, utf8('https://例え.jp/')),
          derTLV(0xa0, derOid('1.3.6.1.4.1.311.20.2.3'), derTLV(0xa0, derUtf8('cut\0here'))),
          derTLV(0xa0, derOid('1.3.6.1.4.1.311.20.2.3'), derTLV(0xa0, derUtf8('line\nbreak'))),
          derTLV(0xa0, derOid('1.3.6.1.5.5.7.8.5'), derTLV(0xa0, derSequence())),
          derTLV(0xa4, derSequence()),
        ),
      }),
  },
  {
    name: 'AIA with OCSP, caIssuers and non-URI locations; CRL DPs',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'aia', {
        subj: '/CN=aia',
        ext: [
          'authorityInfoAccess = OCSP;URI:http://ocsp.example/, caIssuers;URI:http://ca.example/ca.crt, OCSP;URI:http://ocsp2.example/, caIssuers;DNS:notauri.example, 1.3.6.1.5.5.7.48.5;URI:http://repo.example/',
          'crlDistributionPoints = URI:http://crl.example/a.crl, URI:ldap://crl.example/cn=x',
        ].join('\n'),
      }),
  },
  {
    name: 'CRL DPs with relative names, cRLIssuer only and mixed fullName types',
    python: 'ok',
    make: (d) =>
      makeCert(d, 'cdp', {
        subj: '/CN=cdp',
        ext: [
          'crlDistributionPoints = dp1, dp2, dp3',
          '[dp1]',
          'fullname = DNS:crl.example, URI:http://one.example/crl, URI:http://two.example/crl',
          'reasons = keyCompromise, CACompromise',
          '[dp2]',
          'relativename = dp_rdn',
          'CRLissuer = URI:http://issuer.example/',
          '[dp3]',
          'CRLissuer = DNS:issuer.example',
          '[dp_rdn]',
          'CN = relative',
        ].join('\n'),
      }),
  },
  {
    name: 'AIA without any URI',
    python: 'ok',
    make: (d) => makeCert(d, 'aia-none', { subj: '/CN=x', ext: 'authorityInfoAccess = caIssuers;DNS:a.example' }),
  },
  { name: 'serial 0', python: 'ok', make: (d) => makeCert(d, 's0', { subj: '/CN=s', serial: '0' }) },
  { name: 'serial 1', python: 'ok', make: (d) => makeCert(d, 's1', { subj: '/CN=s', serial: '1' }) },
  {
    name: 'serial 0x80 (needs a sign octet)',
    python: 'ok',
    make: (d) => makeCert(d, 's80', { subj: '/CN=s', serial: '0x80' }),
  },
  {
    name: '20-octet serial',
    python: 'ok',
    make: (d) => makeCert(d, 's20', { subj: '/CN=s', serial: `0x7f${'ab'.repeat(19)}` }),
  },
  {
    name: '21-octet serial',
    python: 'ok',
    make: (d) => makeCert(d, 's21', { subj: '/CN=s', serial: `0xff${'01'.repeat(19)}` }),
  },
  {
    name: '40-octet serial (OpenSSL breaks its line)',
    python: 'ok',
    make: (d) => makeCert(d, 's40', { subj: '/CN=s', serial: `0x${'5a'.repeat(40)}` }),
  },
  { name: 'serial -1', python: 'ok', make: (d) => makeCert(d, 'sneg1', { subj: '/CN=s', serial: '-1' }) },
  { name: 'serial -128', python: 'ok', make: (d) => makeCert(d, 'sneg128', { subj: '/CN=s', serial: '-128' }) },
  { name: 'serial -129', python: 'ok', make: (d) => makeCert(d, 'sneg129', { subj: '/CN=s', serial: '-129' }) },
  { name: 'serial -0x10000', python: 'ok', make: (d) => makeCert(d, 'snegbig', { subj: '/CN=s', serial: '-0x10000' }) },
  {
    name: 'notAfter after 2049 (GeneralizedTime)',
    python: 'ok',
    make: (d) => makeCert(d, 'gt', { subj: '/CN=gt', days: '10000' }),
  },
  { name: 'far future notAfter', python: 'ok', make: (d) => makeCert(d, 'far', { subj: '/CN=far', days: '2900000' }) },
  {
    name: 'UTCTime 1950 and 2049 boundaries',
    python: 'ok',
    make: (d) =>
      writePemCert(
        join(d, 'utc-bounds.pem'),
        rebuildCert(readPemCert(makeCert(d, 'utc-src', { subj: '/CN=utc' })), (els) =>
          replaceValidity(
            els,
            derTLV(Tag.UTCTime, ascii('500101000000Z')),
            derTLV(Tag.UTCTime, ascii('491231235959Z')),
          ),
        ),
      ),
  },
  {
    name: 'GeneralizedTime before 1950 and in year 1',
    python: 'ok',
    make: (d) =>
      writePemCert(
        join(d, 'gt-early.pem'),
        rebuildCert(readPemCert(makeCert(d, 'gt-src', { subj: '/CN=gt' })), (els) =>
          replaceValidity(
            els,
            derTLV(Tag.GeneralizedTime, ascii('00010101000000Z')),
            derTLV(Tag.GeneralizedTime, ascii('19491231235959Z')),
          ),
        ),
      ),
  },
  ...stringTagCases(),
];

/** Variants of a name value with other string tags and content octets. */
function stringTagCases(): Case[] {
  const variant = (name: string, python: 'ok' | 'error', tag: number, content?: Uint8Array): Case => ({
    name: `attribute value: ${name}`,
    python,
    make: (d) => {
      const base = readPemCert(makeCert(d, `tag-src-${tag}-${name.length}`, { subj: '/CN=MARKER01/O=keep' }));
      return writePemCert(join(d, `tag-${tag}-${name.length}.pem`), patchString(base, 'MARKER01', tag, content));
    },
  });
  return [
    variant('NumericString', 'ok', Tag.NumericString),
    variant('IA5String', 'ok', Tag.IA5String),
    variant('IA5String with a Latin-1 octet', 'ok', Tag.IA5String, ascii('MARK\xe9R01')),
    variant('T61String with a Latin-1 octet', 'ok', Tag.T61String, ascii('MARK\xe9R01')),
    variant('PrintableString with a Latin-1 octet', 'ok', Tag.PrintableString, ascii('MARK\xe9R01')),
    variant('VisibleString', 'error', Tag.VisibleString),
    variant('VideotexString', 'error', 0x15),
    variant('GraphicString', 'error', 0x19),
    variant('GeneralString', 'error', 0x1b),
    variant('UTF8String with invalid octets', 'error', Tag.UTF8String, ascii('MARK\xffR01')),
    variant('UTF8String with an encoded surrogate', 'error', Tag.UTF8String, ascii('MA\xed\xa0\x80R01')),
    variant('BMPString', 'ok', Tag.BMPString, Uint8Array.of(0, 0x41, 0x30, 0xb9, 0, 0x43, 0x4e, 0x2d)),
    variant(
      'BMPString with a surrogate pair',
      'error',
      Tag.BMPString,
      Uint8Array.of(0, 0x41, 0xd8, 0x3d, 0xde, 0x00, 0, 0x43),
    ),
    variant('UniversalString', 'ok', Tag.UniversalString, Uint8Array.of(0, 0, 0, 0x41, 0, 1, 0xf6, 0x00)),
    variant('OCTET STRING', 'error', Tag.OCTET_STRING),
    variant('UniversalString out of range', 'error', Tag.UniversalString),
    variant('REAL (loaded by OpenSSL, no text form)', 'error', 0x09),
  ];
}

function replaceValidity(els: Uint8Array[], notBefore: Uint8Array, notAfter: Uint8Array): Uint8Array[] {
  // [version, serial, signature, issuer, validity, …]
  const index = els[0]?.[0] === 0xa0 ? 4 : 3;
  return els.map((el, i) => (i === index ? derSequence(notBefore, notAfter) : el));
}

function minimalConf(dir: string): string {
  const path = join(dir, 'minimal.cnf');
  writeFileSync(path, '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n');
  return path;
}

function stringMaskConf(dir: string, name: string, mask: string): string {
  const path = join(dir, `${name}-mask.cnf`);
  writeFileSync(
    path,
    `[req]\ndistinguished_name = dn\nprompt = no\nstring_mask = MASK:${mask}\n[dn]\n[ext]\nbasicConstraints = CA:FALSE\n`,
  );
  return path;
}

describe.skipIf(!enabled)('decodeCertificate parity with python3 on generated certificates', () => {
  const { dir, cleanup } = enabled ? scratchDir('sanstls-decode-') : { dir: '', cleanup: () => {} };
  const paths: string[] = [];
  let oracle: OracleResult[] = [];
  beforeAll(() => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], dir);
    for (const c of cases) paths.push(c.make(dir));
    oracle = pythonDecode(paths);
  });
  afterAll(cleanup);

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i] as Case;
    const expected = oracle[i] as OracleResult;
    expect('ok' in expected ? 'ok' : `error (${expected.error})`).toMatch(c.python === 'ok' ? /^ok$/ : /^error/);
    const pem = readFileSync(paths[i] as string, 'latin1');
    if ('ok' in expected) {
      expect(decodeCertificate(pem)).toEqual(expected.ok);
    } else {
      expect(() => decodeCertificate(pem)).toThrow(SSLError);
    }
  });
});
