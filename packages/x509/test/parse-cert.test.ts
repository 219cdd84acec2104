/**
 * parseCertificate's model against independent views of the same certificates: the openssl CLI's
 * output, the extension configuration a certificate was made from, and node:crypto verifying each
 * self-signed system root over our tbs / signatureValue / SubjectPublicKeyInfo.
 */
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Certificate,
  compareBytes,
  DER_cert_to_PEM_cert,
  decodeCertificate,
  loadCertificates,
  parseCertificate,
  pemBlocks,
} from '@sanstls/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveOpenssl, makeCert, openssl, readPemCert, scratchDir } from './decode-oracle.js';

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe.skipIf(!haveOpenssl)('a CA certificate with every decoded extension', () => {
  const { dir, cleanup } = haveOpenssl ? scratchDir('sanstls-parse-') : { dir: '', cleanup: () => {} };
  let path = '';
  let cert: Certificate;
  const cli = (...args: string[]): string => openssl(['x509', '-in', path, '-noout', ...args], dir).toString('utf8');
  beforeAll(() => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], dir);
    path = makeCert(dir, 'ca', {
      subj: '/C=US/O=Example/CN=Example CA',
      serial: '0x00ff0102030405060708',
      ext: [
        'basicConstraints = critical, CA:TRUE, pathlen:2',
        'keyUsage = critical, keyCertSign, cRLSign, digitalSignature, decipherOnly',
        'extendedKeyUsage = serverAuth, clientAuth, 1.2.3.4',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid:always, issuer:always',
        'nameConstraints = critical, permitted;DNS:.example.com, permitted;IP:10.0.0.0/255.0.0.0, permitted;IP:2001:db8::/ffff:ffff::, excluded;email:bad.example, permitted;dirName:nc_dir',
        'certificatePolicies = 2.5.29.32.0, 1.2.3.4.5',
        'issuerAltName = DNS:issuer.example, URI:http://issuer.example/',
        'subjectAltName = DNS:ca.example, IP:192.0.2.7',
        'authorityInfoAccess = OCSP;URI:http://ocsp.example/, caIssuers;URI:http://ca.example/ca.crt',
        'crlDistributionPoints = URI:http://crl.example/ca.crl',
        '1.2.3.4.5.6 = critical, ASN1:UTF8String:custom',
        '[nc_dir]',
        'O = Example',
      ].join('\n'),
    });
    cert = parseCertificate(readPemCert(path));
  });
  afterAll(cleanup);

  it('reads version, serial, algorithms and the validity openssl prints', () => {
    expect(cert.version).toBe(3);
    // The model keeps the content octets as encoded, sign octet included; openssl prints the magnitude.
    expect(`serial=00${hex(cert.serialNumber.subarray(1)).toUpperCase()}`).toBe(
      cli('-serial').trim().replace('=', '=00'),
    );
    expect(cert.serialNumber[0]).toBe(0);
    const dates = Object.fromEntries(
      cli('-dates')
        .trim()
        .split('\n')
        .map((l) => l.split('=') as [string, string]),
    );
    expect(cert.notBefore).toBe(Date.parse(dates.notBefore as string));
    expect(cert.notAfter).toBe(Date.parse(dates.notAfter as string));
    expect(cert.signatureAlgorithm.oid).toBe('1.2.840.10045.4.3.2');
    expect(cert.signatureAlgorithm.parameters).toBeUndefined();
    expect(compareBytes(cert.signatureAlgorithm.der, cert.tbsSignatureAlgorithm.der)).toBe(0);
  });

  it('extracts the SubjectPublicKeyInfo openssl extracts', () => {
    const spki = openssl(['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER'], dir);
    expect(hex(cert.spki.der)).toBe(spki.toString('hex'));
    expect(cert.spki.algorithm.oid).toBe('1.2.840.10045.2.1');
    expect(cert.spki.publicKey.length).toBe(65);
  });

  it('extracts the signed bytes and signature: node:crypto verifies them with the key', () => {
    const key = createPublicKey({ key: Buffer.from(cert.spki.der), format: 'der', type: 'spki' });
    expect(verify('sha256', cert.tbs, key, cert.signatureValue)).toBe(true);
    expect(compareBytes(cert.der, readPemCert(path))).toBe(0);
  });

  it('decodes the extensions the configuration asked for', () => {
    expect(cert.basicConstraints).toEqual({ ca: true, pathLenConstraint: 2 });
    expect([...(cert.keyUsage ?? [])].sort((a, b) => a - b)).toEqual([0, 5, 6, 8]);
    expect(cert.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.2.3.4']);
    expect(cert.certificatePolicies).toEqual([{ policyIdentifier: '2.5.29.32.0' }, { policyIdentifier: '1.2.3.4.5' }]);
    expect(cert.issuerAltName).toEqual([
      { type: 'dns', value: 'issuer.example' },
      { type: 'uri', value: 'http://issuer.example/' },
    ]);
    expect(cert.subjectAltName).toEqual([
      { type: 'dns', value: 'ca.example' },
      { type: 'ip', bytes: Uint8Array.of(192, 0, 2, 7) },
    ]);
    expect(cert.authorityInfoAccess).toEqual([
      { method: '1.3.6.1.5.5.7.48.1', location: { type: 'uri', value: 'http://ocsp.example/' } },
      { method: '1.3.6.1.5.5.7.48.2', location: { type: 'uri', value: 'http://ca.example/ca.crt' } },
    ]);
    expect(cert.crlDistributionPoints).toEqual([
      { fullName: [{ type: 'uri', value: 'http://crl.example/ca.crl' }], reasons: undefined, crlIssuer: undefined },
    ]);
  });

  it('reads the key identifiers openssl prints, and the AKI issuer and serial', () => {
    const ski = cli('-ext', 'subjectKeyIdentifier').split('\n')[1]?.trim().replace(/:/g, '').toLowerCase();
    expect(hex(cert.subjectKeyIdentifier)).toBe(ski);
    const aki = cert.authorityKeyIdentifier;
    expect(hex(aki?.keyIdentifier)).toBe(ski);
    expect(hex(aki?.authorityCertSerialNumber)).toBe(hex(cert.serialNumber));
    const issuer = aki?.authorityCertIssuer?.[0];
    expect(issuer?.type).toBe('dirName');
    if (issuer?.type === 'dirName') expect(hex(issuer.name.der)).toBe(hex(cert.issuer.der));
  });

  it('reads name constraints with their address masks', () => {
    const nc = cert.nameConstraints;
    expect(nc?.permitted?.map((s) => s.base.type)).toEqual(['dns', 'ip', 'ip', 'dirName']);
    expect(nc?.permitted?.[0]?.base).toEqual({ type: 'dns', value: '.example.com' });
    expect(nc?.permitted?.[1]?.base).toEqual({ type: 'ip', bytes: Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0) });
    expect(hex((nc?.permitted?.[2]?.base as { bytes?: Uint8Array } | undefined)?.bytes)).toBe(
      `20010db8${'0'.repeat(24)}ffffffff${'0'.repeat(24)}`,
    );
    expect(nc?.permitted?.every((s) => s.minimum === 0 && s.maximum === undefined)).toBe(true);
    expect(nc?.excluded).toEqual([{ base: { type: 'email', value: 'bad.example' }, minimum: 0, maximum: undefined }]);
  });

  it('lists every extension in order with its critical flag, unknown ones included', () => {
    expect(cert.extensions.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.19', true],
      ['2.5.29.15', true],
      ['2.5.29.37', false],
      ['2.5.29.14', false],
      ['2.5.29.35', false],
      ['2.5.29.30', true],
      ['2.5.29.32', false],
      ['2.5.29.18', false],
      ['2.5.29.17', false],
      ['1.3.6.1.5.5.7.1.1', false],
      ['2.5.29.31', false],
      ['1.2.3.4.5.6', true],
    ]);
    expect(cert.extensions[11]?.value).toEqual(Uint8Array.of(0x0c, 6, ...ascii('custom')));
  });

  it('reads the subject as openssl writes it', () => {
    expect(cert.subject.rdns.map((rdn) => rdn.map((a) => [a.oid, a.value, a.valueTag]))).toEqual([
      [['2.5.4.6', 'US', 0x13]],
      [['2.5.4.10', 'Example', 0x0c]],
      [['2.5.4.3', 'Example CA', 0x0c]],
    ]);
  });

  it('loads the same certificate from PEM text, PEM bytes and DER, and from a bundle with other blocks', () => {
    const pem = readFileSync(path, 'latin1');
    const der = readPemCert(path);
    for (const input of [pem, new Uint8Array(Buffer.from(pem)), der]) {
      const [only, ...rest] = loadCertificates(input);
      expect(rest).toEqual([]);
      expect(hex(only?.der)).toBe(hex(der));
    }
    const key = readFileSync(join(dir, 'key.pem'), 'latin1');
    const bundle = loadCertificates(`${key}# comment\n${pem}\nsomething\n${DER_cert_to_PEM_cert(der)}`);
    expect(bundle).toHaveLength(2);
    expect(decodeCertificate(`${key}${pem}`).subject).toEqual(decodeCertificate(der).subject);
  });
});

