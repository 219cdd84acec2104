/**
 * `TlsConnection`: the non-throwing, sans-IO event API of the engine, under the Python-shaped
 * {@link SSLObject}. Adapters (Node sockets, WebSockets, streams) drive it directly:
 *
 * ```ts
 * const conn = new TlsConnection(ctx.engineConfig(), { serverSide: false, serverHostname: 'example.com' });
 * conn.onResume = () => pump();          // a suspended handshake can continue (async callbacks)
 * function pump() {
 *   const state = conn.process();        // never throws: failures become { kind: 'Failed', error }
 *   const out = conn.takeOutgoing();     // records to send (alerts included), or null
 *   if (out) socket.write(out);
 *   for (let d = conn.readApplicationData(); d; d = conn.readApplicationData()) app.onData(d);
 *   if (state.kind === 'Failed') socket.destroy(state.error);
 *   if (conn.peerClosed) app.onEnd();
 * }
 * socket.on('data', (b) => { conn.receive(b); pump(); });
 * socket.on('end', () => { conn.receiveEof(); pump(); });
 * conn.writeApplicationData(bytes); pump();  // returns false before the handshake completes
 * ```
 *
 * States: `Handshaking` (waiting for bytes), `Suspended` (waiting for a user callback's Promise at a
 * named point; `onResume` fires when it settles, then call `process()` again), `Open` (handshake done;
 * application data flows; `peerClosed`/`closeSent` tell the half-close state, RFC 8446 §6.1) and
 * `Failed` (sticky: the first error, with its alert already queued in the outgoing bytes).
 *
 * Record-level policy lives here (RFC 8446 §5): the one change_cipher_spec allowed during the
 * handshake, plaintext alerts only before application keys, no interleaving of other records inside a
 * fragmented handshake message, key changes only on record boundaries, bounds on empty records and
 * KeyUpdates; post-handshake messages (KeyUpdate, NewSessionTicket) are handled after Connected.
 * @module
 */
import { concatBytes, type SignatureCacheLike, SSLEOFError, SSLError, VerifiedSignatureCache } from '@sanstls/x509';
import { alertForError, asTlsError, receivedAlertError, tlsFailure } from './alerts.js';
// TLS 1.2 hooks (issue #6)
import {
  extendClientHelloForTls12,
  isLegacyServerHello,
  startTls12Client,
  type Tls12ClientStart,
  type Tls12ClientState,
  tls12ClientChangeCipherSpec,
  tls12ClientHandle,
  onServerHello as tls12OnServerHello,
} from './client/tls12.js';
import {
  type ClientState,
  clientHandle,
  clientPostHandshakeAuth,
  clientReceiveTicket,
  startClient,
} from './client/tls13.js';
import { AlertDescription, ContentType, HandshakeType } from './codec/enums.js';
import { HandshakeDefragmenter, type HandshakeMessage } from './codec/handshake-buffer.js';
import { encodeKeyUpdate, parseKeyUpdate } from './codec/messages.js';
import { encodeAlert, isValidChangeCipherSpec, parseAlert } from './codec/record.js';
import {
  type ApplicationTrafficSecret,
  formatKeyLogLine,
  type KeyLogLabel,
  type Tls13KeySchedule,
  type TrafficSecret,
} from './crypto/keyschedule.js';
import { tls12Exporter } from './crypto/prf12.js';
import { clientHelloOf } from './handshake/client-hello.js';
import {
  type EarlyDataStatus,
  emptyNegotiated,
  type HandshakeIo,
  type Negotiated,
  type ServerNameDecision,
  type Suspended,
  type SuspensionPoint,
  type TrafficSecrets,
  wipeUnfinishedTls13Handshake,
} from './handshake/common.js';
import type { Awaitable, EngineConfig } from './handshake/config.js';
import type { Tls13Suite } from './handshake/suites.js';
import type { Tls12Established, Tls12Io } from './handshake/tls12.js';
import { resolveLimits, type TlsLimits } from './limits.js';
import { HalfConnection, keyUpdateRecordLimit } from './record/protection.js';
import type { Tls12RecordProtection } from './record/protection12.js';
import { RecordLayer } from './record/record-layer.js';
import { redactSecrets, wipe } from './redact.js';
// The server state machines only through their slot (slots.ts): a client-only bundle leaves them out.
import type { Tls12ServerState } from './server/tls12.js';
import type { PostHandshakeAuth, ServerState } from './server/tls13.js';
import type { SSLSession } from './session.js';
import { serverRole } from './slots.js';
import { clientTicketUsable, type Tls13ClientTicket } from './tickets.js';

export type ConnectionState =
  | { readonly kind: 'Handshaking' }
  | { readonly kind: 'Suspended'; readonly point: SuspensionPoint }
  | { readonly kind: 'Open' }
  | { readonly kind: 'Failed'; readonly error: SSLError };

export interface TlsConnectionOptions {
  readonly serverSide: boolean;
  readonly serverHostname?: string | null;
  /** Server: the SNI hook (SSLObject runs Python's sni_callback through it). */
  readonly serverNameCallback?: (serverName: string | null) => Awaitable<ServerNameDecision>;
  /** Server: the OCSP request hook, full handshakes only (SSLObject runs the context's ocspRequestCallback). */
  readonly ocspRequestCallback?: () => Awaitable<ServerNameDecision>;
  /** Shared cache of verified certificate signatures (one per SSLContext). */
  readonly signatureCache?: SignatureCacheLike;
  /** Client: a session to resume (TLS 1.2 session ID or ticket, issue #6). */
  readonly session?: SSLSession | null;
  /** Overrides of the configuration's resource limits for this connection (limits.ts). */
  readonly limits?: Partial<TlsLimits>;
}

type HandshakeState = ClientState | ServerState | Tls12ClientState | Tls12ClientStart | Tls12ServerState;

interface Traffic extends TrafficSecrets {
  readSecret: ApplicationTrafficSecret;
  writeSecret: ApplicationTrafficSecret;
}

export class TlsConnection implements HandshakeIo, Tls12Io {
  config: EngineConfig;
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
  readonly negotiated: Negotiated = emptyNegotiated();
  readonly signatureCache: SignatureCacheLike;
  clientRandom: Uint8Array | null = null;
  /** Called when a suspended handshake's Promise settles: call {@link process} again. */
  onResume: (() => void) | null = null;

