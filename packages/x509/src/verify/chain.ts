/**
 * Certification path building and validation (RFC 5280 §6, RFC 4158).
 *
 * Building: a depth-first search from the leaf towards the trust anchors over an unordered pool of
 * untrusted certificates. Candidate issuers are those whose subject equals the child's issuer (§7.1
 * comparison) and whose subjectKeyIdentifier does not contradict the child's authorityKeyIdentifier;
 * anchors come first (VERIFY_X509_TRUSTED_FIRST), then key-identifier matches, then certificates valid at
 * the validation time. A (subject, key) pair never appears twice in one path, so loops end. Work is
 * bounded: a failed edge is remembered and a cap on expansions keeps adversarial pools fast.
 *
 * Validation of a complete path runs the cheap structural checks first (extensions, CA-ness, path
 * length, key usage, purpose, identity, name constraints, validity, keys) and the signatures last, in
 * roughly the order OpenSSL's `X509_verify_cert` reports errors. If a path fails, the search backtracks
 * to the next candidate; if every path fails, the first complete path's error is reported (or, when no
 * path reaches an anchor, OpenSSL's 18/19/20/22).
 *
 * Trust anchors are names and keys (§6.1.1(d)): their own signatures are never verified. Their
 * validity, basicConstraints, keyUsage, extendedKeyUsage and nameConstraints are enforced as OpenSSL and
 * browsers do. Any certificate in the store is an anchor, self-signed or not; VERIFY_X509_PARTIAL_CHAIN
 * additionally lets a trusted non-self-signed leaf stand alone.
 *
 * Choices where implementations differ:
 * - `maxDepth` counts non-self-issued intermediates (self-issued key-rollover certificates are free, as in
 *   §6.1.4(l)); OpenSSL's verify depth counts every intermediate.
 * - The subject commonName is a host identity only on request (`hostnameChecksCommonName`) and only when
 *   the leaf has no DNS SAN; DNS name constraints apply to it only when the leaf has no SAN at all.
 * - Not supported, so rejected rather than ignored: critical policyConstraints, policyMappings,
 *   inhibitAnyPolicy and proxyCertInfo (34), indirect and delta CRLs (skipped, so 3 if nothing else applies).
 * @module
 */
import { compareBytes } from '../der.js';
import { SSLError } from '../errors.js';
import { nobleSignatureProvider, signatureAlgorithmFromX509 } from '../keys/index.js';
import { parseCertificate, parseCrl } from '../parse/index.js';
import type {
  Certificate,
  CertificateRevocationList,
  PublicKey,
  SignatureAlgorithm,
  SignatureProvider,
} from '../types.js';
import { KeyUsageBit } from '../types.js';
import { certificatePublicKey, type VerdictScope, type VerifiedChainCache } from './chain-cache.js';
import { checkRevocation } from './crl.js';
import { checkEmail, checkHostname, checkIp } from './hostname.js';
import { parseIpAddress } from './ip.js';
import {
  type CheckedName,
  checkNameConstraints,
  constrainedNames,
  validateNameConstraints,
} from './name-constraints.js';
import { nameKey, namesEqual } from './names.js';
import { type SignatureCacheLike, signatureCacheKey } from './signature-cache.js';
import { addToIndex, anchorKey, TrustStore } from './trust-store.js';
import { VerifyFlags, verifyError, X509_V_ERR } from './verify-errors.js';

export type VerifyPurpose = 'serverAuth' | 'clientAuth' | 'any';

export interface VerifyChainOptions {
  /** The end-entity certificate (DER). */
  readonly leaf: Uint8Array;
  /** Untrusted certificates that may help build the path, in any order (e.g. the peer's chain after the leaf). */
  readonly intermediates?: readonly Uint8Array[];
  readonly trustAnchors: readonly Uint8Array[] | TrustStore;
  /** Validation time; defaults to the current time. */
  readonly at?: Date;
  /** Reference DNS name the leaf must be valid for (RFC 6125); an IP literal here is checked as `ip`. */
  readonly hostname?: string;
  /** Reference IP address (v4 or v6 text) the leaf must carry as an iPAddress SAN. */
  readonly ip?: string;
  /** Reference e-mail address the leaf must carry (rfc822Name SAN, else subject emailAddress), as OpenSSL's `-verify_email`. */
  readonly email?: string;
  /** Extended key usage required along the path (default 'serverAuth'). */
  readonly purpose?: VerifyPurpose;
  /** The most non-self-issued intermediates a path may contain (OpenSSL's verify depth; self-issued certificates are free as in RFC 5280 §6.1.4(l)). */
  readonly maxDepth?: number;
  /** CRLs (DER) for VERIFY_CRL_CHECK_LEAF / VERIFY_CRL_CHECK_CHAIN, added to the TrustStore's. */
  readonly crls?: readonly Uint8Array[];
  /** VerifyFlags bits; default VERIFY_X509_TRUSTED_FIRST, as OpenSSL's and Python's defaults. */
  readonly flags?: number;
  /** Verifies signatures; default: the noble provider. */
  readonly signatureProvider?: SignatureProvider;
  /** Check the subject commonName when the leaf has no DNS SAN (default false, like `hostname_checks_common_name=False`). */
  readonly hostnameChecksCommonName?: boolean;
  /** Accept MD5/SHA-1 signatures (default false). */
  readonly allowWeakSignatures?: boolean;
  /** Smallest acceptable RSA modulus (default 2048). */
  readonly minRsaBits?: number;
  /**
   * KeyUsage bits the leaf must assert when it has a keyUsage extension. Default (OpenSSL's TLS purpose
   * checks): serverAuth any one of digitalSignature, keyEncipherment, keyAgreement; clientAuth
   * digitalSignature or keyAgreement; `[]` to require none.
   */
  readonly leafKeyUsage?: readonly (keyof typeof KeyUsageBit)[];
  /** Remembers verified (issuer key, certificate) pairs across calls. */
  readonly verifiedSignatureCache?: SignatureCacheLike;
  /**
   * Remembers parsed chains and the paths validated for them across calls (see {@link VerifiedChainCache}:
   * validity periods and identity are still checked on every call).
   */
  readonly verifiedChainCache?: VerifiedChainCache;
}

