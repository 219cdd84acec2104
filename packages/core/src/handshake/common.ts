/**
 * What both TLS 1.3 handshake sides share: the interface through which state transitions act on the
 * connection ({@link HandshakeIo}), named suspension points, the key-schedule steps of RFC 8446 §7.1 for
 * a full (EC)DHE handshake, Finished computation and checking (§4.4.4), and the facts a handshake
 * establishes ({@link Negotiated}).
 * @module
 */
import { type PublicKey, type SignatureAlgorithm, type SignatureCacheLike, SSLError } from '@sanstls/x509';
import { type FailureReason, LOCAL_FAILURE_ALERT, tlsFailure } from '../alerts.js';
import type { ClientHello } from '../codec/messages.js';
import {
  type ApplicationTrafficSecret,
  type EarlySecret,
  type ExporterSecret,
  type HandshakeSecret,
  type HandshakeTrafficSecret,
  type KeyLogLabel,
  type MasterSecret,
  type ResumptionMasterSecret,
  Tls13KeySchedule,
  type TrafficSecret,
} from '../crypto/keyschedule.js';
import type { ClientKeyShareOffer, CryptoProvider, GroupName, KeyExchangeGroup } from '../crypto/provider.js';
import type { TranscriptHash } from '../crypto/transcript.js';
import { wipe } from '../redact.js';
import type { Tls13ClientTicket } from '../tickets.js';
import type { Awaitable, EngineConfig } from './config.js';
import type { PeerCertificate } from './peer-certificate.js';
import { isPromiseLike } from './peer-certificate.js';
import type { Tls13Suite } from './suites.js';

/**
 * Where a handshake can wait for user code that answered with a Promise (issue #4's named suspension
 * points; BoringSSL's `ssl_hs_wait_t` reasons): the SNI callback, the OCSP request callback, the certificate
 * verifier and the CertificateVerify signer; and, on the client, an asynchronous crypto provider (issue #9:
 * WebCrypto) generating a key share (`generateKeyShare`: the ClientHello, the second ClientHello after a
 * HelloRetryRequest, the TLS 1.2 ClientKeyExchange), completing it with the server's share
 * (`completeKeyShare`) and checking the server's handshake signature (`verifyServerSignature`: TLS 1.3
 * CertificateVerify, TLS 1.2 ServerKeyExchange).
 */
export type SuspensionPoint =
  | 'serverNameCallback'
  | 'ocspRequestCallback'
  | 'verifyPeerCertificate'
  | 'signCertificateVerify'
  | 'generateKeyShare'
  | 'completeKeyShare'
  | 'verifyServerSignature';

/** A handshake parked at a suspension point; `resume` continues with the settled value. */
export interface Suspended<S> {
  readonly kind: 'Suspended';
  readonly point: SuspensionPoint;
  readonly pending: PromiseLike<unknown>;
  readonly resume: (value: unknown) => S;
}

/**
 * Continues with `then(value)` at once when `value` is synchronous, else parks at `point`. Synchronous
 * callbacks therefore keep the handshake synchronous.
 */
export function whenReady<T, S>(
  value: Awaitable<T>,
  point: SuspensionPoint,
  then: (v: T) => S | Suspended<S>,
): S | Suspended<S> {
  if (isPromiseLike<T>(value)) return { kind: 'Suspended', point, pending: value, resume: (v) => then(v as T) as S };
  return then(value);
}

/**
 * A provider's pending answer whose rejection becomes an SSLError with the alert the synchronous path
 * would send: an SSLError passes through (a provider's own reason and alert), anything else (a WebCrypto
 * DOMException, an Error) becomes `reason` with `text` and the rejection as its cause.
 */
function failingAs<T>(pending: PromiseLike<T>, reason: FailureReason, text: string): PromiseLike<T> {
  return pending.then(undefined, (error: unknown) => {
    if (error instanceof SSLError) throw error;
    const alert = LOCAL_FAILURE_ALERT[reason];
    const detail = `${text}: ${error instanceof Error ? error.message : String(error)}`;
    throw new SSLError(detail, { library: 'SSL', reason, ...(alert === null ? {} : { alert }), cause: error });
  });
}

/** A group's client share: the asynchronous form when the provider has one (provider.ts). */
function clientShare(kx: KeyExchangeGroup, randomBytes: (n: number) => Uint8Array) {
  return kx.generateClientShare === undefined ? kx.generate(randomBytes) : kx.generateClientShare(randomBytes);
}

/**
 * Client key shares for `groups`, then `then(offers)` (in `groups`' order). Synchronous when every share
 * is; otherwise the handshake parks once at `generateKeyShare` while all of them settle.
 */
