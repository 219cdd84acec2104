/**
 * Revocation checking with complete CRLs (RFC 5280 §6.3, simplified to what OpenSSL's
 * `X509_V_FLAG_CRL_CHECK(_ALL)` does for direct CRLs): a CRL applies to a certificate when its issuer
 * name is the certificate's issuer and it is signed by the certificate's issuer (in the validated path).
 *
 * Not supported, and so never used to decide "not revoked": indirect CRLs, delta CRLs and CRLs scoped by
 * a critical issuingDistributionPoint. Such a CRL is skipped; if no usable CRL remains the result is
 * X509_V_ERR_UNABLE_TO_GET_CRL — fail closed.
 * @module
 */
import { compareBytes } from '../der.js';
import type { Certificate, CertificateRevocationList } from '../types.js';
import { KeyUsageBit } from '../types.js';
import { namesEqual } from './names.js';
import { X509_V_ERR } from './verify-errors.js';

const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
const OID_FRESHEST_CRL = '2.5.29.46';

export interface CrlCheckContext {
  readonly crls: readonly CertificateRevocationList[];
  /** Seconds since the epoch. */
  readonly atSeconds: number;
  readonly strict: boolean;
  /** Verifies `crl`'s signature with `issuer`'s key (cached by the caller). */
  readonly verifySignature: (crl: CertificateRevocationList, issuer: Certificate) => boolean;
}

export interface CrlFailure {
  readonly code: number;
  readonly detail: string;
}

/** Why a CRL cannot be used for `issuer`'s certificates, or undefined when it can. */
function unusable(crl: CertificateRevocationList, issuer: Certificate): string | undefined {
  if (!namesEqual(crl.issuer, issuer.subject)) return 'different issuer';
  for (const ext of crl.extensions) {
    if (ext.oid === OID_DELTA_CRL_INDICATOR) return 'delta CRLs are not supported';
    if (ext.oid === OID_ISSUING_DISTRIBUTION_POINT && ext.critical)
      return 'scoped CRLs (issuingDistributionPoint) are not supported';
  }
  const aki = crl.authorityKeyIdentifier;
  if (
    aki !== undefined &&
    issuer.subjectKeyIdentifier !== undefined &&
    compareBytes(aki, issuer.subjectKeyIdentifier) !== 0
  ) {
    return 'authority key identifier does not match the issuer';
  }
  return undefined;
}

/**
 * Checks `cert` (issued by `issuer`) against the CRLs. Returns undefined when a usable, valid CRL from
 * the issuer does not list it; otherwise the X509_V_ERR failure (3, 8, 11, 12, 23, 35, 36).
 */
export function checkRevocation(cert: Certificate, issuer: Certificate, ctx: CrlCheckContext): CrlFailure | undefined {
  let firstProblem: CrlFailure | undefined;
  const note = (code: number, detail: string): void => {
    firstProblem ??= { code, detail };
  };
  for (const crl of ctx.crls) {
    if (unusable(crl, issuer) !== undefined) continue;
    // §6.3.3(f): the CRL issuer's key usage, when present, must assert cRLSign.
    if (issuer.keyUsage !== undefined && !issuer.keyUsage.has(KeyUsageBit.cRLSign)) {
      note(X509_V_ERR.KEYUSAGE_NO_CRL_SIGN, 'issuer key usage lacks cRLSign');
      continue;
    }
    let badExtension = false;
    for (const ext of crl.extensions) {
      // §5.2.3: the CRL number is non-critical; an unknown critical extension makes the CRL unusable (§5.2).
      const known =
        ext.oid === OID_CRL_NUMBER || ext.oid === OID_AUTHORITY_KEY_IDENTIFIER || ext.oid === OID_FRESHEST_CRL;
      if (ext.critical && (!known || ext.oid === OID_CRL_NUMBER)) badExtension = true;
    }
    if (badExtension) {
      note(X509_V_ERR.UNHANDLED_CRITICAL_CRL_EXTENSION, 'critical CRL extension');
      continue;
    }
    // §5.2.3: "conforming CRL issuers MUST include this extension in all CRLs".
    if (ctx.strict && crl.crlNumber === undefined) {
      note(X509_V_ERR.UNHANDLED_CRITICAL_CRL_EXTENSION, 'CRL without a CRL number');
      continue;
    }
    if (compareBytes(crl.signatureAlgorithm.der, crl.tbsSignatureAlgorithm.der) !== 0) {
      note(X509_V_ERR.CRL_SIGNATURE_FAILURE, 'CRL signature algorithms differ');
      continue;
    }
    if (Math.floor(crl.thisUpdate / 1000) > ctx.atSeconds) {
      note(X509_V_ERR.CRL_NOT_YET_VALID, 'CRL thisUpdate is in the future');
      continue;
    }
    if (crl.nextUpdate !== undefined && Math.floor(crl.nextUpdate / 1000) < ctx.atSeconds) {
      note(X509_V_ERR.CRL_HAS_EXPIRED, 'CRL nextUpdate has passed');
      continue;
    }
    if (!ctx.verifySignature(crl, issuer)) {
      note(X509_V_ERR.CRL_SIGNATURE_FAILURE, 'bad CRL signature');
      continue;
    }
    for (const entry of crl.revoked) {
      if (compareBytes(entry.serialNumber, cert.serialNumber) === 0) {
        return { code: X509_V_ERR.CERT_REVOKED, detail: 'serial number listed in the CRL' };
      }
    }
    return undefined;
  }
  return firstProblem ?? { code: X509_V_ERR.UNABLE_TO_GET_CRL, detail: 'no CRL from the certificate issuer' };
}
