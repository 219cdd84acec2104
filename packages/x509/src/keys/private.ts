/**
 * Private key loading: PKCS #8 OneAsymmetricKey (RFC 5958 §2) for RSA, EC and Ed25519; PKCS #1
 * RSAPrivateKey (RFC 8017 A.1.2); SEC 1 ECPrivateKey (RFC 5915 §3); EncryptedPrivateKeyInfo (RFC 5958 §3)
 * with PBES2 (RFC 8018); OpenSSL's legacy encrypted PEM. DER or PEM input, with a password given the
 * ways Python's `load_cert_chain(password=…)` accepts: string, bytes or a callback returning either
 * (called only when the key is encrypted).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bitLen, bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { contextConstructed, contextPrimitive, DerReader, decodeBitString, Tag } from '../der.js';
import { SSLError } from '../errors.js';
import { pemBlocks } from '../parse/pem.js';
import type { AlgorithmIdentifier, NamedCurve, PrivateKey, PublicKey } from '../types.js';
import { constantTimeEqual } from './hash.js';
import { keyDecodeError, unsupportedKeyError } from './key-errors.js';
import { curveFromOid, OID } from './oids.js';
import { badDecrypt, legacyPemDecrypt, pbes2Decrypt } from './pbes2.js';
import { pssParamsFromDer } from './pss-params.js';
import {
  CURVE_FIELD_BYTES,
  checkRsaPublic,
  decodeEcPoint,
  NOBLE_CURVES,
  parsePublicKey,
  readAlgorithmIdentifier,
} from './spki.js';

/** A password as Python's `load_cert_chain` takes it: text (UTF-8 encoded), bytes, or a callback. */
export type PasswordInput = string | Uint8Array | (() => string | Uint8Array);

type RsaPrivateKey = Extract<PrivateKey, { kind: 'rsa' }>;
type EcPrivateKey = Extract<PrivateKey, { kind: 'ec' }>;

/**
 * Loads a private key from PEM text (the first private-key block; other blocks such as certificates
 * are skipped, as Python allows the key inside the certificate file) or DER bytes (PKCS #8, encrypted
 * PKCS #8, PKCS #1 or SEC 1, told apart by structure).
 *
 * Errors: a wrong password → `[EVP: BAD_DECRYPT] bad decrypt`; an encrypted key without a password →
 * `[PEM: BAD_PASSWORD_READ]`; no key in the PEM → `[PEM: NO_START_LINE]`; unsupported algorithms or
 * ciphers → a "not supported" SSLError; malformed input → X509ParseError.
 */
export function loadPrivateKey(pemOrDer: string | Uint8Array, password?: PasswordInput): PrivateKey {
  const text = typeof pemOrDer === 'string' ? pemOrDer : asPemText(pemOrDer);
  if (text === undefined) return loadDerPrivateKey(pemOrDer as Uint8Array, password);
  // Any "… PRIVATE KEY" label, so that DSA or other keys get a clear "not supported" below.
  const block = pemBlocks(text).find((b) => b.label.endsWith('PRIVATE KEY'));
  if (block === undefined) {
    throw new SSLError('no private key found in PEM data', { library: 'PEM', reason: 'NO_START_LINE' });
  }
  const encryptedLegacy = block.headers.some(
    ([name, value]) => name.toLowerCase() === 'proc-type' && value.includes('ENCRYPTED'),
  );
  const der = encryptedLegacy ? legacyPemDecrypt(block.headers, block.der, requirePassword(password)) : block.der;
  const parse = (): PrivateKey => {
    switch (block.label) {
      case 'PRIVATE KEY':
        return parsePkcs8PrivateKey(der);
      case 'RSA PRIVATE KEY':
        return parseRsaPrivateKey(der);
      case 'EC PRIVATE KEY':
        return parseEcPrivateKey(der, undefined);
      case 'ENCRYPTED PRIVATE KEY':
        return decryptPkcs8PrivateKey(der, requirePassword(password));
      default:
        throw unsupportedKeyError(`PEM private key type "${block.label}"`);
    }
  };
  // After a legacy decryption, garbage means a wrong password (the padding check passes by chance 1/256).
  return encryptedLegacy ? decryptOrBadDecrypt(parse) : parse();
}

