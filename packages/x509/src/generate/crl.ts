/**
 * CRL generation (RFC 5280 §5): a v2 CertificateList with the authorityKeyIdentifier and cRLNumber
 * extensions every conforming CRL issuer includes (§5.2.1, §5.2.3).
 * @module
 */
import { derExplicit, derInteger, derSequence, derTime, derUnsignedInteger } from '../der.js';
import { x509AlgorithmIdentifier } from '../keys/algorithms.js';
import { pemEncode } from '../parse/pem.js';
import type { HashName, SignatureAlgorithm, SignatureProvider } from '../types.js';
import { defaultSignatureAlgorithm, type IssuerInput, resolveIssuer, signStructure } from './certificate.js';
import { invalidArgument } from './errors.js';
import {
  authorityKeyIdentifierExtension,
  CrlReason,
  type CrlReasonName,
  crlNumberExtension,
  encodeExtensions,
  reasonCodeExtension,
} from './extensions.js';
import { defaultSignatureProvider } from './key-bridge.js';
import { type RandomBytes, resolveNow, resolveRandomBytes } from './random.js';

/** One revoked certificate. */
export interface RevokedEntry {
  /**
   * The certificate's serial: a bigint, or unsigned big-endian octets (a parsed certificate's
   * `serialNumber` fits: a positive serial's content octets are its magnitude).
   */
  readonly serialNumber: bigint | number | Uint8Array;
  readonly revocationDate: Date;
  /** Written as a reasonCode entry extension, except `unspecified` (§5.3.1: SHOULD be absent). */
  readonly reason?: CrlReasonName;
}

export interface CrlOptions {
  readonly issuer: IssuerInput;
  readonly revoked?: readonly RevokedEntry[];
  /** Default `now`. */
  readonly thisUpdate?: Date;
  /** Default `thisUpdate` + 30 days (§5.1.2.5: conforming issuers MUST include nextUpdate). */
  readonly nextUpdate?: Date;
  /** Default 1. */
  readonly crlNumber?: bigint | number;
  readonly now?: Date;
  readonly signatureHash?: HashName;
  readonly signatureAlgorithm?: SignatureAlgorithm;
  readonly randomBytes?: RandomBytes;
  readonly signatureProvider?: SignatureProvider;
}

/** A generated CRL. */
export interface GeneratedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
}

const DAY_MS = 86_400_000;

function serialDer(serial: RevokedEntry['serialNumber']): Uint8Array {
  if (serial instanceof Uint8Array) {
    if (serial.length === 0 || serial.length > 21) throw invalidArgument('revoked serial must be 1 to 21 octets');
    return derUnsignedInteger(serial);
  }
  return derInteger(serial);
}

/**
 * Creates and signs a CRL.
 *
 * @example
 * ```ts
 * const crl = createCrl({
 *   issuer: { certificate: root.der, key: rootKey },
 *   revoked: [{ serialNumber: leaf.certificate.serialNumber, revocationDate: new Date(), reason: 'keyCompromise' }],
 * });
 * ```
 */
export function createCrl(opts: CrlOptions): GeneratedCrl {
  const randomBytes = resolveRandomBytes(opts.randomBytes);
  const now = resolveNow(opts.now);
  const issuer = resolveIssuer(opts.issuer);
  const thisUpdate = opts.thisUpdate ?? now;
  const nextUpdate = opts.nextUpdate ?? new Date(thisUpdate.getTime() + 30 * DAY_MS);
  if (nextUpdate.getTime() < thisUpdate.getTime()) throw invalidArgument('nextUpdate is before thisUpdate');
  const algorithm = opts.signatureAlgorithm ?? defaultSignatureAlgorithm(issuer.key, opts.signatureHash);
  const algorithmDer = x509AlgorithmIdentifier(algorithm);

  const entries = (opts.revoked ?? []).map((r) => {
    const reason = r.reason === undefined || r.reason === 'unspecified' ? undefined : CrlReason[r.reason];
    if (r.reason !== undefined && CrlReason[r.reason] === undefined)
      throw invalidArgument(`unknown CRL reason "${r.reason}"`);
    return derSequence(
      serialDer(r.serialNumber),
      derTime(r.revocationDate),
      ...(reason !== undefined ? [encodeExtensions([reasonCodeExtension(reason)])] : []),
    );
  });

  // §5.1: TBSCertList ::= SEQUENCE { version v2, signature, issuer, thisUpdate, nextUpdate,
  // revokedCertificates OPTIONAL (absent when empty, §5.1.2.6), crlExtensions [0] EXPLICIT }.
  const tbs = derSequence(
    derInteger(1),
    algorithmDer,
    issuer.name,
    derTime(thisUpdate),
    derTime(nextUpdate),
    ...(entries.length > 0 ? [derSequence(...entries)] : []),
    derExplicit(
      0,
      encodeExtensions([authorityKeyIdentifierExtension(issuer.keyId), crlNumberExtension(opts.crlNumber ?? 1)]),
    ),
  );
  const der = signStructure(
    tbs,
    algorithmDer,
    algorithm,
    issuer.key,
    opts.signatureProvider ?? defaultSignatureProvider(),
    randomBytes,
  );
  return { der, pem: pemEncode('X509 CRL', der) };
}