export interface VerifyChainResult {
  /** DER, leaf first, trust anchor last. */
  readonly chain: Uint8Array[];
}

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OID_ANY_EKU = '2.5.29.37.0';

/** Extensions whose semantics we implement, so they may be critical (RFC 5280 §4.2: unknown critical ⇒ reject). */
const HANDLED_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints (informational: CRLs are supplied by the caller)
  '2.5.29.32', // certificatePolicies (no policy is required, so any policy set is acceptable)
  '2.5.29.37', // extKeyUsage
]);
const OID_POLICY_CONSTRAINTS = '2.5.29.36';

/** Bounds on the search (RFC 4158 §5 warns that path building over hostile pools is exponential). */
const MAX_PATH_CERTS = 32;
const MAX_EXPANSIONS = 2000;
const MAX_COMPLETE_PATHS = 100;

interface Failure {
  readonly code: number;
  readonly detail: string;
  /** Index in the path of the certificate at fault (OpenSSL's error depth). */
  readonly depth: number;
}

function isSelfIssued(cert: Certificate): boolean {
  return namesEqual(cert.subject, cert.issuer);
}

/** Self-issued and, by key identifiers, self-signed — OpenSSL's `X509_self_signed(cert, 0)` without the signature check. */
function looksSelfSigned(cert: Certificate): boolean {
  if (!isSelfIssued(cert)) return false;
  const aki = cert.authorityKeyIdentifier?.keyIdentifier;
  return (
    aki === undefined || cert.subjectKeyIdentifier === undefined || compareBytes(aki, cert.subjectKeyIdentifier) === 0
  );
}

/** Could `issuer` have issued `child`? Name chaining plus key identifiers (RFC 5280 §4.2.1.1). */
function mayHaveIssued(issuer: Certificate, child: Certificate): boolean {
  if (!namesEqual(issuer.subject, child.issuer)) return false;
  const aki = child.authorityKeyIdentifier?.keyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || compareBytes(aki, ski) === 0;
}

function isWeakHash(alg: SignatureAlgorithm): boolean {
  return 'hash' in alg && (alg.hash === 'md5' || alg.hash === 'sha1');
}

/** RFC 5280 §4.2.1.12: the purpose's OID or anyExtendedKeyUsage. */
function ekuPermits(eku: readonly string[], purpose: VerifyPurpose): boolean {
  if (purpose === 'any') return true;
  return eku.includes(purpose === 'serverAuth' ? OID_SERVER_AUTH : OID_CLIENT_AUTH) || eku.includes(OID_ANY_EKU);
}

function serialProblem(serial: Uint8Array): string | undefined {
  // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets.
  if (serial.length > 20) return 'serial number longer than 20 octets';
  if (((serial[0] as number) & 0x80) !== 0) return 'negative serial number';
  if (serial.every((b) => b === 0)) return 'zero serial number';
  return undefined;
}

/** Everything one verifyChain call shares between path attempts. */
class Validation {
  readonly atSeconds: number;
  readonly flags: number;
  readonly strict: boolean;
  readonly purpose: VerifyPurpose;
  readonly provider: SignatureProvider;
  readonly minRsaBits: number;
  readonly leafKeyUsage: readonly number[] | undefined;
  readonly badEdges = new Set<string>();
  readonly goodEdges = new Set<string>();
  readonly crls: readonly CertificateRevocationList[];
  /** Made on first use: a chain whose validated path is cached never needs it (a WeakMap is costly to create). */
  private keyIds: WeakMap<Certificate, string> | undefined;
  private nextId = 0;

  constructor(
    readonly opts: VerifyChainWithOptions,
    readonly store: TrustStore,
    readonly hostIp: Uint8Array | undefined,
    readonly hostname: string | undefined,
    at: Date,
  ) {
    this.atSeconds = Math.floor(at.getTime() / 1000);
    this.flags = opts.flags ?? VerifyFlags.VERIFY_X509_TRUSTED_FIRST;
    this.strict = (this.flags & VerifyFlags.VERIFY_X509_STRICT) !== 0;
    this.purpose = opts.purpose ?? 'serverAuth';
    this.provider = opts.signatureProvider;
    this.minRsaBits = opts.minRsaBits ?? 2048;
    this.leafKeyUsage =
      opts.leafKeyUsage !== undefined
        ? opts.leafKeyUsage.map((k) => KeyUsageBit[k])
        : this.purpose === 'any'
          ? undefined
          : this.purpose === 'clientAuth'
            ? // A client signs (or agrees) and never encrypts a premaster secret: OpenSSL's
              // check_purpose_ssl_client rejects a keyUsage without digitalSignature or keyAgreement.
              [KeyUsageBit.digitalSignature, KeyUsageBit.keyAgreement]
            : [KeyUsageBit.digitalSignature, KeyUsageBit.keyEncipherment, KeyUsageBit.keyAgreement];
    this.crls = [...store.crls(), ...(opts.crls ?? []).map((der) => parseCrl(der))];
  }

