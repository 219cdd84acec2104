/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) ↔ {@link PublicKey}: RSA (RFC 3279 §2.3.1, RFC 8017 A.1.1),
 * RSASSA-PSS keys (RFC 4055 §1.2, §3.1), EC named curves (RFC 5480 §2), Ed25519 and Ed448 (RFC 8410 §4).
 * @module
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { bitLen } from '@noble/curves/utils.js';
import { DerReader, derBitString, derInteger, derNull, derOid, derSequence, Tag } from '../der.js';
import type { AlgorithmIdentifier, Certificate, NamedCurve, PublicKey } from '../types.js';
import { keyDecodeError, unsupportedKeyError } from './key-errors.js';
import { CURVE_OIDS, curveFromOid, OID } from './oids.js';
import { pssParamsFromDer, pssParamsToDer } from './pss-params.js';

/** noble ECDSA instances by curve (internal). */
export const NOBLE_CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** Field element length in octets, per curve (SEC 1 §2.3.5). */
export const CURVE_FIELD_BYTES: Readonly<Record<NamedCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

type RawSpki = Pick<Certificate['spki'], 'algorithm' | 'publicKey'>;

/**
 * Decodes a SubjectPublicKeyInfo, given as DER or as a parsed certificate's `spki`. Algorithms sanstls
 * does not implement (DSA, explicit EC parameters, other curves, …) give `{ kind: 'unsupported' }`;
 * a malformed key for an implemented algorithm (bad encoding, EC point off the curve) throws an
 * `X509ParseError`.
 */
export function parsePublicKey(spki: Uint8Array | RawSpki): PublicKey {
  const { algorithm, publicKey } = spki instanceof Uint8Array ? readSpki(spki) : spki;
  return publicKeyFromAlgorithm(algorithm, publicKey);
}

function readSpki(der: Uint8Array): RawSpki {
  const outer = new DerReader(der, 'SubjectPublicKeyInfo');
  const seq = outer.sequence();
  outer.end();
  const algorithm = readAlgorithmIdentifier(seq, 'SubjectPublicKeyInfo.algorithm');
  const bits = seq.readBitString('SubjectPublicKeyInfo.subjectPublicKey');
  seq.end();
  if (bits.unusedBits !== 0) throw keyDecodeError('subjectPublicKey must be a whole number of octets');
  return { algorithm, publicKey: bits.bytes };
}

/** Reads an AlgorithmIdentifier (RFC 5280 §4.1.1.2) from `reader`. */
export function readAlgorithmIdentifier(reader: DerReader, what: string): AlgorithmIdentifier {
  const element = reader.read(Tag.SEQUENCE, what);
  const inner = new DerReader(element.content, what);
  const oid = inner.readOid(what);
  const parameters = inner.done ? undefined : inner.readAny().raw;
  inner.end(what);
  return { oid, parameters, der: element.raw };
}

function isDerNull(parameters: Uint8Array | undefined): boolean {
  return parameters !== undefined && parameters.length === 2 && parameters[0] === Tag.NULL && parameters[1] === 0;
}

function publicKeyFromAlgorithm(algorithm: AlgorithmIdentifier, key: Uint8Array): PublicKey {
  switch (algorithm.oid) {
    case OID.rsaEncryption: {
      // RFC 3279 §2.3.1: the parameters field MUST be NULL; absent is tolerated as OpenSSL does.
      if (algorithm.parameters !== undefined && !isDerNull(algorithm.parameters)) {
        throw keyDecodeError('rsaEncryption parameters must be NULL');
      }
      return { kind: 'rsa', ...readRsaPublicKey(key) };
    }
    case OID.rsassaPss: {
      // RFC 4055 §1.2: absent parameters mean the key may be used with any PSS parameters.
      const restriction = algorithm.parameters === undefined ? undefined : pssParamsFromDer(algorithm.parameters);
      if (algorithm.parameters !== undefined && restriction === undefined) {
        throw keyDecodeError('malformed RSASSA-PSS key parameters');
      }
      return { kind: 'rsa-pss', ...readRsaPublicKey(key), restriction };
    }
    case OID.ecPublicKey:
      return readEcPublicKey(algorithm, key);
    case OID.ed25519:
    case OID.ed448: {
      const ed25519 = algorithm.oid === OID.ed25519;
      // RFC 8410 §3: the parameters MUST be absent.
      if (algorithm.parameters !== undefined) throw keyDecodeError('EdDSA key parameters must be absent');
      const length = ed25519 ? 32 : 57;
      if (key.length !== length)
        throw keyDecodeError(`${ed25519 ? 'Ed25519' : 'Ed448'} public key must be ${length} octets`);
      return ed25519 ? { kind: 'ed25519', key: key.slice() } : { kind: 'ed448', key: key.slice() };
    }
    default:
      return { kind: 'unsupported', algorithm: algorithm.oid };
  }
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1). */
export function readRsaPublicKey(der: Uint8Array): { n: bigint; e: bigint; bits: number } {
  const outer = new DerReader(der, 'RSAPublicKey');
  const seq = outer.sequence();
  outer.end();
  const n = seq.readBigInt('RSAPublicKey.modulus');
  const e = seq.readBigInt('RSAPublicKey.publicExponent');
  seq.end();
  checkRsaPublic(n, e);
  return { n, e, bits: bitLen(n) };
}

