/**
 * The crypto provider: narrow, synchronous functions that the TLS engine calls for every primitive.
 * It extends @sanstls/x509's SignatureProvider (certificate and CertificateVerify signatures) with key
 * exchange, AEAD, hashing/HMAC/HKDF and randomness. The default provider is built on noble; the Node
 * adapter adds one on node:crypto. Same interface, same tests, either provider.
 * @module
 */
import { type PublicKey, type SignatureAlgorithm, type SignatureProvider, SSLError } from '@sanstls/x509';

/** Hashes a TLS cipher suite or PRF can use. */
export type TlsHashName = 'sha256' | 'sha384';

/** An incremental hash whose state can be copied (the handshake transcript needs running digests). */
export interface HashState {
  update(data: Uint8Array): void;
  /** The digest of everything so far; the state stays usable. */
  digest(): Uint8Array;
  clone(): HashState;
}

export interface HashAlgorithm {
  readonly name: TlsHashName;
  readonly outputLength: number;
  create(): HashState;
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * HMAC under one key for several messages: the TLS 1.2 PRF's P_hash (RFC 5246 §5) computes two per
   * output block under one secret, so a provider may key the hash once (the ipad/opad blocks) and reuse
   * that state. `destroy` zeroes it. Optional: callers fall back to {@link hmac}.
   */
  hmacKeyed?(key: Uint8Array): { mac(data: Uint8Array): Uint8Array; destroy(): void };
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** HKDF-Expand (RFC 5869 §2.3). */
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
}

/** Names follow RFC 8446 §4.2.7 / the IANA TLS Supported Groups registry. */
export type GroupName =
  | 'x25519'
  | 'secp256r1'
  | 'secp384r1'
  | 'secp521r1'
  | 'X25519MLKEM768'
  | 'ffdhe2048'
  | 'ffdhe3072'
  | 'ffdhe4096';

/** A key share we generated and must later complete with the peer's share. */
export interface KeyShareOffer {
  /** The key_exchange bytes to send. */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret from the peer's key_exchange bytes (the client completing a ServerHello share).
   * Throws an SSLError (reason `BAD_KEY_SHARE`) when the peer's share is malformed or invalid
   * (wrong length, not on the curve, all-zero X25519 output: RFC 8446 §7.4.2).
   */
  complete(peerShare: Uint8Array): Uint8Array;
}

/**
 * A client key share whose completion may answer with a promise (a WebCrypto key pair): the client
 * handshake parks at the `completeKeyShare` suspension point until it settles. A rejection ends the
 * handshake as a thrown error would (reason `BAD_KEY_SHARE` for an invalid peer share).
 */
export interface ClientKeyShareOffer {
  readonly publicKey: Uint8Array;
  complete(peerShare: Uint8Array): Uint8Array | PromiseLike<Uint8Array>;
}

export interface KeyExchangeGroup {
  readonly name: GroupName;
  /** The NamedGroup code point (RFC 8446 §4.2.7; X25519MLKEM768 = 0x11ec). */
  readonly code: number;
  /** Client side: generate a share to offer. */
  generate(randomBytes: (n: number) => Uint8Array): KeyShareOffer;
  /**
   * Client side, optional: a share whose generation and completion may answer with promises
   * (WebCrypto's key agreement is asynchronous). The client handshakes (TLS 1.3 ClientHello and
   * HelloRetryRequest, TLS 1.2 ClientKeyExchange) call it instead of {@link generate} when present and
   * park at the `generateKeyShare` / `completeKeyShare` suspension points; the server never calls it.
   */
  generateClientShare?(randomBytes: (n: number) => Uint8Array): ClientKeyShareOffer | PromiseLike<ClientKeyShareOffer>;
  /**
   * Server side: answer the client's share. For Diffie-Hellman groups this generates our key pair and
   * completes at once; for KEM-based groups it encapsulates to the client's key. Throws an SSLError
   * (reason `BAD_KEY_SHARE`) on a malformed or invalid client share.
   */
  respond(
    clientShare: Uint8Array,
    randomBytes: (n: number) => Uint8Array,
  ): { share: Uint8Array; sharedSecret: Uint8Array };
}

export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';

