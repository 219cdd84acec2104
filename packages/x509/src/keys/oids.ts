/**
 * Object identifiers for keys, hashes and signature algorithms (RFC 3279, RFC 4055, RFC 5480,
 * RFC 5758, RFC 8410, RFC 8017 App. C, RFC 8018 App. C, RFC 7292 App. D). Internal to keys/.
 * @module
 */
import type { HashName, NamedCurve } from '../types.js';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha224: '2.16.840.1.101.3.4.2.4',
  // RFC 8018 (PKCS #5 v2.1)
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11', // RFC 7914 §7
  hmacWithSha1: '1.2.840.113549.2.7',
  hmacWithSha224: '1.2.840.113549.2.8',
  hmacWithSha256: '1.2.840.113549.2.9',
  hmacWithSha384: '1.2.840.113549.2.10',
  hmacWithSha512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  // RFC 7292 (PKCS #12) and RFC 5652 (CMS) content types
  pkcs7Data: '1.2.840.113549.1.7.1',
  pkcs7EncryptedData: '1.2.840.113549.1.7.6',
  pkcs12KeyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs12ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  pkcs12CertBag: '1.2.840.113549.1.12.10.1.3',
  pkcs12CrlBag: '1.2.840.113549.1.12.10.1.4',
  pkcs12SecretBag: '1.2.840.113549.1.12.10.1.5',
  pkcs12SafeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
} as const;

export const CURVE_OIDS: Readonly<Record<NamedCurve, string>> = {
  'P-256': OID.prime256v1,
  'P-384': OID.secp384r1,
  'P-521': OID.secp521r1,
};

export function curveFromOid(oid: string): NamedCurve | undefined {
  for (const [curve, curveOid] of Object.entries(CURVE_OIDS) as [NamedCurve, string][]) {
    if (curveOid === oid) return curve;
  }
  return undefined;
}

export const HASH_OIDS: Readonly<Record<HashName, string>> = {
  md5: OID.md5,
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

export function hashFromOid(oid: string): HashName | undefined {
  for (const [hash, hashOid] of Object.entries(HASH_OIDS) as [HashName, string][]) {
    if (hashOid === oid) return hash;
  }
  return undefined;
}