  /** A small per-call id for a certificate object, for edge memo keys. */
  id(cert: Certificate): string {
    this.keyIds ??= new WeakMap();
    let id = this.keyIds.get(cert);
    if (id === undefined) {
      id = String(this.nextId++);
      this.keyIds.set(cert, id);
    }
    return id;
  }

  /** Verifies `signed`'s signature with `issuer`'s key; undefined when good. */
  checkSignature(
    signed: {
      der: Uint8Array;
      tbs: Uint8Array;
      signatureAlgorithm: Certificate['signatureAlgorithm'];
      signatureValue: Uint8Array;
    },
    issuer: Certificate,
  ): { code: number; detail: string } | undefined {
    const alg = signatureAlgorithmFromX509(signed.signatureAlgorithm);
    if (alg === undefined) {
      return {
        code: X509_V_ERR.CERT_SIGNATURE_FAILURE,
        detail: `signature algorithm ${signed.signatureAlgorithm.oid} is not supported`,
      };
    }
    if (isWeakHash(alg) && this.opts.allowWeakSignatures !== true) {
      return {
        code: X509_V_ERR.CA_MD_TOO_WEAK,
        detail: `${'hash' in alg ? alg.hash : ''} signatures are not accepted`,
      };
    }
    const key = certificatePublicKey(issuer);
    if (key instanceof Error || key.kind === 'unsupported') {
      return {
        code: X509_V_ERR.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
        detail: key instanceof Error ? key.message : `unsupported key algorithm ${key.algorithm}`,
      };
    }
    const cache = this.opts.verifiedSignatureCache;
    const cacheKey = cache === undefined ? undefined : signatureCacheKey(issuer.spki.der, signed.der);
    if (cacheKey !== undefined && cache?.has(cacheKey) === true) return undefined;
    let ok: boolean;
    try {
      ok = this.provider.verify(alg, key, signed.tbs, signed.signatureValue);
    } catch {
      ok = false;
    }
    if (!ok) return { code: X509_V_ERR.CERT_SIGNATURE_FAILURE, detail: 'signature does not verify' };
    if (cacheKey !== undefined) cache?.add(cacheKey);
    return undefined;
  }

  edgeKey(child: Certificate, issuer: Certificate): string {
    return `${this.id(child)}>${this.id(issuer)}`;
  }

  /** Per-certificate checks that do not depend on the path position beyond leaf/CA/anchor role. */
  private checkCertificate(
    cert: Certificate,
    depth: number,
    role: 'leaf' | 'ca' | 'anchor',
    isCaLeaf: boolean,
  ): Failure | undefined {
    const f = (code: number, detail: string): Failure => ({ code, detail, depth });
    // §4.2: "A certificate-using system MUST reject the certificate if it encounters a critical
    // extension it does not recognize".
    for (const ext of cert.extensions) {
      if (ext.critical && !HANDLED_CRITICAL_EXTENSIONS.has(ext.oid)) {
        return f(X509_V_ERR.UNHANDLED_CRITICAL_EXTENSION, `critical extension ${ext.oid} is not supported`);
      }
    }
    // §4.1.1.2: signatureAlgorithm "MUST contain the same algorithm identifier as the signature field".
    if (compareBytes(cert.signatureAlgorithm.der, cert.tbsSignatureAlgorithm.der) !== 0) {
      return f(
        X509_V_ERR.SIGNATURE_ALGORITHM_INCONSISTENCY,
        'signatureAlgorithm differs from tbsCertificate.signature',
      );
    }
    const key = certificatePublicKey(cert);
    const keyCode = role === 'leaf' ? X509_V_ERR.EE_KEY_TOO_SMALL : X509_V_ERR.CA_KEY_TOO_SMALL;
    if (!(key instanceof Error) && (key.kind === 'rsa' || key.kind === 'rsa-pss')) {
      if (key.bits < this.minRsaBits) return f(keyCode, `${key.bits}-bit RSA key`);
      if (this.strict && key.bits % 8 !== 0)
        return f(keyCode, `${key.bits}-bit RSA key is not a whole number of octets`);
    }
    if (role !== 'leaf' && (key instanceof Error || key.kind === 'unsupported')) {
      return f(
        X509_V_ERR.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
        key instanceof Error ? key.message : `unsupported key algorithm ${key.algorithm}`,
      );
    }
    if (this.strict) {
      const bad = this.strictProfile(cert, role, key, isCaLeaf);
      if (bad !== undefined) return f(bad.code, bad.detail);
    }
    return undefined;
  }