/** Bytes holding PEM text (a file read as bytes) rather than DER. */
function asPemText(bytes: Uint8Array): string | undefined {
  if (bytes[0] === Tag.SEQUENCE) return undefined;
  const text = new TextDecoder('latin1').decode(bytes);
  return text.includes('-----BEGIN ') ? text : undefined;
}

function loadDerPrivateKey(der: Uint8Array, password: PasswordInput | undefined): PrivateKey {
  // Tell the formats apart by their first fields: EncryptedPrivateKeyInfo starts with an
  // AlgorithmIdentifier; OneAsymmetricKey has INTEGER, SEQUENCE; RSAPrivateKey INTEGER, INTEGER;
  // ECPrivateKey INTEGER, OCTET STRING.
  const outer = new DerReader(der, 'private key');
  const seq = outer.sequence();
  outer.end();
  const first = seq.readAny();
  if (first.tag === Tag.SEQUENCE) return decryptPkcs8PrivateKey(der, requirePassword(password));
  if (first.tag !== Tag.INTEGER) throw keyDecodeError('unrecognised private key encoding');
  switch (seq.peekTag()) {
    case Tag.SEQUENCE:
      return parsePkcs8PrivateKey(der);
    case Tag.INTEGER:
      return parseRsaPrivateKey(der);
    case Tag.OCTET_STRING:
      return parseEcPrivateKey(der, undefined);
    default:
      throw keyDecodeError('unrecognised private key encoding');
  }
}

function requirePassword(password: PasswordInput | undefined): Uint8Array {
  const value = typeof password === 'function' ? password() : password;
  if (value === undefined) {
    throw new SSLError('the private key is encrypted and no password was given', {
      library: 'PEM',
      reason: 'BAD_PASSWORD_READ',
    });
  }
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return value;
  throw new SSLError('password callback must return a string or bytes', {
    library: 'PEM',
    reason: 'BAD_PASSWORD_READ',
  });
}

/** Runs a parse of freshly decrypted bytes; any decoding failure there means the password was wrong. */
function decryptOrBadDecrypt<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SSLError && (error.library === 'ASN1' || error.reason === 'KEY_DECODE_ERROR'))
      throw badDecrypt();
    throw error;
  }
}

/** EncryptedPrivateKeyInfo (RFC 5958 §3) → decrypted OneAsymmetricKey → key. */
export function decryptPkcs8PrivateKey(der: Uint8Array, password: Uint8Array): PrivateKey {
  const outer = new DerReader(der, 'EncryptedPrivateKeyInfo');
  const seq = outer.sequence();
  outer.end();
  const algorithm = readAlgorithmIdentifier(seq, 'EncryptedPrivateKeyInfo.encryptionAlgorithm');
  const encrypted = seq.readOctetString('EncryptedPrivateKeyInfo.encryptedData');
  seq.end();
  const plain = pbes2Decrypt(algorithm, encrypted, password);
  return decryptOrBadDecrypt(() => parsePkcs8PrivateKey(plain));
}

/** OneAsymmetricKey / PrivateKeyInfo (RFC 5958 §2). */
export function parsePkcs8PrivateKey(der: Uint8Array): PrivateKey {
  const outer = new DerReader(der, 'PrivateKeyInfo');
  const seq = outer.sequence();
  outer.end();
  const version = seq.readSmallInt('PrivateKeyInfo.version');
  if (version !== 0 && version !== 1) throw keyDecodeError('PrivateKeyInfo version must be 0 or 1');
  const algorithm = readAlgorithmIdentifier(seq, 'PrivateKeyInfo.privateKeyAlgorithm');
  const privateKey = seq.readOctetString('PrivateKeyInfo.privateKey');
  seq.readOptional(contextConstructed(0)); // attributes: not needed
  const publicKeyField = seq.readOptional(contextPrimitive(1));
  seq.end();
  // RFC 5958 §2: publicKey appears only in version 2 (encoded 1).
  if (publicKeyField !== undefined && version !== 1)
    throw keyDecodeError('PrivateKeyInfo publicKey requires version 2');

  const key = privateKeyFromAlgorithm(algorithm, privateKey);
  if (publicKeyField !== undefined) {
    // RFC 5958 §2: the optional publicKey must be the one the private key implies.
    const bits = decodeBitString(publicKeyField.content, 'PrivateKeyInfo.publicKey');
    const encoded = bits.unusedBits === 0 ? parsePublicKey({ algorithm, publicKey: bits.bytes }) : undefined;
    if (encoded === undefined || !privateKeyMatchesPublicKey(key, encoded)) {
      throw keyDecodeError('PrivateKeyInfo publicKey does not match the private key');
    }
  }
  return key;
}

