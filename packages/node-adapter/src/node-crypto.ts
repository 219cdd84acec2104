/**
 * A {@link CryptoProvider} on node:crypto (OpenSSL inside Node), selectable per context:
 * `new SSLContext(PROTOCOL_TLS_CLIENT, { cryptoProvider: nodeCryptoProvider })`, or `cryptoProvider` in
 * `connect()`/`createServer()` options. The pure-JS noble provider stays the default.
 *
 * Everything is synchronous, as the engine requires: `createHash` and one-shot `hash` for hashes, HMAC and HKDF,
 * `createCipheriv`/`createDecipheriv` for AES-GCM and ChaCha20-Poly1305, `diffieHellman` (X25519) and `createECDH`
 * (P-256/384/521) for key exchange, `sign`/`verify` for signatures.
 *
 * What stays on noble, and why:
 * - The ML-KEM-768 half of X25519MLKEM768 (Node 20 has no ML-KEM; the X25519 half is ours, through core's
 *   `x25519MlKem768Hybrid`). The ffdhe groups: rare (TLS 1.2 DHE, TLS 1.3 FFDHE) and their primes live in core.
 * - Signatures Node cannot express or would judge differently: RSASSA-PSS with an MGF1 hash other than the
 *   message hash, RSASSA-PSS-only keys (their RFC 4055 restrictions), Ed448.
 *
 * Ephemeral keys are drawn from the `randomBytes` the engine passes in (as the noble groups do), so an injected RNG
 * still replays a handshake; signatures use OpenSSL's own randomness (PSS salts, ECDSA nonces).
 * @module
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type Hash,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  hash as oneShotHash,
  randomFillSync,
} from 'node:crypto';
import {
  type AeadAlgorithm,
  type AeadKey,
  type AeadName,
  type CryptoProvider,
  checkInPlaceRegion,
  checkX25519Share,
  createNobleProvider,
  diffieHellmanGroup,
  type GroupName,
  type HashAlgorithm,
  type HashState,
  type KeyExchangeGroup,
  pooledRandomBytes,
  type TlsHashName,
  x25519MlKem768Hybrid,
} from '@sanstls/core';
import { modulusLength, type PrivateKey, type PublicKey, type SignatureAlgorithm, SSLError } from '@sanstls/x509';

/** A Uint8Array view of a Buffer (the engine's byte type; no copy). */
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
/** An empty plaintext part (sealInPlace seals only the in-place region); never written to. */
const NO_BYTES = new Uint8Array(0);

const noble = createNobleProvider();

// ---------------------------------------------------------------------------------------------
// Hashes, HMAC, HKDF (RFC 5869)

class NodeHashState implements HashState {
  constructor(private readonly inner: Hash) {}
  update(data: Uint8Array): void {
    this.inner.update(data);
  }
  digest(): Uint8Array {
    // digest() ends a Hash; the transcript needs the running state, so digest a copy.
    return view(this.inner.copy().digest());
  }
  clone(): HashState {
    return new NodeHashState(this.inner.copy());
  }
}

/** HKDF-Expand's one-block input, info ‖ 0x01: grown when an info is longer (RFC 8446's HkdfLabel ≤ 514 bytes). */
let expandScratch = new Uint8Array(515);

/** Longest message {@link oneShotHmac} handles through its scratch buffer (TLS's HMAC inputs are far shorter). */
const ONE_SHOT_HMAC_MAX = 1024;

/**
 * HMAC (RFC 2104 §2): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ text)), as two one-shot `crypto.hash` calls. A handshake
 * pair computes about 54 HMACs; a `createHmac` each makes a native Hmac object (with the stream machinery of
 * its JS wrapper) that the young-generation collector must trace and finalize. The padded key and inner hash
 * live in per-algorithm scratch buffers, zeroed after each use. Keys longer than a block (hashed first,
 * §2) and long messages take createHmac.
 */
