import { parseName, SSLError } from '@sanstls/x509';
import { createCertificate, encodeName, parseNameString } from '@sanstls/x509/generate';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  nodeKey,
  nodeSignatureProvider,
  opensslAsn1parse,
  opensslText,
  opensslVerify,
  seededRandom,
} from './generate-helpers.js';

// Certificates signed by node:crypto through the provider option: the TBS encoders are checked by
// OpenSSL independently of the noble signer.
const provider = nodeSignatureProvider;
const now = new Date('2026-06-01T12:00:00Z');

describe('createCertificate structure (OpenSSL as the oracle)', () => {
  const caKey = nodeKey('P-256');
  const leafKey = nodeKey('P-256');
  let root: ReturnType<typeof createCertificate>;
  let leaf: ReturnType<typeof createCertificate>;

  beforeAll(() => {
    root = createCertificate({
      subject: 'CN=Test Root,O=sanstls,C=US',
      key: caKey,
      isCa: true,
      pathLen: 1,
      now,
      days: 3650,
      nameConstraints: {
        permitted: { dns: ['example.com', '.test'], ip: ['10.0.0.0/8', 'fd00::/8'], email: ['example.com'] },
        excluded: { dns: ['bad.example.com'], dirName: ['CN=Evil,C=US'] },
      },
      signatureProvider: provider,
    });
    leaf = createCertificate({
      subject: 'CN=leaf,O=Test,C=US',
      key: leafKey,
      issuer: { certificate: root.der, key: caKey },
      now,
      serialNumber: 0x1234abcdn,
      subjectAltNames: {
        dns: ['www.example.com', '*.example.com'],
        ip: ['10.1.2.3', 'fd00::1'],
        email: ['admin@example.com'],
        uri: ['https://example.com/x'],
      },
      extKeyUsage: ['serverAuth', 'clientAuth', '1.2.3.4.5'],
      aia: { ocsp: ['http://ocsp.example.com'], caIssuers: ['http://ca.example.com/root.der'] },
      crlDistributionPoints: ['http://crl.example.com/root.crl'],
      policies: ['2.23.140.1.2.1'],
      signatureProvider: provider,
    });
  });

  it('the chain verifies with openssl verify, at a time inside the validity period', () => {
    const r = opensslVerify(root.pem, leaf.pem, [], ['-attime', String(now.getTime() / 1000 + 60)]);
    expect(r.output).toContain(': OK');
    expect(r.status).toBe(0);
  });

  it('openssl verify rejects the leaf against an unrelated root', () => {
    const other = createCertificate({
      subject: 'CN=Test Root,O=sanstls,C=US',
      key: nodeKey('P-256'),
      isCa: true,
      now,
      signatureProvider: provider,
    });
    const r = opensslVerify(other.pem, leaf.pem, [], ['-attime', String(now.getTime() / 1000 + 60)]);
    expect(r.status).not.toBe(0);
    // The leaf's AKI names another key, so OpenSSL finds no issuer (X509_V_ERR 20).
    expect(r.output).toMatch(/error 20 at 0 depth lookup: unable to get local issuer certificate/);
  });

  it('writes the requested names, extensions and validity', () => {
    const text = opensslText(leaf.pem);
    expect(text).toContain('Subject: CN=leaf,O=Test,C=US');
    expect(text).toContain('Issuer: CN=Test Root,O=sanstls,C=US');
    expect(text).toContain('Serial Number: 305441741 (0x1234abcd)');
    expect(text).toContain('Not Before: Jun  1 12:00:00 2026 GMT');
    expect(text).toContain('Not After : Jun  1 12:00:00 2027 GMT');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(
      /X509v3 Extended Key Usage: \s+TLS Web Server Authentication, TLS Web Client Authentication, 1\.2\.3\.4\.5/,
    );
    expect(text).toMatch(
      /X509v3 Subject Alternative Name: \s+DNS:www\.example\.com, DNS:\*\.example\.com, IP Address:10\.1\.2\.3, IP Address:FD00:0:0:0:0:0:0:1, email:admin@example\.com, URI:https:\/\/example\.com\/x/,
    );
    expect(text).toMatch(
      /Authority Information Access: \s+OCSP - URI:http:\/\/ocsp\.example\.com\s+CA Issuers - URI:http:\/\/ca\.example\.com\/root\.der/,
    );
    expect(text).toMatch(/CRL Distribution Points: \s+Full Name:\s+URI:http:\/\/crl\.example\.com\/root\.crl/);
    expect(text).toMatch(/Certificate Policies: \s+Policy: 2\.23\.140\.1\.2\.1/);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    // SKI of the root is the leaf's AKI.
    const rootSki = /Subject Key Identifier: \s+([0-9A-F:]+)/.exec(opensslText(root.pem))?.[1];
    const leafAki = /Authority Key Identifier: \s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
    expect(rootSki).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(leafAki).toBe(rootSki);
  });

  it('writes CA constraints and name constraints', () => {
    const text = opensslText(root.pem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(
      /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:example\.com\s+DNS:\.test\s+IP:10\.0\.0\.0\/255\.0\.0\.0\s+IP:FD00:0:0:0:0:0:0:0\/FF00:0:0:0:0:0:0:0\s+email:example\.com\s+Excluded:\s+DNS:bad\.example\.com\s+DirName:C = US, CN = Evil/,
    );
    expect(text).not.toContain('X509v3 Extended Key Usage');
  });

  it('parses back into the same model', () => {
    const c = leaf.certificate;
    expect(c.version).toBe(3);
    expect(c.basicConstraints).toEqual({ ca: false, pathLenConstraint: undefined });
    expect(c.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.2.3.4.5']);
    expect(c.subjectAltName?.map((g) => g.type)).toEqual(['dns', 'dns', 'ip', 'ip', 'email', 'uri']);
    expect(c.authorityKeyIdentifier?.keyIdentifier).toEqual(root.certificate.subjectKeyIdentifier);
    expect(c.issuer.der).toEqual(root.certificate.subject.der);
    expect(c.notBefore).toBe(now.getTime());
    expect(root.certificate.basicConstraints).toEqual({ ca: true, pathLenConstraint: 1 });
  });

  it('is DER OpenSSL decodes without complaint', () => {
    const dump = opensslAsn1parse(leaf.der);
    expect(dump).not.toMatch(/error/i);
    expect(dump).toContain('cont [ 3 ]');
  });
});

describe('names', () => {
  it('reads RFC 4514 strings last-RDN-first, with multi-valued RDNs and escapes', () => {
    expect(parseNameString('CN=leaf,O=Test,C=US')).toEqual([[['C', 'US']], [['O', 'Test']], [['CN', 'leaf']]]);
    expect(parseNameString('CN=a+UID=b, O = Acme\\, Inc. ')).toEqual([
      [['O', 'Acme, Inc.']],
      [
        ['CN', 'a'],
        ['UID', 'b'],
      ],
    ]);
    expect(parseNameString('CN=caf\\C3\\A9\\ ')).toEqual([[['CN', 'café ']]]);
    expect(parseNameString('')).toEqual([]);
  });

  it('encodes C as PrintableString, email as IA5String, the rest as UTF8String, sorted within an RDN', () => {
    const key = nodeKey('ed25519');
    const cert = createCertificate({
      subject: [
        ['C', 'DE'],
        [
          ['OU', 'b'],
          ['CN', 'Zürich'],
        ],
        ['emailAddress', 'a@b.c'],
        ['CN', 'x', 'BMPString'],
      ],
      key,
      now,
      signatureProvider: provider,
    });
    const dump = opensslAsn1parse(cert.der);
    expect(dump).toMatch(/PRINTABLESTRING\s+:DE/);
    expect(dump).toMatch(/IA5STRING\s+:a@b\.c/);
    expect(dump).toMatch(/BMPSTRING/);
    const text = opensslText(cert.pem);
    expect(text).toContain('Subject: CN=x,emailAddress=a@b.c,CN=Z\\C3\\BCrich+OU=b,C=DE');
    // X.690 §11.6: a SET OF sorts by encoding, and OU=b (30 0a …) sorts before CN=Zürich (30 0f …).
    expect(cert.certificate.subject.rdns.map((r) => r.map((a) => a.value))).toEqual([
      ['DE'],
      ['b', 'Zürich'],
      ['a@b.c'],
      ['x'],
    ]);
  });

  it('an empty subject makes the SAN critical (§4.2.1.6)', () => {
    const cert = createCertificate({
      subject: '',
      key: nodeKey('ed25519'),
      now,
      subjectAltNames: { dns: ['a.test'] },
      signatureProvider: provider,
    });
    expect(opensslText(cert.pem)).toMatch(/Subject Alternative Name: critical/);
    expect(cert.certificate.subject.rdns).toEqual([]);
  });

  it('converts Unicode DNS names to A-labels', () => {
    const cert = createCertificate({
      subject: 'CN=x',
      key: nodeKey('ed25519'),
      now,
      subjectAltNames: { dns: ['*.bücher.example'] },
      signatureProvider: provider,
    });
    expect(opensslText(cert.pem)).toContain('DNS:*.xn--bcher-kva.example');
  });

  it('rejects bad names', () => {
    expect(() => encodeName('C=USA')).toThrow(SSLError);
    expect(() => encodeName('XX=1')).toThrow(/unknown name attribute/);
    expect(() => encodeName('CN')).toThrow(/without "="/);
    expect(() => encodeName('CN=a\\')).toThrow(/dangling/);
    expect(() => encodeName('CN=\\FF')).toThrow(/UTF-8/);
    expect(() => encodeName([['C', 'U$']])).toThrow(/PrintableString/);
    expect(() => encodeName([['emailAddress', 'ü@x']])).toThrow(/ASCII/);
  });
});

describe('validity, serials and versions', () => {
  const key = nodeKey('ed25519');

  it('uses UTCTime through 2049 and GeneralizedTime from 2050 (§4.1.2.5)', () => {
    const cert = createCertificate({
      subject: 'CN=t',
      key,
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
      signatureProvider: provider,
    });
    const dump = opensslAsn1parse(cert.der);
    expect(dump).toMatch(/UTCTIME\s+:491231235959Z/);
    expect(dump).toMatch(/GENERALIZEDTIME\s+:20500101000000Z/);
    expect(cert.certificate.notAfter).toBe(Date.UTC(2050, 0, 1));
  });

  it('makes random serials positive and at most 16 octets', () => {
    for (let seed = 1; seed < 20; seed++) {
      const cert = createCertificate({
        subject: 'CN=t',
        key,
        now,
        randomBytes: seededRandom(seed),
        signatureProvider: provider,
      });
      const serial = cert.certificate.serialNumber;
      expect(serial.length).toBeLessThanOrEqual(16);
      expect((serial[0] as number) & 0x80).toBe(0);
    }
    const allFF = createCertificate({
      subject: 'CN=t',
      key,
      now,
      randomBytes: (n) => new Uint8Array(n).fill(0xff),
      signatureProvider: provider,
    });
    expect(opensslText(allFF.pem)).toContain('7f:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff');
    const zero = createCertificate({
      subject: 'CN=t',
      key,
      now,
      randomBytes: (n) => new Uint8Array(n),
      signatureProvider: provider,
    });
    expect(zero.certificate.serialNumber).toEqual(Uint8Array.of(1));
  });

  it('is reproducible with fixed now and randomBytes', () => {
    const a = createCertificate({
      subject: 'CN=t',
      key,
      now,
      randomBytes: seededRandom(7),
      signatureProvider: provider,
    });
    const b = createCertificate({
      subject: 'CN=t',
      key,
      now,
      randomBytes: seededRandom(7),
      signatureProvider: provider,
    });
    const c = createCertificate({
      subject: 'CN=t',
      key,
      now,
      randomBytes: seededRandom(8),
      signatureProvider: provider,
    });
    expect(b.der).toEqual(a.der);
    expect(c.der).not.toEqual(a.der);
  });

  it('writes v1 certificates without extensions and refuses extension options for them', () => {
    const v1 = createCertificate({ subject: 'CN=v1', key, now, version: 1, signatureProvider: provider });
    expect(v1.certificate.version).toBe(1);
    expect(v1.certificate.extensions).toEqual([]);
    expect(opensslText(v1.pem)).toContain('Version: 1 (0x0)');
    expect(() =>
      createCertificate({ subject: 'CN=v1', key, now, version: 1, isCa: true, signatureProvider: provider }),
    ).toThrow(/version 1/);
  });

  it('accepts explicit and large serials', () => {
    const big = createCertificate({
      subject: 'CN=t',
      key,
      now,
      serialNumber: Uint8Array.from({ length: 20 }, (_, i) => 0x80 + i),
      signatureProvider: provider,
    });
    expect(big.certificate.serialNumber.length).toBe(21); // a leading 00 keeps it positive
    expect(() =>
      createCertificate({ subject: 'CN=t', key, now, serialNumber: new Uint8Array(21), signatureProvider: provider }),
    ).toThrow(/20 octets/);
  });
});

describe('argument checks', () => {
  const key = nodeKey('P-256');
  const root = createCertificate({ subject: 'CN=r', key, isCa: true, now, signatureProvider: provider });

  it('rejects an issuer key that does not match the issuer certificate', () => {
    expect(() =>
      createCertificate({
        subject: 'CN=l',
        key: nodeKey('P-256'),
        issuer: { certificate: root.der, key: nodeKey('P-256') },
        now,
        signatureProvider: provider,
      }),
    ).toThrow(/issuer key does not match/);
  });

  it('accepts the issuer certificate as DER, PEM or parsed', () => {
    for (const certificate of [root.der, root.pem, root.certificate]) {
      const leaf = createCertificate({
        subject: 'CN=l',
        key: nodeKey('P-256'),
        issuer: { certificate, key },
        now,
        signatureProvider: provider,
      });
      expect(leaf.certificate.issuer.der).toEqual(root.certificate.subject.der);
    }
  });

  it('rejects inconsistent or malformed options', () => {
    const base = { subject: 'CN=l', key, now, signatureProvider: provider } as const;
    expect(() => createCertificate({ ...base, pathLen: 0 })).toThrow(/only meaningful for a CA/);
    expect(() => createCertificate({ ...base, isCa: true, pathLen: -1 })).toThrow(/non-negative/);
    expect(() => createCertificate({ ...base, subjectAltNames: { ip: ['1.2.3'] } })).toThrow(/not an IPv4 or IPv6/);
    expect(() => createCertificate({ ...base, subjectAltNames: {} })).toThrow(/no name/);
    expect(() => createCertificate({ ...base, keyUsage: [] })).toThrow(/at least one/);
    expect(() => createCertificate({ ...base, extKeyUsage: ['serverauth'] })).toThrow(/unknown extended key usage/);
    expect(() => createCertificate({ ...base, nameConstraints: { permitted: { ip: ['10.0.0.0'] } } })).toThrow(/CIDR/);
    expect(() => createCertificate({ ...base, nameConstraints: { permitted: { ip: ['10.0.0.0/33'] } } })).toThrow(
      /prefix length/,
    );
    expect(() => createCertificate({ ...base, notAfter: new Date(Number.NaN) })).toThrow(/not a representable date/);
    expect(() => createCertificate({ subject: 'CN=l', now, signatureProvider: provider })).toThrow(/subject key/);
    expect(() =>
      createCertificate({
        subject: 'CN=l',
        key,
        now,
        signatureHash: 'sha1',
        signatureProvider: provider,
        version: 3,
        extraExtensions: [{ oid: '2.5.29.19', critical: false, value: Uint8Array.of(0x30, 0) }],
      }),
    ).not.toThrow();
  });

  it('lets extraExtensions replace an automatic extension and omitExtensions drop one', () => {
    const cert = createCertificate({
      subject: 'CN=l',
      key,
      now,
      extraExtensions: [
        { oid: '2.5.29.19', critical: false, value: Uint8Array.of(0x30, 0) },
        { oid: '1.2.3.4', critical: true, value: Uint8Array.of(5, 0) },
      ],
      omitExtensions: ['authorityKeyIdentifier', 'keyUsage'],
      signatureProvider: provider,
    });
    const oids = cert.certificate.extensions.map((e) => `${e.oid}${e.critical ? '!' : ''}`);
    expect(oids).toEqual(['2.5.29.19', '2.5.29.14', '1.2.3.4!']);
  });
});

describe('signing with the default noble provider', () => {
  const keys = {
    'P-256': nodeKey('P-256'),
    'P-384': nodeKey('P-384'),
    'P-521': nodeKey('P-521'),
    ed25519: nodeKey('ed25519'),
    'rsa-2048': nodeKey('rsa-2048'),
  } as const;
  const expectedAlgorithm = {
    'P-256': 'ecdsa-with-SHA256',
    'P-384': 'ecdsa-with-SHA384',
    'P-521': 'ecdsa-with-SHA512',
    ed25519: 'ED25519',
    'rsa-2048': 'sha256WithRSAEncryption',
  } as const;

  for (const [type, key] of Object.entries(keys) as [keyof typeof keys, (typeof keys)[keyof typeof keys]][]) {
    it(`${type}: a root and a leaf that openssl verify accepts`, () => {
      const root = createCertificate({ subject: `CN=${type} root`, key, isCa: true, now });
      const leafKey = nodeKey('P-256');
      const leaf = createCertificate({
        subject: 'CN=leaf',
        key: leafKey,
        issuer: { certificate: root.der, key },
        now,
        extKeyUsage: ['serverAuth'],
      });
      expect(opensslText(leaf.pem)).toContain(`Signature Algorithm: ${expectedAlgorithm[type]}`);
      const r = opensslVerify(
        root.pem,
        leaf.pem,
        [],
        ['-attime', String(now.getTime() / 1000 + 60), '-purpose', 'sslserver'],
      );
      expect(r.output).toContain(': OK');
    });
  }

  it('RSA-PSS and an explicit hash', () => {
    const key = keys['rsa-2048'];
    const pss = createCertificate({
      subject: 'CN=pss',
      key,
      now,
      signatureAlgorithm: { kind: 'rsa-pss', hash: 'sha256', mgfHash: 'sha256', saltLength: 32 },
    });
    expect(opensslText(pss.pem)).toContain('Signature Algorithm: rsassaPss');
    expect(opensslVerify(pss.pem, pss.pem, [], ['-attime', String(now.getTime() / 1000 + 60)]).output).toContain(
      ': OK',
    );
    const sha384 = createCertificate({ subject: 'CN=384', key: keys['P-256'], now, signatureHash: 'sha384' });
    expect(opensslText(sha384.pem)).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(() => createCertificate({ subject: 'CN=x', key: keys.ed25519, now, signatureHash: 'sha256' })).toThrow(
      /no separate hash/,
    );
  });
});

describe('name round trips (property-based)', () => {
  /** RFC 4514 §2.4 escaping of one value. */
  // RFC 4514 §3 allows `\` before any special character, a space or `#` anywhere.
  const escapeValue = (v: string): string => v.replace(/[\\,+"<>;= #]/g, (c) => `\\${c}`);

  it('escaped RFC 4514 strings parse back to their values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), { minLength: 1, maxLength: 3 }),
          { maxLength: 4 },
        ),
        (rdns) => {
          const text = rdns
            .map((rdn) => rdn.map((v, i) => `${i % 2 ? 'OU' : 'CN'}=${escapeValue(v)}`).join('+'))
            .reverse()
            .join(',');
          const parsed = parseNameString(text);
          expect(parsed.map((rdn) => rdn.map((a) => a[1]))).toEqual(rdns);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('encoded names parse back with the same values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }), { minLength: 1, maxLength: 5 }),
        (values) => {
          const der = encodeName(values.map((v) => ['O', v] as const));
          expect(parseName(der).rdns.map((r) => r[0]?.value)).toEqual(values);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes #hex values verbatim and refuses malformed ones', () => {
    const der = encodeName('CN=#0c0368c3a9'); // UTF8String "hé"
    expect(parseName(der).rdns[0]?.[0]).toMatchObject({ value: 'hé', valueTag: 0x0c });
    expect(() => encodeName('CN=#0c05ff')).toThrow(/complete DER element/);
    expect(() => encodeName('CN=#0c0100ff')).toThrow(/complete DER element/);
  });
});