export function generateKeyShares<S>(
  groups: readonly KeyExchangeGroup[],
  randomBytes: (n: number) => Uint8Array,
  then: (offers: ClientKeyShareOffer[]) => S | Suspended<S>,
): S | Suspended<S> {
  const shares = groups.map((kx) => clientShare(kx, randomBytes));
  if (!shares.some((share) => isPromiseLike(share))) return then(shares as ClientKeyShareOffer[]);
  return whenReady(
    failingAs(Promise.all(shares), 'INTERNAL_ERROR', 'key share generation failed'),
    'generateKeyShare',
    then,
  );
}

/**
 * The shared secret from the server's share, then `then(secret)`; parks at `completeKeyShare` when the
 * provider answers with a promise. A rejection is an invalid share (illegal_parameter, RFC 8446 §4.2.8.1,
 * RFC 8422 §5.11) unless the provider rejected with its own SSLError.
 */
export function completeKeyShare<S>(
  offer: ClientKeyShareOffer,
  peerShare: Uint8Array,
  then: (sharedSecret: Uint8Array) => S | Suspended<S>,
): S | Suspended<S> {
  const secret = offer.complete(peerShare);
  if (!isPromiseLike<Uint8Array>(secret)) return then(secret);
  return whenReady(failingAs(secret, 'BAD_KEY_SHARE', 'invalid peer key share'), 'completeKeyShare', then);
}

/**
 * The client's check of the server's handshake signature (TLS 1.3 CertificateVerify, TLS 1.2
 * ServerKeyExchange), then `then()`: `provider.verifyHandshakeSignature` when present (it may answer with
 * a promise: the handshake parks at `verifyServerSignature`), else `provider.verify`. A bad signature is
 * decrypt_error (RFC 8446 §4.4.3; RFC 5246 §7.4.3 gives no alert, OpenSSL sends decrypt_error), as is a
 * rejection that is not an SSLError.
 */
export function verifyServerSignature<S>(
  provider: CryptoProvider,
  algorithm: SignatureAlgorithm,
  key: PublicKey,
  content: Uint8Array,
  signature: Uint8Array,
  then: () => S | Suspended<S>,
): S | Suspended<S> {
  const check = (valid: boolean): S | Suspended<S> => {
    if (valid !== true) throw tlsFailure('BAD_SIGNATURE', 'bad signature');
    return then();
  };
  if (provider.verifyHandshakeSignature === undefined)
    return check(provider.verify(algorithm, key, content, signature));
  const answer = provider.verifyHandshakeSignature(algorithm, key, content, signature);
  if (!isPromiseLike<boolean>(answer)) return check(answer);
  return whenReady(failingAs(answer, 'BAD_SIGNATURE', 'bad signature'), 'verifyServerSignature', check);
}

/**
 * Applies an SNI or OCSP request hook's answer (server): the alert it chose (Python: an ALERT_DESCRIPTION_*
 * return value) ends the handshake with it; a config replaces the connection's (a swapped context, or one
 * stapling this connection's OCSP response).
 */
export function applyHookDecision(d: ServerNameDecision, hook: string, io: HandshakeIo): void {
  if (d.alert !== undefined) {
    throw new SSLError(`${hook} callback aborted the handshake (alert ${d.alert})`, {
      library: 'SSL',
      reason: 'CALLBACK_FAILED',
      alert: d.alert,
    });
  }
  if (d.config !== undefined) io.config = d.config;
}

/** Facts the handshake establishes, read by SSLObject's accessors. */
export interface Negotiated {
  version: 'TLSv1.3' | 'TLSv1.2' | null;
  suite: Tls13Suite | null;
  group: GroupName | null;
  alpn: string | null;
  /** The server name the client sent (server side) or asked for (client side). */
  serverName: string | null;
  peerCertificate: PeerCertificate | null;
  /** Our certificate chain, when we sent one. */
  localChain: readonly Uint8Array[] | null;
  /** The client's Finished verify_data: Python's 'tls-unique' for TLS 1.3. */
  clientFinished: Uint8Array | null;
  /** Suites both sides support, in the client's order (Python's shared_ciphers on the server). */
  sharedSuites: readonly Tls13Suite[] | null;
  helloRetried: boolean;
  signatureScheme: number | null;
  peerSignatureScheme: number | null;
  /** Client: the OCSP response the server stapled (RFC 6066 §8, RFC 8446 §4.4.2.1), or null. */
  ocspResponse: Uint8Array | null;
  /**
   * Server: the ClientHello asked for a stapled OCSP response (status_request of type ocsp, RFC 6066 §8);
   * known when the SNI callback runs, so an application can fetch a response then (Node's 'OCSPRequest').
   */
  ocspRequested: boolean;
  /** The handshake resumed a session with a PSK (RFC 8446 §2.2; issue #7). */
  resumed: boolean;
  /** Server: the client sent post_handshake_auth (§4.2.6). Client: we offered it. */
  postHandshakeAuth: boolean;
}