  /** Resource bounds (limits.ts), fixed when the connection is created. */
  readonly limits: TlsLimits;
  private readonly record = new RecordLayer();
  private readonly handshakeMessages: HandshakeDefragmenter;
  private handshake: HandshakeState | null = null;
  private suspension: { settled: boolean; value?: unknown; error?: unknown } | null = null;
  /** The sticky error: read and written through {@link failure}, which builds dispose()'s on first use. */
  private failureError: SSLError | null = null;
  /** dispose() ran on a connection that had not failed: {@link failure} is PROTOCOL_IS_SHUTDOWN. */
  private disposedUnfailed = false;
  private readonly serverNameHook: TlsConnectionOptions['serverNameCallback'];
  private readonly ocspRequestHook: TlsConnectionOptions['ocspRequestCallback'];
  private traffic: Traffic | null = null;
  private readKeyGeneration = 0;
  private changeCipherSpecSeen = false;
  private changeCipherSpecSent = false;
  private emptyRecords = 0;
  private keyUpdatesWithoutData = 0;
  private pendingHandshake: Uint8Array[] = [];
  private pendingHandshakeVersion = 0x0303;
  private readonly applicationData: Uint8Array[] = [];
  private applicationDataHead = 0;
  private applicationDataLength = 0;
  /** The peer's close_notify arrived (RFC 8446 §6.1): no more data will come. */
  peerClosed = false;
  /** We sent close_notify: no more data may be written. */
  closeSent = false;
  /** The transport reported end of stream. */
  eofReceived = false;
  /** NewSessionTicket messages received. */
  ticketsReceived = 0;
  /** Client: the newest usable TLS 1.3 ticket received (SSLObject.session offers it, issue #7). */
  latestTicket: Tls13ClientTicket | null = null;
  /** Client: called with each TLS 1.3 ticket received (an adapter's session cache). */
  onTicket: ((ticket: Tls13ClientTicket) => void) | null = null;
  /**
   * 0-RTT (RFC 8446 §4.2.10): 'offered' once the client sent early data, then 'accepted' or 'rejected';
   * on the server 'accepted' or 'rejected' when the client offered it. 'none' otherwise.
   */
  earlyDataStatus: EarlyDataStatus = 'none';
  /** Server: bytes of 0-RTT data received; they are the first bytes of the application data stream. */
  earlyDataReceived = 0;
  /** Client: early data written, kept until the server's verdict; the application's to resend when rejected. */
  private earlyDataQueue: Uint8Array[] = [];
  private earlyDataQueued = 0;
  /** Server: the budget of accepted early data still allowed, while it is being received. */
  private earlyDataBudget: number | null = null;
  /** Server: plaintext application data records (0-RTT before a second ClientHello) still to skip. */
  private earlyDataSkipBudget = 0;
  /** Server: early bytes not yet taken by {@link readEarlyData} or {@link readApplicationData}. */
  private earlyDataUnread = 0;
  /** Server: a post-handshake CertificateRequest awaiting its answer (RFC 8446 §4.6.2). */
  private postHandshakeAuth: PostHandshakeAuth | null = null;
  /** Tickets received past `limits.maxTicketsPerConnection`, dropped. */
  ticketsDropped = 0;
  /** TLS 1.2 (issue #6): the session offered for resumption, and the facts of an established 1.2 connection. */
  offeredSession: SSLSession | null;
  tls12: Tls12Established | null = null;
  private tls12Mode = false;
  private warningAlerts = 0;
  /** Records are left undecrypted while this much plaintext waits for the application (limits.ts). */
  private readPaused = false;
  /** Client: post-handshake CertificateRequests received (limits.ts `maxPostHandshakeAuthRequests`). */
  private postHandshakeAuthRequests = 0;

  constructor(config: EngineConfig, options: TlsConnectionOptions) {
    this.config = config;
    this.limits = resolveLimits(config.limits, options.limits);
    this.handshakeMessages = new HandshakeDefragmenter({
      maxMessageSize: this.limits.maxHandshakeMessageSize,
      maxCertificateMessageSize: this.limits.maxCertificateMessageSize,
    });
    this.serverSide = options.serverSide;
    if (this.serverSide) serverRole(); // fails here, before any byte, when the server side is not installed
    this.offeredSession = options.session ?? null;
    this.serverHostname = options.serverHostname ?? null;
    this.serverNameHook = options.serverNameCallback;
    this.ocspRequestHook = options.ocspRequestCallback;
    this.signatureCache = options.signatureCache ?? new VerifiedSignatureCache(256);
    this.record.paddingBlock = config.paddingBlock;
  }

  // -------------------------------------------------------------------------------------------
  // Transport side

  /**
   * Bytes from the transport. At most {@link receiveRoom} bytes may wait unconsumed (a stalled engine:
   * suspended handshake, full plaintext buffer); more fails the connection instead of growing the buffer.
   */
  receive(bytes: Uint8Array): void {
    if (this.failure !== null) return;
    if (bytes.length > this.receiveRoom) {
      this.fail(
        tlsFailure(
          'INTERNAL_ERROR',
          `${this.record.bufferedInput + bytes.length} received bytes wait unprocessed (limit ${this.limits.maxBufferedInput})`,
        ),
      );
      return;
    }
    this.record.feed(bytes);
  }

  /** How many more bytes {@link receive} accepts now (limits.ts `maxBufferedInput`). */
  get receiveRoom(): number {
    return Math.max(0, this.limits.maxBufferedInput - this.record.bufferedInput);
  }

  /** The transport reached end of stream. */
  receiveEof(): void {
    this.eofReceived = true;
  }

  /**
   * True when the transport ended inside a record: truncation (data lost), as opposed to an end at a record
   * boundary without close_notify (RFC 8446 §6.1's ragged close). Socket adapters report the first as an error.
   */
  get eofInsideRecord(): boolean {
    return this.eofReceived && this.record.hasPartialRecord;
  }

  /** Records to send, or null. */
  takeOutgoing(): Uint8Array | null {
    return this.record.takeOutgoing();
  }

  /** Records to send as the separate buffers they were sealed into (no concatenation), or an empty list. */
  takeOutgoingChunks(): Uint8Array[] {
    return this.record.takeOutgoingChunks();
  }

