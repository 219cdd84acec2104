/**
 * node:tls-shaped sockets on the sanstls engine: {@link TLSSocket} (a `stream.Duplex`), {@link connect} and
 * {@link createServer}. Events, properties and options follow node:tls, so `https.request({ createConnection })`,
 * an `http.Server` fed our connections, and undici's custom connectors work.
 *
 * Verification follows Node's model: the handshake completes, then the peer's chain is validated against the
 * context's trust anchors (RFC 5280, @sanstls/x509) and, on the client, `checkServerIdentity` runs.
 * `authorized`/`authorizationError` report the outcome; with `rejectUnauthorized` (the default) a failure destroys
 * the socket with an error whose `code` is OpenSSL's X509_V_ERR name, as Node's.
 * @module
 */
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { checkServerIdentity as nodeCheckServerIdentity, type PeerCertificate } from 'node:tls';
import type { CryptoProvider } from '@sanstls/core';
import {
  parseCertificate,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLZeroReturnError,
  verifyErrorText,
  X509_V_ERR,
} from '@sanstls/x509';
import { SocketInput, TransportDriver, WOULD_BLOCK } from './driver.js';
import { type EngineContext, type EngineSSLObject, truncatedRecordError } from './engine.js';
import { type NodePeerCertificate, nodePeerCertificateChain } from './node-cert.js';

/** What a TLSSocket needs from its context besides an engine: chain validation for Node's verification model. */
export interface NodeEngineContext extends EngineContext {
  /** Validates a peer chain (DER, leaf first); throws SSLCertVerificationError. */
  verifyPeerChain(chain: readonly Uint8Array[], purpose: 'serverAuth' | 'clientAuth'): void;
}

export interface TLSSocketOptions {
  isServer?: boolean;
  /** The context (required). */
  context: NodeEngineContext;
  servername?: string | null;
  /** The name checked by checkServerIdentity (default: servername, else host). */
  host?: string;
  rejectUnauthorized?: boolean;
  /** Server: ask the client for a certificate. */
  requestCert?: boolean;
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  session?: unknown;
  /** Milliseconds the handshake may take (default 120000, Node's). */
  handshakeTimeout?: number;
  /**
   * Milliseconds without input or output after which a pending read fails (0: never; default 0): writes count as
   * activity, as for Node's socket.setTimeout. The socket reads from the end of the handshake on, as node:tls, so
   * this holds whether or not the application reads — except while a paused consumer's buffer is full, when
   * nothing is read.
   */
  idleTimeout?: number;
  allowHalfOpen?: boolean;
  /** The transport is still connecting: start the handshake on its 'connect'. */
  waitForConnect?: boolean;
  /** The transport was made with this input's `onread` options (connect() does so for its own sockets). */
  input?: SocketInput;
  /**
   * Whether the engine hands this socket its key-log lines for the 'keylog' event (default true). A Server
   * says false when nobody listens to its 'keylog' as the connection arrives (node:tls's rule), so no line
   * is formatted or copied for nobody.
   */
  keylog?: boolean;
  /** Client: ask for a stapled OCSP response (RFC 6066 §8); it comes as the 'OCSPResponse' event, as node:tls. */
  requestOCSP?: boolean;
}

/** A Node-style error with OpenSSL's verification code name, as node:tls reports verification failures. */
function verificationError(err: SSLCertVerificationError): Error & { code: string } {
  const name = Object.entries(X509_V_ERR).find(([, code]) => code === err.verifyCode)?.[0] ?? 'CERT_VERIFY_FAILED';
  const error = new Error(err.verifyMessage) as Error & { code: string };
  error.code = name;
  error.cause = err;
  return error;
}

/**
 * Buffered writes joined into runs of at most one full record's worth (2^14 bytes, RFC 8446 §5.1), each
 * large write kept as it is: many small writes become few full records instead of a record each.
 */
function coalesce(buffers: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runLength = 0;
  const endRun = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) out.push(Buffer.concat(run, runLength));
    run = [];
    runLength = 0;
  };
  for (const b of buffers) {
    if (runLength + b.length > 16384) endRun();
    if (b.length >= 16384) out.push(b);
    else {
      run.push(b);
      runLength += b.length;
    }
  }
  endRun();
  return out;
}

/**
 * The Node-shaped leaf certificates checkServerIdentity was given lately, by their exact bytes: a client meets
 * the same server certificates on every connection, and building the object (a parse, three fingerprints) was 6%
 * of a resumed TLS 1.3 socket handshake's CPU. Every connection gets its own copy, so a callback that alters its
 * object cannot reach another connection's. Module-wide (most recent first), as connect() without `context`
 * makes a context per connection.
 */
const recentLeafCertificates: Array<{ der: Uint8Array; cert: NodePeerCertificate }> = [];
const RECENT_LEAF_CERTIFICATES = 8;

