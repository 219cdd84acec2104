/**
 * What the handshake engine reads from an SSLContext: a plain snapshot taken when a connection starts
 * (and again on the server when an SNI callback swaps the context, as Python allows), so settings
 * changed on the context later do not affect a handshake in flight.
 * @module
 */
import type { Certificate, PublicKey, SSLCertVerificationError, TrustStore, VerifiedChainCache } from '@sanstls/x509';
import type { Extension } from '../codec/extensions.js';
import type { CryptoProvider, GroupName } from '../crypto/provider.js';
import type { TlsLimits } from '../limits.js';
import type { Tls12EngineConfig } from '../session12.js';
import type { AntiReplayStore, TicketLookupCallback } from '../tickets.js';
import type { Tls13Suite } from './suites.js';

/** A value or a promise of it: user callbacks may answer later (named suspension points). */
export type Awaitable<T> = T | PromiseLike<T>;

/** A certificate chain with the means to sign for its leaf key. */
export interface CertifiedKey {
  /** DER certificates, leaf first. */
  readonly chain: readonly Uint8Array[];
  readonly leaf: Certificate;
  readonly publicKey: PublicKey;
  /**
   * Signs CertificateVerify content with the leaf's private key under `scheme`. May return a Promise
   * (a remote signer or WebCrypto): the handshake then parks at the `signCertificateVerify` point.
   */
  sign(scheme: number, content: Uint8Array): Awaitable<Uint8Array>;
  /** DER OCSP response stapled for this chain when the client asks (RFC 6066 §8; `setOcspResponse`). */
  readonly ocspResponse?: Uint8Array | null;
}

/**
 * Client: sees the server's stapled OCSP response (DER; null when none was stapled) and the peer's chain
 * as sent. Returning false aborts the handshake with bad_certificate_status_response (RFC 6066 §8);
 * any other return value (true, undefined) continues.
 */
export type OcspResponseCallback = (response: Uint8Array | null, chain: readonly Uint8Array[]) => unknown;

/** What a custom verification callback sees (`SSLContext.verifyCallback`). */
export interface VerifyCallbackInfo {
  /** The peer's certificates as sent (DER, leaf first). */
  readonly chain: readonly Uint8Array[];
  /** The validated path (DER, leaf first, anchor last) when built-in validation succeeded. */
  readonly verifiedChain: readonly Uint8Array[] | undefined;
  /** Whether the built-in validation (chain, hostname, pins) succeeded. */
  readonly preverified: boolean;
  /** Why it failed, when it did. */
  readonly error: SSLCertVerificationError | Error | undefined;
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
}

/**
 * Custom certificate verification: return true to accept, false to reject (CERTIFICATE_VERIFY_FAILED,
 * X509_V_ERR_APPLICATION_VERIFICATION), throw to reject with that error; a Promise parks the handshake
 * at the `verifyPeerCertificate` point.
 */
export type VerifyCallback = (info: VerifyCallbackInfo) => Awaitable<boolean>;

/**
 * Hooks that let a test reproduce a published trace byte for byte (RFC 8448), whose peers sent
 * extensions this engine does not generate. Everything else (key schedule, records, state machine,
 * checks) runs unchanged. Not part of the public API: set through `SSLContext.replayHooks`.
 */
export interface ReplayHooks {
  /** The extensions of our ClientHello (`retry`: the second one, after a HelloRetryRequest). */
  clientHelloExtensions?(defaults: Extension[], retry: boolean): Extension[];
  /** The extensions of our ServerHello (RFC 8448 §4's server lists pre_shared_key first). */
  serverHelloExtensions?(defaults: Extension[]): Extension[];
  /** The extensions of our EncryptedExtensions. */
  encryptedExtensions?(defaults: Extension[]): Extension[];
  /** The extensions of our HelloRetryRequest (its cookie is then the one the second ClientHello must echo). */
  helloRetryRequestExtensions?(defaults: Extension[]): Extension[];
  /** The extensions of our (in-handshake) CertificateRequest. */
  certificateRequestExtensions?(defaults: Extension[]): Extension[];
}