  /**
   * Set by a caller that sends {@link takeOutgoingChunks}' buffers as they are (a vectored socket write):
   * large records may then come in parts — header, body, trailer — when the crypto provider seals without
   * a caller buffer (AeadKey.sealDetached), saving a record-sized allocation and copy (issue #9). Off by
   * default: a caller joining the bytes ({@link takeOutgoing}, MemoryBIO.read) would pay them in the join.
   * The parts' headers and trailers are views into a scratch block shared by several records: send or copy
   * them, never transfer or detach their ArrayBuffer (postMessage's transfer list, ArrayBuffer.transfer), or
   * later records lose bytes.
   */
  get chunkedRecords(): boolean {
    return this.record.chunkedRecords;
  }

  set chunkedRecords(on: boolean) {
    this.record.chunkedRecords = on;
  }

  get pendingOutgoing(): number {
    return this.record.pendingOutput;
  }

  // -------------------------------------------------------------------------------------------
  // Engine

  get state(): ConnectionState {
    if (this.failure !== null) return { kind: 'Failed', error: this.failure };
    const hs = this.handshake;
    if (hs !== null && hs.kind === 'Suspended') return { kind: 'Suspended', point: hs.point };
    if (hs !== null && hs.kind === 'Connected') return { kind: 'Open' };
    return { kind: 'Handshaking' };
  }

  /** True once the handshake completed (even if the connection failed afterwards). */
  get handshakeComplete(): boolean {
    return this.traffic !== null || this.tls12 !== null;
  }

  /** The sticky error, if any. */
  get error(): SSLError | null {
    return this.failure;
  }

  /** Runs the engine over everything received so far. Never throws. */
  process(): ConnectionState {
    if (this.failure !== null) return this.state;
    try {
      if (this.handshake === null) {
        this.handshake = this.serverSide ? serverRole().startServer() : this.startClientAnyVersion();
      }
      this.run();
      this.flushHandshake();
      // run() consumed every complete record: what remains at EOF mid-handshake is truncation.
      if (this.eofReceived && !this.peerClosed && !this.handshakeComplete && this.handshake.kind !== 'Suspended') {
        throw new SSLEOFError('EOF occurred in violation of protocol');
      }
    } catch (e) {
      this.fail(e);
    }
    return this.state;
  }

  private run(): void {
    for (;;) {
      if (!this.resumeIfSettled()) return;
      // Handshake messages already reassembled come first.
      while (this.handshake!.kind !== 'Suspended') {
        const message = this.handshakeMessages.next();
        if (message === undefined) break;
        this.onHandshakeMessage(message);
      }
      if (this.handshake!.kind === 'Suspended') continue;
      if (this.peerClosed) return; // RFC 8446 §6.1: data after close_notify is ignored.
      // Backpressure: leave records encrypted while the application has this much unread.
      if (this.applicationDataLength >= this.limits.maxBufferedPlaintext) {
        this.readPaused = true;
        return;
      }
      const record = this.record.nextRecord();
      if (record === undefined) return;
      this.onRecord(record.type, record.content, record.protected);
    }
  }

  /** False while a suspension is pending; true when the handshake may continue. */
  private resumeIfSettled(): boolean {
    const hs = this.handshake!;
    if (hs.kind !== 'Suspended') return true;
    if (this.suspension === null) {
      const suspension: { settled: boolean; value?: unknown; error?: unknown } = { settled: false };
      this.suspension = suspension;
      hs.pending.then(
        (value) => {
          suspension.settled = true;
          suspension.value = value;
          this.onResume?.();
        },
        (error: unknown) => {
          suspension.settled = true;
          suspension.error = error ?? new Error('rejected');
          this.onResume?.();
        },
      );
      return false;
    }
    if (!this.suspension.settled) return false;
    const { value, error } = this.suspension;
    this.suspension = null;
    if (error !== undefined) throw error;
    this.handshake = hs.resume(value) as HandshakeState;
    return true;
  }

  private fail(error: unknown): void {
    const failure = asTlsError(error);
    this.failure = failure;
    this.handshakeMessages.clear();
    const alert = alertForError(failure);
    // Received alerts and truncation send nothing; everything else sends its fatal alert (RFC 8446 §6.2).
    if (alert !== null && !(failure instanceof SSLEOFError)) {
      this.pendingHandshake = []; // a half-built flight is dropped: only the alert goes out
      try {
        this.record.send(ContentType.alert, encodeAlert(2, alert));
      } catch {
        // The write key itself is unusable (sequence exhausted): close without an alert.
      }
    }
    this.wipeSecrets();
  }

  // -------------------------------------------------------------------------------------------
  // Records (RFC 8446 §5)

  private onRecord(type: number, content: Uint8Array, isProtected: boolean): void {
    switch (type) {
      case ContentType.alert:
        this.onAlert(content, isProtected);
        return;
      case ContentType.change_cipher_spec:
        if (this.tls12Mode) {
          this.onChangeCipherSpec12(content, isProtected);
          return;
        }
        // §5: an unprotected 0x01 between the first ClientHello and the peer's Finished is dropped, once.
        if (isProtected || !isValidChangeCipherSpec(content)) {
          throw tlsFailure('BAD_CHANGE_CIPHER_SPEC', 'invalid change_cipher_spec record');
        }
        if (!this.changeCipherSpecAllowed() || this.changeCipherSpecSeen) {
          throw tlsFailure('UNEXPECTED_CCS_MESSAGE', 'unexpected change_cipher_spec record');
        }
        this.changeCipherSpecSeen = true;
        return;
      case ContentType.handshake:
        if (this.record.readKey !== null && !isProtected) {
          throw tlsFailure('UNEXPECTED_RECORD', 'unprotected handshake record after keys were established');
        }
        // §5.1: "Implementations MUST NOT send zero-length fragments of Handshake types".
        if (content.length === 0) throw tlsFailure('ZERO_LENGTH_HANDSHAKE_FRAGMENT', 'empty handshake record');
        this.handshakeMessages.push(isProtected ? content : content.slice());
        return;
      case ContentType.application_data:
        if (this.earlyDataBudget !== null && isProtected) {
          this.onEarlyData(content);
          return;
        }
        if (!isProtected && this.earlyDataSkipBudget > 0 && !this.handshakeComplete) {
          // §4.2.10: 0-RTT data after a ClientHello answered with a HelloRetryRequest is skipped.
          if (content.length > this.earlyDataSkipBudget) throw tlsFailure('TOO_MUCH_EARLY_DATA', 'too much early data');
          this.earlyDataSkipBudget -= content.length;
          return;
        }
        if (!isProtected || !this.handshakeComplete || (this.tls12 === null && this.readKeyGeneration < 2)) {
          throw tlsFailure('UNEXPECTED_RECORD', 'application data before the handshake completed');
        }
        // §5.1: handshake messages MUST NOT be interleaved with other record types.
        if (this.handshakeMessages.bufferedLength > 0) {
          throw tlsFailure('UNEXPECTED_RECORD', 'application data inside a fragmented handshake message');
        }
        if (content.length === 0) {
          if (++this.emptyRecords > this.limits.maxEmptyRecords)
            throw tlsFailure('TOO_MANY_EMPTY_RECORDS', 'too many empty records');
          return;
        }
        this.emptyRecords = 0;
        this.keyUpdatesWithoutData = 0;
        this.applicationData.push(content);
        this.applicationDataLength += content.length;
        return;
      default:
        throw tlsFailure('WRONG_RECORD_TYPE', `unexpected record content type ${type}`);
    }
  }