/** 0-RTT outcome (RFC 8446 §4.2.10): not attempted, sent and waiting, accepted, or rejected. */
export type EarlyDataStatus = 'none' | 'offered' | 'accepted' | 'rejected';

export function emptyNegotiated(): Negotiated {
  return {
    version: null,
    suite: null,
    group: null,
    alpn: null,
    serverName: null,
    peerCertificate: null,
    localChain: null,
    clientFinished: null,
    sharedSuites: null,
    helloRetried: false,
    signatureScheme: null,
    peerSignatureScheme: null,
    ocspResponse: null,
    ocspRequested: false,
    resumed: false,
    postHandshakeAuth: false,
  };
}

/** Result of the SNI callback on the server: an alert to abort with, and/or a new configuration. */
export interface ServerNameDecision {
  readonly alert?: number;
  readonly config?: EngineConfig;
}

/** The connection as the handshake states see it. */
export interface HandshakeIo {
  /** The active configuration (replaced on the server when the SNI callback swaps the context). */
  config: EngineConfig;
  readonly signatureCache: SignatureCacheLike;
  readonly negotiated: Negotiated;
  /** The client random, once known: the key-log line's identifier. */
  clientRandom: Uint8Array | null;
  /** Queues a handshake message under the current write protection. */
  sendHandshake(message: Uint8Array, legacyRecordVersion?: number): void;
  /** Queues the middlebox-compatibility change_cipher_spec record (RFC 8446 §D.4), once per connection. */
  sendChangeCipherSpec(): void;
  /**
   * Switches the read protection; fails if a handshake message straddles the change (§5.1). An early
   * traffic secret (server, accepted 0-RTT) reads the client's early data and EndOfEarlyData.
   */
  installReadSecret(suite: Tls13Suite, schedule: Tls13KeySchedule, secret: TrafficSecret): void;
  /** Switches the write protection (an early traffic secret: the client's 0-RTT data, §4.2.10). */
  installWriteSecret(suite: Tls13Suite, schedule: Tls13KeySchedule, secret: TrafficSecret): void;
  /** Records the application secrets for KeyUpdate and exporters once the handshake completes. */
  enterTraffic(keys: TrafficSecrets): void;
  keylog(label: KeyLogLabel, secret: Uint8Array): void;
  /** TLS 1.2 hook (issue #6): adds TLS 1.2 to the TLS 1.3 client's first ClientHello when enabled. */
  extendClientHelloForTls12?(hello: ClientHello): void;
  /** Server only: runs the SNI callback. */
  serverNameCallback(serverName: string | null): Awaitable<ServerNameDecision>;
  /**
   * Server only: the client asked for a staple (status_request, RFC 6066 §8) and the handshake is a full one
   * (no session resumed: a resumption sends no Certificate). Answers as the SNI callback does (an alert, or
   * the config to go on with, e.g. one stapling this connection's response). Absent: the context's staple.
   */
  ocspRequestCallback?(): Awaitable<ServerNameDecision>;
  /** RFC 8449: the negotiated record size limits (the peer's bounds what we send, ours what we accept). */
  setRecordSizeLimits?(peer: number, own: number): void;
  // -- Resumption and 0-RTT (issue #7) --
  /** Client: the TLS 1.3 ticket of the session passed to wrapBio, or null. */
  readonly offeredTicket?: Tls13ClientTicket | null;
  /** Client: bytes of early data the application queued before the ClientHello. */
  readonly queuedEarlyData?: number;
  /** Client: sends the queued early data under the installed early write key (§4.2.10). */
  beginEarlyData?(): void;
  /** The 0-RTT outcome, as it becomes known (both sides). */
  setEarlyDataStatus?(status: EarlyDataStatus): void;
  /** Client: back to plaintext writes (the second ClientHello after 0-RTT was attempted, §4.1.4). */
  clearWriteProtection?(): void;
  /**
   * Server: application data under the current (early) read key is the client's 0-RTT data, at most
   * `maxBytes` of it, until EndOfEarlyData (§4.2.10).
   */
  receiveEarlyData?(maxBytes: number): void;
  /** Server: EndOfEarlyData arrived; no more 0-RTT data (§4.5). */
  endEarlyData?(): void;
  /**
   * Server: the client sent early data we do not accept: skip up to `maxBytes` of records that do not
   * decrypt (or, before a second ClientHello, of application data records) (§4.2.10).
   */
  skipRejectedEarlyData?(maxBytes: number): void;
}