function leafCertificate(leaf: Uint8Array): NodePeerCertificate {
  const at = recentLeafCertificates.findIndex((entry) => Buffer.compare(entry.der, leaf) === 0);
  if (at >= 0) {
    const entry = recentLeafCertificates[at]!;
    if (at > 0) recentLeafCertificates.unshift(...recentLeafCertificates.splice(at, 1));
    return copyPeerCertificate(entry.cert);
  }
  const cert = nodePeerCertificateChain([leaf], false) as NodePeerCertificate;
  recentLeafCertificates.unshift({ der: leaf.slice(), cert: copyPeerCertificate(cert) });
  recentLeafCertificates.length = Math.min(recentLeafCertificates.length, RECENT_LEAF_CERTIFICATES);
  return cert;
}

const copyNames = <T extends string | string[]>(names: Record<string, T>): Record<string, T> => {
  const out: Record<string, T> = Object.create(null);
  for (const [key, value] of Object.entries(names)) out[key] = (Array.isArray(value) ? [...value] : value) as T;
  return out;
};

/** A copy sharing nothing mutable with `cert` (same fields, same order). */
function copyPeerCertificate(cert: NodePeerCertificate): NodePeerCertificate {
  const out: NodePeerCertificate = {
    ...cert,
    subject: copyNames(cert.subject),
    issuer: copyNames(cert.issuer),
    raw: Buffer.from(cert.raw),
  };
  if (cert.infoAccess !== undefined) out.infoAccess = copyNames(cert.infoAccess);
  if (cert.ext_key_usage !== undefined) out.ext_key_usage = [...cert.ext_key_usage];
  return out;
}

/**
 * Node sees OpenSSL's *last* verification error, because its verify callback lets verification run on: for a peer
 * that sent only its leaf, "unable to get local issuer certificate" (20) is followed by "unable to verify the first
 * certificate" (21). Map it so `code` matches node:tls.
 */
function nodeVerifyCode(err: SSLCertVerificationError, sentCertificates: number): SSLCertVerificationError {
  if (err.verifyCode === X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY && sentCertificates === 1) {
    return new SSLCertVerificationError(
      X509_V_ERR.UNABLE_TO_VERIFY_LEAF_SIGNATURE,
      verifyErrorText(X509_V_ERR.UNABLE_TO_VERIFY_LEAF_SIGNATURE),
    );
  }
  return err;
}

export class TLSSocket extends Duplex {
  readonly encrypted = true;
  authorized = false;
  /** Why the peer is not authorized (OpenSSL code name or message), as node:tls. */
  authorizationError: string | null = null;
  /** The negotiated ALPN protocol; false when none was agreed (node:tls). */
  alpnProtocol: string | false | null = null;
  servername: string | null;
  readonly transport: Duplex;
  private readonly isServer: boolean;
  private readonly options: TLSSocketOptions;
  private readonly sslobj: EngineSSLObject;
  private readonly driver: TransportDriver;
  private readonly handshake: Promise<void>;
  private reading = false;
  private readEnded = false;
  private secured = false;
  /** The transport closed: no more input will come, so the read loop drains what is left and the keys go. */
  private transportGone = false;