  private changeCipherSpecAllowed(): boolean {
    const hs = this.handshake;
    if (hs === null || hs.kind === 'Connected') return false;
    // The server has not received a ClientHello before this state.
    return !(this.serverSide && hs.kind === 'ExpectClientHello');
  }

  private onAlert(content: Uint8Array, isProtected: boolean): void {
    // §5: alerts are protected once application keys are in use.
    if (!isProtected && this.readKeyGeneration >= 2) throw tlsFailure('UNEXPECTED_RECORD', 'unprotected alert');
    if (this.handshakeMessages.bufferedLength > 0) {
      throw tlsFailure('UNEXPECTED_RECORD', 'alert inside a fragmented handshake message');
    }
    const alert = parseAlert(content);
    if (alert.description === AlertDescription.close_notify) {
      this.peerClosed = true;
      if (this.closeSent) this.wipeSecrets();
      return;
    }
    // §6.1: user_canceled is followed by close_notify; it is not fatal on its own. TLS 1.2 (RFC 5246
    // §7.2): warning alerts (no_renegotiation, unrecognized_name, …) are not fatal. Both are bounded.
    if (alert.description === AlertDescription.user_canceled || (this.tls12Mode && alert.level === 1)) {
      if (++this.warningAlerts > this.limits.maxWarningAlerts)
        throw tlsFailure('TOO_MANY_WARN_ALERTS', 'too many warning alerts');
      return;
    }
    // §6: every other alert is fatal, whatever its level.
    throw receivedAlertError(alert.description);
  }

  // -------------------------------------------------------------------------------------------
  // Handshake messages

  private onHandshakeMessage(message: HandshakeMessage): void {
    const hs = this.handshake!;
    if (hs.kind === 'Connected') {
      if (this.tls12 !== null) this.onPostHandshakeMessage12(message);
      else this.onPostHandshakeMessage(message);
      return;
    }
    if (this.serverSide && message.type === HandshakeType.client_hello) this.checkExtensionCount(message);
    // TLS 1.2 hook (issue #6): version negotiation may hand the handshake to the TLS 1.2 state machines.
    if (this.tls12Mode || this.selectsTls12(hs, message)) {
      this.tls12Mode = true;
      this.handshake = this.handleTls12(hs, message);
      return;
    }
    this.handshake = this.serverSide
      ? serverRole().serverHandle(hs as ServerState, message, this)
      : clientHandle(hs as ClientState, message, this);
  }

  /** limits.ts `maxExtensions`: the server bounds what an unauthenticated ClientHello makes it examine. */
  private checkExtensionCount(message: HandshakeMessage): void {
    const count = clientHelloOf(message).extensions.length;
    if (count > this.limits.maxExtensions) {
      throw tlsFailure(
        'EXCESSIVE_MESSAGE_SIZE',
        `ClientHello with ${count} extensions exceeds the limit of ${this.limits.maxExtensions}`,
      );
    }
  }

