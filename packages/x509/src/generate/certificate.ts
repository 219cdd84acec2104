/**
 * X.509 certificate generation (RFC 5280 §4.1): builds the TBSCertificate with the DER writer, signs it
 * with a {@link SignatureProvider} and returns DER, PEM and the parsed certificate.
 *
 * Generation is off the handshake path. Everything is deterministic given `now` and `randomBytes`;
 * only when they are omitted does the outermost call read the clock (`new Date()`) and the platform
 * RNG (`globalThis.crypto.getRandomValues`).
 * @module
 */
import {
  compareBytes,
  derBitString,
  derExplicit,
  derInteger,
  derSequence,
  derTime,
  derUnsignedInteger,
} from '../der.js';
import { x509AlgorithmIdentifier } from '../keys/algorithms.js';
import { parseCertificate } from '../parse/cert.js';
import { DER_cert_to_PEM_cert, pemBlocks } from '../parse/pem.js';
import type {
  Certificate,
  Extension,
  HashName,
  KeyUsageName,
  PrivateKey,
  PublicKey,
  SignatureAlgorithm,
  SignatureProvider,
} from '../types.js';
import { invalidArgument } from './errors.js';
import {
  type AltNames,
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  certificatePoliciesExtension,
  crlDistributionPointsExtension,
  type ExtKeyUsageName,
  encodeExtensions,
  extKeyUsageExtension,
  keyIdentifier,
  keyUsageExtension,
  type NameConstraintsInput,
  nameConstraintsExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { defaultSignatureProvider, publicKeyOf, spkiOf } from './key-bridge.js';
import { encodeName, type NameInput } from './name.js';
import { type RandomBytes, resolveNow, resolveRandomBytes } from './random.js';

/** An issuer: its certificate (DER, PEM or parsed) and its private key. */
export interface IssuerInput {
  readonly certificate: Uint8Array | string | Certificate;
  readonly key: PrivateKey;
}

/** Extensions the helper adds on its own, which `omitExtensions` can leave out. */
export type AutomaticExtension = 'basicConstraints' | 'keyUsage' | 'subjectKeyIdentifier' | 'authorityKeyIdentifier';

export interface CertificateOptions {
  /** RFC 4514 text (`CN=leaf,O=Test,C=US`, last RDN first), attribute pairs in DER order, or Name DER. */
  readonly subject: NameInput | Uint8Array;
  /** The subject's private key; also the signing key when there is no `issuer` (self-signed). */
  readonly key?: PrivateKey;
  /** The subject's public key (model or SPKI DER), when the private key is not at hand. */
  readonly publicKey?: PublicKey | Uint8Array;
  /** Signing certificate and key; omitted for a self-signed certificate. */
  readonly issuer?: IssuerInput;
  /** Positive serial; default 16 random bytes with the top bit clear (§4.1.2.2: at most 20 octets). */
  readonly serialNumber?: bigint | number | Uint8Array;
  /** The time "now" for defaults; default `new Date()`. */
  readonly now?: Date;
  /** Default `now`. */
  readonly notBefore?: Date;
  /** Default `notBefore` + `days`. */
  readonly notAfter?: Date;
  /** Validity length when `notAfter` is absent; default 365. */
  readonly days?: number;
  /** A CA certificate (basicConstraints cA TRUE); default false. */
  readonly isCa?: boolean;
  /** basicConstraints pathLenConstraint (CAs only). */
  readonly pathLen?: number;
  /** Default true: RFC 5280 §4.2.1.9 requires it for CAs and it is harmless on leaves. */
  readonly criticalBasicConstraints?: boolean;
  /** Default: keyCertSign + cRLSign for a CA; digitalSignature (+ keyEncipherment for RSA) for a leaf. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Default true (§4.2.1.3 SHOULD). */
  readonly criticalKeyUsage?: boolean;
  /** Purposes by name or dotted OID; absent by default. */
  readonly extKeyUsage?: readonly (ExtKeyUsageName | (string & {}))[];
  readonly criticalExtKeyUsage?: boolean;
  readonly subjectAltNames?: AltNames;
  /** Default critical (§4.2.1.10 MUST). */
  readonly nameConstraints?: NameConstraintsInput;
  readonly aia?: { readonly ocsp?: readonly string[]; readonly caIssuers?: readonly string[] };
  /** CRL distribution point URIs. */
  readonly crlDistributionPoints?: readonly string[];
  /** certificatePolicies policy OIDs. */
  readonly policies?: readonly string[];
  /** Hash for the signature; default by issuer key: SHA-256 (RSA, P-256), SHA-384 (P-384), SHA-512 (P-521). */
  readonly signatureHash?: HashName;
  /** Full override of the signature algorithm (e.g. RSA-PSS). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** Added after the automatic ones; an entry with the OID of an automatic extension replaces it. */
  readonly extraExtensions?: readonly Extension[];
  /** Leave out automatic extensions (to build deliberately incomplete certificates for tests). */
  readonly omitExtensions?: readonly AutomaticExtension[];
  /** 3 (default) or 1; a v1 certificate carries no extensions. */
  readonly version?: 1 | 3;
  /** Default `globalThis.crypto.getRandomValues`. */
  readonly randomBytes?: RandomBytes;
  /** Default: the noble provider of @sanstls/x509's keys module. */
  readonly signatureProvider?: SignatureProvider;
}

/** A generated certificate. */
export interface GeneratedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly certificate: Certificate;
}