function oneShotHmac(name: TlsHashName, outputLength: number): (key: Uint8Array, data: Uint8Array) => Uint8Array {
  const blockSize = name === 'sha256' ? 64 : 128;
  const inner = new Uint8Array(blockSize + ONE_SHOT_HMAC_MAX);
  const outer = new Uint8Array(blockSize + outputLength);
  return (key, data) => {
    if (key.length > blockSize || data.length > ONE_SHOT_HMAC_MAX) {
      return view(createHmac(name, key).update(data).digest());
    }
    for (let i = 0; i < key.length; i++) {
      const k = key[i] as number;
      inner[i] = k ^ 0x36;
      outer[i] = k ^ 0x5c;
    }
    inner.fill(0x36, key.length, blockSize);
    outer.fill(0x5c, key.length, blockSize);
    inner.set(data, blockSize);
    const innerHash = oneShotHash(name, inner.subarray(0, blockSize + data.length), 'buffer');
    outer.set(innerHash, blockSize);
    innerHash.fill(0);
    const mac = oneShotHash(name, outer, 'buffer');
    inner.fill(0, 0, blockSize + data.length);
    outer.fill(0);
    return view(mac);
  };
}

function nodeHashAlgorithm(name: TlsHashName): HashAlgorithm {
  const outputLength = name === 'sha256' ? 32 : 48;
  const hmac = oneShotHmac(name, outputLength);
  return {
    name,
    outputLength,
    create: () => new NodeHashState(createHash(name)),
    // One-shot: no native Hash object to make and collect (as oneShotHmac).
    digest: (data) => view(oneShotHash(name, data, 'buffer')),
    hmac,
    // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros, which HMAC pads to anyway.
    hkdfExtract: (salt, ikm) => hmac(salt, ikm),
    // RFC 5869 §2.3 (node:crypto's hkdfSync always extracts first, so Expand is spelled out).
    hkdfExpand(prk, info, length) {
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * outputLength) {
        throw new SSLError(`HKDF-Expand length ${length} out of range`, { library: 'EVP', reason: 'INVALID_LENGTH' });
      }
      if (length <= outputLength) {
        // One block, T(1) = HMAC(PRK, info | 0x01): every TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) is one.
        // One update of one buffer instead of three updates and two throwaway arrays (≈ 0.7 µs of ≈ 4 µs,
        // about 50 times per handshake pair); the buffer is a reused scratch (info is public: a label and a
        // transcript hash), as a fresh one of over 64 bytes gets an off-heap backing store of its own.
        const n = info.length + 1;
        if (n > expandScratch.length) expandScratch = new Uint8Array(n);
        expandScratch.set(info);
        expandScratch[info.length] = 1;
        const t = hmac(prk, expandScratch.subarray(0, n));
        if (length === outputLength) return t;
        const out = t.slice(0, length);
        t.fill(0); // the rest of T(1) is key material too
        return out;
      }
      const out = new Uint8Array(length);
      let previous: Uint8Array = new Uint8Array(0);
      for (let i = 1, offset = 0; offset < length; i++) {
        const h = createHmac(name, prk);
        h.update(previous);
        h.update(info);
        h.update(Uint8Array.of(i));
        previous = h.digest();
        out.set(previous.subarray(0, length - offset), offset);
        offset += previous.length;
      }
      return out;
    },
  };
}

const HASHES: Record<TlsHashName, HashAlgorithm> = {
  sha256: nodeHashAlgorithm('sha256'),
  sha384: nodeHashAlgorithm('sha384'),
};

// ---------------------------------------------------------------------------------------------
// AEADs (RFC 5116; 12-byte nonces and 16-byte tags, RFC 8446 §5.3)

const CIPHERS: Record<AeadName, { cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLength: number }> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLength: 32 },
  'CHACHA20-POLY1305': { cipher: 'chacha20-poly1305', keyLength: 32 },
};

class NodeAeadKey implements AeadKey {
  constructor(
    private readonly name: AeadName,
    private readonly cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305',
    private readonly key: Buffer,
  ) {}

  /** AeadKey.wipe: the key bytes are ours (a copy), zeroed at the connection's end. */
  wipe(): void {
    this.key.fill(0);
  }