  /** §4.6: messages after the handshake. */
  private onPostHandshakeMessage(message: HandshakeMessage): void {
    switch (message.type) {
      case HandshakeType.key_update: {
        const { requestUpdate } = parseKeyUpdate(message.body);
        if (++this.keyUpdatesWithoutData > this.limits.maxKeyUpdatesWithoutData) {
          throw tlsFailure('TOO_MANY_KEY_UPDATES', 'too many KeyUpdate messages without application data');
        }
        const traffic = this.traffic!;
        this.keyUpdatesReceived++;
        const previous = traffic.readSecret;
        traffic.readSecret = traffic.schedule.nextApplicationTrafficSecret(previous);
        this.installReadSecret(traffic.suite, traffic.schedule, traffic.readSecret);
        wipe(previous); // §7.2, as in sendKeyUpdate
        // §4.6.3: answer update_requested with our own KeyUpdate before any more application data.
        if (requestUpdate === 1 && !this.closeSent) this.sendKeyUpdate(false);
        return;
      }
      case HandshakeType.new_session_ticket:
        if (this.serverSide) break;
        this.ticketsReceived++;
        // Past the limit tickets are dropped (limits.ts): a server cannot make a client store without bound.
        if (this.ticketsReceived > this.limits.maxTicketsPerConnection) {
          this.ticketsDropped++;
          return;
        }
        this.onNewSessionTicket(message);
        return;
      case HandshakeType.certificate_request: {
        if (this.serverSide) break;
        // §4.6.2: only when we offered post_handshake_auth (checked there). Each answer costs a signature.
        if (++this.postHandshakeAuthRequests > this.limits.maxPostHandshakeAuthRequests) {
          throw tlsFailure('UNEXPECTED_MESSAGE', 'too many post-handshake CertificateRequests');
        }
        const signing = clientPostHandshakeAuth(this.traffic!, this.traffic!.writeSecret, message, this);
        if (signing !== null) this.suspendAfterHandshake(signing, () => {});
        return;
      }
      case HandshakeType.certificate:
      case HandshakeType.certificate_verify:
      case HandshakeType.finished: {
        if (!this.serverSide || this.postHandshakeAuth === null) break;
        const next = serverRole().serverPostHandshakeAuthMessage(
          this.postHandshakeAuth,
          this.traffic!,
          this.traffic!.readSecret,
          message,
          this,
        );
        if (next?.kind === 'Suspended') {
          this.suspendAfterHandshake(next, (answer) => {
            this.postHandshakeAuth = answer;
          });
        } else {
          this.postHandshakeAuth = next;
        }
        return;
      }
      default:
        break;
    }
    // Anything else after the handshake (§4.6) is unexpected.
    throw tlsFailure(
      'UNEXPECTED_MESSAGE',
      `unexpected message: ${HandshakeType.nameOf(message.type)} after the handshake`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // HandshakeIo

  /**
   * Queues a handshake message. Messages of one flight under one key are coalesced into as few records
   * as possible (as OpenSSL and RFC 8448 do); {@link flushHandshake} writes them out.
   */
  sendHandshake(message: Uint8Array, legacyRecordVersion = 0x0303): void {
    if (this.pendingHandshake.length === 0) this.pendingHandshakeVersion = legacyRecordVersion;
    this.pendingHandshake.push(message);
  }

  /** Writes queued handshake messages as records under the current write key. */
  private flushHandshake(): void {
    const pending = this.pendingHandshake;
    if (pending.length === 0) return;
    this.pendingHandshake = [];
    const content = pending.length === 1 ? pending[0]! : concatBytes(pending);
    this.record.send(ContentType.handshake, content, this.pendingHandshakeVersion);
  }

  sendChangeCipherSpec(): void {
    if (this.changeCipherSpecSent) return;
    this.changeCipherSpecSent = true;
    this.flushHandshake();
    this.record.sendChangeCipherSpec();
  }

  installReadSecret(suite: Tls13Suite, schedule: Tls13KeySchedule, secret: TrafficSecret): void {
    // §5.1: "Handshake messages MUST NOT span key changes ... If [a key change follows a message that is]
    // not at a record boundary, the receiver MUST terminate the connection with an unexpected_message alert."
    if (this.handshakeMessages.bufferedLength > 0) {
      throw tlsFailure('NOT_ON_RECORD_BOUNDARY', 'handshake data follows a key change in the same record');
    }
    const keys = schedule.trafficKeys(secret, suite.keyLength);
    const retired = this.record.readKey;
    this.record.readKey = new HalfConnection(this.config.provider.aead(suite.aead), keys.key, keys.iv);
    retired?.wipe(); // §7.2: the keys of the previous epoch are no longer needed
    this.readKeyGeneration++;
  }

  installWriteSecret(suite: Tls13Suite, schedule: Tls13KeySchedule, secret: TrafficSecret): void {
    this.flushHandshake(); // messages queued so far belong to the old key
    const keys = schedule.trafficKeys(secret, suite.keyLength);
    const retired = this.record.writeKey;
    this.record.writeKey = new HalfConnection(this.config.provider.aead(suite.aead), keys.key, keys.iv);
    retired?.wipe(); // every record under it was sealed by record.send already
  }

  enterTraffic(keys: TrafficSecrets): void {
    // The same object, not a copy: the server counts the tickets it sends after the handshake on it, and a
    // ticket sent later (after post-handshake authentication) must take the next nonce (RFC 8446 §4.6.1:
    // unique across all tickets of the connection, else two tickets share one PSK).
    this.traffic = Object.assign(keys, {
      readSecret: this.serverSide ? keys.clientSecret : keys.serverSecret,
      writeSecret: this.serverSide ? keys.serverSecret : keys.clientSecret,
    });
  }

  keylog(label: KeyLogLabel, secret: Uint8Array): void {
    const log = this.config.keylog;
    if (log !== null && this.clientRandom !== null) log(formatKeyLogLine(label, this.clientRandom, secret));
  }

  serverNameCallback(serverName: string | null): Awaitable<ServerNameDecision> {
    return this.serverNameHook === undefined ? {} : this.serverNameHook(serverName);
  }

  ocspRequestCallback(): Awaitable<ServerNameDecision> {
    return this.ocspRequestHook === undefined ? {} : this.ocspRequestHook();
  }

  // -------------------------------------------------------------------------------------------
  // Resumption, 0-RTT and post-handshake authentication (issue #7; RFC 8446 §4.2.10, §4.6)

  /** Client: the TLS 1.3 ticket of the session given to wrapBio. */
  get offeredTicket(): Tls13ClientTicket | null {
    return this.serverSide ? null : (this.offeredSession?.tls13 ?? null);
  }

  get queuedEarlyData(): number {
    return this.earlyDataQueued;
  }

  /**
   * Client: how many more bytes {@link writeEarlyData} takes now — the offered ticket's
   * max_early_data_size less what is queued, before the ClientHello or while 0-RTT is in flight.
   */
  get earlyDataRoom(): number {
    const ticket = this.offeredTicket;
    if (ticket === null || this.failure !== null || !this.config.tls13Enabled) return 0;
    if (!clientTicketUsable(ticket, this.config.now())) return 0;
    const started = this.handshake !== null;
    if (started && this.earlyDataStatus !== 'offered') return 0;
    return Math.max(0, ticket.maxEarlyData - this.earlyDataQueued);
  }

  /**
   * Client: 0-RTT data (RFC 8446 §2.3, §4.2.10). Before the handshake starts, queued for the first
   * flight; while the server's answer is pending, sent at once under the early key. Returns the bytes
   * taken (at most {@link earlyDataRoom}); the rest goes by writeApplicationData after the handshake.
   * If the server rejects 0-RTT, `earlyDataStatus` becomes 'rejected' and {@link takeRejectedEarlyData}
   * hands the bytes back: nothing is resent behind the application's back (it may not be idempotent).
   */
  writeEarlyData(data: Uint8Array): number {
    const take = Math.min(data.length, this.earlyDataRoom);
    if (take === 0) return 0;
    const chunk = data.slice(0, take);
    this.earlyDataQueue.push(chunk);
    this.earlyDataQueued += take;
    if (this.earlyDataStatus === 'offered') {
      try {
        this.record.send(ContentType.application_data, chunk);
      } catch (e) {
        this.fail(e);
      }
    }
    return take;
  }

  /** Client: the early data the server rejected (once), or null. */
  takeRejectedEarlyData(): Uint8Array | null {
    if (this.earlyDataStatus !== 'rejected' || this.earlyDataQueued === 0) return null;
    const out = concatBytes(this.earlyDataQueue);
    this.earlyDataQueue = [];
    this.earlyDataQueued = 0;
    return out;
  }

  beginEarlyData(): void {
    this.flushHandshake();
    this.earlyDataStatus = 'offered';
    for (const chunk of this.earlyDataQueue) this.record.send(ContentType.application_data, chunk);
  }

  setEarlyDataStatus(status: EarlyDataStatus): void {
    this.earlyDataStatus = status;
    if (status === 'accepted' && !this.serverSide) {
      this.earlyDataQueue = [];
      this.earlyDataQueued = 0;
    }
  }

  clearWriteProtection(): void {
    this.flushHandshake();
    // The early-data key after a HelloRetryRequest (§4.2.10): retired unused from now on, so zeroed (§7.2).
    this.record.writeKey?.wipe();
    this.record.writeKey = null;
  }

  receiveEarlyData(maxBytes: number): void {
    this.earlyDataBudget = maxBytes;
    // RFC 8449 §4: records are subject to the limits of the handshake that produced their keys; the
    // client sent its 0-RTT records before it could know the record_size_limit we announce now.
    this.record.receiveRecordSizeLimit = 0;
  }

  endEarlyData(): void {
    this.earlyDataBudget = null;
    this.record.receiveRecordSizeLimit = this.ownRecordSizeLimit;
  }

  skipRejectedEarlyData(maxBytes: number): void {
    this.earlyDataSkipBudget = maxBytes;
    this.record.skipUndecryptable = maxBytes;
  }

  /** Server: accepted 0-RTT data (§4.2.10: more than max_early_data_size → unexpected_message). */
  private onEarlyData(content: Uint8Array): void {
    if (content.length > this.earlyDataBudget!) throw tlsFailure('TOO_MUCH_EARLY_DATA', 'too much early data');
    this.earlyDataBudget! -= content.length;
    if (content.length === 0) return;
    this.applicationData.push(content);
    this.applicationDataLength += content.length;
    this.earlyDataReceived += content.length;
    this.earlyDataUnread += content.length;
  }

  /**
   * Server: 0-RTT bytes received and not yet read, available before the handshake completes (they may
   * be replays across servers that do not share this context's anti-replay store, RFC 8446 §8).
   */
  readEarlyData(max = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (this.earlyDataUnread === 0) return null;
    return this.readApplicationData(Math.min(max, this.earlyDataUnread));
  }

  private onNewSessionTicket(message: HandshakeMessage): void {
    const ticket = clientReceiveTicket(this.traffic!, message, this);
    if (ticket === null) return;
    this.latestTicket = ticket;
    this.onTicket?.(ticket);
  }

  /**
   * Server: asks the client for a certificate now (RFC 8446 §4.6.2). Python's conditions: TLS 1.3,
   * server side, the handshake done, and post-handshake authentication enabled on both sides.
   */
  verifyClientPostHandshake(): void {
    // API misuse, not a protocol failure: an SSLError for the caller, no alert (as OpenSSL's SSL_R_* here).
    const refuse = (reason: string, text: string) => new SSLError(text, { library: 'SSL', reason });
    if (!this.serverSide) throw refuse('NOT_SERVER', 'not server');
    if (this.traffic === null)
      throw refuse(
        this.tls12 !== null ? 'WRONG_SSL_VERSION' : 'STILL_IN_INIT',
        'post-handshake authentication needs an established TLS 1.3 connection',
      );
    if (!this.config.postHandshakeAuth || !this.negotiated.postHandshakeAuth)
      throw refuse('EXTENSION_NOT_RECEIVED', 'extension not received');
    if (this.postHandshakeAuth !== null)
      throw refuse('STILL_IN_INIT', 'a post-handshake authentication is in progress');
    this.postHandshakeAuth = serverRole().serverRequestPostHandshakeAuth(this.traffic, this);
    this.flushHandshake();
  }

  /**
   * Post-handshake authentication waiting for a user callback's Promise (the client's signer, the
   * server's verifier): the connection reports that suspension point, takes no more records until it
   * settles, then `apply` gets the settled step and the connection is established again.
   */
  private suspendAfterHandshake<T>(suspended: Suspended<T>, apply: (value: T) => void): void {
    const established = this.handshake!;
    this.handshake = {
      kind: 'Suspended',
      point: suspended.point,
      pending: suspended.pending,
      resume: (value: unknown) => {
        this.handshake = established;
        apply(suspended.resume(value));
        return established;
      },
    } as HandshakeState;
  }

  /** Server: a post-handshake CertificateRequest is waiting for the client's answer. */
  get postHandshakeAuthPending(): boolean {
    return this.postHandshakeAuth !== null;
  }

  // -------------------------------------------------------------------------------------------
  // Application side

  /** Decrypted application bytes buffered and not yet read. */
  get pendingApplicationData(): number {
    return this.applicationDataLength;
  }

  /** Up to `max` buffered application bytes (all when omitted), or null when none are buffered. */
  readApplicationData(max = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (this.applicationDataLength === 0 || max <= 0) return null;
    const first = this.applicationData[0]!;
    if (this.applicationDataHead === 0 && first.length <= max) {
      // A whole record's content that fits goes out as it is, not joined to the next record's (as OpenSSL's
      // SSL_read returns one record at a time): no copy, and the caller owns it (a fresh AEAD output).
      this.applicationData.shift();
      this.applicationDataLength -= first.length;
      this.earlyDataUnread = Math.max(0, this.earlyDataUnread - first.length);
      this.resumeReading();
      return first;
    }
    this.earlyDataUnread = Math.max(0, this.earlyDataUnread - Math.min(max, this.applicationDataLength));
    const want = Math.min(max, this.applicationDataLength);
    const out = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const chunk = this.applicationData[0]!;
      const take = Math.min(chunk.length - this.applicationDataHead, want - filled);
      out.set(chunk.subarray(this.applicationDataHead, this.applicationDataHead + take), filled);
      filled += take;
      this.applicationDataHead += take;
      if (this.applicationDataHead === chunk.length) {
        this.applicationData.shift();
        this.applicationDataHead = 0;
      }
    }
    this.applicationDataLength -= want;
    this.resumeReading();
    return out;
  }

  private secretsWiped = false;

  /**
   * Ends the connection without a word on the wire (the transport is gone or being torn down) and wipes
   * its keys (best effort, SECURITY.md). Adapters call it when they release the transport; afterwards the
   * connection is Failed (PROTOCOL_IS_SHUTDOWN) unless it already failed.
   */
  dispose(): void {
    // The PROTOCOL_IS_SHUTDOWN error is built only if a later call asks for it (see failure): constructing
    // it (an Error's stack capture) on every close was ~1.4% of a resumed TLS 1.3 socket handshake (issue #9),
    // while adapters dispose at the transport's end and rarely touch the connection again.
    if (this.failureError === null) this.disposedUnfailed = true;
    this.wipeSecrets();
  }

  /**
   * The sticky error, or null. After dispose() on a connection that had not failed, PROTOCOL_IS_SHUTDOWN,
   * built here on first use (the same error every time after that, as when dispose() built it).
   */
  private get failure(): SSLError | null {
    if (this.failureError === null && this.disposedUnfailed) {
      this.failureError = tlsFailure('PROTOCOL_IS_SHUTDOWN', 'the connection was disposed');
    }
    return this.failureError;
  }

  private set failure(error: SSLError) {
    this.failureError = error;
  }

  /**
   * Best-effort erasure once the keys can no longer be used (a failure, or close_notify both ways): the
   * TLS 1.3 traffic, exporter and resumption secrets are zeroed and the record protection dropped
   * (RFC 8446 §7.2 asks to delete traffic secrets no longer needed). TLS 1.2's master secret lives on in
   * the resumable session state only. What JavaScript cannot erase: SECURITY.md.
   */
  private wipeSecrets(): void {
    if (this.secretsWiped) return;
    this.secretsWiped = true;
    if (this.traffic !== null) {
      for (const value of Object.values(this.traffic)) if (value instanceof Uint8Array) wipe(value);
    }
    wipeUnfinishedTls13Handshake(this.handshake);
    this.record.readKey?.wipe();
    this.record.writeKey?.wipe();
    this.record.readKey12?.wipe();
    this.record.writeKey12?.wipe();
    this.record.readKey = null;
    this.record.writeKey = null;
    this.record.readKey12 = null;
    this.record.writeKey12 = null;
    if (this.tls12 !== null) this.tls12 = { ...this.tls12, masterSecret: new Uint8Array(0) };
  }

  /** Records left encrypted by backpressure are opened once the application made room. */
  private resumeReading(): void {
    if (!this.readPaused || this.applicationDataLength >= this.limits.maxBufferedPlaintext) return;
    this.readPaused = false;
    this.process();
  }

  /**
   * Encrypts application data into records. Returns false (nothing sent) before the handshake completes,
   * after close_notify was sent, or after a failure.
   */
  writeApplicationData(data: Uint8Array): boolean {
    if (this.failure !== null || !this.handshakeComplete || this.closeSent) return false;
    try {
      this.flushHandshake();
      if (this.tls12 !== null) this.record.send(ContentType.application_data, data);
      else this.sendWithKeyUpdates(data);
    } catch (e) {
      this.fail(e);
      return false;
    }
    return true;
  }

  /**
   * RFC 8446 §5.5: "Implementations SHOULD do a key update ... prior to reaching these limits". Checked
   * per record, so one large write that crosses the limit is split around the KeyUpdate.
   */
  private sendWithKeyUpdates(data: Uint8Array): void {
    const limit = this.keyUpdateLimit;
    let offset = 0;
    do {
      if (this.record.writeKey!.sequence >= limit) this.sendKeyUpdate(false);
      const records = limit - this.record.writeKey!.sequence;
      const end = Math.min(data.length, offset + records * this.record.protectedFragmentLength);
      this.record.send(ContentType.application_data, data.subarray(offset, end));
      offset = end;
    } while (offset < data.length);
  }

  /** Records sent under one application write key before we update it: configured, else the suite's (§5.5). */
  get keyUpdateLimit(): number {
    const configured = this.config.keyUpdateAfterRecords;
    if (configured !== null && configured > 0) return configured;
    return keyUpdateRecordLimit(this.traffic!.suite.aead);
  }

  /** KeyUpdates we sent (on request, answering the peer, or at the §5.5 limit) and received. */
  keyUpdatesSent = 0;
  keyUpdatesReceived = 0;

  /**
   * RFC 8449 §4: the record size limits a handshake negotiated — `peer` bounds the protected records we
   * send, `own` (what we announced) the protected records we accept. Called by the TLS 1.3 server on
   * the ClientHello, the TLS 1.3 client on EncryptedExtensions, TLS 1.2 on the hellos.
   */
  setRecordSizeLimits(peer: number, own: number): void {
    this.record.sendRecordSizeLimit = peer;
    this.ownRecordSizeLimit = own;
    if (this.earlyDataBudget === null) this.record.receiveRecordSizeLimit = own;
  }

  /** RFC 8449: the limit we announced; not applied to 0-RTT records (see {@link receiveEarlyData}). */
  private ownRecordSizeLimit = 0;

  /** Sends close_notify (RFC 8446 §6.1); reading may continue until the peer's arrives (half-close). */
  close(): void {
    if (this.closeSent || this.failure !== null) return;
    this.closeSent = true;
    this.flushHandshake();
    this.record.send(ContentType.alert, encodeAlert(1, AlertDescription.close_notify));
    if (this.peerClosed) this.wipeSecrets();
  }

  /**
   * Sends a KeyUpdate and switches to the next write secret (RFC 8446 §4.6.3, §7.2); with
   * `requestPeer` the peer must update its keys too. Returns false when not connected.
   */
  keyUpdate(requestPeer: boolean): boolean {
    if (this.failure !== null || this.traffic === null || this.closeSent) return false;
    this.sendKeyUpdate(requestPeer);
    return true;
  }

  private sendKeyUpdate(requestPeer: boolean): void {
    const traffic = this.traffic!;
    this.flushHandshake();
    this.record.send(ContentType.handshake, encodeKeyUpdate({ requestUpdate: requestPeer ? 1 : 0 }));
    this.keyUpdatesSent++;
    const previous = traffic.writeSecret;
    traffic.writeSecret = traffic.schedule.nextApplicationTrafficSecret(previous);
    this.installWriteSecret(traffic.suite, traffic.schedule, traffic.writeSecret);
    // RFC 8446 §7.2: once application_traffic_secret_N+1 is derived, "the old secret ... and keys
    // derived from it" are deleted (best effort; installWriteSecret wiped the old keys). Secret 0 is also
    // Traffic's clientSecret/serverSecret, which nothing reads after the handshake.
    wipe(previous);
  }

  /** TLS-Exporter (RFC 8446 §7.5), once the handshake completed. */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    if (this.secretsWiped) throw tlsFailure('BAD_VALUE', 'keying material is gone: the connection is closed');
    const t12 = this.tls12;
    if (t12 !== null) {
      // RFC 5705 §4 over the TLS 1.2 master secret (issue #6).
      const hash = this.config.provider.hash(t12.suite.hash);
      return tls12Exporter(hash, t12.masterSecret, label, t12.clientRandom, t12.serverRandom, context, length);
    }
    if (this.traffic === null) throw tlsFailure('BAD_VALUE', 'keying material is available only after the handshake');
    return this.traffic.schedule.exporter(this.traffic.exporterSecret, label, context, length);
  }