function privateKeyFromAlgorithm(algorithm: AlgorithmIdentifier, privateKey: Uint8Array): PrivateKey {
  switch (algorithm.oid) {
    case OID.rsaEncryption:
      if (
        algorithm.parameters !== undefined &&
        !(algorithm.parameters.length === 2 && algorithm.parameters[0] === Tag.NULL)
      ) {
        throw keyDecodeError('rsaEncryption parameters must be NULL');
      }
      return parseRsaPrivateKey(privateKey);
    case OID.ecPublicKey: {
      if (algorithm.parameters === undefined || algorithm.parameters[0] !== Tag.OID) {
        throw unsupportedKeyError('EC private keys without a named curve');
      }
      const curveOid = new DerReader(algorithm.parameters, 'ECParameters').readOid();
      const curve = curveFromOid(curveOid);
      if (curve === undefined) throw unsupportedKeyError(`EC curve ${curveOid}`);
      return parseEcPrivateKey(privateKey, curve);
    }
    case OID.ed25519: {
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside privateKey; parameters absent.
      if (algorithm.parameters !== undefined) throw keyDecodeError('Ed25519 key parameters must be absent');
      const inner = new DerReader(privateKey, 'CurvePrivateKey');
      const seed = inner.readOctetString();
      inner.end();
      if (seed.length !== 32) throw keyDecodeError('Ed25519 private key must be 32 octets');
      return { kind: 'ed25519', seed: seed.slice(), key: ed25519.getPublicKey(seed) };
    }
    case OID.rsassaPss: {
      // RFC 4055 §1.2: the same RSAPrivateKey under id-RSASSA-PSS; absent parameters allow any PSS
      // parameters, present ones restrict the hash, MGF and minimum salt length (§3.3).
      const restriction = algorithm.parameters === undefined ? undefined : pssParamsFromDer(algorithm.parameters);
      if (algorithm.parameters !== undefined && restriction === undefined) {
        throw keyDecodeError('malformed RSASSA-PSS key parameters');
      }
      return { ...parseRsaPrivateKey(privateKey), pssOnly: { restriction } };
    }
    case OID.ed448:
      throw unsupportedKeyError('Ed448 private keys');
    default:
      throw unsupportedKeyError(`private key algorithm ${algorithm.oid}`);
  }
}

/** RSAPrivateKey (RFC 8017 A.1.2), two-prime only, with its components cross-checked. */
export function parseRsaPrivateKey(der: Uint8Array): RsaPrivateKey {
  const outer = new DerReader(der, 'RSAPrivateKey');
  const seq = outer.sequence();
  outer.end();
  const version = seq.readSmallInt('RSAPrivateKey.version');
  if (version === 1) throw unsupportedKeyError('multi-prime RSA private keys');
  if (version !== 0) throw keyDecodeError('RSAPrivateKey version must be 0');
  const [n, e, d, p, q, dp, dq, qinv] = [
    'modulus',
    'publicExponent',
    'privateExponent',
    'prime1',
    'prime2',
    'exponent1',
    'exponent2',
    'coefficient',
  ].map((field) => seq.readBigInt(`RSAPrivateKey.${field}`)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  seq.end();
  checkRsaPublic(n, e);
  // The CRT signing path needs all of these to agree (RFC 8017 §3.2); a mismatch is a corrupt key.
  const consistent =
    p > 1n &&
    q > 1n &&
    d > 0n &&
    p * q === n &&
    dp === d % (p - 1n) &&
    dq === d % (q - 1n) &&
    (e * dp) % (p - 1n) === 1n &&
    (e * dq) % (q - 1n) === 1n &&
    qinv > 0n &&
    qinv < p &&
    (qinv * q) % p === 1n;
  if (!consistent) throw keyDecodeError('RSA private key components are inconsistent');
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qinv, bits: bitLen(n) };
}