  constructor(transport: Duplex, options: TLSSocketOptions) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, emitClose: true, autoDestroy: true });
    this.transport = transport;
    this.options = options;
    this.isServer = options.isServer ?? false;
    this.servername = options.servername ?? null;
    const engine = options.context.createEngine({
      serverSide: this.isServer,
      serverHostname: this.isServer ? null : this.servername,
      session: options.session,
      requestOcsp: !this.isServer && options.requestOCSP === true,
      vectoredOutput: transport instanceof net.Socket,
      // node:tls's 'keylog' event: one NSS key-log line (with its newline) per secret, for Wireshark.
      ...(options.keylog === false
        ? {}
        : {
            keylog: (line: string) => {
              if (this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(`${line}\n`, 'latin1'));
            },
          }),
    });
    this.sslobj = engine.sslobj;
    this.driver = new TransportDriver(transport, engine.incoming, engine.outgoing, engine.sslobj, {
      idleTimeoutMs: options.idleTimeout ?? 0,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    transport.on('error', (err: Error) => {
      if (!this.destroyed) this.destroy(err);
    });
    transport.on('close', () => {
      this.transportGone = true;
      if (this.destroyed) return;
      // Issue #10: the keys go with the transport. Our side cannot send any more, so once the reader has
      // everything the peer sent they have no use: wiped at once when the stream already ended; otherwise
      // the read loop first decrypts what was received (bounded: no more can come) into the stream's
      // buffer, which a paused consumer still reads, then ends the stream and wipes them (readLoop).
      if (this.readEnded) this.sslobj.dispose();
      else if (this.secured) this.startReading();
      else this.destroy();
    });
    this.handshake = this.runHandshake();
    this.handshake.catch(() => {});
  }

  private async runHandshake(): Promise<void> {
    if (this.options.waitForConnect) await once(this.transport, 'connect');
    const timeoutMs = this.options.handshakeTimeout ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.driver.run(() => this.sslobj.doHandshake()),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const err = new Error('TLS handshake timeout') as Error & { code: string };
            err.code = 'ERR_TLS_HANDSHAKE_TIMEOUT';
            reject(err);
          }, timeoutMs);
        }),
      ]);
    } catch (err) {
      this.destroy(err as Error);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.alpnProtocol = this.sslobj.selectedAlpnProtocol() ?? false;
    // node:tls: a client that asked (requestOCSP) gets 'OCSPResponse' — the stapled DER response, or null when the
    // server stapled none — before the chain is checked and before 'secureConnect'. Checking it is the listener's job.
    // As in Node, a resumed TLS 1.2 session (no Certificate, no CertificateStatus) has no event; TLS 1.3 says null.
    const abbreviated12 = this.sslobj.sessionReused && this.sslobj.version() === 'TLSv1.2';
    if (!this.isServer && this.options.requestOCSP === true && !abbreviated12) {
      const response = this.sslobj.ocspResponse;
      this.emit('OCSPResponse', response === null ? null : Buffer.from(response));
    }
    const failure = this.checkPeer();
    if (failure !== undefined) {
      this.destroy(failure);
      throw failure;
    }
    this.secured = true;
    this.emit('secure');
    if (!this.isServer) this.emit('secureConnect');
    this.announceSession();
    // node:tls reads from the start (its initRead's `read(0)`), whether or not the application does: so a peer
    // that leaves — close_notify (RFC 8446 §6.1), a FIN, an alert — is noticed, and 'end' and 'close' come
    // (allowHalfOpen false ends our side in turn) even on a connection nobody reads; a server that only writes
    // kept every dead connection open. What is decrypted ahead stays bounded by the stream's highWaterMark
    // (readLoop stops when push() says so), and then TCP reads stop too: backpressure holds.
    this.read(0);
  }

  private lastSession: unknown = undefined;

  /**
   * node:tls's client 'session' event: a session worth offering again (TLS 1.2 at once, TLS 1.3 once a ticket
   * arrived), which `connect({ session })` resumes — https.Agent and undici cache sessions through it.
   */
  private announceSession(): void {
    if (this.isServer) return;
    const session = this.sslobj.session as { hasTicket?: boolean; tls12?: unknown } | null | undefined;
    if (session == null || session === this.lastSession) return;
    if (session.hasTicket !== true && session.tls12 === undefined) return;
    this.lastSession = session;
    this.emit('session', session);
  }

  /** Node's post-handshake verification. Returns the error to destroy the socket with, if any. */
  private checkPeer(): Error | undefined {
    const rejectUnauthorized = this.options.rejectUnauthorized ?? true;
    const chain = this.sslobj.getUnverifiedChain() ?? [];
    if (this.isServer && !this.options.requestCert) return undefined;
    if (chain.length === 0) {
      this.authorizationError = this.isServer ? 'UNABLE_TO_GET_ISSUER_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
      if (this.isServer) return rejectUnauthorized ? new Error('peer did not return a certificate') : undefined;
      return rejectUnauthorized ? new Error('the server sent no certificate') : undefined;
    }
    try {
      this.options.context.verifyPeerChain(chain, this.isServer ? 'clientAuth' : 'serverAuth');
    } catch (err) {
      if (!(err instanceof SSLCertVerificationError)) throw err;
      const error = verificationError(nodeVerifyCode(err, chain.length));
      this.authorizationError = error.code;
      return rejectUnauthorized ? error : undefined;
    }
    if (!this.isServer) {
      const hostname = this.servername ?? this.options.host ?? 'localhost';
      const check = this.options.checkServerIdentity ?? nodeCheckServerIdentity;
      const cert = leafCertificate(chain[0]!) as unknown as PeerCertificate;
      const identityError = check(hostname, cert);
      if (identityError !== undefined) {
        this.authorizationError = (identityError as Error & { code?: string }).code ?? identityError.message;
        if (rejectUnauthorized) return identityError;
        return undefined;
      }
    }
    this.authorized = true;
    return undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.secured) {
      // Established: sealed and handed to the transport now, no promise per record.
      this.driver.runWrite(() => this.sslobj.write(chunk), callback);
      return;
    }
    this.handshake
      .then(() => this.driver.run(() => this.sslobj.write(chunk), true))
      .then(
        () => callback(),
        (err: Error) => callback(err),
      );
  }

  /**
   * Chunks the application wrote while an earlier write was still in flight, taken together: small ones
   * joined (up to a full record, RFC 8446 §5.1) so they are not sent as a record each, and every record they
   * make leaves in one vectored transport write (TransportDriver.flush).
   */
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    const writes = coalesce(chunks.map((c) => c.chunk));
    const operation = (): void => {
      for (const data of writes) this.sslobj.write(data);
    };
    if (this.secured) {
      this.driver.runWrite(operation, callback);
      return;
    }
    this.handshake
      .then(() => this.driver.run(operation, true))
      .then(
        () => callback(),
        (err: Error) => callback(err),
      );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.handshake.then(
      async () => {
        try {
          // Our close_notify (RFC 8446 §6.1) closes our direction only; the peer may go on sending. unwrap()
          // then waits for the peer's (SSLWantReadError) — or finds the transport already gone, which ending
          // our side does not need to report.
          try {
            this.sslobj.unwrap();
          } catch {
            // nothing to add: see above
          }
          await this.driver.flushAndDrain();
          await this.driver.endTransport();
          callback();
        } catch (err) {
          callback(err as Error);
        }
      },
      () => callback(),
    );
  }

  override _read(): void {
    this.startReading();
  }

  private startReading(): void {
    if (this.reading || this.readEnded) return;
    this.reading = true;
    this.handshake.then(
      () => this.readLoop(),
      () => {
        this.reading = false;
      },
    );
  }

  /** One engine read for {@link readLoop} (bound once, not a closure per record). */
  private readonly readRecord = (): Uint8Array => {
    try {
      return this.sslobj.read(65536);
    } finally {
      // TLS 1.3 tickets arrive among the records a read processes, with or without data after them.
      this.announceSession();
    }
  };

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        let data: Uint8Array | typeof WOULD_BLOCK;
        try {
          // Synchronous while the transport holds bytes: every record of a socket read is decrypted and
          // pushed in one pass; the loop awaits only when it needs more input (or a parked callback).
          data = this.driver.runNow(this.readRecord);
          while (data === WOULD_BLOCK) {
            await this.driver.blocked();
            data = this.driver.runNow(this.readRecord);
          }
        } catch (err) {
          if (err instanceof SSLEOFError && this.sslobj.eofInsideRecord()) throw truncatedRecordError();
          if (err instanceof SSLZeroReturnError || err instanceof SSLEOFError) {
            // close_notify, or (as node:tls) a TCP FIN at a record boundary: the end of the stream.
            this.endOfStream();
            return;
          }
          throw err;
        }
        if (data.length === 0) {
          // Core's read(n > 0) returns empty only at the transport's end under OP_IGNORE_UNEXPECTED_EOF (the
          // ragged close it was told to accept, RFC 8446 §6.1): that is the end too — retrying spun for ever,
          // each read answering empty at once. Wherever the end falls, inside a record too: OpenSSL's record layer
          // takes any EOF as the shutdown under SSL_OP_IGNORE_UNEXPECTED_EOF (Python reads b''), and so does the
          // web adapter; the option is the application accepting truncation.
          this.endOfStream();
          return;
        }
        // Backpressure pauses the loop — unless the transport is gone, when the rest is drained now (above).
        if (!this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) && !this.transportGone) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.reading = false;
    }
  }

  /** The peer's data is all delivered: 'end' (then 'close' once our side is done too), as node:tls. */
  private endOfStream(): void {
    this.readEnded = true;
    this.push(null);
    // As Node's sockets at their end (push(null), then read(0)): with nothing left unread, 'end' comes now even
    // when nobody reads, not at the next read that may never be made.
    this.read(0);
    if (this.transportGone) this.sslobj.dispose();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // destroy() — by the application, an error, a handshake or idle timeout, or the end of both directions —
    // discards unread data, as Node's sockets do, so the keys go now rather than at garbage collection.
    this.sslobj.dispose();
    if (!this.transport.destroyed) this.transport.destroy();
    callback(error);
  }

  // ------------------------------------------------------------------ node:tls accessors

  getPeerCertificate(detailed = false): NodePeerCertificate | Record<string, never> {
    const chain = this.sslobj.getUnverifiedChain() ?? [];
    return nodePeerCertificateChain(chain, detailed) ?? {};
  }

  getProtocol(): string | null {
    return this.sslobj.version();
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const cipher = this.sslobj.cipher();
    if (cipher === null) return undefined;
    return { name: cipher[0], standardName: cipher[0], version: cipher[1] };
  }

  getSession(): unknown {
    return this.sslobj.session;
  }

  isSessionReused(): boolean {
    return this.sslobj.sessionReused;
  }

  getFinished(): Buffer | undefined {
    const binding = this.sslobj.getChannelBinding('tls-unique');
    return binding ? Buffer.from(binding) : undefined;
  }

  /** The Python-shaped SSLObject underneath. */
  get sslObject(): EngineSSLObject {
    return this.sslobj;
  }

  /** Whether the handshake completed. */
  get isSecure(): boolean {
    return this.secured;
  }

  // ------------------------------------------------------------------ net.Socket pass-through

  private get tcp(): net.Socket | undefined {
    return this.transport instanceof net.Socket ? this.transport : undefined;
  }
  get remoteAddress(): string | undefined {
    return this.tcp?.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.tcp?.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.tcp?.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.tcp?.localAddress;
  }
  get localPort(): number | undefined {
    return this.tcp?.localPort;
  }
  address(): ReturnType<net.Socket['address']> | Record<string, never> {
    return this.tcp?.address() ?? {};
  }
  setNoDelay(noDelay?: boolean): this {
    this.tcp?.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.tcp?.setKeepAlive(enable, initialDelay);
    return this;
  }
  setTimeout(ms: number, callback?: () => void): this {
    if (this.tcp) {
      this.tcp.setTimeout(ms);
      if (ms > 0) this.tcp.once('timeout', () => this.emit('timeout'));
    }
    if (callback) this.once('timeout', callback);
    return this;
  }
  ref(): this {
    this.tcp?.ref();
    return this;
  }
  unref(): this {
    this.tcp?.unref();
    return this;
  }
}