  // -------------------------------------------------------------------------------------------
  // TLS 1.2 hooks (issue #6): version negotiation and RFC 5246 record policy; the state machines
  // are client/tls12.ts and server/tls12.ts.

  /** The first ClientHello: TLS 1.3 extended with TLS 1.2, or TLS 1.2 only when 1.3 is disabled. */
  private startClientAnyVersion(): HandshakeState {
    if (!this.config.tls13Enabled && this.config.tls12Enabled) {
      this.tls12Mode = true;
      return startTls12Client(this, this.serverHostname);
    }
    return startClient(this, this.serverHostname);
  }

  /** Called by the TLS 1.3 client before it encodes its ClientHello. */
  extendClientHelloForTls12(hello: Parameters<typeof extendClientHelloForTls12>[0]): void {
    // A replay of a published TLS 1.3 trace (RFC 8448) reproduces a TLS 1.3-only ClientHello.
    if (this.config.tls12Enabled && this.config.replay === null) extendClientHelloForTls12(hello, this);
  }

  /** Does this message move the handshake to TLS 1.2 (RFC 8446 §4.1.3, §4.2.1)? */
  private selectsTls12(hs: HandshakeState, message: HandshakeMessage): boolean {
    if (this.serverSide) {
      if (hs.kind !== 'ExpectClientHello' || message.type !== HandshakeType.client_hello) return false;
      return serverRole().chooseServerVersion(clientHelloOf(message), this) === 'TLSv1.2';
    }
    return hs.kind === 'ExpectServerHello' && hs.retry === null && isLegacyServerHello(message);
  }