  /** VERIFY_X509_STRICT: the RFC 5280 profile rules a conforming CA follows (OpenSSL 3's strict checks and more). */
  private strictProfile(
    cert: Certificate,
    role: 'leaf' | 'ca' | 'anchor',
    key: PublicKey | Error,
    isCaLeaf: boolean,
  ): { code: number; detail: string } | undefined {
    const bc = cert.basicConstraints;
    const isCa = bc?.ca === true;
    const ku = cert.keyUsage;
    const ext = (oid: string) => cert.extensions.find((e) => e.oid === oid);
    // Anchors are configuration, not issued to us: profile rules about how they were issued do not apply.
    const serial = role === 'anchor' ? undefined : serialProblem(cert.serialNumber);
    if (serial !== undefined) return { code: X509_V_ERR.UNSPECIFIED, detail: `${serial} (RFC 5280 §4.1.2.2)` };
    // §4.1.2.4: the issuer field MUST contain a non-empty distinguished name.
    if (cert.issuer.rdns.length === 0) return { code: X509_V_ERR.ISSUER_NAME_EMPTY, detail: 'empty issuer name' };
    const san = ext('2.5.29.17');
    if (cert.subject.rdns.length === 0) {
      // §4.1.2.6: a CA's subject MUST be non-empty; an empty subject needs a critical subjectAltName.
      if (isCa || role !== 'leaf') return { code: X509_V_ERR.SUBJECT_NAME_EMPTY, detail: 'empty subject name' };
      if (san === undefined || !san.critical) {
        return {
          code: X509_V_ERR.EMPTY_SUBJECT_SAN_NOT_CRITICAL,
          detail: 'empty subject and non-critical subjectAltName',
        };
      }
    } else if (san?.critical === true && role === 'leaf') {
      // §4.2.1.6: "SHOULD mark the subject alternative name extension as non-critical" when the subject is non-empty.
      return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'critical subjectAltName with a non-empty subject' };
    }
    if (cert.subjectAltName !== undefined && cert.subjectAltName.length === 0) {
      return { code: X509_V_ERR.EMPTY_SUBJECT_ALT_NAME, detail: 'empty subjectAltName' };
    }
    if (isCa || role !== 'leaf') {
      // §4.2.1.9: CAs MUST mark basicConstraints critical; §4.2.1.3: CAs MUST include keyUsage;
      // §4.2.1.2: CAs MUST include a subject key identifier.
      if (bc !== undefined && !ext('2.5.29.19')?.critical)
        return { code: X509_V_ERR.CA_BCONS_NOT_CRITICAL, detail: 'basicConstraints not critical' };
      if (cert.version === 3 && ku === undefined && role !== 'anchor')
        return { code: X509_V_ERR.CA_CERT_MISSING_KEY_USAGE, detail: 'CA without keyUsage' };
      if (cert.version === 3 && cert.subjectKeyIdentifier === undefined) {
        return { code: X509_V_ERR.MISSING_SUBJECT_KEY_IDENTIFIER, detail: 'CA without subjectKeyIdentifier' };
      }
    }
    if (isCa && ku !== undefined && !ku.has(KeyUsageBit.keyCertSign) && (role === 'leaf' || isCaLeaf)) {
      return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'cA asserted but keyUsage lacks keyCertSign' };
    }
    // §4.2.1.3 / §4.2.1.9 consistency.
    if (!isCa && ku?.has(KeyUsageBit.keyCertSign) === true) {
      return { code: X509_V_ERR.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, detail: 'keyCertSign without cA' };
    }
    if (bc?.pathLenConstraint !== undefined) {
      if (!isCa) return { code: X509_V_ERR.PATHLEN_INVALID_FOR_NON_CA, detail: 'pathLenConstraint without cA' };
      if (ku !== undefined && !ku.has(KeyUsageBit.keyCertSign)) {
        return { code: X509_V_ERR.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN, detail: 'pathLenConstraint without keyCertSign' };
      }
    }
    // §4.2.1.1: AKI MUST appear except in self-signed CA certificates; keyIdentifier MUST be present.
    const aki = cert.authorityKeyIdentifier;
    const selfSigned = looksSelfSigned(cert);
    if (aki === undefined && !selfSigned && role !== 'anchor') {
      return { code: X509_V_ERR.MISSING_AUTHORITY_KEY_IDENTIFIER, detail: 'missing authorityKeyIdentifier' };
    }
    if (aki !== undefined) {
      if (aki.keyIdentifier === undefined)
        return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'authorityKeyIdentifier without keyIdentifier' };
      if (aki.authorityCertIssuer !== undefined || aki.authorityCertSerialNumber !== undefined) {
        if (role === 'anchor')
          return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'authorityKeyIdentifier with issuer and serial' };
      }
      if (
        isSelfIssued(cert) &&
        role === 'anchor' &&
        cert.subjectKeyIdentifier !== undefined &&
        compareBytes(aki.keyIdentifier, cert.subjectKeyIdentifier) !== 0
      ) {
        return { code: X509_V_ERR.AKID_SKID_MISMATCH, detail: 'self-signed anchor whose AKI differs from its SKI' };
      }
    }
    // §4.2.1.10: name constraints only in CA certificates.
    if (cert.nameConstraints !== undefined && !isCa)
      return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'nameConstraints in a non-CA certificate' };
    // §4.2.1.11: policyConstraints MUST be critical.
    if (ext(OID_POLICY_CONSTRAINTS)?.critical === false) {
      return { code: X509_V_ERR.INVALID_POLICY_EXTENSION, detail: 'policyConstraints not critical' };
    }
    if (role === 'leaf') {
      // CA/B BR §7.1.2.7.10: extKeyUsage in a subscriber certificate is not critical.
      if (ext('2.5.29.37')?.critical === true)
        return { code: X509_V_ERR.INVALID_EXTENSION, detail: 'critical extKeyUsage in the leaf' };
    }
    if (role === 'leaf' && (key instanceof Error || key.kind === 'unsupported')) {
      return {
        code: X509_V_ERR.EE_KEY_TOO_SMALL,
        detail: key instanceof Error ? key.message : `unsupported key ${key.algorithm}`,
      };
    }
    return undefined;
  }

  /** Validates one complete path (leaf first, anchor last). */
  evaluate(path: readonly Certificate[]): Failure | undefined {
    const n = path.length - 1;
    const leaf = path[0] as Certificate;
    // 1. Per-certificate checks (OpenSSL's check_extensions).
    for (let i = 0; i <= n; i++) {
      const cert = path[i] as Certificate;
      const role = i === n && n > 0 ? 'anchor' : i === 0 ? 'leaf' : 'ca';
      const bad = this.checkCertificate(cert, i, role, i === 0 && n > 0 && cert.basicConstraints?.ca === true);
      if (bad !== undefined) return bad;
    }
    // 2. Issuers must be CAs allowed to sign certificates (§6.1.4(k), (n)) and respect path lengths (§6.1.4(l), (m)).
    let intermediatesBelow = 0;
    for (let i = 1; i <= n; i++) {
      const ca = path[i] as Certificate;
      const bc = ca.basicConstraints;
      if (bc === undefined) {
        // Version 1/2 certificates carry no basicConstraints: OpenSSL accepts them as CAs only as self-signed anchors.
        if (!(i === n && ca.version < 3 && looksSelfSigned(ca))) {
          return { code: X509_V_ERR.INVALID_CA, detail: 'issuer without basicConstraints', depth: i };
        }
      } else if (!bc.ca) {
        return { code: X509_V_ERR.INVALID_CA, detail: 'issuer is not a CA', depth: i };
      }
      if (ca.keyUsage !== undefined && !ca.keyUsage.has(KeyUsageBit.keyCertSign)) {
        // OpenSSL's check_ca() treats this as not a CA (79) before reporting KEYUSAGE_NO_CERTSIGN (32).
        return { code: X509_V_ERR.INVALID_CA, detail: 'issuer keyUsage lacks keyCertSign', depth: i };
      }
      if (bc?.pathLenConstraint !== undefined && intermediatesBelow > bc.pathLenConstraint) {
        return { code: X509_V_ERR.PATH_LENGTH_EXCEEDED, detail: `pathLenConstraint ${bc.pathLenConstraint}`, depth: i };
      }
      if (i < n && !isSelfIssued(ca)) intermediatesBelow++;
    }
    // 3. Purpose: extendedKeyUsage on the leaf and on every CA that carries it; keyUsage on the leaf.
    if (this.purpose !== 'any') {
      for (let i = 0; i <= n; i++) {
        const eku = (path[i] as Certificate).extKeyUsage;
        if (eku !== undefined && !ekuPermits(eku, this.purpose)) {
          return {
            code: X509_V_ERR.INVALID_PURPOSE,
            detail: `extendedKeyUsage does not allow ${this.purpose}`,
            depth: i,
          };
        }
        // CA/B Baseline Requirements §7.1.2.7.10: anyExtendedKeyUsage MUST NOT appear in a subscriber certificate.
        if (this.strict && i === 0 && n > 0 && eku?.includes(OID_ANY_EKU) === true) {
          return { code: X509_V_ERR.INVALID_PURPOSE, detail: 'anyExtendedKeyUsage in the leaf', depth: 0 };
        }
      }
    }
    if (this.leafKeyUsage !== undefined && this.leafKeyUsage.length > 0 && leaf.keyUsage !== undefined) {
      const ku = leaf.keyUsage;
      if (!this.leafKeyUsage.some((bit) => ku.has(bit))) {
        return { code: X509_V_ERR.INVALID_PURPOSE, detail: 'leaf keyUsage does not allow this purpose', depth: 0 };
      }
    }
    // 4. Identity (OpenSSL's check_id).
    const wrongIdentity = this.identity(leaf);
    if (wrongIdentity !== undefined) return wrongIdentity;
    // 5. Name constraints of every CA (anchor included) over the certificates below it (§6.1.3(b)-(c), §6.1.4(g)).
    const namesCache: (CheckedName[] | undefined)[] = [];
    for (let j = n; j >= 1; j--) {
      const nc = (path[j] as Certificate).nameConstraints;
      if (nc === undefined) continue;
      const invalid = validateNameConstraints(nc, this.strict);
      if (invalid !== undefined) return { ...invalid, depth: j };
      for (let i = j - 1; i >= 0; i--) {
        const cert = path[i] as Certificate;
        // §6.1.3(b): self-issued intermediates are exempt; the leaf never is.
        if (i > 0 && isSelfIssued(cert)) continue;
        namesCache[i] ??= constrainedNames(cert, i === 0);
        const bad = checkNameConstraints(namesCache[i] as CheckedName[], nc);
        if (bad !== undefined) return { ...bad, depth: i };
      }
    }
    // 6. Validity periods (§6.1.3(a)(2)).
    const outOfValidity = this.validity(path);
    if (outOfValidity !== undefined) return outOfValidity;
    // 7. Signatures, anchor side first (§6.1.3(a)(1)); the anchor's own signature is not checked.
    for (let i = n - 1; i >= 0; i--) {
      const bad = this.edge(path[i] as Certificate, path[i + 1] as Certificate);
      if (bad !== undefined) return { ...bad, depth: i };
    }
    // 8. Revocation (§6.3).
    // VERIFY_CRL_CHECK_CHAIN is VERIFY_CRL_CHECK_LEAF plus OpenSSL's CRL_CHECK_ALL bit; the latter alone does nothing.
    const crlFlags = this.flags & VerifyFlags.VERIFY_CRL_CHECK_CHAIN;
    if ((crlFlags & VerifyFlags.VERIFY_CRL_CHECK_LEAF) !== 0) {
      const last = crlFlags === VerifyFlags.VERIFY_CRL_CHECK_CHAIN ? n - 1 : Math.min(0, n - 1);
      for (let i = 0; i <= last; i++) {
        const bad = checkRevocation(path[i] as Certificate, path[i + 1] as Certificate, {
          crls: this.crls,
          atSeconds: this.atSeconds,
          strict: this.strict,
          verifySignature: (crl, issuer) => this.checkSignature(crl, issuer) === undefined,
        });
        if (bad !== undefined) return { ...bad, depth: i };
      }
    }
    return undefined;
  }

  /** The leaf's identity against the reference hostname, IP address and e-mail (OpenSSL's check_id). */
  identity(leaf: Certificate): Failure | undefined {
    if (this.hostname !== undefined) {
      const ok = checkHostname(leaf, this.hostname, {
        checkCommonName: this.opts.hostnameChecksCommonName ?? false,
        allowUnderscore: !this.strict,
      });
      if (!ok)
        return {
          code: X509_V_ERR.HOSTNAME_MISMATCH,
          detail: `certificate is not valid for '${this.hostname}'`,
          depth: 0,
        };
    }
    if (this.hostIp !== undefined && !checkIp(leaf, this.hostIp)) {
      return { code: X509_V_ERR.IP_ADDRESS_MISMATCH, detail: 'certificate is not valid for this IP address', depth: 0 };
    }
    if (this.opts.email !== undefined && !checkEmail(leaf, this.opts.email)) {
      return { code: X509_V_ERR.EMAIL_MISMATCH, detail: 'certificate is not valid for this e-mail address', depth: 0 };
    }
    return undefined;
  }

  /** What {@link identity}'s answer depends on besides the leaf. */
  identityKey(): string {
    // Length-prefixed strings, so distinct identities never share a key; asked on every cached-chain hit,
    // where JSON.stringify of an array was the costliest step (issue #9).
    const text = (s: string | undefined) => (s === undefined ? '-' : `${s.length}:${s}`);
    const ip = this.hostIp === undefined ? '-' : this.hostIp.join('.');
    return `${text(this.hostname)}|${ip}|${text(this.opts.email)}|${this.opts.hostnameChecksCommonName === true ? 1 : 0}${this.strict ? 1 : 0}`;
  }

  /** Validity periods of a path (§6.1.3(a)(2)), compared at one-second granularity as certificates encode them. */
  validity(path: readonly Certificate[]): Failure | undefined {
    for (let i = 0; i < path.length; i++) {
      const cert = path[i] as Certificate;
      if (Math.floor(cert.notBefore / 1000) > this.atSeconds) {
        return { code: X509_V_ERR.CERT_NOT_YET_VALID, detail: 'notBefore is in the future', depth: i };
      }
      if (Math.floor(cert.notAfter / 1000) < this.atSeconds) {
        return { code: X509_V_ERR.CERT_HAS_EXPIRED, detail: 'notAfter has passed', depth: i };
      }
    }
    return undefined;
  }

  /**
   * What a remembered verdict is tied to besides the chain: the store, the provider and every option
   * that changes the answer (the time and the identity are checked again on each use). Undefined when
   * the answer may not be remembered: CRL checking depends on CRLs and their update times.
   */
  verdictScope(): VerdictScope | undefined {
    if ((this.flags & VerifyFlags.VERIFY_CRL_CHECK_LEAF) !== 0 || (this.opts.crls?.length ?? 0) > 0) return undefined;
    const o = this.opts;
    return {
      store: this.store,
      provider: this.provider,
      policy: [
        this.flags,
        this.purpose,
        o.maxDepth ?? '',
        this.minRsaBits,
        o.allowWeakSignatures === true,
        this.leafKeyUsage?.join(',') ?? '-',
      ].join('|'),
    };
  }

  /** Signature check of one edge, memoized for the rest of this call. */
  edge(child: Certificate, issuer: Certificate): { code: number; detail: string } | undefined {
    const key = this.edgeKey(child, issuer);
    if (this.goodEdges.has(key)) return undefined;
    const bad = this.checkSignature(child, issuer);
    if (bad === undefined) this.goodEdges.add(key);
    else this.badEdges.add(key);
    return bad;
  }
}

