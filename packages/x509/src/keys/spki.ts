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
import { modPow } from './rsa.js';

/**
 * The curves' equations y² = x³ − 3x + b over GF(p) (FIPS 186-5 / SEC 2 §2.4.2, §2.5.1, §2.6.1: a = −3
 * for all three). {@link decodeEcPoint} checks points with them in BigInt rather than through noble's
 * curve objects, so parsing certificates does not bring noble's Weierstrass arithmetic into a bundle whose
 * signatures and key exchange happen elsewhere (the WebCrypto client, issue #9). keys-spki tests compare
 * the constants and the decoding with noble's.
 */
const CURVE_EQUATIONS: Readonly<Record<NamedCurve, { readonly p: bigint; readonly b: bigint }>> = {
  'P-256': {
    p: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    p: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    b: 0x51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

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

/** Big-endian unsigned bytes → bigint. */
function unsignedBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const byte of bytes) v = (v << 8n) | BigInt(byte);
  return v;
}

/**
 * Validates a SEC 1 §2.3.4 point (uncompressed or compressed) on `curve` and returns it uncompressed.
 * RFC 5480 §2.2: uncompressed MUST be supported, compressed MAY be; hybrid forms are rejected.
 * SEC 1 §3.2.2.1: both coordinates are field elements (below p) and the point satisfies the curve's
 * equation; the curves have prime order, so every such point is a valid public key (never the identity,
 * which has no encoding here).
 */
export function decodeEcPoint(curve: NamedCurve, encoded: Uint8Array): Uint8Array {
  const fieldBytes = CURVE_FIELD_BYTES[curve];
  const first = encoded[0];
  const lengthOk =
    (first === 0x04 && encoded.length === 1 + 2 * fieldBytes) ||
    ((first === 0x02 || first === 0x03) && encoded.length === 1 + fieldBytes);
  if (!lengthOk)
    throw keyDecodeError(`${curve} public key is not an uncompressed or compressed point of the right length`);
  const invalid = () => keyDecodeError(`${curve} public key is not a valid curve point`);
  const { p, b } = CURVE_EQUATIONS[curve];
  const x = unsignedBigInt(encoded.subarray(1, 1 + fieldBytes));
  if (x >= p) throw invalid();
  // y² = x³ − 3x + b (mod p)
  const ySquared = (((((x * x) % p) * x - 3n * x + b) % p) + p) % p;
  if (first === 0x04) {
    const y = unsignedBigInt(encoded.subarray(1 + fieldBytes));
    if (y >= p || (y * y) % p !== ySquared) throw invalid();
    return encoded.slice();
  }
  // SEC 1 §2.3.4 step 3: p ≡ 3 (mod 4) for all three curves, so a square root (when one exists) is
  // ySquared^((p + 1) / 4); the prefix's low bit picks between y and p − y. y = 0 would be a point of
  // order 2, which prime-order curves lack.
  let y = modPow(ySquared, (p + 1n) >> 2n, p);
  if ((y * y) % p !== ySquared) throw invalid();
  if (Number(y & 1n) !== (first & 1)) y = p - y;
  const out = new Uint8Array(1 + 2 * fieldBytes);
  out[0] = 0x04;
  out.set(encoded.subarray(1), 1);
  for (let i = out.length - 1; i > fieldBytes; i--) {
    out[i] = Number(y & 0xffn);
    y >>= 8n;
  }
  return out;
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