describe('system roots', () => {
  const dir = '/etc/ssl/certs';
  const roots = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.pem'))
        .flatMap((f) => pemBlocks(readFileSync(join(dir, f), 'latin1')).map((b) => parseCertificate(b.der)))
    : [];
  const hashes: Record<string, string> = {
    '1.2.840.113549.1.1.5': 'sha1',
    '1.2.840.113549.1.1.11': 'sha256',
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
    '1.2.840.10045.4.3.2': 'sha256',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
  };

  it.skipIf(roots.length === 0)('node:crypto verifies every self-signed root over our tbs, signature and key', () => {
    const failures: string[] = [];
    let checked = 0;
    for (const root of roots) {
      if (compareBytes(root.issuer.der, root.subject.der) !== 0) continue;
      const hash = hashes[root.signatureAlgorithm.oid];
      if (hash === undefined) continue;
      checked++;
      const key = createPublicKey({ key: Buffer.from(root.spki.der), format: 'der', type: 'spki' });
      if (!verify(hash, root.tbs, key, root.signatureValue))
        failures.push(
          root.subject.rdns
            .flat()
            .map((a) => a.value)
            .join('/'),
        );
    }
    console.log(`self-signed roots verified: ${checked - failures.length} of ${checked}`);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(roots.length / 2);
  });
});