/** Builds and validates a path from `leaf` to one of the trust anchors, or throws SSLCertVerificationError. */
export function verifyChain(opts: VerifyChainOptions): VerifyChainResult {
  return verifyChainWith(
    opts.signatureProvider === undefined
      ? { ...opts, signatureProvider: nobleSignatureProvider }
      : (opts as VerifyChainWithOptions),
  );
}

/** {@link VerifyChainOptions} with the signature provider given. */
export type VerifyChainWithOptions = VerifyChainOptions & { readonly signatureProvider: SignatureProvider };

/**
 * {@link verifyChain} with no default signature provider: noble's signature code is not reachable from
 * here, so a bundle that always passes its own provider (the TLS engine passes its CryptoProvider; a
 * WebCrypto client, issue #9) leaves it out.
 */
export function verifyChainWith(opts: VerifyChainWithOptions): VerifyChainResult {
  // The one clock read: at the API edge, as the default of `at`.
  const at = opts.at ?? new Date();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new SSLError('verifyChain: `at` must be a valid Date', { library: 'X509', reason: 'INVALID_ARGUMENT' });
  }
  if (opts.maxDepth !== undefined && !(Number.isInteger(opts.maxDepth) && opts.maxDepth >= 0)) {
    throw new SSLError('verifyChain: `maxDepth` must be a non-negative integer', {
      library: 'X509',
      reason: 'INVALID_ARGUMENT',
    });
  }
  const store = opts.trustAnchors instanceof TrustStore ? opts.trustAnchors : storeOf(opts.trustAnchors);
  let hostIp: Uint8Array | undefined;
  let hostname = opts.hostname;
  if (opts.ip !== undefined) {
    hostIp = parseIpAddress(opts.ip);
    if (hostIp === undefined)
      throw verifyError(X509_V_ERR.IP_ADDRESS_MISMATCH, `${JSON.stringify(opts.ip)} is not an IP address`);
  }
  if (hostname !== undefined) {
    // A bracketed IPv6 literal ([::1]) names an address; no regular expression per call on the common path.
    const bracketed = hostname.length > 1 && hostname.startsWith('[') && hostname.endsWith(']');
    const literal = parseIpAddress(bracketed ? hostname.slice(1, -1) : hostname);
    if (literal !== undefined) {
      hostIp = literal;
      hostname = undefined;
    }
  }
  const v = new Validation(opts, store, hostIp, hostname, at);
  const cached = opts.verifiedChainCache?.chain(opts.leaf, opts.intermediates);
  const scope = cached === undefined ? undefined : v.verdictScope();
  /** The path as DER; certificates of the peer's chain as the caller's own arrays, not the cache's copies. */
  const ders = (path: readonly Certificate[]): Uint8Array[] =>
    path.map((c) => {
      const i = cached === undefined ? -1 : cached.indexOf(c);
      return i < 0 ? c.der : i === 0 ? opts.leaf : (opts.intermediates?.[i - 1] as Uint8Array);
    });
  const succeed = (path: Certificate[]): VerifyChainResult => {
    if (scope !== undefined) cached?.remember(scope, path);
    cached?.rememberIdentity(v.identityKey()); // the path's evaluation checked the leaf's identity
    return { chain: ders(path) };
  };
  if (cached !== undefined && scope !== undefined) {
    // A path validated before for these exact bytes under the same store and options: only what may have
    // changed since (the time, the reference identity) is checked again; any failure re-validates in full.
    const path = cached.verdict(scope);
    if (path !== undefined && v.validity(path) === undefined) {
      const identityKey = v.identityKey();
      if (cached.identityPassed(identityKey)) return { chain: ders(path) };
      if (v.identity(path[0] as Certificate) === undefined) {
        cached.rememberIdentity(identityKey);
        return { chain: ders(path) };
      }
    }
  }
  const leaf = cached?.leaf ?? parseCertificate(opts.leaf);
  // An unparsable extra certificate cannot be part of any path; OpenSSL-based peers send such junk rarely,
  // and ignoring it is safe.
  const pool = cached !== undefined ? cached.intermediates() : (opts.intermediates ?? []).map(parseOrUndefined);
  const poolBySubject = new Map<string, Certificate[]>();
  const seenByLength = new Map<number, Certificate[]>();
  for (const cert of pool) {
    if (cert === undefined) continue;
    // Duplicates in the pool add nothing but search work.
    const sameLength = seenByLength.get(cert.der.length);
    if (sameLength?.some((c) => compareBytes(c.der, cert.der) === 0) === true) continue;
    addToIndex(seenByLength, cert.der.length, cert);
    addToIndex(poolBySubject, nameKey(cert.subject), cert);
  }

  const trustedFirst = (v.flags & VerifyFlags.VERIFY_X509_TRUSTED_FIRST) !== 0;
  const maxDepth = opts.maxDepth ?? 100;

  const candidates = (cert: Certificate): { cert: Certificate; anchor: boolean }[] => {
    const anchors = store.findBySubject(cert.issuer).filter((a) => mayHaveIssued(a, cert));
    const untrusted = (poolBySubject.get(nameKey(cert.issuer)) ?? []).filter((c) => mayHaveIssued(c, cert));
    const rank = (c: Certificate): number => {
      const aki = cert.authorityKeyIdentifier?.keyIdentifier;
      const exact = aki !== undefined && c.subjectKeyIdentifier !== undefined ? 0 : 1;
      const timely =
        Math.floor(c.notBefore / 1000) <= v.atSeconds && v.atSeconds <= Math.floor(c.notAfter / 1000) ? 0 : 2;
      return exact + timely;
    };
    const sortByRank = (list: Certificate[]): Certificate[] =>
      list
        .map((c, i) => ({ c, i, r: rank(c) }))
        .sort((a, b) => a.r - b.r || a.i - b.i)
        .map((x) => x.c);
    const a = sortByRank(anchors).map((c) => ({ cert: c, anchor: true }));
    const u = sortByRank(untrusted).map((c) => ({ cert: c, anchor: false }));
    return trustedFirst ? [...a, ...u] : [...u, ...a];
  };

  let firstFailure: Failure | undefined;
  let expansions = 0;
  let completePaths = 0;
  let depthLimited = false;
  const path: Certificate[] = [leaf];
  const inPath = new Set<string>([anchorKey(leaf)]);
  /** Certificates from which no anchor could be reached at all (independent of the path above them). */
  const deadEnds = new Set<Certificate>();

  const tryPath = (full: Certificate[]): boolean => {
    completePaths++;
    const failure = v.evaluate(full);
    if (failure === undefined) return true;
    firstFailure ??= failure;
    return false;
  };

  // Returns the successful path, or undefined; `reached` reports whether any anchor was found below `cert`.
  // `blocked`: some branch was cut for a path-dependent reason (loop, depth, budget), so "no anchor
  // reachable" must not be memoized for this certificate.
  const search = (
    cert: Certificate,
    logicalIntermediates: number,
  ): { found: Certificate[] | undefined; reached: boolean; blocked: boolean } => {
    let reached = false;
    let blocked = false;
    for (const cand of candidates(cert)) {
      if (expansions >= MAX_EXPANSIONS || completePaths >= MAX_COMPLETE_PATHS) {
        blocked = true;
        break;
      }
      expansions++;
      if (v.badEdges.has(v.edgeKey(cert, cand.cert))) continue;
      if (cand.anchor) {
        reached = true;
        const full = [...path, cand.cert];
        if (tryPath(full)) return { found: full, reached, blocked };
        continue;
      }
      if (deadEnds.has(cand.cert)) continue;
      const key = anchorKey(cand.cert);
      if (inPath.has(key)) {
        blocked = true; // RFC 4158 §2.4.2: loops
        continue;
      }
      const nextCount = logicalIntermediates + (isSelfIssued(cand.cert) ? 0 : 1);
      if (nextCount > maxDepth || path.length >= MAX_PATH_CERTS) {
        depthLimited = true;
        blocked = true;
        continue;
      }
      path.push(cand.cert);
      inPath.add(key);
      const sub = search(cand.cert, nextCount);
      path.pop();
      inPath.delete(key);
      if (sub.found !== undefined) return sub;
      if (sub.reached) reached = true;
      if (sub.blocked) blocked = true;
      else if (!sub.reached) deadEnds.add(cand.cert);
    }
    return { found: undefined, reached, blocked };
  };

  // A leaf that is itself trusted: self-signed anchors (or any anchor with VERIFY_X509_PARTIAL_CHAIN).
  if (store.isAnchor(leaf) && (looksSelfSigned(leaf) || (v.flags & VerifyFlags.VERIFY_X509_PARTIAL_CHAIN) !== 0)) {
    if (tryPath([leaf])) return succeed([leaf]);
  }
  const { found } = search(leaf, 0);
  if (found !== undefined) return succeed(found);
  if (firstFailure !== undefined)
    throw verifyError(firstFailure.code, `depth ${firstFailure.depth}: ${firstFailure.detail}`);
  if (depthLimited) throw verifyError(X509_V_ERR.CERT_CHAIN_TOO_LONG);
  // No path reached an anchor: describe the chain OpenSSL would have built (follow the first candidates).
  const partial: Certificate[] = [leaf];
  const used = new Set<string>([anchorKey(leaf)]);
  for (;;) {
    const top = partial[partial.length - 1] as Certificate;
    if (looksSelfSigned(top)) break;
    const next = candidates(top).find((c) => !c.anchor && !used.has(anchorKey(c.cert)));
    if (next === undefined) break;
    used.add(anchorKey(next.cert));
    partial.push(next.cert);
  }
  const top = partial[partial.length - 1] as Certificate;
  if (looksSelfSigned(top)) {
    throw verifyError(
      partial.length === 1 ? X509_V_ERR.DEPTH_ZERO_SELF_SIGNED_CERT : X509_V_ERR.SELF_SIGNED_CERT_IN_CHAIN,
    );
  }
  throw verifyError(X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

function parseOrUndefined(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der);
  } catch {
    return undefined;
  }
}

function storeOf(anchors: readonly Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const der of anchors) store.add(der);
  return store;
}
