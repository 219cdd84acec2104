/**
 * Password-based decryption for private keys: PBES2 (RFC 8018 §6.2) with PBKDF2 (§5.2, PRFs
 * HMAC-SHA1/224/256/384/512, App. B.1) or scrypt (RFC 7914 §7) and AES-CBC (App. B.2.5 / RFC 3565) with PKCS #5 padding
 * (§6.1.1 step 4), and OpenSSL's legacy PEM encryption (RFC 1421 `Proc-Type`/`DEK-Info` with
 * EVP_BytesToKey over MD5).
 *
 * Any failure after decryption (bad padding, garbage plaintext) is reported as Python reports a wrong
 * password: `[EVP: BAD_DECRYPT] bad decrypt`.
 * @module
 */
import { cbc } from '@noble/ciphers/aes.js';
import { md5 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { DerReader, Tag } from '../der.js';
import { SSLError } from '../errors.js';
import type { AlgorithmIdentifier, HashName } from '../types.js';
import { nobleHash } from './hash.js';
import { keyDecodeError, unsupportedKeyError } from './key-errors.js';
import { OID } from './oids.js';
import { readAlgorithmIdentifier } from './spki.js';

/**
 * The most PBKDF2 iterations we run (about 10 s here): a bound so a hostile file cannot stall loading.
 * OpenSSL writes 2048 by default.
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/** The most memory scrypt may use (128·N·r·p bytes): 256 MiB, above OpenSSL's 32 MiB default `maxmem`. */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

export function badDecrypt(): SSLError {
  return new SSLError('bad decrypt', { library: 'EVP', reason: 'BAD_DECRYPT' });
}

const PRF_HASHES: Readonly<Record<string, HashName>> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha224]: 'sha224',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};

const AES_CBC_KEY_LENGTHS: Readonly<Record<string, number>> = {
  [OID.aes128Cbc]: 16,
  [OID.aes192Cbc]: 24,
  [OID.aes256Cbc]: 32,
};

/** PBKDF2 (RFC 8018 §5.2) with HMAC over `prf`, refusing iteration counts above {@link MAX_PBKDF2_ITERATIONS}. */
export function pbkdf2Derive(
  prf: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Uint8Array {
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw keyDecodeError('PBKDF2 iteration count must be at least 1');
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    throw unsupportedKeyError(`PBKDF2 iteration count ${iterations} exceeds the limit of ${MAX_PBKDF2_ITERATIONS}`);
  }
  return pbkdf2(nobleHash(prf), password, salt, { c: iterations, dkLen: keyLength });
}

/**
 * AES-CBC decryption with PKCS #5/#7 padding removal (RFC 8018 §6.1.1 step 4, RFC 5652 §6.3). A
 * ciphertext that is empty, not whole blocks, or ends in a malformed pad gives {@link badDecrypt}.
 */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (![16, 24, 32].includes(key.length) || iv.length !== 16)
    throw keyDecodeError('AES-CBC needs a 16/24/32-octet key and a 16-octet IV');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw badDecrypt();
  const padded = cbc(key, iv, { disablePadding: true }).decrypt(ciphertext);
  const pad = padded[padded.length - 1] as number;
  // Check every padding octet, without an early exit.
  let bad = pad === 0 || pad > 16 ? 1 : 0;
  for (let i = 1; i <= 16; i++) {
    const inPad = i <= pad ? 1 : 0;
    bad |= inPad & ((padded[padded.length - i] as number) !== pad ? 1 : 0);
  }
  if (bad !== 0) throw badDecrypt();
  return padded.subarray(0, padded.length - pad);
}

/** PBES2-params (RFC 8018 A.4) and PBKDF2-params (A.2), then decryption (§6.2.2). */
export function pbes2Decrypt(algorithm: AlgorithmIdentifier, ciphertext: Uint8Array, password: Uint8Array): Uint8Array {
  if (algorithm.oid !== OID.pbes2)
    throw unsupportedKeyError(`key encryption algorithm ${algorithm.oid} (only PBES2 is implemented)`);
  if (algorithm.parameters === undefined) throw keyDecodeError('PBES2 parameters are missing');
  const outer = new DerReader(algorithm.parameters, 'PBES2-params');
  const params = outer.sequence();
  outer.end();
  const kdf = readAlgorithmIdentifier(params, 'PBES2 keyDerivationFunc');
  const scheme = readAlgorithmIdentifier(params, 'PBES2 encryptionScheme');
  params.end();

  const keyLength = AES_CBC_KEY_LENGTHS[scheme.oid];
  if (keyLength === undefined) throw unsupportedKeyError(`PBES2 encryption scheme ${scheme.oid} (AES-CBC only)`);
  if (scheme.parameters === undefined) throw keyDecodeError('AES-CBC parameters (the IV) are missing');
  const ivReader = new DerReader(scheme.parameters, 'AES-CBC IV');
  const iv = ivReader.readOctetString();
  ivReader.end();
  if (iv.length !== 16) throw keyDecodeError('AES-CBC IV must be 16 octets');

  if (kdf.parameters === undefined) throw keyDecodeError('PBES2 key derivation parameters are missing');
  let key: Uint8Array;
  if (kdf.oid === OID.pbkdf2) key = pbkdf2FromParams(kdf.parameters, password, keyLength);
  else if (kdf.oid === OID.scrypt) key = scryptFromParams(kdf.parameters, password, keyLength);
  else throw unsupportedKeyError(`PBES2 key derivation function ${kdf.oid} (PBKDF2 or scrypt only)`);
  return aesCbcDecrypt(key, iv, ciphertext);
}

