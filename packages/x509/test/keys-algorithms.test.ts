import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerReader, derExplicit, derInteger, derNull, derOid, derSequence } from '../src/der.js';
import {
  type AlgorithmIdentifier,
  type PublicKey,
  type SignatureAlgorithm,
  signatureAlgorithmFromTlsScheme,
  signatureAlgorithmFromX509,
  TlsSignatureScheme,
  tlsSchemeFitsKey,
  tlsSignatureSchemeName,
  x509AlgorithmIdentifier,
} from '../src/index.js';
import { digestLength, nobleHash } from '../src/keys/hash.js';
import { hex, type OpensslDir, opensslDir, unhex } from './keys-openssl.js';

function algId(der: Uint8Array): AlgorithmIdentifier {
  const seq = new DerReader(der).sequence();
  const oid = seq.readOid();
  const parameters = seq.done ? undefined : seq.readAny().raw;
  return { oid, parameters, der };
}

/** The outer signatureAlgorithm of a DER certificate. */
function certSignatureAlgorithm(cert: Uint8Array): Uint8Array {
  const seq = new DerReader(cert).sequence();
  seq.readAny();
  return seq.readAny().raw;
}

describe('signatureAlgorithmFromX509 / x509AlgorithmIdentifier', () => {
  let ossl: OpensslDir;
  beforeAll(() => {
    ossl = opensslDir();
    ossl.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa.pem']);
    ossl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem']);
    ossl.run(['genpkey', '-algorithm', 'ED25519', '-out', 'ed.pem']);
    ossl.run(['genpkey', '-algorithm', 'ED448', '-out', 'ed448.pem']);
  });
  afterAll(() => ossl.cleanup());

  const signed = (key: string, opts: string[]): Uint8Array => {
    ossl.run([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=t',
      '-days',
      '1',
      '-outform',
      'DER',
      '-out',
      'c.der',
      ...opts,
    ]);
    return certSignatureAlgorithm(ossl.read('c.der'));
  };

  const cases: [string, string, string[], SignatureAlgorithm][] = [
    ['sha1WithRSAEncryption', 'rsa.pem', ['-sha1'], { kind: 'rsa-pkcs1', hash: 'sha1' }],
    ['sha224WithRSAEncryption', 'rsa.pem', ['-sha224'], { kind: 'rsa-pkcs1', hash: 'sha224' }],
    ['sha256WithRSAEncryption', 'rsa.pem', ['-sha256'], { kind: 'rsa-pkcs1', hash: 'sha256' }],
    ['sha384WithRSAEncryption', 'rsa.pem', ['-sha384'], { kind: 'rsa-pkcs1', hash: 'sha384' }],
    ['sha512WithRSAEncryption', 'rsa.pem', ['-sha512'], { kind: 'rsa-pkcs1', hash: 'sha512' }],
    [
      'RSASSA-PSS sha256 salt 32',
      'rsa.pem',
      ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
      { kind: 'rsa-pss', hash: 'sha256', mgfHash: 'sha256', saltLength: 32 },
    ],
    [
      'RSASSA-PSS sha512 salt 20 mgf1-sha1 (defaults omitted)',
      'rsa.pem',
      ['-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:20', '-sigopt', 'rsa_mgf1_md:sha1'],
      { kind: 'rsa-pss', hash: 'sha512', mgfHash: 'sha1', saltLength: 20 },
    ],
    [
      'RSASSA-PSS sha1 (all defaults: empty SEQUENCE)',
      'rsa.pem',
      ['-sha1', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:20'],
      { kind: 'rsa-pss', hash: 'sha1', mgfHash: 'sha1', saltLength: 20 },
    ],
    ['ecdsa-with-SHA256', 'ec.pem', ['-sha256'], { kind: 'ecdsa', hash: 'sha256' }],
    ['ecdsa-with-SHA384', 'ec.pem', ['-sha384'], { kind: 'ecdsa', hash: 'sha384' }],
    ['ecdsa-with-SHA512', 'ec.pem', ['-sha512'], { kind: 'ecdsa', hash: 'sha512' }],
    ['ecdsa-with-SHA1', 'ec.pem', ['-sha1'], { kind: 'ecdsa', hash: 'sha1' }],
    ['ecdsa-with-SHA224', 'ec.pem', ['-sha224'], { kind: 'ecdsa', hash: 'sha224' }],
    ['Ed25519', 'ed.pem', [], { kind: 'ed25519' }],
    ['Ed448', 'ed448.pem', [], { kind: 'ed448' }],
  ];
  for (const [name, key, opts, expected] of cases) {
    it(`${name}: decodes what openssl writes and encodes it byte for byte`, () => {
      const der = signed(key, opts);
      expect(signatureAlgorithmFromX509(algId(der))).toEqual(expected);
      expect(hex(x509AlgorithmIdentifier(expected))).toBe(hex(der));
    });
  }

  it('md5WithRSAEncryption decodes (policy on weak hashes is the validator’s)', () => {
    const der = derSequence(derOid('1.2.840.113549.1.1.4'), derNull());
    expect(signatureAlgorithmFromX509(algId(der))).toEqual({ kind: 'rsa-pkcs1', hash: 'md5' });
    expect(hex(x509AlgorithmIdentifier({ kind: 'rsa-pkcs1', hash: 'md5' }))).toBe(hex(der));
  });

  it('RSA PKCS#1 with absent parameters is tolerated', () => {
    expect(signatureAlgorithmFromX509(algId(derSequence(derOid('1.2.840.113549.1.1.11'))))).toEqual({
      kind: 'rsa-pkcs1',
      hash: 'sha256',
    });
  });

  it('RSASSA-PSS with the defaults encoded explicitly and NULL-less hash identifiers is accepted', () => {
    const sha256 = derSequence(derOid('2.16.840.1.101.3.4.2.1'));
    const params = derSequence(
      derExplicit(0, sha256),
      derExplicit(1, derSequence(derOid('1.2.840.113549.1.1.8'), sha256)),
      derExplicit(2, derInteger(32)),
      derExplicit(3, derInteger(1)),
    );
    const der = derSequence(derOid('1.2.840.113549.1.1.10'), params);
    expect(signatureAlgorithmFromX509(algId(der))).toEqual({
      kind: 'rsa-pss',
      hash: 'sha256',
      mgfHash: 'sha256',
      saltLength: 32,
    });
  });

  const rejected: [string, Uint8Array][] = [
    ['RSA PKCS#1 with non-NULL parameters', derSequence(derOid('1.2.840.113549.1.1.11'), derOid('1.2.3'))],
    ['ECDSA with NULL parameters', derSequence(derOid('1.2.840.10045.4.3.2'), derNull())],
    ['Ed25519 with NULL parameters', derSequence(derOid('1.3.101.112'), derNull())],
    ['RSASSA-PSS without parameters', derSequence(derOid('1.2.840.113549.1.1.10'))],
    ['RSASSA-PSS with trailerField 2', derSequence(derOid('1.2.840.113549.1.1.10'), unhex('3005a303020102'))],
    [
      'RSASSA-PSS with an unknown mask generation function',
      derSequence(derOid('1.2.840.113549.1.1.10'), unhex('3009a1073005060329010a')),
    ],
    [
      'RSASSA-PSS with md5',
      derSequence(derOid('1.2.840.113549.1.1.10'), unhex('3010a00e300c06082a864886f70d02050500')),
    ],
    [
      'RSASSA-PSS with trailing bytes in its parameters',
      derSequence(derOid('1.2.840.113549.1.1.10'), unhex('30020500')),
    ],
    ['unknown algorithm (DSA with SHA-256)', derSequence(derOid('2.16.840.1.101.3.4.3.2'))],
  ];
  for (const [name, der] of rejected) {
    it(`${name} → undefined`, () => {
      expect(signatureAlgorithmFromX509(algId(der))).toBeUndefined();
    });
  }
});

describe('TLS SignatureScheme mapping (RFC 8446 §4.2.3)', () => {
  it('maps every implemented code, names it, and gives PSS a digest-length salt', () => {
    for (const [name, code] of Object.entries(TlsSignatureScheme)) {
      expect(tlsSignatureSchemeName(code)).toBe(name);
      expect(signatureAlgorithmFromTlsScheme(code)).toBeDefined();
    }
    expect(signatureAlgorithmFromTlsScheme(0x0804)).toEqual({
      kind: 'rsa-pss',
      hash: 'sha256',
      mgfHash: 'sha256',
      saltLength: 32,
    });
    expect(signatureAlgorithmFromTlsScheme(0x080b)).toEqual({
      kind: 'rsa-pss',
      hash: 'sha512',
      mgfHash: 'sha512',
      saltLength: 64,
    });
    expect(signatureAlgorithmFromTlsScheme(0x0503)).toEqual({ kind: 'ecdsa', hash: 'sha384' });
    expect(signatureAlgorithmFromTlsScheme(0x0201)).toEqual({ kind: 'rsa-pkcs1', hash: 'sha1' });
    expect(signatureAlgorithmFromTlsScheme(0x0807)).toEqual({ kind: 'ed25519' });
    expect(signatureAlgorithmFromTlsScheme(0x0904)).toBeUndefined();
    expect(tlsSignatureSchemeName(0x0904)).toBe('0x0904');
  });

  // Only the kinds and sizes matter to tlsSchemeFitsKey.
  const rsa: PublicKey = { kind: 'rsa', n: 3233n, e: 17n, bits: 2048 };
  const pss: PublicKey = { kind: 'rsa-pss', n: 3233n, e: 17n, bits: 2048, restriction: undefined };
  const pss384: PublicKey = {
    ...pss,
    restriction: { kind: 'rsa-pss', hash: 'sha384', mgfHash: 'sha384', saltLength: 48 },
  };
  const p256: PublicKey = { kind: 'ec', curve: 'P-256', point: new Uint8Array(65) };
  const p384: PublicKey = { kind: 'ec', curve: 'P-384', point: new Uint8Array(97) };
  const ed: PublicKey = { kind: 'ed25519', key: new Uint8Array(32) };

  it('binds key types and (in TLS 1.3) curves', () => {
    const S = TlsSignatureScheme;
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha256, rsa)).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha256, pss)).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pss_pss_sha256, pss)).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pss_pss_sha256, rsa)).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pss_pss_sha384, pss384)).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pss_pss_sha256, pss384)).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pkcs1_sha256, rsa)).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pkcs1_sha256, pss)).toBe(false);
    expect(tlsSchemeFitsKey(S.ecdsa_secp256r1_sha256, p256)).toBe(true);
    expect(tlsSchemeFitsKey(S.ecdsa_secp256r1_sha256, p384)).toBe(false);
    expect(tlsSchemeFitsKey(S.ecdsa_secp256r1_sha256, p384, 'TLSv1.2')).toBe(true);
    expect(tlsSchemeFitsKey(S.ecdsa_sha1, p384)).toBe(true);
    expect(tlsSchemeFitsKey(S.ecdsa_secp256r1_sha256, rsa, 'TLSv1.2')).toBe(false);
    expect(tlsSchemeFitsKey(S.ed25519, ed)).toBe(true);
    expect(tlsSchemeFitsKey(S.ed448, ed)).toBe(false);
    expect(tlsSchemeFitsKey(0x0904, ed)).toBe(false);
  });

  it('RSA-PSS schemes need room for a digest-length salt (emLen ≥ 2·hLen + 2)', () => {
    const S = TlsSignatureScheme;
    const rsa1024: PublicKey = { ...rsa, bits: 1024 };
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha384, rsa1024)).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha512, rsa1024)).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha512, { ...rsa, bits: 1033 })).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pss_rsae_sha512, { ...rsa, bits: 1034 })).toBe(true);
    expect(tlsSchemeFitsKey(S.rsa_pss_pss_sha512, { ...pss, bits: 1024 })).toBe(false);
    expect(tlsSchemeFitsKey(S.rsa_pkcs1_sha512, rsa1024)).toBe(true);
  });
});

describe('digest lengths', () => {
  it("the table matches the hash functions' outputs", () => {
    for (const name of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const) {
      expect(digestLength(name)).toBe(nobleHash(name)(new Uint8Array(3)).length);
    }
  });
});
