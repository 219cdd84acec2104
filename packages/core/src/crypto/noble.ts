/**
 * The default, pure-JS CryptoProvider on noble (@noble/hashes, @noble/ciphers, @noble/curves,
 * @noble/post-quantum). Synchronous, no Node built-ins; `randomBytes` is the one place that touches the
 * platform CSPRNG (`globalThis.crypto.getRandomValues`), and contexts can inject their own.
 * @module
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { expand as hkdfExpandNoble, extract as hkdfExtractNoble } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { SignatureProvider } from '@sanstls/x509';
import { nobleVerify, SSLError } from '@sanstls/x509';
import { privateKeySupport } from '../slots.js';
import { ffdhe2048Group, ffdhe3072Group, ffdhe4096Group } from './ffdhe.js';
import { createAesGcmKey } from './gcm.js';
import { secp256r1Group, secp384r1Group, secp521r1Group, x25519Group, x25519MlKem768Group } from './groups.js';
import {
  type AeadAlgorithm,
  type AeadKey,
  type AeadName,
  type CryptoProvider,
  checkInPlaceRegion,
  type GroupName,
  type HashAlgorithm,
  type HashState,
  type KeyExchangeGroup,
  type TlsHashName,
} from './provider.js';
import { pooledRandomBytes } from './random-pool.js';

// ---------------------------------------------------------------------------------------------
// Hashes, HMAC, HKDF

type NobleHash = typeof sha256 | typeof sha384;
type NobleHashInstance = ReturnType<NobleHash['create']>;
/**
 * What the reuse below needs of noble's hash and HMAC objects: `_cloneInto(to)` (public on their classes
 * in @noble/hashes 2.x) copies the whole state into `to`, or into a new instance without one.
 */
interface CopyableHash {
  _cloneInto(to?: CopyableHash): CopyableHash;
  update(data: Uint8Array): CopyableHash;
  digest(): Uint8Array;
  destroy(): void;
}

class NobleHashState implements HashState {
  /** The instance digest() finalizes, reused: a transcript takes several digests (issue #9). */
  private scratch: CopyableHash | undefined;
  constructor(private readonly inner: NobleHashInstance) {}
  update(data: Uint8Array): void {
    this.inner.update(data);
  }
  digest(): Uint8Array {
    // noble's digest() finalizes; a copy keeps this running state usable (the transcript needs that).
    // _cloneInto overwrites the whole state of an existing instance instead of allocating one.
    this.scratch = (this.inner as unknown as CopyableHash)._cloneInto(this.scratch);
    return this.scratch.digest();
  }
  clone(): HashState {
    return new NobleHashState(this.inner.clone());
  }
}

function nobleHashAlgorithm(name: TlsHashName, hash: NobleHash): HashAlgorithm {
  const outputLength = hash.outputLen;
  let macScratch: CopyableHash | undefined;
  return {
    name,
    outputLength,
    create: () => new NobleHashState(hash.create()),
    digest: (data) => hash(data),
    hmac: (key, data) => hmac(hash, key, data),
    // noble hashes the key's ipad/opad blocks for every hmac(); a keyed instance copied per message does
    // it once (≈ 3.6 instead of 5.3 µs per short SHA-256 HMAC). The copy goes into one reused instance
    // (_cloneInto overwrites its whole state): a fresh clone is an HMAC and two hash objects with their
    // buffers and DataViews per message, most of the PRF's garbage (issue #9). The copy lives only inside
    // one synchronous mac() and its digest() zeroes it, so one per algorithm serves every keyed HMAC.
    hmacKeyed(key) {
      const keyed = hmac.create(hash, key) as unknown as CopyableHash;
      return {
        mac: (data) => {
          macScratch = keyed._cloneInto(macScratch);
          return macScratch.update(data).digest();
        },
        destroy: () => keyed.destroy(),
      };
    },
    hkdfExtract: (salt, ikm) => hkdfExtractNoble(hash, ikm, salt),
    hkdfExpand(prk, info, length) {
      // RFC 5869 §2.3: L <= 255*HashLen.
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * outputLength) {
        throw new SSLError(`HKDF-Expand length ${length} out of range`, { library: 'EVP', reason: 'INVALID_LENGTH' });
      }
      // RFC 5869 §2.3: PRK is at least HashLen octets; noble enforces it with a plain Error, so say it first.
      if (prk.length < outputLength) {
        throw new SSLError(`HKDF-Expand PRK of ${prk.length} bytes is shorter than ${outputLength}`, {
          library: 'EVP',
          reason: 'INVALID_KEY_LENGTH',
        });
      }
      return hkdfExpandNoble(hash, prk, info, length);
    },
  };
}

export const nobleSha256: HashAlgorithm = /* @__PURE__ */ nobleHashAlgorithm('sha256', sha256);
export const nobleSha384: HashAlgorithm = /* @__PURE__ */ nobleHashAlgorithm('sha384', sha384);

// ---------------------------------------------------------------------------------------------
// AEADs (RFC 5116; TLS 1.3 uses 12-byte nonces and 16-byte tags, RFC 8446 §5.3)

function checkKey(name: AeadName, key: Uint8Array, length: number): void {
  if (key.length !== length) {
    throw new SSLError(`${name} key must be ${length} bytes, got ${key.length}`, {
      library: 'EVP',
      reason: 'INVALID_KEY_LENGTH',
    });
  }
}

function checkNonce(name: AeadName, nonce: Uint8Array): void {
  if (nonce.length !== 12) {
    throw new SSLError(`${name} nonce must be 12 bytes, got ${nonce.length}`, {
      library: 'EVP',
      reason: 'INVALID_IV_LENGTH',
    });
  }
}