const DAY_MS = 86_400_000;

/** The signature algorithm a key signs certificates with by default. */
export function defaultSignatureAlgorithm(key: PrivateKey, hash?: HashName): SignatureAlgorithm {
  switch (key.kind) {
    case 'rsa':
      return { kind: 'rsa-pkcs1', hash: hash ?? 'sha256' };
    case 'ec':
      return {
        kind: 'ecdsa',
        hash: hash ?? ({ 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' } as const)[key.curve],
      };
    case 'ed25519':
      if (hash !== undefined) throw invalidArgument('Ed25519 signatures take no separate hash (RFC 8410 §6)');
      return { kind: 'ed25519' };
  }
}

/** Resolves an issuer's certificate input to the parsed certificate. */
export function issuerCertificate(input: Uint8Array | string | Certificate): Certificate {
  if (typeof input === 'string') {
    const block = pemBlocks(input).find((b) => b.label === 'CERTIFICATE');
    if (block === undefined) throw invalidArgument('issuer certificate PEM holds no CERTIFICATE block');
    return parseCertificate(block.der);
  }
  return input instanceof Uint8Array ? parseCertificate(input) : input;
}

/** The issuer name, key identifier and signing key, after checking that key and certificate match. */
export function resolveIssuer(issuer: IssuerInput): { name: Uint8Array; keyId: Uint8Array; key: PrivateKey } {
  const cert = issuerCertificate(issuer.certificate);
  if (compareBytes(spkiOf(publicKeyOf(issuer.key)), cert.spki.der) !== 0) {
    throw invalidArgument('the issuer key does not match the issuer certificate');
  }
  return { name: cert.subject.der, keyId: cert.subjectKeyIdentifier ?? keyIdentifier(cert.spki.der), key: issuer.key };
}

function serialNumberDer(serial: CertificateOptions['serialNumber'], randomBytes: RandomBytes): Uint8Array {
  if (serial instanceof Uint8Array) {
    if (serial.length === 0 || serial.length > 20)
      throw invalidArgument('serialNumber must be 1 to 20 octets (§4.1.2.2)');
    return derUnsignedInteger(serial);
  }
  if (serial !== undefined) return derInteger(serial);
  const bytes = Uint8Array.from(randomBytes(16));
  if (bytes.length !== 16) throw invalidArgument('randomBytes returned the wrong length');
  bytes[0] = (bytes[0] as number) & 0x7f; // positive (§4.1.2.2)
  if (bytes.every((b) => b === 0)) bytes[15] = 1; // and non-zero
  return derUnsignedInteger(bytes);
}

function checkDate(d: Date, what: string): Date {
  const y = d.getUTCFullYear();
  // GeneralizedTime holds four-digit years only (§4.1.2.5.2).
  if (Number.isNaN(d.getTime()) || y < 0 || y > 9999) throw invalidArgument(`${what} is not a representable date`);
  return d;
}

/** Signs `tbs` and wraps it: `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }` (§4.1.1, §5.1.1). */
export function signStructure(
  tbs: Uint8Array,
  algorithmDer: Uint8Array,
  algorithm: SignatureAlgorithm,
  key: PrivateKey,
  provider: SignatureProvider,
  randomBytes: RandomBytes,
): Uint8Array {
  const signature = provider.sign(algorithm, key, tbs, randomBytes);
  return derSequence(tbs, algorithmDer, derBitString(signature));
}

/** The extensions a certificate gets from `opts`, automatic ones first. */
function buildExtensions(
  opts: CertificateOptions,
  subjectName: Uint8Array,
  subjectSpki: Uint8Array,
  subjectKey: PublicKey,
  authorityKeyId: Uint8Array,
): Extension[] {
  const omit = new Set(opts.omitExtensions ?? []);
  const isCa = opts.isCa ?? false;
  if (opts.pathLen !== undefined && !isCa) throw invalidArgument('pathLen is only meaningful for a CA (§4.2.1.9)');
  const list: Extension[] = [];
  if (!omit.has('basicConstraints')) {
    list.push(basicConstraintsExtension(isCa, opts.pathLen, opts.criticalBasicConstraints ?? true));
  }
  if (!omit.has('keyUsage')) {
    const usages: readonly KeyUsageName[] =
      opts.keyUsage ??
      (isCa
        ? ['keyCertSign', 'cRLSign']
        : subjectKey.kind === 'rsa'
          ? ['digitalSignature', 'keyEncipherment']
          : ['digitalSignature']);
    list.push(keyUsageExtension(usages, opts.criticalKeyUsage ?? true));
  }
  if (opts.extKeyUsage !== undefined)
    list.push(extKeyUsageExtension(opts.extKeyUsage, opts.criticalExtKeyUsage ?? false));
  if (opts.subjectAltNames !== undefined) {
    // An empty Name is `30 00`.
    list.push(subjectAltNameExtension(opts.subjectAltNames, subjectName.length === 2));
  }
  if (opts.nameConstraints !== undefined) list.push(nameConstraintsExtension(opts.nameConstraints));
  if (!omit.has('subjectKeyIdentifier')) list.push(subjectKeyIdentifierExtension(keyIdentifier(subjectSpki)));
  if (!omit.has('authorityKeyIdentifier')) list.push(authorityKeyIdentifierExtension(authorityKeyId));
  if (opts.aia !== undefined) list.push(authorityInfoAccessExtension(opts.aia));
  if (opts.crlDistributionPoints !== undefined) list.push(crlDistributionPointsExtension(opts.crlDistributionPoints));
  if (opts.policies !== undefined) list.push(certificatePoliciesExtension(opts.policies));
  for (const extra of opts.extraExtensions ?? []) {
    const i = list.findIndex((e) => e.oid === extra.oid);
    if (i >= 0) list[i] = extra;
    else list.push(extra);
  }
  return list;
}

/**
 * Creates and signs a certificate. Self-signed when `issuer` is absent (then `key` is required).
 *
 * @example
 * ```ts
 * const ca = generateKey('ecdsa-p256');
 * const root = createCertificate({ subject: 'CN=Test Root', key: ca.privateKey, isCa: true });
 * const leafKey = generateKey('ecdsa-p256');
 * const leaf = createCertificate({
 *   subject: 'CN=localhost',
 *   key: leafKey.privateKey,
 *   issuer: { certificate: root.der, key: ca.privateKey },
 *   subjectAltNames: { dns: ['localhost'], ip: ['127.0.0.1', '::1'] },
 *   extKeyUsage: ['serverAuth'],
 * });
 * ```
 */
export function createCertificate(opts: CertificateOptions): GeneratedCertificate {
  const randomBytes = resolveRandomBytes(opts.randomBytes);
  const now = resolveNow(opts.now);
  const provider = opts.signatureProvider ?? defaultSignatureProvider();

  const subjectKey: PublicKey =
    opts.publicKey instanceof Uint8Array
      ? publicKeyOf(opts.publicKey)
      : (opts.publicKey ??
        (opts.key !== undefined ? publicKeyOf(opts.key) : undefined) ??
        (() => {
          throw invalidArgument('createCertificate needs the subject key (key or publicKey)');
        })());
  const subjectSpki = opts.publicKey instanceof Uint8Array ? opts.publicKey : spkiOf(subjectKey);
  if (
    opts.key !== undefined &&
    opts.publicKey !== undefined &&
    compareBytes(spkiOf(publicKeyOf(opts.key)), subjectSpki) !== 0
  ) {
    throw invalidArgument('key and publicKey are not a pair');
  }
  const subjectName = encodeName(opts.subject);

  let issuerName: Uint8Array;
  let authorityKeyId: Uint8Array;
  let signingKey: PrivateKey;
  if (opts.issuer !== undefined) {
    const issuer = resolveIssuer(opts.issuer);
    issuerName = issuer.name;
    authorityKeyId = issuer.keyId;
    signingKey = issuer.key;
  } else {
    if (opts.key === undefined) throw invalidArgument('a self-signed certificate needs the subject private key');
    issuerName = subjectName;
    authorityKeyId = keyIdentifier(subjectSpki);
    signingKey = opts.key;
  }

  const notBefore = checkDate(opts.notBefore ?? now, 'notBefore');
  const days = opts.days ?? 365;
  if (!Number.isFinite(days)) throw invalidArgument('days must be a finite number');
  const notAfter = checkDate(opts.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS), 'notAfter');

  const algorithm = opts.signatureAlgorithm ?? defaultSignatureAlgorithm(signingKey, opts.signatureHash);
  const algorithmDer = x509AlgorithmIdentifier(algorithm);
  const version = opts.version ?? 3;
  let extensions: Extension[] = [];
  if (version === 3) {
    extensions = buildExtensions(opts, subjectName, subjectSpki, subjectKey, authorityKeyId);
  } else if (version !== 1) {
    throw invalidArgument(`version must be 1 or 3, got ${String(version)}`);
  } else if (hasExtensionOptions(opts)) {
    throw invalidArgument('a version 1 certificate cannot carry extensions (§4.1.2.1)');
  }

  // §4.1: TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature,
  // issuer, validity, subject, subjectPublicKeyInfo, …, extensions [3] EXPLICIT }.
  const tbs = derSequence(
    ...(version === 3 ? [derExplicit(0, derInteger(2))] : []),
    serialNumberDer(opts.serialNumber, randomBytes),
    algorithmDer,
    issuerName,
    derSequence(derTime(notBefore), derTime(notAfter)),
    subjectName,
    subjectSpki,
    // §4.1.2.9: if present, the extensions field contains one or more extensions.
    ...(extensions.length > 0 ? [derExplicit(3, encodeExtensions(extensions))] : []),
  );
  const der = signStructure(tbs, algorithmDer, algorithm, signingKey, provider, randomBytes);
  return { der, pem: DER_cert_to_PEM_cert(der), certificate: parseCertificate(der) };
}

function hasExtensionOptions(opts: CertificateOptions): boolean {
  return (
    opts.isCa !== undefined ||
    opts.pathLen !== undefined ||
    opts.keyUsage !== undefined ||
    opts.extKeyUsage !== undefined ||
    opts.subjectAltNames !== undefined ||
    opts.nameConstraints !== undefined ||
    opts.aia !== undefined ||
    opts.crlDistributionPoints !== undefined ||
    opts.policies !== undefined ||
    (opts.extraExtensions?.length ?? 0) > 0
  );
}
