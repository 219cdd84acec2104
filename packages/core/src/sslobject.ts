/**
 * Python's `ssl.SSLObject` (3.7) over two {@link MemoryBIO}s: a thin, synchronous layer over
 * {@link TlsConnection} that raises what Python raises.
 *
 * - `doHandshake()`, `read()`, `write()` and `unwrap()` first move every byte of the incoming BIO into
 *   the engine and every produced record into the outgoing BIO, then raise `SSLWantReadError` when more
 *   input is needed. Writing to a MemoryBIO never blocks, so `SSLWantWriteError` is never raised.
 * - While the handshake is parked at a named suspension point (an SNI callback, certificate verifier
 *   or signer returned a Promise), `doHandshake()` raises `SSLWantReadError` as well; call it again when
 *   the promise settles (`sslObject.onResume`, or `suspensionPoint` to see where it waits).
 * - `read()` after the peer's close_notify raises `SSLZeroReturnError`; after the incoming BIO's EOF
 *   without close_notify it raises `SSLEOFError` (unless OP_IGNORE_UNEXPECTED_EOF).
 * - A received fatal alert raises an SSLError named after it (`TLSV1_ALERT_PROTOCOL_VERSION`, …); local
 *   failures raise OpenSSL's reason and send their alert. Errors are sticky.
 * @module
 */

import type { PeerCertDict } from '@sanstls/x509';
import { decodeCertificate, SSLEOFError, SSLError, SSLWantReadError, SSLZeroReturnError } from '@sanstls/x509';
import { TlsConnection } from './connection.js';
import { CHANNEL_BINDING_TYPES, OP_IGNORE_UNEXPECTED_EOF } from './constants.js';
import type { SSLContext } from './context.js';
import type { SuspensionPoint } from './handshake/common.js';
import type { EngineConfig } from './handshake/config.js';
import type { MemoryBIO } from './memorybio.js';
import { redactSecrets } from './redact.js';
import { SSLSession } from './session.js';
import { tls13Session } from './tickets.js';

function valueError(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'BAD_VALUE' });
}

export interface WrapBioOptions {
  serverSide?: boolean;
  serverHostname?: string | null;
  session?: SSLSession | null;
}

export class SSLObject {
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
  /** The underlying event-API connection (for adapters that need both layers). */
  readonly connection: TlsConnection;
  private readonly incoming: MemoryBIO;
  private readonly outgoing: MemoryBIO;
  private currentContext: SSLContext;
  private eofError: SSLError | null = null;
  private wantRead: SSLWantReadError | null = null;
  private established = false;
  private sessionObject: SSLSession | null = null;
  /** Server: this connection's OCSP staple, set from the SNI or OCSP request callback (undefined: the context's). */
  private connectionOcspResponse: Uint8Array | null | undefined = undefined;
  /** Inside the SNI or OCSP request callback, where setOcspResponse may answer. */
  private inServerNameCallback = false;
  /** Server: the context the connection began with, whose OCSP request callback an SNI swap keeps. */
  private readonly initialContext: SSLContext;

  /** Use {@link SSLContext.wrapBio}. */
  constructor(context: SSLContext, incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapBioOptions = {}) {
    this.serverSide = options.serverSide ?? false;
    this.serverHostname = options.serverHostname ?? null;
    this.incoming = incoming;
    this.outgoing = outgoing;
    this.currentContext = context;
    this.initialContext = context;
    this.sessionObject = options.session ?? null;
    this.connection = new TlsConnection(context.engineConfig(), {
      serverSide: this.serverSide,
      serverHostname: this.serverHostname,
      serverNameCallback: (name) => this.runServerNameCallback(name),
      ocspRequestCallback: () => this.runOcspRequestCallback(),
      signatureCache: context.signatureCache,
      session: this.serverSide ? null : this.sessionObject, // TLS 1.2 resumption (issue #6)
    });
    this.connection.onResume = () => this.onResume?.();
  }

  /** Called when a suspended handshake can continue: call {@link doHandshake} again. */
  onResume: (() => void) | null = null;

  /** The SSLContext; the server's SNI callback may assign another one (Python's context swap). */
  get context(): SSLContext {
    return this.currentContext;
  }

  set context(context: SSLContext) {
    this.currentContext = context;
  }