export interface EngineConfig {
  readonly provider: CryptoProvider;
  /** Resource limits (limits.ts); absent ones take their defaults. */
  readonly limits?: Partial<TlsLimits>;
  readonly randomBytes: (n: number) => Uint8Array;
  /** Milliseconds since the epoch (certificate validity). */
  readonly now: () => number;
  /** TLS 1.3 enabled by minimumVersion/maximumVersion/options. */
  readonly tls13Enabled: boolean;
  /** TLS 1.2 enabled by the settings (the 1.2 engine comes with issue #6). */
  readonly tls12Enabled: boolean;
  /** TLS 1.3 suites in preference order. */
  readonly suites: readonly Tls13Suite[];
  readonly groups: readonly GroupName[];
  readonly keyShareGroups: readonly GroupName[];
  readonly signatureSchemes: readonly number[];
  readonly certificateSignatureSchemes: readonly number[];
  readonly alpnProtocols: readonly string[];
  readonly verifyMode: number;
  readonly checkHostname: boolean;
  readonly hostnameChecksCommonName: boolean;
  readonly verifyFlags: number;
  readonly trustStore: TrustStore;
  /**
   * Peer chains parsed and validated before, by their exact bytes, shared by the context's connections
   * (x509's VerifiedChainCache: validity and identity are checked again on every use). Absent: none.
   */
  readonly verifiedChainCache?: VerifiedChainCache;
  readonly certificates: readonly CertifiedKey[];
  readonly serverPreference: boolean;
  readonly middleboxCompat: boolean;
  readonly paddingBlock: number;
  readonly verifyCallback: VerifyCallback | null;
  /** Base64 SHA-256 digests of SubjectPublicKeyInfo; when non-empty a chain must contain one. */
  readonly pinnedSpkiSha256: readonly string[];
  readonly keylog: ((line: string) => void) | null;
  readonly postHandshakeAuth: boolean;
  readonly replay: ReplayHooks | null;
  /** TLS 1.2 suites, policy and the context's session cache and ticket keys (issue #6). */
  readonly tls12: Tls12EngineConfig;
  // -- TLS 1.3 resumption and 0-RTT (issue #7) --
  /** Offer/accept psk_ke (PSK without (EC)DHE, no forward secrecy; RFC 8446 §4.2.9). Default false. */
  readonly allowPskKe: boolean;
  /** Server: NewSessionTickets after a full handshake (0 with OP_NO_TICKET; one after a resumption). */
  readonly ticketCount: number;
  /** Server: ticket_lifetime in seconds (≤ 604800, §4.6.1). */
  readonly ticketLifetime: number;
  /** Server: max_early_data_size announced in tickets and accepted (0: no 0-RTT). */
  readonly maxEarlyData: number;
  /** Server: single-use ticket store for 0-RTT anti-replay (§8.1), shared by the context's connections. */
  readonly antiReplay: AntiReplayStore;
  /** Server: resumption state for offered PSK identities our ticket keys cannot open (absent: none). */
  readonly ticketLookup?: TicketLookupCallback | null;
  // -- Extensions (issue #7): RFC 8449, RFC 6066 §8, RFC 8446 §4.2.4, §5.5 --
  /** Our record_size_limit (RFC 8449); null: a client sends none, a server answers the protocol maximum. */
  readonly recordSizeLimit: number | null;
  /** Records under one application write key before an automatic KeyUpdate; null: the suite's §5.5 limit. */
  readonly keyUpdateAfterRecords: number | null;
  /** Client: ask for a stapled OCSP response (status_request, RFC 6066 §8). */
  readonly requestOcsp: boolean;
  readonly ocspResponseCallback: OcspResponseCallback | null;
  /** Server: DER names sent as certificate_authorities in a CertificateRequest (empty: none; §4.2.4). */
  readonly certificateAuthorities: readonly Uint8Array[];
}
