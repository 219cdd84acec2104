/**
 * A client CryptoProvider whose public-key work is WebCrypto's (issue #9): the key exchange (X25519,
 * ECDH P-256 and P-384) and every server signature check — the certificate chain (ahead of the engine's
 * synchronous validation, webcrypto.ts) and the handshake signature (TLS 1.3 CertificateVerify, TLS 1.2
 * ServerKeyExchange) — run natively while the handshake waits at core's suspension points
 * (`generateKeyShare`, `completeKeyShare`, `verifyServerSignature`). Hashing, HMAC/HKDF and the AEADs stay
 * synchronous on @noble/hashes and @noble/ciphers (small, and the record layer cannot wait per record).
 *
 * Not offered: X25519MLKEM768 (WebCrypto has no ML-KEM in browsers), secp521r1 and the RFC 7919 FFDHE
 * groups; signatures other than ECDSA (P-256/P-384/P-521), RSA-PSS, RSA PKCS#1 v1.5 and Ed25519 fail with
 * SSLError NOT_SUPPORTED. The provider is for clients: a server's key exchange (`respond`) and signing
 * need a synchronous provider (SSLError NOT_SUPPORTED here), and the injected `randomBytes` of a context
 * does not reach WebCrypto's key generation (deterministic replays need the noble provider).
 * @module
 */
import {
  type AeadName,
  type ClientKeyShareOffer,
  type CryptoProvider,
  type GroupName,
  type KeyExchangeGroup,
  LOCAL_FAILURE_ALERT,
  nobleAead,
  nobleSha256,
  nobleSha384,
  platformRandomBytes,
  pooledRandomBytes,
  SSLError,
} from '@sanstls/core/client-base';
import { modulusLength, type PublicKey, type SignatureAlgorithm } from '@sanstls/x509';
import { CURVE_BYTES, ecdsaDerToP1363, WEBCRYPTO_HASH, webCryptoVerify } from './webcrypto.js';

function notSupported(text: string, inHandshake = false): SSLError {
  // During a handshake the peer hears handshake_failure (RFC 8446 §6.2: no better alert for "cannot").
  return new SSLError(text, {
    library: 'SSL',
    reason: 'NOT_SUPPORTED',
    ...(inHandshake ? { alert: LOCAL_FAILURE_ALERT.NO_SHARED_CIPHER } : {}),
  });
}

/** RFC 8446 §4.2.8.1/§4.2.8.2, RFC 8422 §5.11: a malformed or invalid peer share is illegal_parameter. */
function badShare(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'BAD_KEY_SHARE', alert: LOCAL_FAILURE_ALERT.BAD_KEY_SHARE });
}

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto's BufferSource typing). */
const buffer = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

interface WebCryptoGroupSpec {
  readonly name: GroupName;
  readonly code: number;
  readonly algorithm: AlgorithmIdentifier | EcKeyGenParams;
  /** Length of the peer's key_exchange bytes: 32 (X25519) or the uncompressed point 0x04‖X‖Y (§4.2.8.2). */
  readonly shareLength: number;
  readonly secretBits: number;
}

const GROUP_SPECS: readonly WebCryptoGroupSpec[] = [
  { name: 'x25519', code: 0x001d, algorithm: { name: 'X25519' }, shareLength: 32, secretBits: 256 },
  {
    name: 'secp256r1',
    code: 0x0017,
    algorithm: { name: 'ECDH', namedCurve: 'P-256' },
    shareLength: 65,
    secretBits: 256,
  },
  {
    name: 'secp384r1',
    code: 0x0018,
    algorithm: { name: 'ECDH', namedCurve: 'P-384' },
    shareLength: 97,
    secretBits: 384,
  },
];

function webCryptoGroup(subtle: SubtleCrypto, spec: WebCryptoGroupSpec): KeyExchangeGroup {
  const synchronous = () =>
    notSupported(
      `the WebCrypto provider's ${spec.name} key exchange is asynchronous: only the client handshake (generateClientShare) uses it`,
      true,
    );
  return {
    name: spec.name,
    code: spec.code,
    generate() {
      throw synchronous();
    },
    respond() {
      throw synchronous();
    },
    async generateClientShare(): Promise<ClientKeyShareOffer> {
      let pair: CryptoKeyPair;
      let publicKey: Uint8Array;
      try {
        pair = (await subtle.generateKey(spec.algorithm, false, ['deriveBits'])) as CryptoKeyPair;
        publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      } catch (e) {
        // A WebCrypto without this algorithm (X25519 before Chrome 133): say so, and what to do instead.
        throw notSupported(
          `this WebCrypto cannot generate a ${spec.name} key share (${(e as Error).message}): offer other groups (e.g. groups: ['secp256r1', 'secp384r1']) or use @sanstls/web-adapter/client`,
          true,
        );
      }
      return {
        publicKey,
        async complete(peerShare) {
          // §4.2.8.2: NIST curve shares are uncompressed points; X25519 shares are 32 bytes (RFC 7748).
          if (peerShare.length !== spec.shareLength || (spec.shareLength !== 32 && peerShare[0] !== 4)) {
            throw badShare(`invalid ${spec.name} key share (${peerShare.length} bytes)`);
          }
          let peer: CryptoKey;
          try {
            // importKey checks that a NIST point is on the curve (RFC 8446 §4.2.8.2's validation).
            peer = await subtle.importKey('raw', buffer(peerShare), spec.algorithm, false, []);
          } catch (e) {
            throw badShare(`invalid ${spec.name} key share: ${(e as Error).message}`);
          }
          let secret: Uint8Array;
          try {
            const bits = await subtle.deriveBits(
              { name: (spec.algorithm as Algorithm).name, public: peer } as EcdhKeyDeriveParams,
              pair.privateKey,
              spec.secretBits,
            );
            secret = new Uint8Array(bits);
          } catch (e) {
            // WebCrypto rejects an all-zero X25519 result (a small-order point) with OperationError.
            throw badShare(`invalid ${spec.name} key share: ${(e as Error).message}`);
          }
          // RFC 8446 §7.4.2 / RFC 7748 §6.1: an all-zero X25519 shared secret MUST be rejected.
          if (secret.every((b) => b === 0)) throw badShare(`invalid ${spec.name} key share: all-zero shared secret`);
          return secret;
        },
      };
    },
  };
}