  private checkNonce(nonce: Uint8Array): void {
    if (nonce.length !== 12) {
      throw new SSLError(`${this.name} nonce must be 12 bytes, got ${nonce.length}`, {
        library: 'EVP',
        reason: 'INVALID_IV_LENGTH',
      });
    }
  }

  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    this.checkNonce(nonce);
    const c = createCipheriv(this.cipher as 'aes-128-gcm', this.key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const body = c.update(plaintext);
    c.final(); // GCM and ChaCha20-Poly1305 are stream modes: final() adds no bytes
    const out = new Uint8Array(body.length + 16);
    out.set(body);
    out.set(c.getAuthTag(), body.length);
    return out;
  }

  /**
   * AeadKey.sealInPlace: OpenSSL's output Buffer is copied back over the plaintext (Cipheriv has no
   * caller-provided output), the tag after it: one record buffer instead of a body buffer plus a concat.
   * It is {@link sealDetached} with the whole plaintext in the in-place region.
   */
  sealInPlace(nonce: Uint8Array, aad: Uint8Array, buffer: Uint8Array, offset: number, length: number): void {
    this.sealDetached(nonce, aad, NO_BYTES, buffer, offset, length);
  }

  /**
   * AeadKey.sealDetached: the Buffer Cipheriv.update makes for the plaintext is handed back as it is (a fresh
   * ArrayBuffer, never pooled: the caller's to keep) instead of being copied into a record buffer that had to be
   * allocated too — two 16 KiB allocations per full record become one (issue #9). The short trailer (TLS 1.3's
   * content type and padding) and the tag go into the caller's buffer.
   */
  sealDetached(
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): Uint8Array {
    this.checkNonce(nonce);
    checkInPlaceRegion(buffer, offset, length);
    const c = createCipheriv(this.cipher as 'aes-128-gcm', this.key, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const body = plaintext.length > 0 ? view(c.update(plaintext)) : NO_BYTES;
    if (length > 0) buffer.set(c.update(buffer.subarray(offset, offset + length)), offset);
    c.final(); // stream modes: no bytes
    buffer.set(c.getAuthTag(), offset + length);
    return body;
  }

  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    this.checkNonce(nonce);
    if (ciphertextAndTag.length < 16) return null;
    const split = ciphertextAndTag.length - 16;
    const d = createDecipheriv(this.cipher as 'aes-128-gcm', this.key, nonce, { authTagLength: 16 });
    d.setAuthTag(ciphertextAndTag.subarray(split));
    d.setAAD(aad);
    const body = d.update(ciphertextAndTag.subarray(0, split));
    try {
      d.final(); // throws when the tag does not authenticate
    } catch {
      return null;
    }
    return view(body);
  }
}

function nodeAead(name: AeadName): AeadAlgorithm {
  const { cipher, keyLength } = CIPHERS[name];
  return {
    name,
    keyLength,
    nonceLength: 12,
    tagLength: 16,
    create(key) {
      if (key.length !== keyLength) {
        throw new SSLError(`${name} key must be ${keyLength} bytes, got ${key.length}`, {
          library: 'EVP',
          reason: 'INVALID_KEY_LENGTH',
        });
      }
      // The raw key, copied: createCipheriv takes it as fast as a KeyObject (measured 5.6 vs 5.8 µs per 100-byte
      // seal), and a KeyObject per traffic key costs ≈ 1.5 µs to make plus a native handle to finalize — ten per
      // TLS 1.3 handshake pair, most of them used for one or two records (issue #9).
      return new NodeAeadKey(name, cipher, Buffer.from(key));
    },
  };
}

const AEADS: Record<AeadName, AeadAlgorithm> = {
  'AES-128-GCM': nodeAead('AES-128-GCM'),
  'AES-256-GCM': nodeAead('AES-256-GCM'),
  'CHACHA20-POLY1305': nodeAead('CHACHA20-POLY1305'),
};

// ---------------------------------------------------------------------------------------------
// Key exchange (RFC 8446 §4.2.8, §7.4)