// ------------------------------------------------------------------ connect / createServer

/** Node's certificate/key inputs: PEM text or bytes, one or several. */
type PemInput = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** The node:tls options sanstls understands. */
export interface SecureContextOptions {
  /** Trust anchors (PEM text or DER); default: the system store. */
  ca?: PemInput;
  /** Our certificate chain(s), PEM (leaf first). */
  cert?: PemInput;
  /** Our private key(s), PEM or DER, paired with `cert` in order. */
  key?: PemInput | ReadonlyArray<{ pem: string | Uint8Array; passphrase?: string }>;
  passphrase?: string;
  ALPNProtocols?: readonly string[] | Uint8Array;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list; TLS 1.3 names (`TLS_AES_128_GCM_SHA256`) select TLS 1.3 suites. */
  ciphers?: string;
  /** Groups, colon-separated (`X25519:P-256`), or `auto`. */
  ecdhCurve?: string;
  /** A ready sanstls context: the other context options are then ignored. */
  context?: SSLContextLike;
  /**
   * The crypto provider of the context built from these options (default: core's pure-JS noble provider;
   * `nodeCryptoProvider` runs the primitives on node:crypto).
   */
  cryptoProvider?: CryptoProvider;
  /**
   * Append this connection's TLS secrets to this file in NSS key-log format (Wireshark); default: the
   * `SSLKEYLOGFILE` environment variable. The 'keylog' event gives the same lines without a file.
   */
  keylogFile?: string;
  pfx?: unknown;
}