  /**
   * Where the handshake waits for a Promise, or null: a user callback's (`serverNameCallback`,
   * `ocspRequestCallback`, `verifyPeerCertificate`, `signCertificateVerify`) or, on a client whose crypto
   * provider answers asynchronously (WebCrypto, issue #9), the provider's (`generateKeyShare`,
   * `completeKeyShare`, `verifyServerSignature`).
   */
  get suspensionPoint(): SuspensionPoint | null {
    const state = this.connection.state;
    return state.kind === 'Suspended' ? state.point : null;
  }

  // -------------------------------------------------------------------------------------------
  // I/O

  /**
   * Moves incoming bytes into the engine, runs it, and moves produced records out. The engine takes at
   * most `receiveRoom` bytes at a time (limits.ts); what a stalled engine cannot take stays in the BIO.
   */
  private pump(): void {
    for (;;) {
      const n = Math.min(this.incoming.pending, this.connection.receiveRoom);
      // The engine copies what it receives into its record buffer: the BIO lends views (no copy here).
      if (n > 0) this.incoming.drainTo(n, this.receive);
      if (this.incoming.eof) this.connection.receiveEof();
      this.connection.process();
      this.flush();
      if (n === 0 || this.incoming.pending === 0 || this.connection.error !== null) return;
    }
  }

  /** Bound once: {@link pump} hands it to MemoryBIO.drainTo per call. */
  private readonly receive = (view: Uint8Array): void => this.connection.receive(view);

  private flush(): void {
    // Record by record: a transport adapter sends them without joining them (MemoryBIO.readChunks).
    for (const record of this.connection.takeOutgoingChunks()) this.outgoing.writeOwned(record);
  }

  private throwIfFailed(): void {
    const error = this.connection.error;
    if (error !== null) throw error;
  }

  /** Performs the handshake; raises SSLWantReadError until it completes. */
  doHandshake(): void {
    this.pump();
    this.throwIfFailed();
    if (!this.connection.handshakeComplete) throw this.wantReadError();
    if (!this.established) {
      this.established = true;
      this.currentContext.recordHandshake(this.serverSide);
    }
  }

  /** Reads up to `n` bytes of application data. */
  read(n = 1024): Uint8Array {
    this.doHandshake();
    if (n <= 0) return new Uint8Array(0);
    let data = this.connection.readApplicationData(n);
    if (data === null) {
      this.pump();
      this.throwIfFailed();
      data = this.connection.readApplicationData(n);
    }
    if (data !== null) return data;
    if (this.connection.peerClosed) throw new SSLZeroReturnError();
    if (this.connection.eofReceived) {
      if ((this.currentContext.options & OP_IGNORE_UNEXPECTED_EOF) !== 0) return new Uint8Array(0);
      this.eofError ??= new SSLEOFError('EOF occurred in violation of protocol');
      throw this.eofError;
    }
    throw this.wantReadError();
  }

  /**
   * Flow control, raised by every read that drains the buffer and every handshake step that waits for the
   * peer: one instance per object (as eofError), not a construction (and stack capture) per call — ≈ 2% of
   * bulk transfer and ≈ 1.5% of an in-memory handshake pair with the node:crypto provider (issue #9).
   */
  private wantReadError(): SSLWantReadError {
    this.wantRead ??= new SSLWantReadError();
    return this.wantRead;
  }

  /** Encrypts `data` into the outgoing BIO; returns the number of bytes written (all of them). */
  write(data: Uint8Array | string): number {
    this.doHandshake();
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (this.connection.closeSent) {
      throw new SSLError('protocol is shutdown', { library: 'SSL', reason: 'PROTOCOL_IS_SHUTDOWN' });
    }
    if (bytes.length === 0) return 0;
    this.connection.writeApplicationData(bytes);
    this.flush();
    this.throwIfFailed();
    return bytes.length;
  }

  /** Decrypted bytes available to {@link read} without more input. */
  pending(): number {
    return this.connection.pendingApplicationData;
  }

  /**
   * Sends close_notify (RFC 8446 §6.1) and completes when the peer's arrives; raises SSLWantReadError
   * until then.
   */
  unwrap(): void {
    if (!this.connection.handshakeComplete) {
      this.throwIfFailed();
      throw new SSLError('shutdown while in init', { library: 'SSL', reason: 'SHUTDOWN_WHILE_IN_INIT' });
    }
    this.connection.close();
    this.pump();
    this.throwIfFailed();
    if (this.connection.peerClosed) return;
    if (this.connection.eofReceived) throw new SSLEOFError('EOF occurred in violation of protocol');
    throw this.wantReadError();
  }