export interface TrafficSecrets {
  readonly suite: Tls13Suite;
  readonly schedule: Tls13KeySchedule;
  readonly clientSecret: ApplicationTrafficSecret;
  readonly serverSecret: ApplicationTrafficSecret;
  readonly exporterSecret: ExporterSecret;
  /** resumption_master_secret (§7.1), for tickets; set once the client Finished is in the transcript. */
  resumptionSecret?: ResumptionMasterSecret;
  /** The transcript through the client Finished: the context of post-handshake authentication (§4.4). */
  transcript?: TranscriptHash;
  /** Server: NewSessionTickets sent so far (their nonces count up, §4.6.1). */
  ticketsIssued?: number;
}

/** The handshake-stage secrets of a full (EC)DHE handshake (RFC 8446 §7.1). */
export interface HandshakeKeys {
  readonly suite: Tls13Suite;
  readonly schedule: Tls13KeySchedule;
  readonly handshakeSecret: HandshakeSecret;
  readonly clientSecret: HandshakeTrafficSecret;
  readonly serverSecret: HandshakeTrafficSecret;
}

/**
 * Early Secret (from the PSK when resuming, else from zeros) → Handshake Secret → the two handshake
 * traffic secrets over CH..SH. `sharedSecret` is null in psk_ke mode (§7.1: the (EC)DHE input is zeros).
 */
export function deriveHandshakeKeys(
  io: HandshakeIo,
  suite: Tls13Suite,
  sharedSecret: Uint8Array | null,
  transcript: TranscriptHash,
  psk?: { readonly schedule: Tls13KeySchedule; readonly earlySecret: EarlySecret },
): HandshakeKeys {
  const schedule = psk?.schedule ?? new Tls13KeySchedule(io.config.provider.hash(suite.hash));
  const early = psk?.earlySecret ?? schedule.earlySecret();
  const handshakeSecret = schedule.handshakeSecret(early, sharedSecret ?? new Uint8Array(schedule.hash.outputLength));
  // §7.1: the Early Secret's last use is here — the binders and client_early_traffic_secret came from it
  // before the ServerHello (the client recomputes a binder after a HelloRetryRequest, which precedes this).
  // Zeroed as §7.2 asks of secrets no longer needed (best effort, as the application secrets on KeyUpdate).
  wipe(early);
  const helloHash = transcript.digest();
  const clientSecret = schedule.clientHandshakeTrafficSecret(handshakeSecret, helloHash);
  const serverSecret = schedule.serverHandshakeTrafficSecret(handshakeSecret, helloHash);
  io.keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', clientSecret);
  io.keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', serverSecret);
  return { suite, schedule, handshakeSecret, clientSecret, serverSecret };
}

/**
 * Zeroes the Handshake Secret and both handshake traffic secrets (best effort; RFC 8446 §7.2: "the old
 * secret ... should be deleted"), called once both Finished messages are processed and both directions
 * run on the application traffic keys: the server needs client_handshake_traffic_secret until the
 * client's Finished, which it checks with it. The key log has already written them (deriveHandshakeKeys);
 * the Master Secret stays with the traffic secrets for the resumption secret and goes with them.
 */
export function retireHandshakeKeys(keys: HandshakeKeys): void {
  wipe(keys.handshakeSecret);
  wipe(keys.clientSecret);
  wipe(keys.serverSecret);
}

const isHandshakeKeys = (value: unknown): value is HandshakeKeys =>
  typeof value === 'object' && value !== null && (value as HandshakeKeys).handshakeSecret instanceof Uint8Array;

/**
 * A TLS 1.3 handshake that ends unfinished (a failure, dispose) leaves its secrets in its state: `keys`
 * (client; the server's in `auth`), and on a server past its Finished the application secrets it derived
 * (`auth.traffic`, not yet the connection's). Zeroed with the rest of the connection's keys. TLS 1.2 state
 * is left alone: its master secret may be the resumable session's.
 */
export function wipeUnfinishedTls13Handshake(state: unknown): void {
  const s = state as { keys?: unknown; auth?: { keys?: unknown; traffic?: object } } | null;
  if (isHandshakeKeys(s?.keys)) retireHandshakeKeys(s.keys);
  if (isHandshakeKeys(s?.auth?.keys)) {
    retireHandshakeKeys(s.auth.keys);
    for (const value of Object.values(s.auth.traffic ?? {})) if (value instanceof Uint8Array) wipe(value);
  }
}