export interface ConnectOptions extends SecureContextOptions {
  host?: string;
  port?: number;
  path?: string;
  /** An already connected transport to run TLS over (any Duplex). */
  socket?: Duplex;
  servername?: string;
  rejectUnauthorized?: boolean;
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  session?: unknown;
  timeout?: number;
  handshakeTimeout?: number;
  idleTimeout?: number;
  allowHalfOpen?: boolean;
  /** TCP_NODELAY on the connection (default true). */
  noDelay?: boolean;
  /** Ask the server for a stapled OCSP response, delivered as the 'OCSPResponse' event (node:tls; RFC 6066 §8). */
  requestOCSP?: boolean;
}

export interface ServerOptions extends SecureContextOptions {
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  /** Milliseconds a client may take to complete the handshake (default 120000, Node's). */
  handshakeTimeout?: number;
  /** Milliseconds a connection may sit without input or output while we wait for input (0: never); see TLSSocketOptions. */
  idleTimeout?: number;
  allowHalfOpen?: boolean;
  /** TCP_NODELAY on accepted connections (default true). */
  noDelay?: boolean;
  /**
   * Session-ticket keys, 48 bytes as node:tls (a 16-byte key name, then key material): servers given the
   * same keys resume each other's tickets, TLS 1.2 and TLS 1.3. Default: random keys rotated hourly.
   * The bytes are read as sanstls's own ticket format (`SSLContext.setTicketKeys`), so tickets do not
   * move between sanstls and Node servers.
   */
  ticketKeys?: Uint8Array;
  /** Node's SNI hook: answer with a sanstls context (or nothing to keep the default). */
  SNICallback?: (servername: string, callback: (err: Error | null, context?: SSLContextLike) => void) => void;
}

/** The context class the adapter builds (node-adapter's SSLContext), structurally, to avoid an import cycle. */
export interface SSLContextLike extends NodeEngineContext {
  verifyMode: number;
  checkHostname: boolean;
  minimumVersion: number;
  maximumVersion: number;
  verifyCallback: unknown;
  sniCallback: unknown;
  ocspRequestCallback: unknown;
  loadVerifyLocations(options: { cadata: string | Uint8Array }): void;
  loadDefaultCerts(): void;
  loadCertChain(cert: string | Uint8Array, key?: string | Uint8Array | null, password?: string | null): void;
  setAlpnProtocols(protocols: readonly string[]): void;
  setCiphers(ciphers: string): void;
  setCiphersuites(suites: string): void;
  setGroups(groups: readonly string[]): void;
  setTicketKeys(keys: Uint8Array): void;
  getTicketKeys(): Uint8Array;
  keylogFilename: string | null;
}

