/**
 * Authentication of the peer's Certificate message (RFC 8446 §4.4.2.4): path validation and hostname
 * or IP matching through @sanstls/x509's `verifyChain` (issue #4: trust anchors' own signatures are never
 * verified and verified (issuer, certificate) pairs are cached per context), optional SPKI pinning,
 * then the user's verification callback, which may answer asynchronously.
 *
 * With CERT_NONE nothing is validated (as OpenSSL's SSL_VERIFY_NONE): the leaf is still parsed for its
 * public key, because CertificateVerify must be checked in every case (RFC 8446 §4.4.3).
 * @module
 */
import {
  type Certificate,
  type PublicKey,
  parseCertificate,
  parsePublicKey,
  type SignatureCacheLike,
  SSLCertVerificationError,
  verifyChainWith,
} from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import { CERT_NONE } from '../constants.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Awaitable, EngineConfig } from './config.js';

declare const certificateBrand: unique symbol;
/**
 * Proof that the peer's certificate went through the verification the configuration asks for (a value
 * only {@link authenticatePeer} creates): `verified` tells whether a trusted path was established.
 */
export interface PeerCertificate {
  readonly [certificateBrand]: 'PeerCertificate';
  /** The certificates as sent, DER, leaf first. */
  readonly chain: readonly Uint8Array[];
  readonly leaf: Certificate;
  readonly publicKey: PublicKey;
  /** True when the chain was validated (getPeerCert returns `{}` otherwise, as Python). */
  readonly verified: boolean;
  /** The validated path (leaf … anchor) when verified. */
  readonly verifiedChain: readonly Uint8Array[] | undefined;
}

/** X509_V_ERR_APPLICATION_VERIFICATION: the application's callback rejected the chain. */
const X509_V_ERR_APPLICATION_VERIFICATION = 50;

/** True for IPv4 dotted quads and anything with a colon (IPv6): RFC 6066 §3 forbids SNI for those. */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export interface AuthenticateOptions {
  readonly config: EngineConfig;
  readonly chain: readonly Uint8Array[];
  /** 'server' when we authenticate a server (client side), 'client' on the server side. */
  readonly peerRole: 'server' | 'client';
  readonly serverHostname: string | null;
  readonly signatureCache: SignatureCacheLike;
}

/**
 * Validates the peer's chain as configured. Returns the proof, or a Promise of it when the user's
 * verification callback answers asynchronously. Throws SSLCertVerificationError (alert from OpenSSL's
 * table) or a CERTIFICATE_VERIFY_FAILED SSLError.
 */
export function authenticatePeer(options: AuthenticateOptions): Awaitable<PeerCertificate> {
  const { config, chain, peerRole, serverHostname } = options;
  // Bounds the path builder's pool (limits.ts); the chain's total size is bounded by the message size.
  const maxChainLength = config.limits?.maxChainLength ?? DEFAULT_LIMITS.maxChainLength;
  if (chain.length > maxChainLength) {
    throw tlsFailure(
      'EXCESSIVE_MESSAGE_SIZE',
      `certificate chain of ${chain.length} certificates exceeds the limit of ${maxChainLength}`,
    );
  }
  const leafDer = chain[0]!;
  // A chain met before (the same server on every connection) is parsed once per context: its bytes are
  // compared in full, and the cache parses private copies.
  const cache = config.verifiedChainCache;
  let leaf: Certificate;
  let publicKey: PublicKey;
  if (cache === undefined) {
    leaf = parseCertificate(leafDer);
    publicKey = parsePublicKey(leaf.spki.der);
  } else {
    const cached = cache.chain(leafDer, chain.slice(1));
    leaf = cached.leaf;
    publicKey = cached.leafPublicKey();
  }
  let verifiedChain: Uint8Array[] | undefined;
  let error: Error | undefined;
  if (config.verifyMode !== CERT_NONE) {
    try {
      const hostname =
        peerRole === 'server' && config.checkHostname && serverHostname !== null ? serverHostname : undefined;
      const result = verifyChainWith({
        leaf: leafDer,
        intermediates: chain.slice(1),
        trustAnchors: config.trustStore,
        at: new Date(config.now()),
        ...(hostname === undefined
          ? {}
          : isIpLiteral(hostname)
            ? { ip: hostname.replace(/^\[|\]$/g, '') }
            : { hostname }),
        purpose: peerRole === 'server' ? 'serverAuth' : 'clientAuth',
        flags: config.verifyFlags,
        signatureProvider: config.provider,
        hostnameChecksCommonName: config.hostnameChecksCommonName,
        verifiedSignatureCache: options.signatureCache,
        ...(cache === undefined ? {} : { verifiedChainCache: cache }),
      });
      verifiedChain = result.chain;
      if (config.pinnedSpkiSha256.length > 0) checkPins(config, verifiedChain);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
  }
  const finish = (accepted: boolean): PeerCertificate => {
    if (!accepted) {
      if (error !== undefined) throw error;
      throw new SSLCertVerificationError(X509_V_ERR_APPLICATION_VERIFICATION, 'application verification failure');
    }
    return {
      chain,
      leaf,
      publicKey,
      verified: config.verifyMode !== CERT_NONE,
      verifiedChain: verifiedChain ?? (error === undefined ? undefined : chain.slice()),
    } as unknown as PeerCertificate;
  };
  const callback = config.verifyCallback;
  if (callback === null) return finish(error === undefined);
  const answer = callback({
    chain,
    verifiedChain,
    preverified: error === undefined,
    error,
    serverSide: peerRole === 'client',
    serverHostname,
  });
  if (isPromiseLike(answer)) return Promise.resolve(answer).then((ok) => finish(ok === true));
  return finish(answer === true);
}

/** Public-key pinning: some certificate of the validated path must carry a pinned SPKI (SHA-256, base64). */
function checkPins(config: EngineConfig, chain: readonly Uint8Array[]): void {
  const sha256 = config.provider.hash('sha256');
  for (const der of chain) {
    const cert = parseCertificate(der);
    if (config.pinnedSpkiSha256.includes(base64(sha256.digest(cert.spki.der)))) return;
  }
  throw tlsFailure('PINNED_KEY_MISMATCH', 'no certificate of the chain matches a pinned public key');
}

export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo: the value to pin. */
export function spkiSha256(config: Pick<EngineConfig, 'provider'>, certificateDer: Uint8Array): string {
  return base64(config.provider.hash('sha256').digest(parseCertificate(certificateDer).spki.der));
}
