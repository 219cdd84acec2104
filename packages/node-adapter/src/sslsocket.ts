/**
 * Python's `ssl.SSLSocket` for Node: `ctx.wrapSocket(sock, …)` on a connected `net.Socket` (or any Duplex).
 * The I/O methods return Promises (Node cannot block); the getters are synchronous, as in Python.
 *
 * Semantics kept from Python 3.7:
 * - `doHandshakeOnConnect` (default true) starts the handshake at once; every I/O method waits for it.
 * - `recv`/`read` return an empty result after the peer's close_notify; on an EOF without close_notify they
 *   return empty when `suppressRaggedEofs` (default true) and throw `SSLEOFError` otherwise.
 * - `close()` closes the transport without close_notify; `unwrap()` performs the TLS closure and returns the
 *   transport.
 * @module
 */
import type { Duplex } from 'node:stream';
import { SSLEOFError, SSLZeroReturnError } from '@sanstls/core';
import { TransportDriver } from './driver.js';
import { type EngineContext, type EngineSSLObject, type PeerCertResult, truncatedRecordError } from './engine.js';

export interface WrapSocketOptions {
  serverSide?: boolean;
  serverHostname?: string | null;
  doHandshakeOnConnect?: boolean;
  suppressRaggedEofs?: boolean;
  session?: unknown;
  /** Milliseconds without input after which a waiting operation fails with ETIMEDOUT (0: never; default 0). */
  idleTimeoutMs?: number;
}

export class SSLSocket {
  readonly context: EngineContext;
  readonly serverSide: boolean;
  readonly serverHostname: string | null;
  readonly suppressRaggedEofs: boolean;
  /** The wrapped transport. */
  readonly socket: Duplex;
  private readonly sslobj: EngineSSLObject;
  private readonly driver: TransportDriver;
  private handshake: Promise<void> | undefined;
  private closedByPeer = false;

  constructor(context: EngineContext, sock: Duplex, options: WrapSocketOptions = {}) {
    this.context = context;
    this.socket = sock;
    this.serverSide = options.serverSide ?? false;
    this.serverHostname = options.serverHostname ?? null;
    this.suppressRaggedEofs = options.suppressRaggedEofs ?? true;
    const { sslobj, incoming, outgoing } = context.createEngine({
      serverSide: this.serverSide,
      serverHostname: this.serverHostname,
      session: options.session,
    });
    this.sslobj = sslobj;
    this.driver = new TransportDriver(sock, incoming, outgoing, sslobj, { idleTimeoutMs: options.idleTimeoutMs ?? 0 });
    if (options.doHandshakeOnConnect ?? true) {
      this.handshake = this.driver.run(() => this.sslobj.doHandshake());
      // The failure is reported by the next call that waits for the handshake, not as an unhandled rejection.
      this.handshake.catch(() => {});
    }
  }

  /** Performs (or waits for) the handshake. */
  async doHandshake(): Promise<void> {
    this.handshake ??= this.driver.run(() => this.sslobj.doHandshake());
    await this.handshake;
  }

  /**
   * Reads up to `len` decrypted bytes. With `buffer`, fills it and resolves with the count. Resolves empty after
   * the peer's close_notify (and on a ragged EOF when `suppressRaggedEofs`).
   */
  async read(len?: number): Promise<Uint8Array>;
  async read(len: number, buffer: Uint8Array): Promise<number>;
  async read(len = 1024, buffer?: Uint8Array): Promise<Uint8Array | number> {
    await this.doHandshake();
    const want = buffer ? Math.min(len, buffer.length) : len;
    let data: Uint8Array;
    if (this.closedByPeer || want <= 0) data = new Uint8Array(0);
    else {
      try {
        data = await this.driver.run(() => this.sslobj.read(want));
      } catch (err) {
        if (err instanceof SSLZeroReturnError) {
          this.closedByPeer = true;
          data = new Uint8Array(0);
        } else if (err instanceof SSLEOFError && this.sslobj.eofInsideRecord()) {
          // Stricter than Python (OpenSSL reports both the same way): a cut inside a record lost data.
          throw truncatedRecordError();
        } else if (err instanceof SSLEOFError && this.suppressRaggedEofs) {
          this.closedByPeer = true;
          data = new Uint8Array(0);
        } else throw err;
      }
    }
    if (buffer === undefined) return data;
    buffer.set(data);
    return data.length;
  }

  /** Python's `recv(bufsize)`. */
  recv(bufsize = 1024): Promise<Uint8Array> {
    return this.read(bufsize);
  }

  /** Python's `recv_into(buffer, nbytes)`: resolves with the number of bytes stored. */
  recvInto(buffer: Uint8Array, nbytes = 0): Promise<number> {
    return this.read(nbytes > 0 ? nbytes : buffer.length, buffer);
  }

  /** Encrypts and sends `data` (waiting while the transport is congested); resolves with its length. */
  async write(data: Uint8Array | string): Promise<number> {
    await this.doHandshake();
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.driver.run(() => this.sslobj.write(bytes), true);
  }

  /** Python's `send(data)`. */
  send(data: Uint8Array | string): Promise<number> {
    return this.write(data);
  }

  /** Python's `sendall(data)`: everything is sent when the Promise resolves. */
  async sendall(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.write(bytes.subarray(offset));
  }

  /**
   * Sends close_notify, waits for the peer's, and resolves with the transport (Python's `unwrap()`). The transport
   * is left open: the caller may keep using it in the clear, or end it.
   */
  async unwrap(): Promise<Duplex> {
    await this.driver.run(() => this.sslobj.unwrap());
    return this.socket;
  }

  /**
   * Sends close_notify and ends our direction of the transport (TCP FIN) without waiting for the peer's answer —
   * what OpenSSL's `SSL_shutdown` does on its first call. Not in Python's API; `unwrap()` waits for the peer.
   */
  async shutdownWrite(): Promise<void> {
    try {
      await this.doHandshake();
      this.sslobj.unwrap();
    } catch {
      // SSLWantReadError: close_notify is queued and the peer's has not arrived — which we do not wait for.
      // Anything else: the connection already failed, and ending the transport is all that is left.
    }
    await this.driver.flushAndDrain().catch(() => {});
    await this.driver.endTransport();
  }

  /** Closes the transport (no close_notify, as Python's `close()`). */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  /** Decrypted bytes buffered and readable without touching the transport. */
  pending(): number {
    return this.sslobj.pending();
  }

  getPeerCert(binaryForm?: false): PeerCertResult;
  getPeerCert(binaryForm: true): Uint8Array | null;
  getPeerCert(binaryForm = false): PeerCertResult | Uint8Array | null {
    return binaryForm ? this.sslobj.getPeerCert(true) : this.sslobj.getPeerCert(false);
  }

  cipher(): [string, string, number] | null {
    return this.sslobj.cipher();
  }

  sharedCiphers(): Array<[string, string, number]> | null {
    return this.sslobj.sharedCiphers();
  }

  version(): string | null {
    return this.sslobj.version();
  }

  selectedAlpnProtocol(): string | null {
    return this.sslobj.selectedAlpnProtocol();
  }

  compression(): null {
    return null;
  }

  getChannelBinding(cbType = 'tls-unique'): Uint8Array | null {
    return this.sslobj.getChannelBinding(cbType);
  }

  get session(): unknown {
    return this.sslobj.session;
  }

  get sessionReused(): boolean {
    return this.sslobj.sessionReused;
  }

  /** The underlying SSLObject, for what this class does not wrap. */
  get sslObject(): EngineSSLObject {
    return this.sslobj;
  }
}