  /** Sends a KeyUpdate (RFC 8446 §4.6.3); with `requestPeer` the peer updates its keys too. */
  keyUpdate(requestPeer = false): void {
    this.doHandshake();
    this.connection.keyUpdate(requestPeer);
    this.flush();
  }

  /**
   * Post-handshake client authentication (RFC 8446 §4.6.2), Python's `verify_client_post_handshake()`:
   * the server sends a CertificateRequest now (into the outgoing BIO); the client's answer is processed
   * by later reads, after which `getPeerCert()` returns its certificate. Raises an SSLError unless this
   * is the server of an established TLS 1.3 connection with `postHandshakeAuth` enabled on both sides.
   */
  verifyClientPostHandshake(): void {
    if (!this.connection.handshakeComplete) {
      throw new SSLError('handshake not done yet', { library: 'SSL', reason: 'STILL_IN_INIT' });
    }
    this.connection.verifyClientPostHandshake();
    this.flush();
  }

  // -------------------------------------------------------------------------------------------
  // 0-RTT early data (RFC 8446 §2.3, §4.2.10; issue #7). Python has no early-data API; these follow
  // OpenSSL's SSL_write_early_data / SSL_read_early_data / SSL_get_early_data_status.

  /**
   * Client: 0-RTT data for a session whose ticket allows it (`session.maxEarlyData`), before
   * `doHandshake()` (or while the handshake waits for the server). Returns the bytes taken; send the
   * rest with `write()` after the handshake. After the handshake check `earlyDataStatus`: when
   * 'rejected', {@link takeRejectedEarlyData} returns the bytes the server discarded.
   */
  writeEarlyData(data: Uint8Array | string): number {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const taken = this.connection.writeEarlyData(bytes);
    this.flush();
    return taken;
  }

  /** 'none', 'offered' (client, waiting), 'accepted' or 'rejected'. */
  get earlyDataStatus(): 'none' | 'offered' | 'accepted' | 'rejected' {
    return this.connection.earlyDataStatus;
  }

  /** Client: early data the server rejected, to resend if it is safe to (once), or null. */
  takeRejectedEarlyData(): Uint8Array | null {
    return this.connection.takeRejectedEarlyData();
  }

  /**
   * Server: 0-RTT bytes received so far and not yet read, available before the handshake completes, or
   * null. Early data may be a replay (RFC 8446 §8): act on it only when that is harmless. The same bytes
   * are otherwise the first ones `read()` returns; `earlyDataReceived` says how many there were.
   */
  readEarlyData(n = 1024): Uint8Array | null {
    this.pump();
    this.throwIfFailed();
    return this.connection.readEarlyData(n);
  }

  /** Server: bytes of 0-RTT data this connection received (they start the application data stream). */
  get earlyDataReceived(): number {
    return this.connection.earlyDataReceived;
  }

  /**
   * Client: the DER OCSP response the server stapled (RFC 6066 §8, RFC 8446 §4.4.2.1) when
   * `context.requestOcsp` asked for one; null otherwise. Not validated: see `ocspResponseCallback`.
   */
  get ocspResponse(): Uint8Array | null {
    return this.connection.negotiated.ocspResponse;
  }

  /**
   * Server: the client asked for a stapled OCSP response (status_request, RFC 6066 §8). Known from the
   * SNI callback on — where {@link setOcspResponse} can still answer it, as in the context's
   * `ocspRequestCallback` (full handshakes only).
   */
  get ocspRequested(): boolean {
    return this.connection.negotiated.ocspRequested;
  }

  /**
   * Server, from within the SNI callback or the context's `ocspRequestCallback` (before it returns, or
   * before its Promise settles): staple `response` (DER) on this connection instead of the context's
   * `setOcspResponse` one; null staples nothing. Node's 'OCSPRequest' answer goes through here. Elsewhere
   * a BAD_VALUE error: by then the Certificate message is decided.
   */
  setOcspResponse(response: Uint8Array | null): void {
    if (!this.serverSide || !this.inServerNameCallback) {
      throw valueError('setOcspResponse on a connection works in the server name or OCSP request callback only');
    }
    if (response !== null && response.length === 0) throw valueError('setOcspResponse: empty OCSP response');
    this.connectionOcspResponse = response === null ? null : response.slice();
  }