/** illegal_parameter (RFC 8446 §6.2): the alert for an invalid key share (§4.2.8, §7.4.2). */
const badKeyShare = (text: string): SSLError =>
  new SSLError(text, { library: 'SSL', reason: 'BAD_KEY_SHARE', alert: 47 });

function draw(randomBytes: (n: number) => Uint8Array, n: number): Uint8Array {
  const bytes = randomBytes(n);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
    throw new SSLError(`random generator returned ${bytes?.length} bytes, ${n} requested`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
      alert: 80,
    });
  }
  return bytes;
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

// PKCS #8 PrivateKeyInfo for an X25519 key (RFC 8410 §7): this fixed prefix, then the 32-byte scalar.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * The private key from the raw scalar. A JWK import goes straight to OpenSSL's raw-key constructor
 * (≈ 0.05 ms); a PKCS #8 DER import runs OpenSSL 3's decoder search (≈ 0.55 ms, measured by pnpm bench —
 * two per handshake pair, a fifth of a whole node:crypto handshake). Node requires the JWK's `x` to be a
 * string but derives the key from `d` alone; the public key is then taken from the KeyObject, never from
 * `x`. Should a Node version check `x` against `d`, the import throws and the DER path is used.
 */
let x25519JwkImport = true;
function x25519PrivateKey(scalar: Uint8Array): KeyObject {
  if (x25519JwkImport) {
    try {
      return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(scalar), x: '' }, format: 'jwk' });
    } catch {
      x25519JwkImport = false;
    }
  }
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, scalar]), format: 'der', type: 'pkcs8' });
}

function x25519KeyPair(randomBytes: (n: number) => Uint8Array): { privateKey: KeyObject; publicKey: Uint8Array } {
  const scalar = draw(randomBytes, 32);
  const privateKey = x25519PrivateKey(scalar);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: view(Buffer.from(jwk.x as string, 'base64url')) };
}

function x25519Shared(privateKey: KeyObject, peer: Uint8Array): Uint8Array {
  checkX25519Share(peer);
  let shared: Buffer;
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(peer) }, format: 'jwk' });
    shared = diffieHellman({ privateKey, publicKey });
  } catch {
    // OpenSSL refuses to derive when the result is all-zero (a small-order peer point).
    throw badKeyShare('X25519 shared secret is all-zero (small-order peer share)');
  }
  // RFC 8446 §7.4.2: implementations MUST check whether the computed secret is all zeroes.
  if (shared.every((b) => b === 0)) throw badKeyShare('X25519 shared secret is all-zero (small-order peer share)');
  return view(shared);
}

const x25519Group: KeyExchangeGroup = diffieHellmanGroup('x25519', 0x001d, {
  keyPair: (randomBytes) => {
    const { privateKey, publicKey } = x25519KeyPair(randomBytes);
    return { secret: privateKey, publicKey };
  },
  shared: x25519Shared,
  checkShare: checkX25519Share,
});

