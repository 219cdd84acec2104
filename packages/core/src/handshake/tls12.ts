/**
 * What the TLS 1.2 client and server (RFC 5246) share: the connection interface they act through
 * ({@link Tls12Io}), signature schemes for ServerKeyExchange and CertificateVerify (RFC 5246 §7.4.1.4.1,
 * RFC 8422 §5.4, RFC 8446 §4.2.3 code points), key derivation (master secret with RFC 7627's extended
 * master secret, key block, record protection), Finished (§7.4.9) and the established-session facts
 * kept for exporters, channel bindings and resumption.
 * @module
 */
import type { Certificate, PublicKey, SignatureAlgorithm } from '@sanstls/x509';
import {
  concatBytes,
  constantTimeEqual,
  parseCertificate,
  parsePublicKey,
  signatureAlgorithmFromTlsScheme,
  tlsSchemeFitsKey,
} from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import type { Tls12Suite } from '../cipher-string.js';
import { SignatureScheme } from '../codec/enums.js';
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import {
  tls12ExtendedMasterSecret,
  tls12FinishedVerifyData,
  tls12KeyBlock,
  tls12MasterSecret,
} from '../crypto/prf12.js';
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { TranscriptHash } from '../crypto/transcript.js';
import { Tls12RecordProtection } from '../record/protection12.js';
import type { SSLSession } from '../session.js';
import type { Tls12SessionState } from '../session12.js';
import type { HandshakeIo } from './common.js';
import type { EngineConfig } from './config.js';
import type { PeerCertificate } from './peer-certificate.js';

const S = SignatureScheme;

/** Schemes offered and accepted in TLS 1.2 (signature_algorithms, RFC 5246 §7.4.1.4.1), in preference order. */
export const TLS12_SIGNATURE_SCHEMES: readonly number[] = [
  S.ecdsa_secp256r1_sha256,
  S.ecdsa_secp384r1_sha384,
  S.ecdsa_secp521r1_sha512,
  S.ed25519,
  S.rsa_pss_rsae_sha256,
  S.rsa_pss_rsae_sha384,
  S.rsa_pss_rsae_sha512,
  S.rsa_pss_pss_sha256,
  S.rsa_pss_pss_sha384,
  S.rsa_pss_pss_sha512,
  S.rsa_pkcs1_sha256,
  S.rsa_pkcs1_sha384,
  S.rsa_pkcs1_sha512,
];

/** PKCS #1 v1.5 schemes: allowed in TLS 1.2 handshake signatures, not in TLS 1.3 CertificateVerify. */
export const TLS12_ONLY_SIGNATURE_SCHEMES: readonly number[] = [
  S.rsa_pkcs1_sha256,
  S.rsa_pkcs1_sha384,
  S.rsa_pkcs1_sha512,
];

/**
 * The schemes we offer and accept in TLS 1.2: the configured (TLS 1.3) list plus PKCS #1 v1.5, so one
 * signature_algorithms extension serves both versions (a TLS 1.3 peer never picks PKCS #1 for
 * CertificateVerify, RFC 8446 §4.2.3).
 */
export function tls12OfferedSchemes(config: Pick<EngineConfig, 'signatureSchemes'>): number[] {
  return [
    ...config.signatureSchemes,
    ...TLS12_ONLY_SIGNATURE_SCHEMES.filter((s) => !config.signatureSchemes.includes(s)),
  ];
}

/** Can `key` authenticate a suite of this kind? (RFC 8422 §5.1: ECDSA suites carry ECDSA or EdDSA keys.) */
export function keyFitsSuite(key: PublicKey, suite: Tls12Suite): boolean {
  if (suite.au === 'ECDSA') return key.kind === 'ec' || key.kind === 'ed25519';
  return key.kind === 'rsa' || key.kind === 'rsa-pss';
}

/** First scheme of `peerSchemes` (peer preference) that we support and `key` can sign with in TLS 1.2. */
export function chooseTls12Scheme(peerSchemes: readonly number[], key: PublicKey): number | undefined {
  return peerSchemes.find((s) => TLS12_SIGNATURE_SCHEMES.includes(s) && tlsSchemeFitsKey(s, key, 'TLSv1.2'));
}

/**
 * Checks a TLS 1.2 handshake signature (ServerKeyExchange, CertificateVerify): the scheme must be one we
 * offered (illegal_parameter: RFC 5246 §7.4.1.4.1 / OpenSSL's WRONG_SIGNATURE_TYPE) and fit the key; a
 * wrong signature is decrypt_error (RFC 5246 §7.2.2).
 */