function aesGcmAlgorithm(name: 'AES-128-GCM' | 'AES-256-GCM', keyLength: number): AeadAlgorithm {
  return {
    name,
    keyLength,
    nonceLength: 12,
    tagLength: 16,
    create(key) {
      checkKey(name, key, keyLength);
      return createAesGcmKey(key);
    },
  };
}

/** ChaCha20-Poly1305 (RFC 8439): its per-message key setup is one ChaCha block, so noble's one-shot API is fine. */
class ChaChaKey implements AeadKey {
  constructor(private readonly key: Uint8Array) {}
  wipe(): void {
    this.key.fill(0);
  }
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    checkNonce('CHACHA20-POLY1305', nonce);
    return chacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
  }
  /** AeadKey.sealInPlace: noble's encrypt() takes an output view; the plaintext already sits at its start. */
  sealInPlace(nonce: Uint8Array, aad: Uint8Array, buffer: Uint8Array, offset: number, length: number): void {
    checkNonce('CHACHA20-POLY1305', nonce);
    checkInPlaceRegion(buffer, offset, length);
    chacha20poly1305(this.key, nonce, aad).encrypt(
      buffer.subarray(offset, offset + length),
      buffer.subarray(offset, offset + length + 16),
    );
  }
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    checkNonce('CHACHA20-POLY1305', nonce);
    if (ciphertextAndTag.length < 16) return null;
    try {
      return chacha20poly1305(this.key, nonce, aad).decrypt(ciphertextAndTag);
    } catch {
      return null; // noble throws on a bad tag
    }
  }
}

const chacha20Poly1305Algorithm: AeadAlgorithm = {
  name: 'CHACHA20-POLY1305',
  keyLength: 32,
  nonceLength: 12,
  tagLength: 16,
  create(key) {
    checkKey('CHACHA20-POLY1305', key, 32);
    return new ChaChaKey(key.slice());
  },
};

const AEADS: Record<AeadName, AeadAlgorithm> = {
  'AES-128-GCM': /* @__PURE__ */ aesGcmAlgorithm('AES-128-GCM', 16),
  'AES-256-GCM': /* @__PURE__ */ aesGcmAlgorithm('AES-256-GCM', 32),
  'CHACHA20-POLY1305': chacha20Poly1305Algorithm,
};

/**
 * The noble AEADs alone (AES-GCM, ChaCha20-Poly1305), for a provider that takes its key exchange and
 * signatures elsewhere (the WebCrypto client, issue #9) without bringing this provider's groups along.
 */
export function nobleAead(name: AeadName): AeadAlgorithm {
  return AEADS[name];
}

const GROUPS: Record<GroupName, KeyExchangeGroup> = {
  x25519: x25519Group,
  secp256r1: secp256r1Group,
  secp384r1: secp384r1Group,
  secp521r1: secp521r1Group,
  X25519MLKEM768: x25519MlKem768Group,
  ffdhe2048: ffdhe2048Group,
  ffdhe3072: ffdhe3072Group,
  ffdhe4096: ffdhe4096Group,
};

// ---------------------------------------------------------------------------------------------
// Randomness and signatures

/** The platform CSPRNG, in chunks of 65536 bytes (getRandomValues' per-call limit). */
export function platformRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (webCrypto?.getRandomValues === undefined) {
    throw new SSLError('no CSPRNG available (globalThis.crypto.getRandomValues); inject randomBytes', {
      library: 'SSL',
      reason: 'NO_RANDOM',
    });
  }
  for (let offset = 0; offset < n; offset += 65536)
    webCrypto.getRandomValues(out.subarray(offset, Math.min(n, offset + 65536)));
  return out;
}

/** The platform CSPRNG drawn in 4 KiB blocks (random-pool.ts): the noble provider's default generator. */
const pooledPlatformRandomBytes = /* @__PURE__ */ pooledRandomBytes(platformRandomBytes);

export interface NobleProviderOptions {
  /** Replaces the platform CSPRNG (deterministic tests and replays). */
  randomBytes?: (n: number) => Uint8Array;
  /** Replaces certificate/CertificateVerify signatures (defaults to @sanstls/x509's noble provider). */
  signatures?: SignatureProvider;
}

/**
 * @sanstls/x509's noble provider, its signing reached through the private-key slot (slots.ts): signing
 * takes a private key, which only that support loads, so a client-only bundle leaves the signing code
 * out (issue #9) and raises NOT_SUPPORTED naming installPrivateKeySupport() until it is installed.
 */
const nobleSignatures: SignatureProvider = {
  verify: nobleVerify,
  sign: (alg, key, message, randomBytes) => privateKeySupport().sign(alg, key, message, randomBytes),
};

/** A pure-JS CryptoProvider. `fastAesGcm` is false: ChaCha20-Poly1305 is the faster AEAD in pure JS. */
export function createNobleProvider(options: NobleProviderOptions = {}): CryptoProvider {
  const signatures = options.signatures ?? nobleSignatures;
  return {
    name: 'noble',
    fastAesGcm: false,
    randomBytes: options.randomBytes ?? pooledPlatformRandomBytes,
    hash: (name) => (name === 'sha256' ? nobleSha256 : nobleSha384),
    aead: (name) => AEADS[name],
    group: (name) => GROUPS[name],
    verify: (alg, key, message, signature) => signatures.verify(alg, key, message, signature),
    sign: (alg, key, message, randomBytes) => signatures.sign(alg, key, message, randomBytes),
  };
}

export const defaultProvider: CryptoProvider = /* @__PURE__ */ createNobleProvider();
