/**
 * The data model shared by the parser, the Python-dict decoder, the signature provider and the path
 * validator. Parsed values keep views of their original DER (`der`, `raw…`) so signatures and
 * comparisons work on the exact bytes that were received.
 * @module
 */

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2). */
export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The DER of the parameters element, if present (a NULL is present as `05 00`). */
  readonly parameters: Uint8Array | undefined;
  /** The whole AlgorithmIdentifier DER, for the §4.1.1.2 "must match tbsCertificate.signature" rule. */
  readonly der: Uint8Array;
}

/** One AttributeTypeAndValue of a RelativeDistinguishedName. */
export interface AttributeTypeAndValue {
  readonly oid: string;
  /** Universal tag of the value (PrintableString, UTF8String, BMPString, …). */
  readonly valueTag: number;
  /** The value decoded to a JS string (UTF-8 / Latin-1 / UCS-2 / UCS-4 per its tag). */
  readonly value: string;
  /** The value's full DER (TLV), for exact comparisons and unknown types. */
  readonly rawValue: Uint8Array;
}

/** X.501 Name: an ordered list of RDNs, each a set of one or more attributes. */
export interface Name {
  readonly rdns: readonly (readonly AttributeTypeAndValue[])[];
  /** The Name's full DER (the outer SEQUENCE). */
  readonly der: Uint8Array;
}

/** GeneralName (RFC 5280 §4.2.1.6). */
export type GeneralName =
  | { readonly type: 'otherName'; readonly oid: string; /** DER of the [0] EXPLICIT value */ readonly value: Uint8Array }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'x400Address'; readonly der: Uint8Array }
  | { readonly type: 'dirName'; readonly name: Name }
  | { readonly type: 'ediPartyName'; readonly der: Uint8Array }
  | { readonly type: 'uri'; readonly value: string }
  /** 4 or 16 octets in a SAN; 8 or 32 (address + mask) in a name constraint. */
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'registeredId'; readonly oid: string };

/** A certificate extension as found (RFC 5280 §4.1). */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** Contents of the extnValue OCTET STRING. */
  readonly value: Uint8Array;
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLenConstraint: number | undefined;
}

/** KeyUsage bits (RFC 5280 §4.2.1.3), as bit positions. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KeyUsageBit;

export interface GeneralSubtree {
  readonly base: GeneralName;
  readonly minimum: number;
  readonly maximum: number | undefined;
}

export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[] | undefined;
  readonly excluded: readonly GeneralSubtree[] | undefined;
}

export interface AccessDescription {
  readonly method: string;
  readonly location: GeneralName;
}

export interface DistributionPoint {
  /** fullName entries, when the distributionPoint is given as GeneralNames. */
  readonly fullName: readonly GeneralName[] | undefined;
  readonly reasons: Uint8Array | undefined;
  readonly crlIssuer: readonly GeneralName[] | undefined;
}

export interface PolicyInformation {
  readonly policyIdentifier: string;
}

/**
 * A parsed X.509 certificate. Well-known extensions are decoded into typed fields (undefined when the
 * extension is absent); a malformed well-known extension makes parsing fail. Every extension, known or
 * not, is also listed in `extensions` in order.
 */
export interface Certificate {
  readonly der: Uint8Array;
  /** The tbsCertificate DER: the signed bytes. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3 (the encoded value plus one). */
  readonly version: number;
  /** serialNumber content octets (two's complement, as encoded). */
  readonly serialNumber: Uint8Array;
  /** tbsCertificate.signature */
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  /** Certificate.signatureAlgorithm (outer) */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  /** Milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** The raw SubjectPublicKeyInfo: algorithm and key bits. */
  readonly spki: {
    readonly der: Uint8Array;
    readonly algorithm: AlgorithmIdentifier;
    readonly publicKey: Uint8Array;
  };
  readonly issuerUniqueId: Uint8Array | undefined;
  readonly subjectUniqueId: Uint8Array | undefined;
  readonly extensions: readonly Extension[];