  private handleTls12(hs: HandshakeState, message: HandshakeMessage): HandshakeState {
    if (this.serverSide) {
      if (hs.kind === 'ExpectClientHello') return serverRole().tls12OnClientHello(message, this);
      return serverRole().tls12ServerHandle(hs as Tls12ServerState, message, this);
    }
    if (hs.kind === 'ExpectServerHello') return tls12OnServerHello(hs.sent, message, this);
    return tls12ClientHandle(hs as Tls12ClientState | Tls12ClientStart, message, this);
  }

  /** RFC 5246 §7.1: ChangeCipherSpec switches the read side; it must sit between handshake messages. */
  private onChangeCipherSpec12(content: Uint8Array, isProtected: boolean): void {
    if (isProtected || !isValidChangeCipherSpec(content)) {
      throw tlsFailure('BAD_CHANGE_CIPHER_SPEC', 'invalid change_cipher_spec record');
    }
    if (this.handshakeMessages.bufferedLength > 0) {
      throw tlsFailure('UNEXPECTED_CCS_MESSAGE', 'change_cipher_spec inside a fragmented handshake message');
    }
    const hs = this.handshake!;
    this.handshake = this.serverSide
      ? serverRole().tls12ServerChangeCipherSpec(hs as Tls12ServerState, this)
      : tls12ClientChangeCipherSpec(hs as Tls12ClientState, this);
  }