/** PBKDF2-params (RFC 8018 A.2) → the derived key. */
function pbkdf2FromParams(parameters: Uint8Array, password: Uint8Array, keyLength: number): Uint8Array {
  const kdfOuter = new DerReader(parameters, 'PBKDF2-params');
  const p = kdfOuter.sequence();
  kdfOuter.end();
  if (p.peekTag() !== Tag.OCTET_STRING) throw unsupportedKeyError('PBKDF2 salt from another source (otherSource)');
  const salt = p.readOctetString('PBKDF2 salt');
  const iterations = p.readSmallInt('PBKDF2 iterationCount');
  if (p.peekTag() === Tag.INTEGER) {
    const declared = p.readSmallInt('PBKDF2 keyLength');
    if (declared !== keyLength) throw keyDecodeError('PBKDF2 keyLength does not match the cipher');
  }
  let prf: HashName = 'sha1'; // RFC 8018 A.2: DEFAULT algid-hmacWithSHA1
  if (!p.done) {
    const prfAlg = readAlgorithmIdentifier(p, 'PBKDF2 prf');
    const hash = PRF_HASHES[prfAlg.oid];
    if (hash === undefined) throw unsupportedKeyError(`PBKDF2 pseudo-random function ${prfAlg.oid}`);
    if (prfAlg.parameters !== undefined && !(prfAlg.parameters.length === 2 && prfAlg.parameters[0] === Tag.NULL)) {
      throw keyDecodeError('PBKDF2 prf parameters must be NULL or absent');
    }
    prf = hash;
  }
  p.end();
  return pbkdf2Derive(prf, password, salt, iterations, keyLength);
}

/** scrypt-params (RFC 7914 §7) → the derived key, refusing parameters that need more than 256 MiB. */
function scryptFromParams(parameters: Uint8Array, password: Uint8Array, keyLength: number): Uint8Array {
  const outer = new DerReader(parameters, 'scrypt-params');
  const p = outer.sequence();
  outer.end();
  const salt = p.readOctetString('scrypt salt');
  const cost = p.readSmallInt('scrypt costParameter');
  const blockSize = p.readSmallInt('scrypt blockSize');
  const parallelization = p.readSmallInt('scrypt parallelizationParameter');
  if (!p.done) {
    if (p.readSmallInt('scrypt keyLength') !== keyLength)
      throw keyDecodeError('scrypt keyLength does not match the cipher');
  }
  p.end();
  // RFC 7914 §2: N a power of two above 1, r·p < 2^30.
  if (
    cost < 2 ||
    (cost & (cost - 1)) !== 0 ||
    blockSize < 1 ||
    parallelization < 1 ||
    blockSize * parallelization >= 2 ** 30
  ) {
    throw keyDecodeError('scrypt parameters out of range');
  }
  if (128 * cost * blockSize * parallelization > MAX_SCRYPT_MEMORY || 128 * cost * blockSize > MAX_SCRYPT_MEMORY) {
    throw unsupportedKeyError(`scrypt parameters needing more than ${MAX_SCRYPT_MEMORY / 1024 / 1024} MiB`);
  }
  return scrypt(password, salt, {
    N: cost,
    r: blockSize,
    p: parallelization,
    dkLen: keyLength,
    maxmem: 2 * MAX_SCRYPT_MEMORY,
  });
}

/**
 * OpenSSL's traditional encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: AES-256-CBC,<hex IV>`): the key
 * is EVP_BytesToKey(MD5, password, salt = first 8 IV octets, one round). Only AES-CBC ciphers are
 * implemented; DES and 3DES give a "not supported" error.
 */
export function legacyPemDecrypt(
  headers: readonly (readonly [string, string])[],
  body: Uint8Array,
  password: Uint8Array,
): Uint8Array {
  const procType = headers.find(([name]) => name.toLowerCase() === 'proc-type')?.[1];
  const dekInfo = headers.find(([name]) => name.toLowerCase() === 'dek-info')?.[1];
  if (procType?.replace(/\s/g, '') !== '4,ENCRYPTED' || dekInfo === undefined) {
    throw keyDecodeError('encrypted PEM needs "Proc-Type: 4,ENCRYPTED" and a DEK-Info header');
  }
  const [cipherName = '', ivHex = ''] = dekInfo.split(',').map((s) => s.trim());
  const keyLength = { 'AES-128-CBC': 16, 'AES-192-CBC': 24, 'AES-256-CBC': 32 }[cipherName.toUpperCase()];
  if (keyLength === undefined) throw unsupportedKeyError(`legacy PEM encryption with ${cipherName} (AES-CBC only)`);
  if (!/^[0-9a-fA-F]{32}$/.test(ivHex)) throw keyDecodeError('DEK-Info IV must be 32 hex digits');
  const iv = new Uint8Array(16);
  for (let i = 0; i < 16; i++) iv[i] = Number.parseInt(ivHex.slice(2 * i, 2 * i + 2), 16);
  // EVP_BytesToKey: D_1 = MD5(password ‖ salt), D_i = MD5(D_{i−1} ‖ password ‖ salt); key = D_1 ‖ D_2 ‖ …
  const salt = iv.subarray(0, 8);
  const key = new Uint8Array(keyLength);
  let previous = new Uint8Array(0);
  for (let offset = 0; offset < keyLength; offset += 16) {
    const input = new Uint8Array(previous.length + password.length + salt.length);
    input.set(previous);
    input.set(password, previous.length);
    input.set(salt, previous.length + password.length);
    previous = md5(input);
    key.set(previous.subarray(0, Math.min(16, keyLength - offset)), offset);
  }
  return aesCbcDecrypt(key, iv, body);
}