  readonly basicConstraints: BasicConstraints | undefined;
  /** Set of asserted KeyUsage bit positions; undefined when the extension is absent. */
  readonly keyUsage: ReadonlySet<number> | undefined;
  /** ExtendedKeyUsage purpose OIDs. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectAltName: readonly GeneralName[] | undefined;
  readonly issuerAltName: readonly GeneralName[] | undefined;
  readonly nameConstraints: NameConstraints | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier:
    | {
        readonly keyIdentifier: Uint8Array | undefined;
        readonly authorityCertIssuer: readonly GeneralName[] | undefined;
        readonly authorityCertSerialNumber: Uint8Array | undefined;
      }
    | undefined;
  readonly authorityInfoAccess: readonly AccessDescription[] | undefined;
  readonly crlDistributionPoints: readonly DistributionPoint[] | undefined;
  readonly certificatePolicies: readonly PolicyInformation[] | undefined;
}

/** A parsed CRL (RFC 5280 §5). */
export interface CertificateRevocationList {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Uint8Array;
  readonly issuer: Name;
  readonly thisUpdate: number;
  readonly nextUpdate: number | undefined;
  readonly revoked: readonly { readonly serialNumber: Uint8Array; readonly revocationDate: number; readonly reason: number | undefined }[];
  readonly extensions: readonly Extension[];
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly crlNumber: bigint | undefined;
}

// ---------------------------------------------------------------------------------------------
// Keys and signatures (shared by x509 validation and the TLS engine's CertificateVerify).

export type HashName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export type PublicKey =
  | { readonly kind: 'rsa'; readonly n: bigint; readonly e: bigint; readonly bits: number }
  /** An RSASSA-PSS-only key (id-RSASSA-PSS SPKI, RFC 4055), with its optional restrictions. */
  | { readonly kind: 'rsa-pss'; readonly n: bigint; readonly e: bigint; readonly bits: number; readonly restriction: SignatureAlgorithm | undefined }
  | { readonly kind: 'ec'; readonly curve: NamedCurve; /** uncompressed SEC1 point */ readonly point: Uint8Array }
  | { readonly kind: 'ed25519'; readonly key: Uint8Array }
  | { readonly kind: 'ed448'; readonly key: Uint8Array }
  | { readonly kind: 'unsupported'; readonly algorithm: string };

export type PrivateKey =
  | {
      readonly kind: 'rsa';
      readonly n: bigint;
      readonly e: bigint;
      readonly d: bigint;
      readonly p: bigint;
      readonly q: bigint;
      readonly dp: bigint;
      readonly dq: bigint;
      readonly qinv: bigint;
      readonly bits: number;
      /**
       * Set for an id-RSASSA-PSS key (RFC 4055 §1.2): it makes RSASSA-PSS signatures only, within its
       * optional parameter restriction (undefined: any PSS parameters).
       */
      readonly pssOnly?: { readonly restriction: SignatureAlgorithm | undefined };
    }
  | { readonly kind: 'ec'; readonly curve: NamedCurve; readonly d: Uint8Array; readonly point: Uint8Array }
  | { readonly kind: 'ed25519'; readonly seed: Uint8Array; readonly key: Uint8Array };

/** A signature algorithm independent of encoding context (X.509 AlgorithmIdentifier or TLS SignatureScheme). */
export type SignatureAlgorithm =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly kind: 'rsa-pss'; readonly hash: HashName; readonly mgfHash: HashName; readonly saltLength: number }
  /** Signature is DER `SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480, RFC 8446 §4.2.3). */
  | { readonly kind: 'ecdsa'; readonly hash: HashName }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed448' };

/**
 * Narrow synchronous signature operations. @sanstls/core's CryptoProvider extends this interface; a
 * node:crypto or WebCrypto-backed provider can replace the default noble one.
 */
export interface SignatureProvider {
  /** False for a bad signature or a key/algorithm mismatch; never throws for bad signature bytes. */
  verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
  /** `randomBytes` supplies PSS salts (and hedging where the implementation uses it). */
  sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array;
}