/** Algorithms WebCrypto verifies (webcrypto.ts's webCryptoVerify), checked before asking it. */
function webCryptoVerifiable(algorithm: SignatureAlgorithm, key: PublicKey): boolean {
  switch (algorithm.kind) {
    case 'ecdsa':
      return key.kind === 'ec' && WEBCRYPTO_HASH[algorithm.hash] !== undefined;
    case 'rsa-pkcs1':
      return (key.kind === 'rsa' || key.kind === 'rsa-pss') && WEBCRYPTO_HASH[algorithm.hash] !== undefined;
    case 'rsa-pss':
      return (
        (key.kind === 'rsa' || key.kind === 'rsa-pss') &&
        WEBCRYPTO_HASH[algorithm.hash] !== undefined &&
        algorithm.mgfHash === algorithm.hash
      );
    case 'ed25519':
      return key.kind === 'ed25519';
    default:
      return false;
  }
}

function algorithmName(algorithm: SignatureAlgorithm): string {
  return 'hash' in algorithm ? `${algorithm.kind} with ${algorithm.hash}` : algorithm.kind;
}

export interface WebCryptoProviderOptions {
  /** The SubtleCrypto to use (default `globalThis.crypto.subtle`). */
  readonly subtle?: SubtleCrypto;
  /** Replaces the platform CSPRNG for randoms, nonces and ticket ages (not for WebCrypto's own keys). */
  readonly randomBytes?: (n: number) => Uint8Array;
}

/**
 * The WebCrypto client provider (see the module comment). Throws SSLError NOT_SUPPORTED where
 * `crypto.subtle` is missing (an insecure context in a browser: WebCrypto needs https or localhost).
 */
export function webCryptoProvider(options: WebCryptoProviderOptions = {}): CryptoProvider {
  // One shared instance for the defaults: each context would otherwise draw its own 4 KiB random pool.
  if (options.subtle === undefined && options.randomBytes === undefined) {
    sharedProvider ??= createWebCryptoProvider(options);
    return sharedProvider;
  }
  return createWebCryptoProvider(options);
}

let sharedProvider: CryptoProvider | undefined;

function createWebCryptoProvider(options: WebCryptoProviderOptions): CryptoProvider {
  const subtle = options.subtle ?? (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (subtle === undefined) {
    throw notSupported('crypto.subtle is not available here (WebCrypto needs a secure context: https or localhost)');
  }
  const groups = new Map(GROUP_SPECS.map((spec) => [spec.name, webCryptoGroup(subtle, spec)]));
  return {
    name: 'webcrypto',
    fastAesGcm: false,
    randomBytes: options.randomBytes ?? pooledRandomBytes(platformRandomBytes),
    hash: (name) => (name === 'sha256' ? nobleSha256 : nobleSha384),
    aead: (name: AeadName) => nobleAead(name),
    group: (name) => groups.get(name),
    /**
     * Synchronous checks reach here only as the fallback of the WebCrypto chain validation (webcrypto.ts)
     * for a signature WebCrypto did not accept: false for an algorithm WebCrypto checks (it said invalid),
     * NOT_SUPPORTED for one it lacks.
     */
    verify(algorithm, key) {
      if (webCryptoVerifiable(algorithm, key)) return false;
      throw notSupported(`signature algorithm ${algorithmName(algorithm)} is not supported by the WebCrypto provider`);
    },
    sign() {
      throw notSupported(
        'the WebCrypto provider does not sign with key objects: use loadCertChainWithSigner(chain, webCryptoSigner(cryptoKey))',
      );
    },
    async verifyHandshakeSignature(algorithm, key, message, signature) {
      if (!webCryptoVerifiable(algorithm, key)) {
        throw notSupported(
          `signature algorithm ${algorithmName(algorithm)} is not supported by the WebCrypto provider`,
          true,
        );
      }
      // A signature that is not DER SEQUENCE { r, s } of the curve's width is simply bad (decrypt_error).
      if (
        algorithm.kind === 'ecdsa' &&
        key.kind === 'ec' &&
        ecdsaDerToP1363(signature, CURVE_BYTES[key.curve]) === undefined
      ) {
        return false;
      }
      // RFC 8017 §8.1.2 / §8.2.2 step 1: an RSA signature is exactly k octets; OpenSSL-backed WebCrypto (Node's)
      // may take a shorter one as the integer it encodes (its PSS verification does).
      if ((key.kind === 'rsa' || key.kind === 'rsa-pss') && signature.length !== modulusLength(key.n)) return false;
      const answer = await webCryptoVerify(subtle, { algorithm, key, message, signature });
      if (answer === undefined) {
        // importKey refused the key (a size or curve this browser's WebCrypto lacks).
        throw notSupported(`this WebCrypto cannot verify ${algorithmName(algorithm)} with this key`, true);
      }
      return answer;
    },
  };
}