export function verifyTls12Signature(
  provider: CryptoProvider,
  offered: readonly number[],
  key: PublicKey,
  scheme: number,
  signature: Uint8Array,
  content: Uint8Array,
): void {
  const algorithm = tls12SignatureAlgorithm(offered, key, scheme);
  if (!provider.verify(algorithm, key, content, signature)) throw tlsFailure('BAD_SIGNATURE', 'bad signature');
}

/**
 * The checks of {@link verifyTls12Signature} before the signature itself (scheme offered, fitting the
 * key): the algorithm to verify with. The client calls it alone and verifies where it can wait (issue #9).
 */
export function tls12SignatureAlgorithm(
  offered: readonly number[],
  key: PublicKey,
  scheme: number,
): SignatureAlgorithm {
  if (!offered.includes(scheme) || !TLS12_SIGNATURE_SCHEMES.includes(scheme)) {
    throw tlsFailure('WRONG_SIGNATURE_TYPE', `signature scheme 0x${scheme.toString(16)} was not offered`);
  }
  const algorithm = signatureAlgorithmFromTlsScheme(scheme);
  if (algorithm === undefined || !tlsSchemeFitsKey(scheme, key, 'TLSv1.2')) {
    throw tlsFailure(
      'WRONG_SIGNATURE_TYPE',
      `signature scheme 0x${scheme.toString(16)} does not fit the certificate key`,
    );
  }
  return algorithm;
}

/** The ServerKeyExchange signed content (RFC 5246 §7.4.3): client_random || server_random || params. */
export function serverKeyExchangeContent(
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(64 + params.length);
  out.set(clientRandom, 0);
  out.set(serverRandom, 32);
  out.set(params, 64);
  return out;
}

/** Facts of an established TLS 1.2 connection (exporters, tls-unique, resumption, SSLObject accessors). */
export interface Tls12Established {
  readonly suite: Tls12Suite;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  /** RFC 5929 §3.1 tls-unique: the first Finished of the handshake (the client's, or the server's when resumed). */
  readonly tlsUnique: Uint8Array;
  /** RFC 5746 §3.1: both verify_data, kept for the renegotiation_info check we never need (no renegotiation). */
  readonly clientVerifyData: Uint8Array;
  readonly serverVerifyData: Uint8Array;
  readonly resumed: boolean;
  /** The resumable state (the client wraps it into an SSLSession; the server cached or ticketed it). */
  readonly session: Tls12SessionState;
  readonly sessionId: Uint8Array;
  readonly ticket: Uint8Array | null;
  readonly ticketLifetimeHint: number;
}

/** The connection as the TLS 1.2 states see it. */
export interface Tls12Io extends HandshakeIo {
  /** Client: the session given to wrapBio, to resume. */
  readonly offeredSession: SSLSession | null;
  /** Starts protecting what we send (right after our ChangeCipherSpec, RFC 5246 §7.1). */
  installTls12WriteProtection(protection: Tls12RecordProtection): void;
  /** Starts decrypting what we receive (when the peer's ChangeCipherSpec arrives, RFC 5246 §7.1). */
  installTls12ReadProtection(protection: Tls12RecordProtection): void;
  /** Both Finished checked: application data may flow. */
  enterTls12Traffic(established: Tls12Established): void;
}

/** The master secret (RFC 5246 §8.1 or RFC 7627 §4 over the session hash up to ClientKeyExchange). */
export function deriveMasterSecret(
  io: HandshakeIo,
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  extendedMasterSecret: boolean,
  transcript: TranscriptHash,
): Uint8Array {
  const master = extendedMasterSecret
    ? tls12ExtendedMasterSecret(hash, preMasterSecret, transcript.digest())
    : tls12MasterSecret(hash, preMasterSecret, clientRandom, serverRandom);
  io.keylog('CLIENT_RANDOM', master);
  return master;
}

/** Record protection for both directions from the key block (RFC 5246 §6.3). */
export function deriveRecordProtection(
  io: HandshakeIo,
  suite: Tls12Suite,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: Tls12RecordProtection; server: Tls12RecordProtection } {
  const { provider } = io.config;
  const block = tls12KeyBlock(provider.hash(suite.hash), masterSecret, clientRandom, serverRandom, {
    macKeyLength: 0,
    keyLength: suite.keyLength,
    ivLength: suite.fixedIvLength,
  });
  const aead = provider.aead(suite.aead);
  return {
    client: new Tls12RecordProtection(aead, suite, block.clientWriteKey, block.clientWriteIv),
    server: new Tls12RecordProtection(aead, suite, block.serverWriteKey, block.serverWriteIv),
  };
}

