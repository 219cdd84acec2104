/**
 * PKCS #12 / PFX (RFC 7292) as `openssl pkcs12 -export` writes it in OpenSSL 3: an AuthenticatedSafe of
 * `data` and `encryptedData` ContentInfos (RFC 7292 §4.1, RFC 5652 §8) holding a shrouded key bag
 * (PBES2) and certificate bags, protected by an HMAC whose key comes from the App. B.2 KDF.
 * Legacy PKCS #12 encryption (RC2, 3DES, RC4 with the App. C PBE schemes) is refused with a "not
 * supported" error.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { contextConstructed, DerReader, Tag } from '../der.js';
import { SSLError } from '../errors.js';
import type { HashName, PrivateKey } from '../types.js';
import { constantTimeEqual, digest, digestLength, nobleHash } from './hash.js';
import { keyDecodeError, unsupportedKeyError } from './key-errors.js';
import { hashFromOid, OID } from './oids.js';
import { MAX_PBKDF2_ITERATIONS, pbes2Decrypt } from './pbes2.js';
import { decryptPkcs8PrivateKey, parsePkcs8PrivateKey, privateKeyMatchesPublicKey } from './private.js';
import { parsePublicKey, readAlgorithmIdentifier } from './spki.js';

export interface Pkcs12Contents {
  readonly key: PrivateKey;
  /** DER certificates: the one matching `key` first, then the others in file order. */
  readonly certificates: Uint8Array[];
}

/** The PKCS #12 PBE OIDs (RFC 7292 App. C) that legacy files use. */
const LEGACY_PBE_PREFIX = '1.2.840.113549.1.12.1.';

/** Hash input block sizes (v in RFC 7292 App. B.2). */
const BLOCK_BYTES: Readonly<Record<HashName, number>> = {
  md5: 64,
  sha1: 64,
  sha224: 64,
  sha256: 64,
  sha384: 128,
  sha512: 128,
};

function macFailure(): SSLError {
  return new SSLError('mac verify failure', { library: 'PKCS12', reason: 'MAC_VERIFY_FAILURE' });
}

