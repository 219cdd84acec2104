/**
 * Signature algorithm identifiers: X.509 AlgorithmIdentifier (RFC 5280 §4.1.1.2, RFC 3279 §2.2,
 * RFC 4055 §3, RFC 5758 §3.2, RFC 8410 §3) and TLS SignatureScheme (RFC 8446 §4.2.3) ↔
 * {@link SignatureAlgorithm}.
 * @module
 */
import { derNull, derOid, derSequence, Tag } from '../der.js';
import { SSLError } from '../errors.js';
import type { AlgorithmIdentifier, HashName, NamedCurve, PrivateKey, PublicKey, SignatureAlgorithm } from '../types.js';
import { digestLength } from './hash.js';
import { OID } from './oids.js';
import { pssParamsFromDer, pssParamsToDer } from './pss-params.js';

const RSA_PKCS1_OIDS: Readonly<Record<string, HashName>> = {
  [OID.md5WithRSAEncryption]: 'md5',
  [OID.sha1WithRSAEncryption]: 'sha1',
  [OID.sha224WithRSAEncryption]: 'sha224',
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

const ECDSA_OIDS: Readonly<Record<string, HashName>> = {
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha224]: 'sha224',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

function oidForHash(table: Readonly<Record<string, HashName>>, hash: HashName): string | undefined {
  for (const [oid, h] of Object.entries(table)) if (h === hash) return oid;
  return undefined;
}

function isDerNull(parameters: Uint8Array): boolean {
  return parameters.length === 2 && parameters[0] === Tag.NULL && parameters[1] === 0;
}

/**
 * The signature algorithm an X.509 AlgorithmIdentifier names, or undefined when it is unknown or its
 * parameters break the rules: RSA PKCS#1 v1.5 parameters MUST be NULL (RFC 3279 §2.2.1; absent is
 * tolerated, as OpenSSL does), ECDSA parameters MUST be absent (RFC 5758 §3.2), EdDSA parameters MUST be
 * absent (RFC 8410 §3), RSASSA-PSS parameters MUST be present and valid (RFC 4055 §3.1).
 */
export function signatureAlgorithmFromX509(alg: AlgorithmIdentifier): SignatureAlgorithm | undefined {
  const pkcs1Hash = RSA_PKCS1_OIDS[alg.oid];
  if (pkcs1Hash !== undefined) {
    if (alg.parameters !== undefined && !isDerNull(alg.parameters)) return undefined;
    return { kind: 'rsa-pkcs1', hash: pkcs1Hash };
  }
  const ecdsaHash = ECDSA_OIDS[alg.oid];
  if (ecdsaHash !== undefined) {
    if (alg.parameters !== undefined) return undefined;
    return { kind: 'ecdsa', hash: ecdsaHash };
  }
  switch (alg.oid) {
    case OID.rsassaPss:
      return alg.parameters === undefined ? undefined : pssParamsFromDer(alg.parameters);
    case OID.ed25519:
      return alg.parameters === undefined ? { kind: 'ed25519' } : undefined;
    case OID.ed448:
      return alg.parameters === undefined ? { kind: 'ed448' } : undefined;
    default:
      return undefined;
  }
}

/** The DER AlgorithmIdentifier for signing a certificate, CRL or CSR with `alg`. */
export function x509AlgorithmIdentifier(alg: SignatureAlgorithm): Uint8Array {
  switch (alg.kind) {
    case 'rsa-pkcs1': {
      const oid = oidForHash(RSA_PKCS1_OIDS, alg.hash);
      if (oid === undefined) throw unsupported(`RSA PKCS#1 v1.5 with ${alg.hash}`);
      return derSequence(derOid(oid), derNull());
    }
    case 'ecdsa': {
      const oid = oidForHash(ECDSA_OIDS, alg.hash);
      if (oid === undefined) throw unsupported(`ECDSA with ${alg.hash}`);
      return derSequence(derOid(oid));
    }
    case 'rsa-pss':
      return derSequence(derOid(OID.rsassaPss), pssParamsToDer(alg));
    case 'ed25519':
      return derSequence(derOid(OID.ed25519));
    case 'ed448':
      return derSequence(derOid(OID.ed448));
  }
}

function unsupported(what: string): SSLError {
  return new SSLError(`not supported: ${what}`, { library: 'X509', reason: 'UNSUPPORTED_ALGORITHM' });
}

// ---------------------------------------------------------------------------------------------
// TLS SignatureScheme (RFC 8446 §4.2.3; RFC 5246 §7.4.1.4.1 for the TLS 1.2 hash/signature pairs).

/** SignatureScheme code points sanstls implements, by their RFC 8446 names. */
export const TlsSignatureScheme = {
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const;
export type TlsSignatureSchemeName = keyof typeof TlsSignatureScheme;

type SchemeInfo =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly kind: 'rsa-pss'; readonly hash: HashName; readonly keyType: 'rsae' | 'pss' }
  | { readonly kind: 'ecdsa'; readonly hash: HashName; readonly curve: NamedCurve | undefined }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed448' };

const SCHEMES: ReadonlyMap<number, SchemeInfo> = new Map<number, SchemeInfo>([
  [TlsSignatureScheme.rsa_pkcs1_sha1, { kind: 'rsa-pkcs1', hash: 'sha1' }],
  [TlsSignatureScheme.ecdsa_sha1, { kind: 'ecdsa', hash: 'sha1', curve: undefined }],
  [TlsSignatureScheme.rsa_pkcs1_sha256, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [TlsSignatureScheme.ecdsa_secp256r1_sha256, { kind: 'ecdsa', hash: 'sha256', curve: 'P-256' }],
  [TlsSignatureScheme.rsa_pkcs1_sha384, { kind: 'rsa-pkcs1', hash: 'sha384' }],
  [TlsSignatureScheme.ecdsa_secp384r1_sha384, { kind: 'ecdsa', hash: 'sha384', curve: 'P-384' }],
  [TlsSignatureScheme.rsa_pkcs1_sha512, { kind: 'rsa-pkcs1', hash: 'sha512' }],
  [TlsSignatureScheme.ecdsa_secp521r1_sha512, { kind: 'ecdsa', hash: 'sha512', curve: 'P-521' }],
  [TlsSignatureScheme.rsa_pss_rsae_sha256, { kind: 'rsa-pss', hash: 'sha256', keyType: 'rsae' }],
  [TlsSignatureScheme.rsa_pss_rsae_sha384, { kind: 'rsa-pss', hash: 'sha384', keyType: 'rsae' }],
  [TlsSignatureScheme.rsa_pss_rsae_sha512, { kind: 'rsa-pss', hash: 'sha512', keyType: 'rsae' }],
  [TlsSignatureScheme.ed25519, { kind: 'ed25519' }],
  [TlsSignatureScheme.ed448, { kind: 'ed448' }],
  [TlsSignatureScheme.rsa_pss_pss_sha256, { kind: 'rsa-pss', hash: 'sha256', keyType: 'pss' }],
  [TlsSignatureScheme.rsa_pss_pss_sha384, { kind: 'rsa-pss', hash: 'sha384', keyType: 'pss' }],
  [TlsSignatureScheme.rsa_pss_pss_sha512, { kind: 'rsa-pss', hash: 'sha512', keyType: 'pss' }],
]);

const SCHEME_NAMES: ReadonlyMap<number, TlsSignatureSchemeName> = new Map(
  (Object.entries(TlsSignatureScheme) as [TlsSignatureSchemeName, number][]).map(([name, code]) => [code, name]),
);

/**
 * The signature algorithm a TLS SignatureScheme denotes, or undefined for a code sanstls does not
 * implement. RSASSA-PSS schemes use MGF1 with the same hash and a salt as long as the digest
 * (RFC 8446 §4.2.3).
 */
export function signatureAlgorithmFromTlsScheme(code: number): SignatureAlgorithm | undefined {
  const info = SCHEMES.get(code);
  if (info === undefined) return undefined;
  switch (info.kind) {
    case 'rsa-pkcs1':
    case 'ecdsa':
      return { kind: info.kind, hash: info.hash };
    case 'rsa-pss':
      return { kind: 'rsa-pss', hash: info.hash, mgfHash: info.hash, saltLength: digestLength(info.hash) };
    case 'ed25519':
    case 'ed448':
      return { kind: info.kind };
  }
}

/** The RFC 8446 name of a SignatureScheme code (`rsa_pss_rsae_sha256`), or `0x….` for unknown codes. */
export function tlsSignatureSchemeName(code: number): string {
  return SCHEME_NAMES.get(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/**
 * Whether a key can produce (private) or check (public) signatures under a SignatureScheme
 * (RFC 8446 §4.2.3):
 * - `rsa_pkcs1_*` and `rsa_pss_rsae_*` need an rsaEncryption key; `rsa_pss_pss_*` need an
 *   id-RSASSA-PSS key, whose parameter restriction (RFC 4055 §3.3), if any, must name the same hash.
 * - `ecdsa_secpXXXr1_*` bind the curve in TLS 1.3; in TLS 1.2 (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.1)
 *   they name only the hash, so any supported curve fits. `ecdsa_sha1` fits any EC key.
 * - ed25519 / ed448 need a key of that kind.
 * Whether the scheme is allowed in the negotiated version at all (e.g. no PKCS#1 v1.5 in TLS 1.3
 * CertificateVerify) is the TLS engine's decision, not this function's.
 */
export function tlsSchemeFitsKey(
  code: number,
  key: PublicKey | PrivateKey,
  version: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3',
): boolean {
  const info = SCHEMES.get(code);
  if (info === undefined) return false;
  switch (info.kind) {
    case 'rsa-pkcs1':
      return key.kind === 'rsa';
    case 'rsa-pss': {
      if (key.kind !== (info.keyType === 'rsae' ? 'rsa' : 'rsa-pss')) return false;
      // RFC 8017 §9.1.1 step 3 with sLen = hLen: emLen ≥ 2·hLen + 2, emLen = ⌈(modBits − 1)/8⌉
      // (a 1024-bit key cannot sign rsa_pss_*_sha512).
      const hLen = digestLength(info.hash);
      if (Math.ceil((keyBits(key) - 1) / 8) < 2 * hLen + 2) return false;
      return (
        key.kind === 'rsa' ||
        key.restriction === undefined ||
        (key.restriction.kind === 'rsa-pss' &&
          key.restriction.hash === info.hash &&
          key.restriction.mgfHash === info.hash &&
          key.restriction.saltLength <= hLen)
      );
    }
    case 'ecdsa':
      if (key.kind !== 'ec') return false;
      return info.curve === undefined || version === 'TLSv1.2' || key.curve === info.curve;
    case 'ed25519':
    case 'ed448':
      return key.kind === info.kind;
  }
}

function keyBits(key: PublicKey | PrivateKey): number {
  return key.kind === 'rsa' || key.kind === 'rsa-pss' ? key.bits : 0;
}
