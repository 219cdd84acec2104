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
import { type PeerCertificate, checkServerIdentity as nodeCheckServerIdentity } from 'node:tls';
import {
  SSLCertVerificationError,
  SSLEOFError,
  SSLWantReadError,
  SSLZeroReturnError,
  X509_V_ERR,
} from '@sanstls/x509';
import { TransportDriver } from './driver.js';
import type { EngineSSLObject } from './engine.js';
import { type NodePeerCertificate, nodePeerCertificateChain } from './node-cert.js';

/** What a TLSSocket needs from its context besides an engine: chain validation for Node's verification model. */
export interface NodeEngineContext {
  createEngine(options: { serverSide: boolean; serverHostname: string | null; session?: unknown }): {
    sslobj: EngineSSLObject;
    incoming: { write(b: Uint8Array): number; read(n?: number): Uint8Array; writeEof(): void; readonly pending: number };
    outgoing: { write(b: Uint8Array): number; read(n?: number): Uint8Array; writeEof(): void; readonly pending: number };
  };
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
  /** Milliseconds without input after which a pending read fails (0: never; default 0). */
  idleTimeout?: number;
  allowHalfOpen?: boolean;
  /** The transport is still connecting: start the handshake on its 'connect'. */
  waitForConnect?: boolean;
}

/** A Node-style error with OpenSSL's verification code name, as node:tls reports verification failures. */
function verificationError(err: SSLCertVerificationError): Error & { code: string } {
  const name = Object.entries(X509_V_ERR).find(([, code]) => code === err.verifyCode)?.[0] ?? 'CERT_VERIFY_FAILED';
  const error = new Error(err.verifyMessage) as Error & { code: string };
  error.code = name;
  error.cause = err;
  return error;
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
    });
    this.sslobj = engine.sslobj;
    this.driver = new TransportDriver(transport, engine.incoming, engine.outgoing, engine.sslobj, {
      idleTimeoutMs: options.idleTimeout ?? 0,
    });
    transport.on('close', () => {
      if (!this.destroyed && !this.readEnded) this.destroy();
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
    const failure = this.checkPeer();
    if (failure !== undefined) {
      this.destroy(failure);
      throw failure;
    }
    this.secured = true;
    this.emit('secure');
    if (!this.isServer) this.emit('secureConnect');
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
      const error = verificationError(err);
      this.authorizationError = error.code;
      return rejectUnauthorized ? error : undefined;
    }
    if (!this.isServer) {
      const hostname = this.servername ?? this.options.host ?? 'localhost';
      const check = this.options.checkServerIdentity ?? nodeCheckServerIdentity;
      const cert = nodePeerCertificateChain(chain, false) as unknown as PeerCertificate;
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
    this.handshake
      .then(() => this.driver.run(() => this.sslobj.write(chunk)))
      .then(
        () => callback(),
        (err: Error) => callback(err),
      );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.handshake.then(
      async () => {
        try {
          // Our close_notify (RFC 8446 §6.1) closes our direction only; the peer may go on sending.
          try {
            this.sslobj.unwrap();
          } catch (err) {
            if (!(err instanceof SSLWantReadError)) throw err;
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
    if (this.reading || this.readEnded) return;
    this.reading = true;
    this.handshake.then(
      () => this.readLoop(),
      () => {
        this.reading = false;
      },
    );
  }

  private async readLoop(): Promise<void> {
    try {
      for (;;) {
        let data: Uint8Array;
        try {
          data = await this.driver.run(() => this.sslobj.read(65536));
        } catch (err) {
          if (err instanceof SSLZeroReturnError || err instanceof SSLEOFError) {
            // close_notify, or (as node:tls) a TCP FIN at a record boundary: the end of the stream.
            this.readEnded = true;
            this.push(null);
            return;
          }
          throw err;
        }
        if (data.length === 0) continue;
        if (!this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.reading = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
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