/** verify_data of a Finished (RFC 5246 §7.4.9). */
export function tls12VerifyData(
  io: HandshakeIo,
  suite: Tls12Suite,
  masterSecret: Uint8Array,
  sender: 'client' | 'server',
  transcript: TranscriptHash,
): Uint8Array {
  return tls12FinishedVerifyData(io.config.provider.hash(suite.hash), masterSecret, sender, transcript.digest());
}

/** Constant-time comparison of a received verify_data; a mismatch is decrypt_error (RFC 5246 §7.4.9). */
export function checkTls12Finished(expected: Uint8Array, received: Uint8Array): void {
  if (!constantTimeEqual(expected, received)) throw tlsFailure('DIGEST_CHECK_FAILED', 'digest check failed');
}

/**
 * The parsed leaf of a stored peer chain, keyed by the chain array itself: a session keeps one array,
 * and every ticket issued on a resumption of it carries that same array on (the restored
 * PeerCertificate's `chain`), so a session resumed over and over parses its peer certificate at most
 * once, and only when something asks for it (getPeerCert).
 */
const parsedPeerLeaves = new WeakMap<readonly Uint8Array[], { leaf: Certificate; publicKey: PublicKey }>();

function parsedPeerLeaf(chain: readonly Uint8Array[]): { leaf: Certificate; publicKey: PublicKey } {
  let parsed = parsedPeerLeaves.get(chain);
  if (parsed === undefined) {
    const leaf = parseCertificate(chain[0]!);
    parsed = { leaf, publicKey: parsePublicKey(leaf.spki.der) };
    parsedPeerLeaves.set(chain, parsed);
  }
  return parsed;
}

/**
 * A resumed session's peer certificate with the verdict of the full handshake: nothing is validated
 * again (RFC 5246 §7.4.1.2, RFC 8446 §4.6.1: the session carries the original authentication), and the
 * leaf is parsed lazily — a resumption has no CertificateVerify to check, so only getPeerCert needs it.
 */
class RestoredPeerCertificate {
  readonly verifiedChain = undefined;
  constructor(
    readonly chain: readonly Uint8Array[],
    readonly verified: boolean,
  ) {}
  get leaf(): Certificate {
    return parsedPeerLeaf(this.chain).leaf;
  }
  get publicKey(): PublicKey {
    return parsedPeerLeaf(this.chain).publicKey;
  }
}

/** A resumed session's peer certificate (null when the peer sent none), see {@link RestoredPeerCertificate}. */
export function restoredPeer(state: Pick<Tls12SessionState, 'peerChain' | 'peerVerified'>): PeerCertificate | null {
  if (state.peerChain.length === 0) return null;
  return new RestoredPeerCertificate(state.peerChain, state.peerVerified) as unknown as PeerCertificate;
}

/** Seconds since the epoch from the injected clock. */
/**
 * What both sides keep of a TLS 1.2 handshake's messages: the transcript hash, and the raw messages when a
 * CertificateVerify may have to sign them (RFC 5246 §7.4.8), null otherwise.
 */
export interface Tls12MessageLog {
  readonly transcript: TranscriptHash;
  readonly messages: Uint8Array[] | null;
}

/**
 * One handshake message into the transcript, and into `messages` when they are kept: a received message as a
 * copy (its bytes are a view into the record layer's buffer), one of our own (a Uint8Array) as it is.
 */
export function recordTls12Message(log: Tls12MessageLog, message: HandshakeMessage | Uint8Array): void {
  const raw = message instanceof Uint8Array ? message : message.raw;
  log.transcript.update(raw);
  log.messages?.push(message instanceof Uint8Array ? raw : raw.slice());
}

/** The messages a CertificateVerify signs (RFC 5246 §7.4.8), joined; an internal error if they were not kept. */
export function certificateVerifyInput(log: Tls12MessageLog): Uint8Array {
  if (log.messages === null) throw tlsFailure('INTERNAL_ERROR', 'TLS 1.2 handshake messages were not kept');
  return concatBytes(log.messages);
}

export function nowSeconds(io: HandshakeIo): number {
  return Math.floor(io.config.now() / 1000);
}
