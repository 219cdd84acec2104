import { decodeCertificate, parseCrl } from '@sanstls/x509';
import { type CertificateOptions, createCertificate, createCrl } from '@sanstls/x509/generate';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeKey, pythonDecodeAll } from './generate-helpers.js';

// Generated edge cases decode identically with our decodeCertificate and Python's
// ssl._ssl._test_decode_cert (the getpeercert() oracle), and parse back into the model.
const key = nodeKey('ed25519');
const now = new Date('2026-03-04T05:06:07Z');

const cases: Record<string, Omit<CertificateOptions, 'key' | 'now'>> = {
  'multi-valued RDNs and many attribute types': {
    subject: [
      ['C', 'US'],
      ['ST', 'California'],
      ['L', 'San Francisco'],
      [
        ['O', 'Acme'],
        ['OU', 'Web'],
        ['OU', 'Ops'],
      ],
      ['CN', 'multi.example'],
      ['emailAddress', 'ops@example.com'],
      ['serialNumber', '12345'],
      ['DC', 'example'],
      ['UID', 'u1'],
    ],
    subjectAltNames: { dns: ['multi.example'] },
  },
  'IDN and Unicode names': {
    subject: 'CN=bücher.example,O=Ünïcödé 日本',
    subjectAltNames: { dns: ['bücher.example', '*.müller.example'] },
  },
  'IPv6 and IPv4 SANs': {
    subject: 'CN=ip',
    subjectAltNames: { ip: ['::1', '2001:db8::8:800:200c:417a', 'fe80::', '192.0.2.1', '::ffff:192.0.2.1'] },
  },
  'every SAN kind': {
    subject: 'CN=all',
    subjectAltNames: {
      dns: ['a.example'],
      ip: ['10.0.0.1'],
      email: ['x@example.com'],
      uri: ['https://example.com/p?q=1'],
      dirName: ['CN=Dir,O=Org,C=GB'],
      registeredId: ['1.2.3.4.5'],
    },
  },
  'large serial': { subject: 'CN=serial', serialNumber: (1n << 159n) - 12345n },
  'small serial': { subject: 'CN=serial', serialNumber: 1 },
  'dates after 2049': {
    subject: 'CN=late',
    notBefore: new Date('2049-12-31T23:59:59Z'),
    notAfter: new Date('9999-12-31T23:59:59Z'),
  },
  'dates before 1950': {
    subject: 'CN=early',
    notBefore: new Date('1949-01-02T03:04:05Z'),
    notAfter: new Date('1950-01-01T00:00:00Z'),
  },
  'v1 certificate': { subject: 'CN=v1,O=Old', version: 1 },
  'empty subject': { subject: '', subjectAltNames: { dns: ['empty.example'] } },
  'AIA and CRL distribution points': {
    subject: 'CN=aia',
    aia: { ocsp: ['http://ocsp.example/a', 'http://ocsp.example/b'], caIssuers: ['http://ca.example/ca.der'] },
    crlDistributionPoints: ['http://crl.example/1.crl', 'ldap://crl.example/cn=x'],
  },
  'escaped string name': { subject: 'CN=a\\,b\\+c\\=d,O=x\\\\y' },
  'BMPString and PrintableString values': {
    subject: [
      ['CN', 'bmp', 'BMPString'],
      ['O', 'print', 'PrintableString'],
    ],
  },
};

describe('generated certificates decode as Python decodes them', () => {
  const names = Object.keys(cases);
  const certs = names.map((name) => createCertificate({ ...cases[name], key, now } as CertificateOptions));
  let expected: unknown[] = [];
  beforeAll(() => {
    expected = pythonDecodeAll(certs.map((c) => c.pem));
  });

  names.forEach((name, i) => {
    it(name, () => {
      const cert = certs[i] as (typeof certs)[number];
      expect(decodeCertificate(cert.pem)).toEqual(expected[i]);
      expect(decodeCertificate(cert.der)).toEqual(decodeCertificate(cert.pem));
    });
  });

  it('spot-checks the decoded fields', () => {
    const dict = decodeCertificate(
      createCertificate({ ...cases['IPv6 and IPv4 SANs'], key, now } as CertificateOptions).der,
    );
    expect(dict.subjectAltName).toEqual([
      ['IP Address', '0:0:0:0:0:0:0:1'],
      ['IP Address', '2001:DB8:0:0:8:800:200C:417A'],
      ['IP Address', 'FE80:0:0:0:0:0:0:0'],
      ['IP Address', '192.0.2.1'],
      ['IP Address', '0:0:0:0:0:FFFF:C000:201'],
    ]);
    expect(dict.notBefore).toBe('Mar  4 05:06:07 2026 GMT');
  });
});

describe('generated CRLs parse back', () => {
  it('with entries, reasons and the CRL number', () => {
    const root = createCertificate({ subject: 'CN=root', key, isCa: true, now });
    const crl = createCrl({
      issuer: { certificate: root.der, key },
      revoked: [{ serialNumber: 7n, revocationDate: now, reason: 'superseded' }],
      now,
      crlNumber: 1n << 70n,
    });
    const parsed = parseCrl(crl.der);
    expect(parsed.version).toBe(2);
    expect(parsed.crlNumber).toBe(1n << 70n);
    expect(parsed.issuer.der).toEqual(root.certificate.subject.der);
    expect(parsed.revoked).toEqual([{ serialNumber: Uint8Array.of(7), revocationDate: now.getTime(), reason: 4 }]);
    expect(parsed.authorityKeyIdentifier).toEqual(root.certificate.subjectKeyIdentifier);
    expect(parsed.thisUpdate).toBe(now.getTime());
  });
});