/** A keyed AEAD instance. Implementations keep per-key precomputation (GCM tables, round keys). */
export interface AeadKey {
  /** ciphertext || tag */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** The plaintext, or null when authentication fails. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null;
  /**
   * Seals in place: `buffer[offset, offset + length)` holds the plaintext and is overwritten with the
   * ciphertext, and the tag goes into the `tagLength` bytes after it. The record layer assembles header,
   * content and content type in one buffer and seals there, so a record costs one allocation and no
   * header + ciphertext concatenation. `aad` may be a view into `buffer` outside the sealed region (the
   * record header). Optional: without it the record layer calls {@link seal} and copies.
   */
  sealInPlace?(nonce: Uint8Array, aad: Uint8Array, buffer: Uint8Array, offset: number, length: number): void;
  /**
   * Seals one AEAD message `plaintext || buffer[offset, offset + length)` without writing the bulk of its
   * ciphertext into a caller's buffer: returns the ciphertext of `plaintext` as a new buffer the caller
   * keeps, seals the trailing `length` bytes in place and puts the tag in the `tagLength` bytes after them.
   * The concatenation of the returned buffer and `buffer[offset, offset + length + tagLength)` is exactly
   * {@link seal}'s output for the whole plaintext. `aad` may be a view into `buffer` outside that region.
   *
   * For a backend whose cipher hands back its output in a fresh buffer anyway (node:crypto's
   * `Cipheriv.update`): the record layer then queues a record as header, body and trailer + tag chunks
   * (one vectored socket write) instead of allocating a record buffer and copying the ciphertext into it.
   * Optional: pure-JS providers seal in place ({@link sealInPlace}), which is faster for them.
   */
  sealDetached?(
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    buffer: Uint8Array,
    offset: number,
    length: number,
  ): Uint8Array;
  /**
   * Zeroes the key material this instance holds in JavaScript memory (the key copy, round keys, GHASH
   * tables), once the engine retires the key (RFC 8446 §7.2: a KeyUpdate, or the connection's end).
   * Best effort and optional: keys inside a native backend (node:crypto KeyObjects) cannot be reached.
   * The instance is unusable afterwards.
   */
  wipe?(): void;
}

/**
 * The region check of AeadKey.sealInPlace, shared by the providers: plaintext and the tag after it must
 * lie inside `buffer` (a short buffer would otherwise truncate the tag silently). Tags are 16 bytes for every AEAD here.
 */
export function checkInPlaceRegion(buffer: Uint8Array, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length + 16 > buffer.length
  ) {
    throw new SSLError(`AEAD in-place region [${offset}, +${length} + tag) exceeds a ${buffer.length}-byte buffer`, {
      library: 'EVP',
      reason: 'INVALID_LENGTH',
    });
  }
}

export interface AeadAlgorithm {
  readonly name: AeadName;
  readonly keyLength: number;
  /** 12 for every AEAD TLS uses here (RFC 8446 §5.3, RFC 5116 §5.1). */
  readonly nonceLength: number;
  readonly tagLength: number;
  create(key: Uint8Array): AeadKey;
}

/**
 * The crypto operations the engine needs. Byte inputs are read-only for a provider, but for the region an
 * in-place method is told to seal: the engine passes constants shared by every connection (the no-PSK early
 * secret's salt, RFC 8446 §7.1) and views into its record buffers and transcript, and must find them
 * unchanged afterwards. Outputs are the caller's.
 */
export interface CryptoProvider extends SignatureProvider {
  /** A short label for logs and benchmarks ("noble", "node:crypto"). */
  readonly name: string;
  /** Cryptographically secure random bytes; contexts may override it (deterministic replay). */
  randomBytes(n: number): Uint8Array;
  hash(name: TlsHashName): HashAlgorithm;
  aead(name: AeadName): AeadAlgorithm;
  /** The groups this provider implements, keyed by name (absent when unsupported). */
  group(name: GroupName): KeyExchangeGroup | undefined;
  /**
   * True when AES-GCM is hardware-backed or otherwise at least as fast as ChaCha20-Poly1305; the
   * engine prefers ChaCha20-Poly1305 when false (pure JS: ~3× faster).
   */
  readonly fastAesGcm: boolean;
  /**
   * Optional: the client's check of the server's handshake signature (TLS 1.3 CertificateVerify,
   * RFC 8446 §4.4.3; TLS 1.2 ServerKeyExchange, RFC 5246 §7.4.3 / RFC 8422 §5.4), where the handshake
   * can wait: it may answer with a promise, and the handshake parks at the `verifyServerSignature`
   * suspension point. Same contract as {@link SignatureProvider.verify} (false: the signature is bad).
   * Absent: `verify`. Certificate-chain signatures always go through the synchronous `verify`.
   */
  verifyHandshakeSignature?(
    algorithm: SignatureAlgorithm,
    key: PublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean | PromiseLike<boolean>;
}
