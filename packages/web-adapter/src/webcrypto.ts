/**
 * The WebCrypto-assisted path. WebCrypto is asynchronous, the engine is synchronous, so WebCrypto enters
 * only where the engine can wait or where the work can be done ahead:
 *
 * - **Certificate-chain signatures** at the `verifyPeerCertificate` suspension point. The chain is
 *   validated by @sanstls/x509's own `verifyChain` twice: a first dry run with a recording provider lists
 *   exactly the (key, message, signature) checks path building wants; WebCrypto checks them all in
 *   parallel; the second, real run answers those checks from the precomputed results (synchronous by
 *   precomputation) and falls back to noble for anything WebCrypto lacks or rejected (only WebCrypto's
 *   "valid" is taken; a "invalid" is re-checked by noble, so the two can never disagree in our favour).
 *   Validation policy is verifyChain's alone. For the engine to wait there, its own validation is
 *   switched off in a per-connection configuration snapshot (the context is not changed) and this
 *   verifier is installed as the verify callback.
 * - **Signing** with a non-extractable `CryptoKey` at the `signCertificateVerify` suspension point
 *   ({@link webCryptoSigner}: client certificates in a browser, keys that never leave WebCrypto).
 *
 * With the default (noble) provider, the key exchange and the CertificateVerify / ServerKeyExchange check
 * stay on noble, as do AEAD and hashing; the WebCrypto provider (webcrypto-provider.ts,
 * `@sanstls/web-adapter/client-webcrypto`) moves those two to WebCrypto too, at core's `generateKeyShare`,
 * `completeKeyShare` and `verifyServerSignature` suspension points.
 * @module
 */
import { CERT_NONE, type EngineConfig, SSLError, type VerifyCallback } from '@sanstls/core/client-base';
import {
  DerReader,
  derSequence,
  derUnsignedInteger,
  type HashName,
  type PublicKey,
  type SignatureAlgorithm,
  type SignatureCacheLike,
  type SignatureProvider,
  signatureAlgorithmFromTlsScheme,
  type VerifyChainOptions,
  verifyChainWith,
} from '@sanstls/x509';
import type { WebCryptoOutcome } from './tls-stream.js';

/** `true`: required (throws where unavailable); `false`: noble only; `'auto'`: when available and compatible. */
export type WebCryptoVerification = boolean | 'auto';

/** Counters of the last WebCrypto-assisted verification (benchmarks, tests). */
export interface WebCryptoVerifyStats {
  /** Signature checks answered by WebCrypto. */
  webCrypto: number;
  /** Checks answered by noble (algorithm missing in WebCrypto, or WebCrypto said invalid). */
  noble: number;
}

function notSupported(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'NOT_SUPPORTED' });
}

function subtleCrypto(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: Crypto }).crypto?.subtle;
}