/**
 * ECPrivateKey (RFC 5915 §3). `curve` comes from the PKCS #8 AlgorithmIdentifier when wrapped; a
 * standalone SEC 1 key must name its curve in `parameters`. The public point is computed from d and
 * must equal the encoded one when present.
 */
export function parseEcPrivateKey(der: Uint8Array, curve: NamedCurve | undefined): EcPrivateKey {
  const outer = new DerReader(der, 'ECPrivateKey');
  const seq = outer.sequence();
  outer.end();
  if (seq.readSmallInt('ECPrivateKey.version') !== 1) throw keyDecodeError('ECPrivateKey version must be 1');
  const dBytes = seq.readOctetString('ECPrivateKey.privateKey');
  const paramsField = seq.readOptional(contextConstructed(0));
  const publicField = seq.readOptional(contextConstructed(1));
  seq.end();
  let namedCurve = curve;
  if (paramsField !== undefined) {
    const r = new DerReader(paramsField.content, 'ECPrivateKey.parameters');
    if (r.peekTag() !== Tag.OID) throw unsupportedKeyError('EC private keys with explicit curve parameters');
    const oid = r.readOid();
    r.end();
    const fromParams = curveFromOid(oid);
    if (fromParams === undefined) throw unsupportedKeyError(`EC curve ${oid}`);
    if (curve !== undefined && curve !== fromParams)
      throw keyDecodeError('ECPrivateKey parameters disagree with the key algorithm');
    namedCurve = fromParams;
  }
  if (namedCurve === undefined) throw keyDecodeError('EC private key does not name its curve');
  const fieldBytes = CURVE_FIELD_BYTES[namedCurve];
  const noble = NOBLE_CURVES[namedCurve];
  const dValue = bytesToNumberBE(dBytes);
  // RFC 5915: privateKey is ceiling(log2(n)/8) octets; shorter (leading zeros dropped) is tolerated.
  if (dBytes.length === 0 || dBytes.length > fieldBytes || dValue < 1n || dValue >= noble.Point.Fn.ORDER) {
    throw keyDecodeError(`${namedCurve} private key is out of range`);
  }
  const d = numberToBytesBE(dValue, noble.Point.Fn.BYTES);
  const point = noble.getPublicKey(d, false);
  if (publicField !== undefined) {
    const r = new DerReader(publicField.content, 'ECPrivateKey.publicKey');
    const bits = r.readBitString();
    r.end();
    if (bits.unusedBits !== 0 || !constantTimeEqual(decodeEcPoint(namedCurve, bits.bytes), point)) {
      throw keyDecodeError('EC public key does not match the private key');
    }
  }
  return { kind: 'ec', curve: namedCurve, d, point };
}

/** The public half of a private key. */
export function publicKeyFromPrivate(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case 'rsa':
      return key.pssOnly === undefined
        ? { kind: 'rsa', n: key.n, e: key.e, bits: key.bits }
        : { kind: 'rsa-pss', n: key.n, e: key.e, bits: key.bits, restriction: key.pssOnly.restriction };
    case 'ec':
      return { kind: 'ec', curve: key.curve, point: key.point };
    case 'ed25519':
      return { kind: 'ed25519', key: key.key };
  }
}

/** Whether `pub` (e.g. a certificate's key) is the public half of `priv`. */
export function privateKeyMatchesPublicKey(priv: PrivateKey, pub: PublicKey): boolean {
  switch (priv.kind) {
    case 'rsa':
      return (pub.kind === 'rsa' || pub.kind === 'rsa-pss') && pub.n === priv.n && pub.e === priv.e;
    case 'ec':
      return pub.kind === 'ec' && pub.curve === priv.curve && constantTimeEqual(pub.point, priv.point);
    case 'ed25519':
      return pub.kind === 'ed25519' && constantTimeEqual(pub.key, priv.key);
  }
}

/** Throws OpenSSL's `[X509: KEY_VALUES_MISMATCH] key values mismatch` unless `pub` belongs to `priv`. */
export function assertPrivateKeyMatches(priv: PrivateKey, pub: PublicKey): void {
  if (!privateKeyMatchesPublicKey(priv, pub)) {
    throw new SSLError('key values mismatch', { library: 'X509', reason: 'KEY_VALUES_MISMATCH' });
  }
}