/** The NIST curves: the group order n (to keep scalars in [1, n−1]) and its bit length. */
const NIST = {
  secp256r1: {
    code: 0x0017,
    curve: 'prime256v1',
    bits: 256,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  secp384r1: {
    code: 0x0018,
    curve: 'secp384r1',
    bits: 384,
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  secp521r1: {
    code: 0x0019,
    curve: 'secp521r1',
    bits: 521,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
} as const;

function nistGroup(name: keyof typeof NIST): KeyExchangeGroup {
  const { code, curve, bits, order } = NIST[name];
  const scalarLength = Math.ceil(bits / 8);
  const coordinateLength = scalarLength;
  const pointLength = 1 + 2 * coordinateLength;
  const topByteMask = 0xff >>> (scalarLength * 8 - bits);

  const checkPoint = (peer: Uint8Array): void => {
    // RFC 8446 §4.2.8.2: UncompressedPointRepresentation only.
    if (peer.length !== pointLength || peer[0] !== 0x04) {
      throw badKeyShare(`${name} key share must be an uncompressed point of ${pointLength} bytes`);
    }
  };
  const keyPair = (randomBytes: (n: number) => Uint8Array) => {
    // The same rejection sampling as the noble groups (FIPS 186-5 A.2.2), so an injected scalar is used as is.
    for (let attempt = 0; attempt < 64; attempt++) {
      const secret = Buffer.from(draw(randomBytes, scalarLength));
      secret[0] = (secret[0] as number) & topByteMask;
      const d = BigInt(`0x${secret.toString('hex')}`);
      if (d >= 1n && d < order) {
        const ecdh = createECDH(curve);
        ecdh.setPrivateKey(secret);
        return { secret: ecdh, publicKey: view(ecdh.getPublicKey(null, 'uncompressed')) };
      }
    }
    throw new SSLError(`${name}: the random generator produced no valid scalar`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
      alert: 80,
    });
  };
  const shared = (ecdh: ReturnType<typeof createECDH>, peer: Uint8Array): Uint8Array => {
    checkPoint(peer);
    try {
      // OpenSSL checks the point is on the curve and not the point at infinity; the secret is x (§7.4.2).
      return view(ecdh.computeSecret(peer));
    } catch {
      throw badKeyShare(`${name} key share is not a valid curve point`);
    }
  };
  return diffieHellmanGroup(name, code, { keyPair, shared, checkShare: checkPoint });
}

const GROUPS: Partial<Record<GroupName, KeyExchangeGroup>> = {
  x25519: x25519Group,
  // Node 20's OpenSSL 3.0 has no ML-KEM: noble's ML-KEM-768 with this X25519 (the client's default first
  // group, so its X25519 half — about half the noble hybrid's cost — runs in OpenSSL).
  X25519MLKEM768: x25519MlKem768Hybrid(x25519Group),
  secp256r1: nistGroup('secp256r1'),
  secp384r1: nistGroup('secp384r1'),
  secp521r1: nistGroup('secp521r1'),
};

// ---------------------------------------------------------------------------------------------
// Signatures

const bigintBytes = (value: bigint): Buffer => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
};
const b64uInt = (value: bigint): string => bigintBytes(value).toString('base64url');
const EC_COORDINATE: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

// Keys are parsed once (certificates, the context's own key); their KeyObjects are kept beside them.
const publicKeys = new WeakMap<PublicKey, KeyObject>();
const privateKeys = new WeakMap<PrivateKey, KeyObject>();

function publicKeyObject(key: PublicKey): KeyObject | undefined {
  const cached = publicKeys.get(key);
  if (cached !== undefined) return cached;
  let made: KeyObject;
  switch (key.kind) {
    case 'rsa':
      made = createPublicKey({ key: { kty: 'RSA', n: b64uInt(key.n), e: b64uInt(key.e) }, format: 'jwk' });
      break;
    case 'ec': {
      const size = EC_COORDINATE[key.curve] as number;
      if (key.point.length !== 1 + 2 * size || key.point[0] !== 0x04) return undefined;
      made = createPublicKey({
        key: {
          kty: 'EC',
          crv: key.curve,
          x: b64u(key.point.subarray(1, 1 + size)),
          y: b64u(key.point.subarray(1 + size)),
        },
        format: 'jwk',
      });
      break;
    }
    case 'ed25519':
      made = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(key.key) }, format: 'jwk' });
      break;
    default:
      return undefined;
  }
  publicKeys.set(key, made);
  return made;
}

function privateKeyObject(key: PrivateKey): KeyObject {
  const cached = privateKeys.get(key);
  if (cached !== undefined) return cached;
  let made: KeyObject;
  switch (key.kind) {
    case 'rsa':
      made = createPrivateKey({
        key: {
          kty: 'RSA',
          n: b64uInt(key.n),
          e: b64uInt(key.e),
          d: b64uInt(key.d),
          p: b64uInt(key.p),
          q: b64uInt(key.q),
          dp: b64uInt(key.dp),
          dq: b64uInt(key.dq),
          qi: b64uInt(key.qinv),
        },
        format: 'jwk',
      });
      break;
    case 'ec': {
      const size = EC_COORDINATE[key.curve] as number;
      const d = Buffer.alloc(size);
      d.set(key.d, size - key.d.length);
      made = createPrivateKey({
        key: {
          kty: 'EC',
          crv: key.curve,
          d: d.toString('base64url'),
          x: b64u(key.point.subarray(1, 1 + size)),
          y: b64u(key.point.subarray(1 + size)),
        },
        format: 'jwk',
      });
      break;
    }
    case 'ed25519':
      made = createPrivateKey({
        key: { kty: 'OKP', crv: 'Ed25519', d: b64u(key.seed), x: b64u(key.key) },
        format: 'jwk',
      });
      break;
  }
  privateKeys.set(key, made);
  return made;
}