/** Set by context.ts (breaks the import cycle between the context and the socket classes). */
let contextFactory: ((isServer: boolean, cryptoProvider?: CryptoProvider) => SSLContextLike) | undefined;
export function registerContextFactory(
  factory: (isServer: boolean, cryptoProvider?: CryptoProvider) => SSLContextLike,
): void {
  contextFactory = factory;
}

const asList = <T>(value: T | ReadonlyArray<T> | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as ReadonlyArray<T>)] : [value as T];

const toText = (value: string | Uint8Array): string | Uint8Array =>
  typeof value === 'string'
    ? value
    : Buffer.from(value).toString('latin1').includes('-----BEGIN')
      ? Buffer.from(value).toString('latin1')
      : value;

/** ALPN as Node accepts it: a list of names, or the wire format (length-prefixed names). */
function alpnList(value: readonly string[] | Uint8Array): string[] {
  if (!(value instanceof Uint8Array)) return [...value];
  const names: string[] = [];
  for (let i = 0; i < value.length; ) {
    const length = value[i] as number;
    names.push(Buffer.from(value.subarray(i + 1, i + 1 + length)).toString('latin1'));
    i += 1 + length;
  }
  return names;
}

const tlsVersions: Record<string, number> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };
function tlsVersion(name: string, option: string): number {
  const version = tlsVersions[name];
  if (version === undefined) {
    throw new SSLError(`${option} '${name}' is not supported: sanstls speaks TLSv1.2 and TLSv1.3`, {
      library: 'SSL',
      reason: 'UNSUPPORTED_PROTOCOL',
    });
  }
  return version;
}

/**
 * A context from node:tls options. Verification is done after the handshake (Node's model), so the engine does
 * not verify: a client runs with CERT_NONE, a server that requests certificates accepts any and checks later.
 */
export function contextFromOptions(
  options: SecureContextOptions & { requestCert?: boolean },
  isServer: boolean,
): SSLContextLike {
  if (options.context !== undefined) return options.context;
  if (options.pfx !== undefined) {
    throw new SSLError('pfx is not supported by connect/createServer: load it into an SSLContext and pass `context`', {
      library: 'SSL',
      reason: 'NOT_SUPPORTED',
    });
  }
  if (contextFactory === undefined) throw new Error('sanstls: context factory not registered');
  const ctx = contextFactory(isServer, options.cryptoProvider);
  if (!isServer) {
    ctx.checkHostname = false;
    ctx.verifyMode = 0; // CERT_NONE: checked after the handshake
  } else if (options.requestCert) {
    ctx.verifyMode = 1; // CERT_OPTIONAL: ask for a certificate
    ctx.verifyCallback = () => true; // accept it here; TLSSocket validates it after the handshake
  }
  const needsAnchors = !isServer || options.requestCert;
  if (options.ca !== undefined) for (const ca of asList(options.ca)) ctx.loadVerifyLocations({ cadata: toText(ca) });
  else if (needsAnchors) ctx.loadDefaultCerts();
  const certs = asList(options.cert);
  const keys = asList(options.key as PemInput | undefined) as Array<
    string | Uint8Array | { pem: string | Uint8Array; passphrase?: string }
  >;
  certs.forEach((cert, i) => {
    const key = keys[i] ?? keys[0];
    if (key !== undefined && typeof key === 'object' && !(key instanceof Uint8Array)) {
      ctx.loadCertChain(toText(cert), toText(key.pem), key.passphrase ?? options.passphrase ?? null);
    } else {
      ctx.loadCertChain(toText(cert), key === undefined ? null : toText(key), options.passphrase ?? null);
    }
  });
  if (options.ALPNProtocols !== undefined) ctx.setAlpnProtocols(alpnList(options.ALPNProtocols));
  if (options.minVersion !== undefined) ctx.minimumVersion = tlsVersion(options.minVersion, 'minVersion');
  if (options.maxVersion !== undefined) ctx.maximumVersion = tlsVersion(options.maxVersion, 'maxVersion');
  if (options.ciphers !== undefined) {
    const names = options.ciphers.split(':').filter((c) => c !== '');
    const tls13 = names.filter((c) => c.startsWith('TLS_'));
    const tls12 = names.filter((c) => !c.startsWith('TLS_'));
    if (tls13.length > 0) ctx.setCiphersuites(tls13.join(':'));
    if (tls12.length > 0) ctx.setCiphers(tls12.join(':'));
  }
  if (options.ecdhCurve !== undefined && options.ecdhCurve !== 'auto') ctx.setGroups(options.ecdhCurve.split(':'));
  // As Python's create_default_context, curl and browsers: SSLKEYLOGFILE turns the key log on (Wireshark).
  const keylogFile = options.keylogFile ?? process.env.SSLKEYLOGFILE;
  if (keylogFile) ctx.keylogFilename = keylogFile;
  return ctx;
}

const isIpAddress = (host: string): boolean => net.isIP(host) !== 0;