/** Master Secret → application traffic and exporter secrets over CH..server Finished (§7.1). */
export function deriveApplicationKeys(
  io: HandshakeIo,
  keys: HandshakeKeys,
  transcript: TranscriptHash,
): TrafficSecrets & { master: MasterSecret } {
  const { schedule } = keys;
  const master = schedule.masterSecret(keys.handshakeSecret);
  const finishedHash = transcript.digest();
  const clientSecret = schedule.clientApplicationTrafficSecret(master, finishedHash);
  const serverSecret = schedule.serverApplicationTrafficSecret(master, finishedHash);
  const exporterSecret = schedule.exporterMasterSecret(master, finishedHash);
  io.keylog('CLIENT_TRAFFIC_SECRET_0', clientSecret);
  io.keylog('SERVER_TRAFFIC_SECRET_0', serverSecret);
  io.keylog('EXPORTER_SECRET', exporterSecret);
  // Every field present from the start, so the copies made when the handshake ends (with the resumption
  // secret and the transcript) and the server's ticket counter keep one object shape (issue #9).
  return {
    suite: keys.suite,
    schedule,
    master,
    clientSecret,
    serverSecret,
    exporterSecret,
    resumptionSecret: undefined,
    transcript: undefined,
    ticketsIssued: 0,
  };
}

declare const finishedBrand: unique symbol;
/** Proof that the peer's Finished matched (RFC 8446 §4.4.4); only {@link checkFinished} mints it. */
export type FinishedVerified = { readonly [finishedBrand]: 'FinishedVerified' };

/** Our Finished verify_data over the transcript so far (§4.4.4). */
export function finishedVerifyData(
  keys: HandshakeKeys,
  side: 'client' | 'server',
  transcript: TranscriptHash,
): Uint8Array {
  const base = side === 'client' ? keys.clientSecret : keys.serverSecret;
  return keys.schedule.finishedVerifyData(keys.schedule.finishedKey(base), transcript.digest());
}

/**
 * Checks the peer's Finished in constant time (§4.4.4: "Recipients of Finished messages MUST verify
 * that the contents are correct and if incorrect MUST terminate the connection with a "decrypt_error"
 * alert").
 */
export function checkFinished(
  keys: HandshakeKeys,
  peer: 'client' | 'server',
  transcript: TranscriptHash,
  received: Uint8Array,
): FinishedVerified {
  const base = peer === 'client' ? keys.clientSecret : keys.serverSecret;
  if (!keys.schedule.verifyFinished(keys.schedule.finishedKey(base), transcript.digest(), received)) {
    throw tlsFailure('DIGEST_CHECK_FAILED', 'digest check failed');
  }
  return {} as FinishedVerified;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const encoder = new TextEncoder();
export function asciiBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function bytesToAscii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** A resumption PSK's key schedule and Early Secret (RFC 8446 §7.1). */
export interface PskSchedule {
  readonly schedule: Tls13KeySchedule;
  readonly earlySecret: EarlySecret;
}

export function pskSchedule(io: HandshakeIo, suite: Tls13Suite, psk: Uint8Array): PskSchedule {
  const schedule = new Tls13KeySchedule(io.config.provider.hash(suite.hash));
  return { schedule, earlySecret: schedule.earlySecret(psk) };
}

/**
 * §4.2.11.2: a binder is a Finished computed with the binder key ("res binder": tickets) over the
 * transcript up to and including the ClientHello truncated before the binders list.
 */
export function pskBinder(keys: PskSchedule, truncatedTranscriptHash: Uint8Array): Uint8Array {
  const { schedule } = keys;
  return schedule.finishedVerifyData(
    schedule.finishedKey(schedule.binderKey(keys.earlySecret, 'resumption')),
    truncatedTranscriptHash,
  );
}

/** Constant-time binder check (§4.2.11: a binder that does not validate aborts the handshake). */
export function checkPskBinder(keys: PskSchedule, truncatedTranscriptHash: Uint8Array, received: Uint8Array): void {
  const { schedule } = keys;
  const key = schedule.finishedKey(schedule.binderKey(keys.earlySecret, 'resumption'));
  if (!schedule.verifyFinished(key, truncatedTranscriptHash, received)) {
    throw tlsFailure('BINDER_DOES_NOT_VERIFY', 'psk binder does not verify');
  }
}