/** Node's spelling of the signature algorithm, or undefined where noble handles it (see the module comment). */
function nodeSignatureParams(
  alg: SignatureAlgorithm,
  keyKind: string,
): { hash: string | null; options: { padding?: number; saltLength?: number; dsaEncoding?: 'der' } } | undefined {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      return keyKind === 'rsa' ? { hash: alg.hash, options: { padding: constants.RSA_PKCS1_PADDING } } : undefined;
    case 'rsa-pss':
      return keyKind === 'rsa' && alg.mgfHash === alg.hash
        ? { hash: alg.hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength } }
        : undefined;
    case 'ecdsa':
      return keyKind === 'ec' ? { hash: alg.hash, options: { dsaEncoding: 'der' } } : undefined;
    case 'ed25519':
      return keyKind === 'ed25519' ? { hash: null, options: {} } : undefined;
    default:
      return undefined;
  }
}

function nodeVerifySignature(
  alg: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const params = nodeSignatureParams(alg, key.kind);
  if (params === undefined) return noble.verify(alg, key, message, signature);
  // RFC 8017 §8.1.2 / §8.2.2 step 1: an RSA signature is exactly k octets. OpenSSL's PSS verification takes a shorter
  // one as the integer it encodes, so a signature whose leading zero octet was dropped verified (1 in 256 or so).
  if (key.kind === 'rsa' && signature.length !== modulusLength(key.n)) return false;
  try {
    const keyObject = publicKeyObject(key);
    if (keyObject === undefined) return false;
    return nodeVerify(params.hash, message, { key: keyObject, ...params.options }, signature);
  } catch {
    // Contract: bad signature bytes or key/algorithm combinations give false, never an exception.
    return false;
  }
}

function nodeSignMessage(
  alg: SignatureAlgorithm,
  key: PrivateKey,
  message: Uint8Array,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  const params = nodeSignatureParams(alg, key.kind);
  // Mismatched key and algorithm: noble raises the SSLError the engine expects.
  if (params === undefined) return noble.sign(alg, key, message, randomBytes);
  return view(nodeSign(params.hash, message, { key: privateKeyObject(key), ...params.options }));
}

// ---------------------------------------------------------------------------------------------

export interface NodeCryptoProviderOptions {
  /** Replaces OpenSSL's CSPRNG for randomBytes (deterministic tests and replays). */
  randomBytes?: (n: number) => Uint8Array;
}

/** The CSPRNG behind `crypto.randomBytes`. */
function nodeRandomBytes(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}

/** The same, drawn in 4 KiB blocks (core's pooledRandomBytes: ≈ 0.15 µs instead of ≈ 5 µs per small draw). */
const pooledNodeRandomBytes = pooledRandomBytes(nodeRandomBytes);

/**
 * A CryptoProvider on node:crypto. `fastAesGcm` is true (OpenSSL uses AES-NI/PMULL where the CPU has them), so
 * the engine keeps AES-GCM first.
 */
export function createNodeCryptoProvider(options: NodeCryptoProviderOptions = {}): CryptoProvider {
  return {
    name: 'node:crypto',
    fastAesGcm: true,
    randomBytes: options.randomBytes ?? pooledNodeRandomBytes,
    hash: (name) => HASHES[name],
    aead: (name) => AEADS[name],
    group: (name) => GROUPS[name] ?? noble.group(name),
    verify: nodeVerifySignature,
    sign: nodeSignMessage,
  };
}

/** The shared node:crypto provider instance. */
export const nodeCryptoProvider: CryptoProvider = createNodeCryptoProvider();
