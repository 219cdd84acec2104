/**
 * CRL parsing (RFC 5280 §5) against CRLs made by `openssl ca`, and malformed CRLs.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CertificateRevocationList,
  compareBytes,
  derBitString,
  derExplicit,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derSetOf,
  derString,
  derTLV,
  parseCertificate,
  parseCrl,
  SSLError,
  Tag,
  X509ParseError,
} from '@sanstls/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCrls } from '../src/parse/crl.js';
import { haveOpenssl, makeCert, openssl, readPemCert, scratchDir } from './decode-oracle.js';

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');

describe.skipIf(!haveOpenssl)('CRLs from openssl ca', () => {
  const { dir, cleanup } = haveOpenssl ? scratchDir('sanstls-crl-') : { dir: '', cleanup: () => {} };
  const revocations = [
    { serial: '1001', reason: 'keyCompromise', code: 1 },
    { serial: '1002', reason: 'superseded', code: 4 },
    { serial: '1003', reason: 'unspecified', code: 0 },
    { serial: 'ABCDEF0123456789', reason: 'cessationOfOperation', code: 5 },
  ];
  let crl: CertificateRevocationList;
  let caDer: Uint8Array;
  beforeAll(() => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], dir);
    caDer = readPemCert(
      makeCert(dir, 'ca', {
        subj: '/O=CRL Test/CN=CRL CA',
        ext: 'basicConstraints = critical, CA:TRUE\nsubjectKeyIdentifier = hash',
      }),
    );
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'crlnumber'), '2A\n');
    writeFileSync(
      join(dir, 'ca-openssl.cnf'),
      [
        '[ca]',
        'default_ca = own',
        '[own]',
        `database = ${join(dir, 'index.txt')}`,
        `crlnumber = ${join(dir, 'crlnumber')}`,
        `certificate = ${join(dir, 'ca.pem')}`,
        `private_key = ${join(dir, 'key.pem')}`,
        'default_md = sha256',
        'default_crl_days = 7',
        'crl_extensions = crl_ext',
        '[crl_ext]',
        'authorityKeyIdentifier = keyid:always',
      ].join('\n'),
    );
    for (const r of revocations) {
      makeCert(dir, `leaf-${r.serial}`, { subj: `/CN=leaf ${r.serial}`, serial: `0x${r.serial}` });
      openssl(['ca', '-config', 'ca-openssl.cnf', '-revoke', `leaf-${r.serial}.pem`, '-crl_reason', r.reason], dir);
    }
    openssl(['ca', '-config', 'ca-openssl.cnf', '-gencrl', '-out', 'crl.pem'], dir);
    [crl] = loadCrls(readFileSync(join(dir, 'crl.pem'), 'latin1')) as [CertificateRevocationList];
  });
  afterAll(cleanup);

  const cli = (...args: string[]): string =>
    openssl(['crl', '-in', 'crl.pem', '-noout', ...args], dir)
      .toString('utf8')
      .trim();

  it('reads version, issuer, dates and CRL number as openssl does', () => {
    expect(crl.version).toBe(2);
    expect(compareBytes(crl.issuer.der, parseCertificate(caDer).subject.der)).toBe(0);
    expect(crl.thisUpdate).toBe(Date.parse(cli('-lastupdate').split('=')[1] as string));
    expect(crl.nextUpdate).toBe(Date.parse(cli('-nextupdate').split('=')[1] as string));
    expect(crl.crlNumber).toBe(BigInt(cli('-crlnumber').split('=')[1] as string));
    expect(crl.crlNumber).toBe(0x2an);
    expect(hex(crl.authorityKeyIdentifier)).toBe(hex(parseCertificate(caDer).subjectKeyIdentifier));
  });

  it('lists the revoked serials with their reasons', () => {
    const got = crl.revoked.map((r) => [hex(r.serialNumber).toUpperCase().replace(/^00/, ''), r.reason]);
    expect(got.sort()).toEqual(revocations.map((r) => [r.serial, r.code]).sort());
    for (const r of crl.revoked) expect(Number.isFinite(r.revocationDate)).toBe(true);
  });

  it('extracts the signed bytes: node:crypto verifies them with the CA key', () => {
    const key = createPublicKey({ key: Buffer.from(parseCertificate(caDer).spki.der), format: 'der', type: 'spki' });
    expect(verify('sha256', crl.tbs, key, crl.signatureValue)).toBe(true);
    expect(crl.signatureAlgorithm.oid).toBe('1.2.840.10045.4.3.2');
  });

  it('rejects every proper prefix of the CRL', () => {
    for (let n = 0; n < crl.der.length; n++) expect(() => parseCrl(crl.der.subarray(0, n))).toThrow(X509ParseError);
  });
});

describe('malformed CRLs', () => {
  const alg = derSequence(derOid('1.2.840.10045.4.3.2'));
  const issuer = derSequence(derSetOf(derSequence(derOid('2.5.4.3'), derString(Tag.UTF8String, 'ca'))));
  const time = (s: string): Uint8Array => derTLV(Tag.UTCTime, new Uint8Array(Buffer.from(s)));
  const ext = (oid: string, value: Uint8Array): Uint8Array => derSequence(derOid(oid), derOctetString(value));
  const entry = (serial: number, ...exts: Uint8Array[]): Uint8Array =>
    derSequence(derInteger(serial), time('240101000000Z'), ...(exts.length ? [derSequence(...exts)] : []));
  const build = (fields: Uint8Array[]): Uint8Array =>
    derSequence(derSequence(...fields), alg, derBitString(Uint8Array.of(1)));
  const v2 = derInteger(1);
  const base = [v2, alg, issuer, time('240101000000Z'), time('240108000000Z')];

  it('parses the hand-built baseline', () => {
    const crl = parseCrl(
      build([...base, derSequence(entry(5, ext('2.5.29.21', derTLV(Tag.ENUMERATED, Uint8Array.of(1)))))]),
    );
    expect(crl.revoked.map((r) => r.reason)).toEqual([1]);
    const v1 = parseCrl(build([alg, issuer, time('240101000000Z')]));
    expect([v1.version, v1.nextUpdate, v1.revoked]).toEqual([1, undefined, []]);
  });

  it.each([
    ['version 1 encoded', [derInteger(0), ...base.slice(1)]],
    ['version 3', [derInteger(2), ...base.slice(1)]],
    ['extensions in a v1 CRL', [...base.slice(1), derExplicit(0, derSequence(ext('2.5.29.20', derInteger(1))))]],
    [
      'entry extensions in a v1 CRL',
      [...base.slice(1), derSequence(entry(5, ext('2.5.29.21', derTLV(Tag.ENUMERATED, Uint8Array.of(1)))))],
    ],
    [
      'a duplicate CRL extension',
      [...base, derExplicit(0, derSequence(ext('2.5.29.20', derInteger(1)), ext('2.5.29.20', derInteger(2))))],
    ],
    ['reason 7 (unused)', [...base, derSequence(entry(5, ext('2.5.29.21', derTLV(Tag.ENUMERATED, Uint8Array.of(7)))))]],
    ['a reason that is an INTEGER', [...base, derSequence(entry(5, ext('2.5.29.21', derInteger(1))))]],
    ['a negative CRL number', [...base, derExplicit(0, derSequence(ext('2.5.29.20', derInteger(-1))))]],
    ['a bad thisUpdate', [v2, alg, issuer, time('241301000000Z')]],
    ['a missing issuer', [v2, alg, time('240101000000Z')]],
    [
      'trailing fields',
      [...base, derSequence(), derExplicit(0, derSequence(ext('2.5.29.20', derInteger(1)))), derInteger(0)],
    ],
  ])('rejects %s', (_what, fields) => {
    expect(() => parseCrl(build(fields))).toThrow(SSLError);
  });

  it('rejects trailing data after the CRL and non-bytes input', () => {
    expect(() => parseCrl(Uint8Array.of(...build(base), 0))).toThrow(X509ParseError);
    expect(() => parseCrl('x' as unknown as Uint8Array)).toThrow(X509ParseError);
    expect(() => loadCrls('no crl')).toThrow(SSLError);
  });
});
