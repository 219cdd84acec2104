import { execFileSync, spawnSync } from 'node:child_process';
import { SSLError } from '@sanstls/x509';
import { createCertificate, createCrl } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import { nodeKey, nodeSignatureProvider, opensslAsn1parse, tempFiles } from './generate-helpers.js';

const now = new Date('2026-06-01T12:00:00Z');
const atTime = String(now.getTime() / 1000 + 3600);
const rootKey = nodeKey('P-256');
const root = createCertificate({
  subject: 'CN=CRL Root',
  key: rootKey,
  isCa: true,
  now,
  notBefore: new Date('2026-01-01T00:00:00Z'),
});
const leafKey = nodeKey('P-256');
const leaf = createCertificate({
  subject: 'CN=revoked.test',
  key: leafKey,
  issuer: { certificate: root.der, key: rootKey },
  now: new Date('2026-01-01T00:00:00Z'),
  serialNumber: 0xc0ffeen,
});
const crl = createCrl({
  issuer: { certificate: root.der, key: rootKey },
  revoked: [
    {
      serialNumber: leaf.certificate.serialNumber,
      revocationDate: new Date('2026-05-01T00:00:00Z'),
      reason: 'keyCompromise',
    },
    { serialNumber: 99n, revocationDate: new Date('2026-05-02T00:00:00Z'), reason: 'unspecified' },
  ],
  thisUpdate: now,
  nextUpdate: new Date('2026-07-01T00:00:00Z'),
  crlNumber: 42,
});

function opensslCrl(crlPem: string, caPem: string, extra: string[]): { status: number; output: string } {
  const t = tempFiles({ 'crl.pem': crlPem, 'ca.pem': caPem });
  try {
    const r = spawnSync('openssl', ['crl', '-in', t.path('crl.pem'), '-CAfile', t.path('ca.pem'), ...extra], {
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
  } finally {
    t.cleanup();
  }
}

describe('createCrl', () => {
  it('is signed by the issuer (openssl crl -CAfile verifies it)', () => {
    const r = opensslCrl(crl.pem, root.pem, ['-noout']);
    expect(r.output).toContain('verify OK');
    expect(r.status).toBe(0);
  });

  it('fails verification against another CA with the same name', () => {
    const impostor = createCertificate({ subject: 'CN=CRL Root', key: nodeKey('P-256'), isCa: true, now });
    const r = opensslCrl(crl.pem, impostor.pem, ['-noout']);
    expect(r.output).toMatch(/verify failure/);
  });

  it('holds the entries, reasons, CRL number and AKI', () => {
    const text = opensslCrl(crl.pem, root.pem, ['-noout', '-text']).output;
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('Issuer: CN = CRL Root');
    expect(text).toContain('Last Update: Jun  1 12:00:00 2026 GMT');
    expect(text).toContain('Next Update: Jul  1 00:00:00 2026 GMT');
    expect(text).toMatch(/X509v3 CRL Number: \s+42/);
    expect(text).toMatch(
      /Serial Number: C0FFEE\s+Revocation Date: May {2}1 00:00:00 2026 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/,
    );
    // §5.3.1: no reasonCode extension for "unspecified".
    expect(text).toMatch(/Serial Number: 63\s+Revocation Date: May {2}2 00:00:00 2026 GMT\s+Signature Algorithm/);
    const ski = root.certificate.subjectKeyIdentifier as Uint8Array;
    const hex = Array.from(ski, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
    expect(text).toContain(hex);
  });

  it('makes openssl verify -crl_check report the leaf as revoked, and an unrevoked leaf as OK', () => {
    const other = createCertificate({
      subject: 'CN=fine.test',
      key: nodeKey('P-256'),
      issuer: { certificate: root.der, key: rootKey },
      now,
    });
    const t = tempFiles({ 'root.pem': root.pem + crl.pem, 'leaf.pem': leaf.pem, 'other.pem': other.pem });
    try {
      const revoked = spawnSync(
        'openssl',
        ['verify', '-crl_check', '-attime', atTime, '-CAfile', t.path('root.pem'), t.path('leaf.pem')],
        { encoding: 'utf8' },
      );
      expect(revoked.stdout + revoked.stderr).toContain('error 23 at 0 depth lookup: certificate revoked');
      const fine = execFileSync(
        'openssl',
        ['verify', '-crl_check', '-attime', atTime, '-CAfile', t.path('root.pem'), t.path('other.pem')],
        { encoding: 'utf8' },
      );
      expect(fine).toContain(': OK');
    } finally {
      t.cleanup();
    }
  });

  it('omits revokedCertificates when nothing is revoked (§5.1.2.6) and defaults nextUpdate', () => {
    const empty = createCrl({
      issuer: { certificate: root.pem, key: rootKey },
      now,
      signatureProvider: nodeSignatureProvider,
    });
    expect(opensslCrl(empty.pem, root.pem, ['-noout']).output).toContain('verify OK');
    const text = opensslCrl(empty.pem, root.pem, ['-noout', '-text']).output;
    expect(text).toContain('No Revoked Certificates.');
    expect(text).toContain('Next Update: Jul  1 12:00:00 2026 GMT');
    expect(text).toMatch(/X509v3 CRL Number: \s+1\n/);
    expect(opensslAsn1parse(empty.der)).not.toMatch(/error/i);
  });

  it('rejects a wrong issuer key and inverted dates', () => {
    expect(() => createCrl({ issuer: { certificate: root.der, key: leafKey }, now })).toThrow(SSLError);
    expect(() =>
      createCrl({ issuer: { certificate: root.der, key: rootKey }, thisUpdate: now, nextUpdate: new Date(0) }),
    ).toThrow(/before thisUpdate/);
    expect(() => createCrl({ issuer: { certificate: root.der, key: rootKey }, now, crlNumber: -1 })).toThrow(
      /non-negative/,
    );
  });
});