/** node:tls `connect()`: a TLS client socket on a new TCP connection or on `options.socket`. */
export function connect(options: ConnectOptions, secureConnectListener?: () => void): TLSSocket {
  const context = contextFromOptions(options, false);
  const host = options.host ?? 'localhost';
  let transport: Duplex;
  let waitForConnect = false;
  let input: SocketInput | undefined;
  if (options.socket !== undefined) {
    transport = options.socket;
    waitForConnect = options.socket instanceof net.Socket && options.socket.connecting;
  } else {
    // Our own socket: its reads go through one shared buffer into the engine (SocketInput), not a fresh
    // ArrayBuffer per read.
    input = new SocketInput();
    transport =
      options.path !== undefined
        ? net.connect({ path: options.path, allowHalfOpen: true, onread: input.options })
        : // TLS writes small records back to back (Finished, then data): Nagle's algorithm would hold them for
          // the peer's delayed ACK (~40 ms a round trip), so turn it off as Node's http does.
          net.connect({
            host,
            port: options.port ?? 443,
            allowHalfOpen: true,
            noDelay: options.noDelay ?? true,
            onread: input.options,
          });
    waitForConnect = true;
  }
  const servername = options.servername ?? (isIpAddress(host) ? null : host);
  const socket = new TLSSocket(transport, {
    context,
    servername: servername ?? host,
    host,
    ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
    ...(options.checkServerIdentity ? { checkServerIdentity: options.checkServerIdentity } : {}),
    session: options.session,
    ...(options.handshakeTimeout !== undefined ? { handshakeTimeout: options.handshakeTimeout } : {}),
    ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    ...(options.allowHalfOpen !== undefined ? { allowHalfOpen: options.allowHalfOpen } : {}),
    ...(options.requestOCSP === true ? { requestOCSP: true } : {}),
    ...(input !== undefined ? { input } : {}),
    waitForConnect,
  });
  if (options.timeout !== undefined) socket.setTimeout(options.timeout);
  if (secureConnectListener) socket.once('secureConnect', secureConnectListener);
  return socket;
}

/** node:tls `Server`: accepts TCP connections and runs the server side of TLS on each. */
export class Server extends net.Server {
  private context: SSLContextLike;
  private readonly tlsOptions: ServerOptions;
  /** Errors an 'OCSPRequest' listener answered with, by connection: they become the 'tlsClientError'. */
  private readonly ocspFailures = new WeakMap<object, Error>();
  /** The application set the ticket keys (they then survive setSecureContext). */
  private ticketKeysSet = false;

  constructor(options: ServerOptions = {}, secureConnectionListener?: (socket: TLSSocket) => void) {
    super({ allowHalfOpen: true });
    this.tlsOptions = options;
    this.context = contextFromOptions(options, true);
    if (options.ticketKeys !== undefined) this.setTicketKeys(options.ticketKeys);
    this.installSni();
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
    this.on('connection', (raw: net.Socket) => this.accept(raw));
  }

  /**
   * node:tls `setSecureContext`: later connections use the new options. Ticket keys set through
   * `ticketKeys` or {@link setTicketKeys} carry over (as node:tls), so their tickets stay valid; `ticketKeys`
   * here replaces them. Automatic keys do not: the new context makes its own.
   */
  setSecureContext(options: SecureContextOptions & { ticketKeys?: Uint8Array }): void {
    const keys = options.ticketKeys ?? (this.ticketKeysSet ? this.context.getTicketKeys() : undefined);
    this.context = contextFromOptions({ ...this.tlsOptions, ...options }, true);
    if (keys !== undefined) this.setTicketKeys(keys);
    this.installSni();
  }

  /**
   * node:tls `server.setTicketKeys()`: 48 bytes (see {@link ServerOptions.ticketKeys}). The replaced key
   * still opens tickets for one rotation period (an hour by default), so clients holding them resume;
   * another length is an SSLError (INVALID_TICKET_KEYS_LENGTH).
   */
  setTicketKeys(keys: Uint8Array): void {
    this.context.setTicketKeys(keys);
    this.ticketKeysSet = true;
  }

  /** node:tls `server.getTicketKeys()`: the current 48-byte ticket key. */
  getTicketKeys(): Buffer {
    return Buffer.from(this.context.getTicketKeys());
  }

  /**
   * node:tls's two ClientHello hooks, in Node's order (the engine waits for each): SNICallback through the
   * context's SNI callback, which may swap the context; then — when the client asked for a staple, the handshake
   * is a full one (not on resumption, as node:tls) and someone listens — 'OCSPRequest' through the context's OCSP
   * request callback, which the engine runs once resumption is ruled out. Without SNICallback a callback the
   * context already had still runs.
   */
  private installSni(): void {
    const hook = this.tlsOptions.SNICallback;
    const existing = this.context.sniCallback as ServerNameHook | null;
    const previous = hook === undefined && existing !== null && !ownHooks.has(existing) ? existing : null;
    const sni: ServerNameHook = (sslObject, serverName, original) => {
      if (hook === undefined) return previous?.(sslObject, serverName, original);
      if (serverName === null) return undefined;
      return new Promise<number | undefined>((resolve) => {
        hook(serverName, (err, context) => {
          if (err) return resolve(112); // unrecognized_name (RFC 6066 §3)
          if (context !== undefined) sslObject.context = context;
          resolve(undefined);
        });
      });
    };
    ownHooks.add(sni);
    this.context.sniCallback = sni;
    this.context.ocspRequestCallback = (sslObject: HookedSSLObject) =>
      this.listenerCount('OCSPRequest') === 0 ? undefined : this.requestOcsp(sslObject);
  }