/** The password as a null-terminated BMPString (RFC 7292 App. B.1), from UTF-8 text or bytes. */
function bmpPassword(password: Uint8Array): Uint8Array {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(password);
  const out = new Uint8Array(2 * text.length + 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/** RFC 7292 App. B.2 key derivation (ID 3 = MAC key). */
export function pkcs12Kdf(
  hash: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  id: number,
  iterations: number,
  length: number,
): Uint8Array {
  const u = digestLength(hash);
  const v = BLOCK_BYTES[hash];
  const repeatTo = (src: Uint8Array, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  const d = new Uint8Array(v).fill(id);
  const s = salt.length === 0 ? new Uint8Array(0) : repeatTo(salt, v * Math.ceil(salt.length / v));
  const p = password.length === 0 ? new Uint8Array(0) : repeatTo(password, v * Math.ceil(password.length / v));
  const i = new Uint8Array(s.length + p.length);
  i.set(s);
  i.set(p, s.length);
  const out = new Uint8Array(Math.ceil(length / u) * u);
  for (let block = 0; block * u < length; block++) {
    const input = new Uint8Array(v + i.length);
    input.set(d);
    input.set(i, v);
    let a = digest(hash, input);
    for (let r = 1; r < iterations; r++) a = digest(hash, a);
    out.set(a, block * u);
    // I_j = (I_j + B + 1) mod 2^(8v), with B = A repeated to v octets.
    const b = repeatTo(a, v);
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (i[j + k] as number) + (b[k] as number) + carry;
        i[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.subarray(0, length);
}

/** ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY } (RFC 5652 §3). */
function readContentInfo(reader: DerReader, what: string): { type: string; content: Uint8Array } {
  const seq = reader.sequence(what);
  const type = seq.readOid(`${what}.contentType`);
  const explicit = seq.read(contextConstructed(0), `${what}.content`);
  seq.end();
  const inner = new DerReader(explicit.content, `${what}.content`);
  const content = inner.readAny().raw;
  inner.end();
  return { type, content };
}

function octetStringContent(der: Uint8Array, what: string): Uint8Array {
  const r = new DerReader(der, what);
  const value = r.readOctetString();
  r.end();
  return value;
}

/**
 * Loads the private key and certificates from a PKCS #12 file. The MAC (if present) is checked first;
 * a wrong password gives `[PKCS12: MAC_VERIFY_FAILURE] mac verify failure`.
 */
export function loadPkcs12(der: Uint8Array, password: string | Uint8Array = ''): Pkcs12Contents {
  const passwordBytes = typeof password === 'string' ? new TextEncoder().encode(password) : password;
  const outer = new DerReader(der, 'PFX');
  const pfx = outer.sequence();
  outer.end();
  if (pfx.readSmallInt('PFX.version') !== 3) throw keyDecodeError('PFX version must be 3');
  const authSafe = readContentInfo(pfx, 'PFX.authSafe');
  const macData = pfx.done ? undefined : pfx.sequence('PFX.macData');
  pfx.end();
  if (authSafe.type !== OID.pkcs7Data) throw unsupportedKeyError('PKCS #12 with public-key integrity mode');
  const authSafeBytes = octetStringContent(authSafe.content, 'PFX.authSafe');
  if (macData !== undefined) verifyMac(macData, authSafeBytes, passwordBytes);

  const keys: PrivateKey[] = [];
  const certificates: Uint8Array[] = [];
  const safes = new DerReader(authSafeBytes, 'AuthenticatedSafe').sequence();
  while (!safes.done) {
    const info = readContentInfo(safes, 'AuthenticatedSafe ContentInfo');
    let safeContents: Uint8Array;
    if (info.type === OID.pkcs7Data) {
      safeContents = octetStringContent(info.content, 'SafeContents');
    } else if (info.type === OID.pkcs7EncryptedData) {
      safeContents = decryptEncryptedData(info.content, passwordBytes);
    } else {
      throw unsupportedKeyError(`PKCS #12 content type ${info.type}`);
    }
    readSafeContents(safeContents, passwordBytes, keys, certificates, 0);
  }
  const key = keys[0];
  if (key === undefined) throw keyDecodeError('PKCS #12 file holds no private key');
  if (keys.length > 1) throw unsupportedKeyError('PKCS #12 files with more than one private key');
  const matching = certificates.findIndex((cert) => certificateMatches(cert, key));
  if (matching > 0) certificates.unshift(...certificates.splice(matching, 1));
  return { key, certificates };
}

function certificateMatches(cert: Uint8Array, key: PrivateKey): boolean {
  try {
    // Certificate → tbsCertificate → fields up to subjectPublicKeyInfo (RFC 5280 §4.1).
    const tbs = new DerReader(cert).sequence().sequence();
    if (tbs.peekTag() === contextConstructed(0)) tbs.readAny(); // version
    for (let i = 0; i < 5; i++) tbs.readAny(); // serial, signature, issuer, validity, subject
    return privateKeyMatchesPublicKey(key, parsePublicKey(tbs.read(Tag.SEQUENCE).raw));
  } catch (error) {
    if (error instanceof SSLError) return false;
    throw error;
  }
}

/** MacData (RFC 7292 §4): HMAC over the authSafe content with a key from the App. B.2 KDF. */
function verifyMac(macData: DerReader, data: Uint8Array, password: Uint8Array): void {
  const digestInfo = macData.sequence('MacData.mac');
  const algorithm = readAlgorithmIdentifier(digestInfo, 'MacData.mac.digestAlgorithm');
  const expected = digestInfo.readOctetString('MacData.mac.digest');
  digestInfo.end();
  const salt = macData.readOctetString('MacData.macSalt');
  const iterations = macData.done ? 1 : macData.readSmallInt('MacData.iterations');
  macData.end();
  const hash = hashFromOid(algorithm.oid);
  if (hash === undefined || hash === 'md5') throw unsupportedKeyError(`PKCS #12 MAC digest ${algorithm.oid}`);
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS)
    throw unsupportedKeyError(`PKCS #12 MAC iteration count ${iterations}`);
  const key = pkcs12Kdf(hash, bmpPassword(password), salt, 3, iterations, digestLength(hash));
  const mac = hmac(nobleHash(hash), key, data);
  if (!constantTimeEqual(mac, expected)) throw macFailure();
}

/** EncryptedData (RFC 5652 §8) with PBES2 → SafeContents DER. */
function decryptEncryptedData(der: Uint8Array, password: Uint8Array): Uint8Array {
  const outer = new DerReader(der, 'EncryptedData');
  const seq = outer.sequence();
  outer.end();
  seq.readSmallInt('EncryptedData.version');
  const eci = seq.sequence('EncryptedContentInfo');
  seq.end();
  if (eci.readOid() !== OID.pkcs7Data) throw keyDecodeError('EncryptedContentInfo must hold data');
  const algorithm = readAlgorithmIdentifier(eci, 'EncryptedContentInfo.contentEncryptionAlgorithm');
  // encryptedContent [0] IMPLICIT OCTET STRING (primitive form; DER forbids the constructed one).
  const content = eci.read(0x80, 'EncryptedContentInfo.encryptedContent').content;
  eci.end();
  if (algorithm.oid.startsWith(LEGACY_PBE_PREFIX)) {
    throw unsupportedKeyError(
      'legacy PKCS #12 encryption (RC2/3DES/RC4); re-export with OpenSSL 3 defaults (PBES2 with AES)',
    );
  }
  return pbes2Decrypt(algorithm, content, password);
}

/** SafeContents ::= SEQUENCE OF SafeBag (RFC 7292 §4.2). */
function readSafeContents(
  der: Uint8Array,
  password: Uint8Array,
  keys: PrivateKey[],
  certificates: Uint8Array[],
  depth: number,
): void {
  if (depth > 4) throw keyDecodeError('PKCS #12 safe contents nested too deeply');
  const outer = new DerReader(der, 'SafeContents');
  const bags = outer.sequence();
  outer.end();
  while (!bags.done) {
    const bag = bags.sequence('SafeBag');
    const bagId = bag.readOid('SafeBag.bagId');
    const valueField = bag.read(contextConstructed(0), 'SafeBag.bagValue');
    bag.readOptional(Tag.SET); // bagAttributes (friendlyName, localKeyId): not needed
    bag.end();
    const valueReader = new DerReader(valueField.content, 'SafeBag.bagValue');
    const value = valueReader.readAny().raw;
    valueReader.end();
    switch (bagId) {
      case OID.pkcs12KeyBag:
        keys.push(parsePkcs8PrivateKey(value));
        break;
      case OID.pkcs12ShroudedKeyBag: {
        const alg = readAlgorithmIdentifier(new DerReader(value).sequence(), 'EncryptedPrivateKeyInfo');
        if (alg.oid.startsWith(LEGACY_PBE_PREFIX)) {
          throw unsupportedKeyError(
            'legacy PKCS #12 key encryption (RC2/3DES); re-export with OpenSSL 3 defaults (PBES2 with AES)',
          );
        }
        keys.push(decryptPkcs8PrivateKey(value, password));
        break;
      }
      case OID.pkcs12CertBag: {
        // CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT OCTET STRING } (§4.2.3)
        const certBag = new DerReader(value, 'CertBag').sequence();
        const certId = certBag.readOid('CertBag.certId');
        const certValue = certBag.read(contextConstructed(0), 'CertBag.certValue');
        certBag.end();
        if (certId === OID.x509Certificate)
          certificates.push(octetStringContent(certValue.content, 'CertBag.certValue').slice());
        break;
      }
      case OID.pkcs12SafeContentsBag:
        readSafeContents(value, password, keys, certificates, depth + 1);
        break;
      default:
        break; // CRL and secret bags carry nothing we use
    }
  }
}