/** True for IPv4 dotted quads and anything with a colon (IPv6), as the engine decides (RFC 6066 §3). */
function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * The per-connection configuration for WebCrypto chain verification, or null when it does not apply
 * (`'auto'` without WebCrypto, verification off, or the context has its own verify callback or pins,
 * which the engine's built-in path handles).
 */
export function webCryptoVerificationConfig(
  config: EngineConfig,
  mode: WebCryptoVerification,
  connection: { serverHostname: string | null; signatureCache: SignatureCacheLike },
): { config: EngineConfig; result: WebCryptoOutcome } | null {
  if (mode === false || config.verifyMode === CERT_NONE) return null;
  const subtle = subtleCrypto();
  const incompatible =
    subtle === undefined
      ? 'crypto.subtle is not available here'
      : config.verifyCallback !== null || config.pinnedSpkiSha256.length > 0
        ? 'WebCrypto verification does not combine with a verify callback or SPKI pins'
        : null;
  if (incompatible !== null) {
    if (mode === true) throw notSupported(incompatible);
    return null;
  }
  const result: WebCryptoOutcome = { verifiedChain: null };
  const hostname = config.checkHostname && connection.serverHostname !== null ? connection.serverHostname : undefined;
  const verifier: VerifyCallback = async (info) => {
    result.verifiedChain = await verifyChainWithWebCrypto(subtle!, config.provider, {
      leaf: info.chain[0]!,
      intermediates: info.chain.slice(1),
      trustAnchors: config.trustStore,
      at: new Date(config.now()),
      ...(hostname === undefined
        ? {}
        : isIpLiteral(hostname)
          ? { ip: hostname.replace(/^\[|\]$/g, '') }
          : { hostname }),
      purpose: 'serverAuth',
      flags: config.verifyFlags,
      hostnameChecksCommonName: config.hostnameChecksCommonName,
      verifiedSignatureCache: connection.signatureCache,
    });
    return true;
  };
  return { config: { ...config, verifyMode: CERT_NONE, checkHostname: false, verifyCallback: verifier }, result };
}

export interface SignatureCheck {
  readonly algorithm: SignatureAlgorithm;
  readonly key: PublicKey;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * `verifyChain` with its signature checks done by WebCrypto ahead of the synchronous run (see the module
 * comment). Same result and errors as `verifyChain`; `stats` counts who answered.
 */
export async function verifyChainWithWebCrypto(
  subtle: SubtleCrypto,
  fallback: SignatureProvider,
  options: VerifyChainOptions,
  stats: WebCryptoVerifyStats = { webCrypto: 0, noble: 0 },
): Promise<Uint8Array[]> {
  const checks: SignatureCheck[] = [];
  const cache = options.verifiedSignatureCache;
  const recorder: SignatureProvider = {
    verify(algorithm, key, message, signature) {
      checks.push({ algorithm, key, message, signature });
      return true; // optimistic: lists the checks of the path a valid chain would take
    },
    sign() {
      throw notSupported('the recording provider does not sign');
    },
  };
  try {
    // Read-only cache view: an optimistic answer must never be remembered as verified.
    const readOnly: SignatureCacheLike | undefined =
      cache === undefined ? undefined : { has: (k) => cache.has(k), add: () => {} };
    verifyChainWith({ ...options, signatureProvider: recorder, verifiedSignatureCache: readOnly });
  } catch {
    // The real run below reports the error; the checks listed so far are still worth precomputing.
  }
  const answers = await Promise.all(checks.map((c) => webCryptoVerify(subtle, c)));
  const valid = checks.filter((_, i) => answers[i] === true);
  const provider: SignatureProvider = {
    verify(algorithm, key, message, signature) {
      if (valid.some((c) => sameCheck(c, key, message, signature))) {
        stats.webCrypto++;
        return true;
      }
      stats.noble++;
      return fallback.verify(algorithm, key, message, signature);
    },
    sign: (algorithm, key, message, randomBytes) => fallback.sign(algorithm, key, message, randomBytes),
  };
  return verifyChainWith({ ...options, signatureProvider: provider }).chain;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameKey(a: PublicKey, b: PublicKey): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'rsa':
    case 'rsa-pss':
      return b.kind === a.kind && a.n === b.n && a.e === b.e;
    case 'ec':
      return b.kind === 'ec' && a.curve === b.curve && bytesEqual(a.point, b.point);
    case 'ed25519':
    case 'ed448':
      return b.kind === a.kind && bytesEqual(a.key, b.key);
    default:
      return false;
  }
}

function sameCheck(c: SignatureCheck, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  return bytesEqual(c.signature, signature) && bytesEqual(c.message, message) && sameKey(c.key, key);
}

export const WEBCRYPTO_HASH: Partial<Record<HashName, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/** Field size in bytes of each curve: the width of r and s in WebCrypto's IEEE P1363 signatures. */
export const CURVE_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

function base64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function bigIntBytes(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto's BufferSource typing). */
function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** DER `SEQUENCE { r, s }` (RFC 5480 / RFC 8446 §4.2.3) → fixed-width r‖s, or undefined if it does not fit. */
export function ecdsaDerToP1363(der: Uint8Array, width: number): Uint8Array | undefined {
  try {
    const seq = new DerReader(der, 'ECDSA signature').sequence();
    const r = seq.readIntegerBytes();
    const s = seq.readIntegerBytes();
    seq.end();
    const out = new Uint8Array(2 * width);
    for (const [i, v] of [r, s].entries()) {
      let start = 0;
      while (start < v.length - 1 && v[start] === 0) start++;
      const magnitude = v.subarray(start);
      if (magnitude.length > width) return undefined;
      out.set(magnitude, (i + 1) * width - magnitude.length);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Fixed-width r‖s → DER `SEQUENCE { r, s }`. */
export function ecdsaP1363ToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return derSequence(derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half)));
}

/** WebCrypto's answer to one check: true/false, or undefined where WebCrypto lacks the algorithm or key. */
export async function webCryptoVerify(subtle: SubtleCrypto, check: SignatureCheck): Promise<boolean | undefined> {
  const { algorithm, key, message, signature } = check;
  try {
    switch (algorithm.kind) {
      case 'ecdsa': {
        const hash = WEBCRYPTO_HASH[algorithm.hash];
        if (key.kind !== 'ec' || hash === undefined) return undefined;
        const raw = ecdsaDerToP1363(signature, CURVE_BYTES[key.curve]);
        if (raw === undefined) return undefined;
        const k = await subtle.importKey('raw', buffer(key.point), { name: 'ECDSA', namedCurve: key.curve }, false, [
          'verify',
        ]);
        return await subtle.verify({ name: 'ECDSA', hash }, k, buffer(raw), buffer(message));
      }
      case 'rsa-pkcs1':
      case 'rsa-pss': {
        const hash = WEBCRYPTO_HASH[algorithm.hash];
        if ((key.kind !== 'rsa' && key.kind !== 'rsa-pss') || hash === undefined) return undefined;
        if (algorithm.kind === 'rsa-pss' && algorithm.mgfHash !== algorithm.hash) return undefined;
        const name = algorithm.kind === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
        const jwk: JsonWebKey = { kty: 'RSA', n: base64Url(bigIntBytes(key.n)), e: base64Url(bigIntBytes(key.e)) };
        const k = await subtle.importKey('jwk', jwk, { name, hash }, false, ['verify']);
        const params =
          algorithm.kind === 'rsa-pss' ? { name, saltLength: algorithm.saltLength } : { name: 'RSASSA-PKCS1-v1_5' };
        return await subtle.verify(params, k, buffer(signature), buffer(message));
      }
      case 'ed25519': {
        if (key.kind !== 'ed25519') return undefined;
        const k = await subtle.importKey('raw', buffer(key.key), { name: 'Ed25519' }, false, ['verify']);
        return await subtle.verify({ name: 'Ed25519' }, k, buffer(signature), buffer(message));
      }
      default:
        return undefined;
    }
  } catch {
    return undefined; // algorithm or key size this WebCrypto lacks: noble answers
  }
}

// ---------------------------------------------------------------------------------------------
// Signing with CryptoKeys

/**
 * A CertificateVerify signer over WebCrypto private keys (`SSLContext.loadCertChainWithSigner`): the
 * handshake parks at `signCertificateVerify` while WebCrypto signs. Pass one key per hash for RSA-PSS
 * (WebCrypto binds the hash to the key). ECDSA results are re-encoded from r‖s to DER (RFC 8446 §4.2.3).
 */
export function webCryptoSigner(
  keys: CryptoKey | readonly CryptoKey[],
  subtle: SubtleCrypto | undefined = subtleCrypto(),
): (scheme: number, content: Uint8Array) => Promise<Uint8Array> {
  if (subtle === undefined) throw notSupported('crypto.subtle is not available here');
  const list = Array.isArray(keys) ? (keys as readonly CryptoKey[]) : [keys as CryptoKey];
  return async (scheme, content) => {
    const algorithm = signatureAlgorithmFromTlsScheme(scheme);
    const hash = algorithm !== undefined && 'hash' in algorithm ? WEBCRYPTO_HASH[algorithm.hash] : undefined;
    const keyHash = (k: CryptoKey) => (k.algorithm as { hash?: { name: string } }).hash?.name;
    const keyName = (k: CryptoKey) => k.algorithm.name;
    let key: CryptoKey | undefined;
    let params: AlgorithmIdentifier | EcdsaParams | RsaPssParams | undefined;
    if (algorithm?.kind === 'ecdsa' && hash !== undefined) {
      key = list.find((k) => keyName(k) === 'ECDSA');
      params = { name: 'ECDSA', hash };
    } else if (algorithm?.kind === 'rsa-pss' && hash !== undefined) {
      key = list.find((k) => keyName(k) === 'RSA-PSS' && keyHash(k) === hash);
      params = { name: 'RSA-PSS', saltLength: algorithm.saltLength };
    } else if (algorithm?.kind === 'ed25519') {
      key = list.find((k) => keyName(k) === 'Ed25519');
      params = { name: 'Ed25519' };
    }
    if (key === undefined || params === undefined) {
      throw new SSLError(`no WebCrypto key can sign with scheme 0x${scheme.toString(16).padStart(4, '0')}`, {
        library: 'SSL',
        reason: 'NO_SUITABLE_SIGNATURE_ALGORITHM',
      });
    }
    const signature = new Uint8Array(await subtle.sign(params, key, buffer(content)));
    return algorithm?.kind === 'ecdsa' ? ecdsaP1363ToDer(signature) : signature;
  };
}