/** Sanity rules every RSA public key must meet before arithmetic touches it. */
export function checkRsaPublic(n: bigint, e: bigint): void {
  if (n <= 0n || (n & 1n) === 0n) throw keyDecodeError('RSA modulus must be positive and odd');
  if (bitLen(n) < 256 || bitLen(n) > 16384) throw keyDecodeError('RSA modulus size out of range (256..16384 bits)');
  if (e < 3n || (e & 1n) === 0n || e >= n)
    throw keyDecodeError('RSA public exponent must be odd, at least 3 and below n');
  // OpenSSL's bound (RSA_MAX_PUBEXP_BITS above RSA_SMALL_MODULUS_BITS): keeps verification cheap on big keys.
  if (bitLen(n) > 3072 && bitLen(e) > 64)
    throw keyDecodeError('RSA public exponent above 64 bits with a modulus above 3072 bits');
}

function readEcPublicKey(algorithm: AlgorithmIdentifier, key: Uint8Array): PublicKey {
  // RFC 5480 §2.1.1: ECParameters is a CHOICE; only namedCurve is allowed in PKIX (implicitCurve and
  // specifiedCurve MUST NOT be used), so anything else is reported as unsupported.
  const params = algorithm.parameters;
  if (params === undefined) throw keyDecodeError('id-ecPublicKey requires curve parameters');
  if (params[0] !== Tag.OID) {
    new DerReader(params, 'ECParameters').readAny();
    return { kind: 'unsupported', algorithm: `${OID.ecPublicKey} (explicit or implicit curve parameters)` };
  }
  const curveOid = new DerReader(params, 'ECParameters').readOid();
  const curve = curveFromOid(curveOid);
  if (curve === undefined) return { kind: 'unsupported', algorithm: `${OID.ecPublicKey} curve ${curveOid}` };
  return { kind: 'ec', curve, point: decodeEcPoint(curve, key) };
}

/**
 * Validates a SEC 1 §2.3.4 point (uncompressed or compressed) on `curve` and returns it uncompressed.
 * RFC 5480 §2.2: uncompressed MUST be supported, compressed MAY be; hybrid forms are rejected.
 */
export function decodeEcPoint(curve: NamedCurve, encoded: Uint8Array): Uint8Array {
  const fieldBytes = CURVE_FIELD_BYTES[curve];
  const first = encoded[0];
  const lengthOk =
    (first === 0x04 && encoded.length === 1 + 2 * fieldBytes) ||
    ((first === 0x02 || first === 0x03) && encoded.length === 1 + fieldBytes);
  if (!lengthOk)
    throw keyDecodeError(`${curve} public key is not an uncompressed or compressed point of the right length`);
  try {
    // fromBytes checks the coordinates are field elements and the point is on the curve (SEC 1 §3.2.2).
    return NOBLE_CURVES[curve].Point.fromBytes(encoded).toBytes(false);
  } catch {
    throw keyDecodeError(`${curve} public key is not a valid curve point`);
  }
}

/** Encodes a {@link PublicKey} as SubjectPublicKeyInfo DER. */
export function encodeSpki(key: PublicKey): Uint8Array {
  switch (key.kind) {
    case 'rsa':
      return derSequence(
        derSequence(derOid(OID.rsaEncryption), derNull()),
        derBitString(encodeRsaPublicKey(key.n, key.e)),
      );
    case 'rsa-pss': {
      const algorithm =
        key.restriction === undefined
          ? derSequence(derOid(OID.rsassaPss))
          : derSequence(derOid(OID.rsassaPss), pssParamsToDer(key.restriction));
      return derSequence(algorithm, derBitString(encodeRsaPublicKey(key.n, key.e)));
    }
    case 'ec':
      return derSequence(derSequence(derOid(OID.ecPublicKey), derOid(CURVE_OIDS[key.curve])), derBitString(key.point));
    case 'ed25519':
      return derSequence(derSequence(derOid(OID.ed25519)), derBitString(key.key));
    case 'ed448':
      return derSequence(derSequence(derOid(OID.ed448)), derBitString(key.key));
    case 'unsupported':
      throw unsupportedKeyError(`cannot encode a public key of algorithm ${key.algorithm}`);
  }
}

export function encodeRsaPublicKey(n: bigint, e: bigint): Uint8Array {
  return derSequence(derInteger(n), derInteger(e));
}