  /**
   * RFC 5746 §4.2/§4.4, RFC 5246 §7.4.1.1: renegotiation is refused — a HelloRequest (client) or a
   * ClientHello (server) after the handshake gets a no_renegotiation warning (fatal when configured).
   */
  private onPostHandshakeMessage12(message: HandshakeMessage): void {
    const refusable = this.serverSide
      ? message.type === HandshakeType.client_hello
      : message.type === HandshakeType.hello_request;
    if (!refusable) {
      throw tlsFailure(
        'UNEXPECTED_MESSAGE',
        `unexpected message: ${HandshakeType.nameOf(message.type)} after the handshake`,
      );
    }
    if (this.config.tls12.renegotiationFatal) throw tlsFailure('NO_RENEGOTIATION', 'renegotiation refused');
    if (this.serverSide) this.config.tls12.store.stats.accept_renegotiate++;
    if (++this.warningAlerts > this.limits.maxWarningAlerts)
      throw tlsFailure('TOO_MANY_WARN_ALERTS', 'too many renegotiation attempts');
    this.record.send(ContentType.alert, encodeAlert(1, AlertDescription.no_renegotiation));
  }

  installTls12WriteProtection(protection: Tls12RecordProtection): void {
    this.flushHandshake(); // messages queued so far go out under the old protection
    this.record.writeKey12 = protection;
  }

  installTls12ReadProtection(protection: Tls12RecordProtection): void {
    this.record.readKey12 = protection;
  }

  enterTls12Traffic(established: Tls12Established): void {
    this.tls12 = established;
  }
}

// util.inspect / JSON.stringify show public facts, never keys (issue #10).
redactSecrets(TlsConnection, (c) => ({
  serverSide: c.serverSide,
  serverHostname: c.serverHostname,
  state: c.state.kind,
  handshakeComplete: c.handshakeComplete,
  closeSent: c.closeSent,
  peerClosed: c.peerClosed,
}));