  /** TLS 1.3 exporter (RFC 8446 §7.5). */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    return this.connection.exportKeyingMaterial(label, length, context);
  }

  // -------------------------------------------------------------------------------------------
  // Connection facts

  /**
   * The peer certificate: the decodeCertificate dict when it was validated, `{}` when it was not
   * (CERT_NONE, as Python), DER with `binaryForm`, null when the peer sent none.
   */
  getPeerCert(binaryForm?: false): PeerCertDict | Record<string, never> | null;
  getPeerCert(binaryForm: true): Uint8Array | null;
  getPeerCert(binaryForm = false): PeerCertDict | Record<string, never> | Uint8Array | null {
    if (!this.connection.handshakeComplete) throw valueError('handshake not done yet');
    const peer = this.connection.negotiated.peerCertificate;
    if (peer === null) return null;
    if (binaryForm) return peer.chain[0]!;
    return peer.verified ? decodeCertificate(peer.leaf) : {};
  }

  /** `[OpenSSL cipher name, protocol version, secret bits]`, or null before the handshake. */
  cipher(): [string, string, number] | null {
    const { suite, version } = this.connection.negotiated;
    if (suite === null || version === null) return null;
    return [suite.name, version, suite.bits];
  }

  /** Ciphers both sides support (server side), or the ones we offered (client side). */
  sharedCiphers(): [string, string, number][] | null {
    if (!this.connection.handshakeComplete) return null;
    const suites = this.serverSide ? (this.connection.negotiated.sharedSuites ?? []) : this.connection.config.suites;
    return suites.map((s) => [s.name, 'TLSv1.3', s.bits]);
  }

  version(): string | null {
    return this.connection.handshakeComplete ? this.connection.negotiated.version : null;
  }

  selectedAlpnProtocol(): string | null {
    return this.connection.negotiated.alpn;
  }

  /** NPN is not implemented (HAS_NPN is false). */
  selectedNpnProtocol(): null {
    return null;
  }

  compression(): null {
    return null;
  }

  /**
   * Channel binding data (RFC 5929 'tls-unique'): for TLS 1.3 what OpenSSL and Python return, the
   * client's Finished verify_data. Null before the handshake.
   */
  getChannelBinding(cbType = 'tls-unique'): Uint8Array | null {
    const tls12 = this.connection.tls12;
    if (cbType === 'tls-exporter') {
      // RFC 9266 §2: 32 bytes of the exporter with label "EXPORTER-Channel-Binding" and no context; §3:
      // TLS 1.2 only with the extended master secret.
      if (!this.connection.handshakeComplete) return null;
      if (tls12 !== null && !tls12.extendedMasterSecret)
        throw valueError('tls-exporter needs the extended master secret');
      return this.connection.exportKeyingMaterial('EXPORTER-Channel-Binding', 32);
    }
    if (!CHANNEL_BINDING_TYPES.includes(cbType)) throw valueError(`${cbType} channel binding type not implemented`);
    // RFC 5929 §3.1 (TLS 1.2): the first Finished of the handshake, the server's when resumed (issue #6).
    if (tls12 !== null) return tls12.tlsUnique;
    return this.connection.negotiated.clientFinished;
  }

  /**
   * The session: a TLS 1.2 session, or for TLS 1.3 the newest ticket the server sent (tickets arrive
   * after the handshake, so read it after some data was exchanged; a session without a ticket cannot
   * resume).
   */
  get session(): SSLSession | null {
    if (!this.connection.handshakeComplete) return this.sessionObject;
    const ticket = this.connection.latestTicket;
    if (ticket !== null && this.sessionObject?.tls13 !== ticket) {
      // TLS 1.3 (issue #7): OpenSSL names the session by SHA-256 of the ticket.
      this.sessionObject = tls13Session(ticket, this.connection.config.provider);
    }
    const tls12 = this.connection.tls12;
    // A resumption whose ticket the server renewed (RFC 5077 §3.3, e.g. after a ticket-key rotation) makes
    // a new session, as OpenSSL's client does; the offered session keeps its old ticket.
    if (
      tls12 !== null &&
      (this.sessionObject?.tls12 === undefined || this.sessionObject.tls12.ticket !== tls12.ticket)
    ) {
      // TLS 1.2 (issue #6): a resumable session (session ID and/or RFC 5077 ticket).
      this.sessionObject = new SSLSession({
        id: tls12.sessionId,
        time: tls12.session.time,
        timeout: tls12.session.timeout,
        ticketLifetimeHint: tls12.ticketLifetimeHint,
        hasTicket: tls12.ticket !== null,
        tls12: {
          state: tls12.session,
          sessionId: tls12.sessionId,
          ticket: tls12.ticket,
          ticketLifetimeHint: tls12.ticketLifetimeHint,
        },
      });
    }
    this.sessionObject ??= new SSLSession({
      id: new Uint8Array(0),
      time: Math.floor(this.currentContext.now() / 1000),
    });
    return this.sessionObject;
  }

  /**
   * Python's `session` setter: the session to resume, before the handshake, client side only
   * (ValueError-like SSLErrors otherwise, with Python's messages).
   */
  set session(session: SSLSession | null) {
    if (this.serverSide) throw valueError('Cannot set session for server-side SSLSocket.');
    if (this.connection.handshakeComplete || this.connection.clientRandom !== null) {
      throw valueError('Cannot set session after handshake.');
    }
    this.sessionObject = session;
    this.connection.offeredSession = session;
  }

  /** The handshake resumed a session (TLS 1.3 PSK from a ticket, or TLS 1.2 session ID/ticket). */
  get sessionReused(): boolean {
    if (this.connection.tls12 !== null) return this.connection.tls12.resumed; // issue #6
    return this.connection.handshakeComplete && this.connection.negotiated.resumed;
  }

  // -------------------------------------------------------------------------------------------
  // SNI callback (Python 3.7 sni_callback semantics)

  private runServerNameCallback(serverName: string | null) {
    const original = this.currentContext;
    const callback = original.sniCallback;
    if (callback === null) return {};
    return this.runAnsweringCallback(() => callback(this, serverName, original));
  }

  /**
   * The context's OCSP request callback (the current context's, else the one the connection began with: an
   * SNI callback swapping contexts keeps the server's hook, as Node's 'OCSPRequest' does). The engine calls
   * it for full handshakes only, once the client asked for a staple.
   */
  private runOcspRequestCallback() {
    const callback = this.currentContext.ocspRequestCallback ?? this.initialContext.ocspRequestCallback;
    if (callback === null) return {};
    return this.runAnsweringCallback(() => callback(this));
  }

  /**
   * Runs an SNI-like callback (Python's sni_callback rules: None goes on, an ALERT_DESCRIPTION_* aborts with
   * it, anything else is internal_error, an exception handshake_failure) and turns its effects — a context
   * swap, this connection's staple — into the engine's decision.
   */
  private runAnsweringCallback(invoke: () => unknown) {
    const original = this.currentContext;
    const decide = (answer: unknown) => {
      this.inServerNameCallback = false;
      if (answer !== undefined && answer !== null && typeof answer !== 'number') {
        // Python: any return value other than None or an ALERT_DESCRIPTION_* → internal_error.
        return { alert: 80 };
      }
      const swapped = this.currentContext !== original ? this.currentContext.engineConfig() : undefined;
      const config =
        this.connectionOcspResponse === undefined
          ? swapped
          : withOcspResponse(swapped ?? this.connection.config, this.connectionOcspResponse);
      return {
        ...(typeof answer === 'number' ? { alert: answer } : {}),
        ...(config === undefined ? {} : { config }),
      };
    };
    let answer: unknown;
    this.inServerNameCallback = true;
    try {
      answer = invoke();
    } catch {
      this.inServerNameCallback = false;
      // Python: an exception in the callback → handshake_failure.
      return { alert: 40 };
    }
    if (typeof answer === 'object' && answer !== null && typeof (answer as PromiseLike<unknown>).then === 'function') {
      return Promise.resolve(answer as PromiseLike<unknown>).then(decide, () => {
        this.inServerNameCallback = false;
        return { alert: 40 };
      });
    }
    return decide(answer);
  }
}

/** `config` with every chain stapling `response` (RFC 6066 §8): one connection's OCSP answer. */
function withOcspResponse(config: EngineConfig, response: Uint8Array | null): EngineConfig {
  return { ...config, certificates: config.certificates.map((key) => ({ ...key, ocspResponse: response })) };
}

// util.inspect / JSON.stringify show public facts, never keys (issue #10).
redactSecrets(SSLObject, (o) => ({
  serverSide: o.serverSide,
  serverHostname: o.serverHostname,
  state: o.connection.state.kind,
}));