  /**
   * node:tls 'OCSPRequest' (certificate, issuer, callback(err, response)): the leaf and issuer DER of the context
   * in use (the issuer from the chain, else from the CA certificates; null when neither has it). A response is
   * stapled on this connection only (RFC 6066 §8); an error fails the handshake and is the 'tlsClientError'.
   */
  private requestOcsp(sslObject: HookedSSLObject): Promise<number | undefined> {
    const { certificate, issuer } = leafAndIssuer(sslObject.context as OcspContext);
    return new Promise((resolve) => {
      let answered = false;
      const done = (err: Error | null, response?: Uint8Array | null): void => {
        if (answered) return; // node:tls destroys on a second call; the first answer stands here
        answered = true;
        if (err) {
          this.ocspFailures.set(sslObject, err);
          resolve(80); // internal_error: the server cannot go on
          return;
        }
        if (response != null && response.length > 0) sslObject.setOcspResponse(new Uint8Array(response));
        resolve(undefined);
      };
      this.emit('OCSPRequest', certificate, issuer, done);
    });
  }

  private accept(raw: net.Socket): void {
    raw.setNoDelay(this.tlsOptions.noDelay ?? true);
    // As node:tls: a connection logs its keys for the server's 'keylog' listeners of the moment it arrives.
    const keylog = this.listenerCount('keylog') > 0;
    const socket = new TLSSocket(raw, {
      keylog,
      isServer: true,
      context: this.context,
      requestCert: this.tlsOptions.requestCert ?? false,
      rejectUnauthorized: this.tlsOptions.rejectUnauthorized ?? true,
      ...(this.tlsOptions.handshakeTimeout !== undefined ? { handshakeTimeout: this.tlsOptions.handshakeTimeout } : {}),
      ...(this.tlsOptions.idleTimeout !== undefined ? { idleTimeout: this.tlsOptions.idleTimeout } : {}),
      allowHalfOpen: this.tlsOptions.allowHalfOpen ?? false,
    });
    // Until the handshake is done, failures are the server's 'tlsClientError' (as node:tls), never uncaught.
    const early = (err: Error): void => {
      const core = (socket.sslObject as { core?: object }).core;
      this.emit('tlsClientError', (core !== undefined ? this.ocspFailures.get(core) : undefined) ?? err, socket);
    };
    socket.on('error', early);
    // node:tls's server 'keylog' event (line, socket).
    if (keylog) {
      socket.on('keylog', (line: Buffer) => {
        this.emit('keylog', line, socket);
      });
    }
    socket.once('secure', () => {
      socket.off('error', early);
      this.emit('secureConnection', socket);
    });
  }
}

/** What the Server's context hooks see of core's SSLObject. */
interface HookedSSLObject {
  context: unknown;
  readonly ocspRequested: boolean;
  setOcspResponse(response: Uint8Array | null): void;
}
type ServerNameHook = (sslObject: HookedSSLObject, serverName: string | null, original: unknown) => unknown;
/** The SNI callbacks Servers install, so that re-installing one does not chain it to itself. */
const ownHooks = new WeakSet<ServerNameHook>();

/** What 'OCSPRequest' needs of a context: its chains (the last loaded is Node's current one) and CA certificates. */
interface OcspContext {
  engineConfig(): { readonly certificates: readonly { readonly chain: readonly Uint8Array[] }[] };
  getCaCerts(binaryForm: true): Uint8Array[];
}

function leafAndIssuer(context: OcspContext): { certificate: Buffer | null; issuer: Buffer | null } {
  const chain = context.engineConfig().certificates.at(-1)?.chain ?? [];
  const leaf = chain[0];
  if (leaf === undefined) return { certificate: null, issuer: null };
  let issuer = chain[1];
  if (issuer === undefined) {
    const wanted = Buffer.from(parseCertificate(leaf).issuer.der);
    issuer = context.getCaCerts(true).find((ca) => wanted.equals(parseCertificate(ca).subject.der));
  }
  return { certificate: Buffer.from(leaf), issuer: issuer === undefined ? null : Buffer.from(issuer) };
}

/** node:tls `createServer()`. */
export function createServer(
  options: ServerOptions = {},
  secureConnectionListener?: (socket: TLSSocket) => void,
): Server {
  return new Server(options, secureConnectionListener);
}
