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
 * - When the transport closes, `recv` still returns what the peer sent before it, then the stream's end (as
 *   Python's); once that end is known the connection's keys are wiped (issue #10), as they are by `close()` and by
 *   a failed handshake.
 * @module
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SSLEOFError, SSLZeroReturnError } from '@sanstls/core';
import { type ByteQueue, TransportDriver, TransportTimeoutError } from './driver.js';
import { type EngineContext, type EngineSSLObject, type PeerCertResult, truncatedRecordError } from './engine.js';

export interface WrapSocketOptions {
  serverSide?: boolean;
  serverHostname?: string | null;
  doHandshakeOnConnect?: boolean;
  suppressRaggedEofs?: boolean;
  session?: unknown;
  /** Milliseconds without input or output after which a waiting read fails with ETIMEDOUT (0: never; default 0). */
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
  private readonly incoming: ByteQueue;
  private readonly driver: TransportDriver;
  private handshake: Promise<void> | undefined;
  private closedByPeer = false;
  /** How reading ended when it ended in an error: later reads raise it again (the engine may be disposed). */
  private readFailure: unknown;
  /** Reads run one at a time, in call order (Python's recv blocks): the tail of that queue. */
  private readTail: Promise<unknown> = Promise.resolve();
  /** Plaintext a settling read found (see settleAfterClose), served before anything else. */
  private carry: Uint8Array | null = null;
  private transportClosed = false;
  private settling = false;
  private released = false;

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
      vectoredOutput: sock instanceof Socket,
    });
    this.sslobj = sslobj;
    this.incoming = incoming;
    this.driver = new TransportDriver(sock, incoming, outgoing, sslobj, { idleTimeoutMs: options.idleTimeoutMs ?? 0 });
    sock.on('close', () => {
      this.transportClosed = true;
      this.releaseIfDone();
    });
    if (options.doHandshakeOnConnect ?? true) this.startHandshake();
  }

  private startHandshake(): Promise<void> {
    if (this.handshake === undefined) {
      this.handshake = this.driver.run(() => this.sslobj.doHandshake());
      // The failure is reported by the next call that waits for the handshake, not as an unhandled rejection.
      // It is final (every later call reports it), so the keys are of no further use: issue #10.
      this.handshake.catch(() => this.release());
    }
    return this.handshake;
  }

  /** Performs (or waits for) the handshake. */
  async doHandshake(): Promise<void> {
    await this.startHandshake();
  }

  /**
   * Reads up to `len` decrypted bytes. With `buffer`, fills it and resolves with the count. Resolves empty after
   * the peer's close_notify (and on a ragged EOF when `suppressRaggedEofs`).
   */
  async read(len?: number): Promise<Uint8Array>;
  async read(len: number, buffer: Uint8Array): Promise<number>;
  async read(len = 1024, buffer?: Uint8Array): Promise<Uint8Array | number> {
    const turn = this.readTail.then(() => this.readOnce(len, buffer));
    this.readTail = turn.catch(() => {});
    return turn;
  }

  private async readOnce(len: number, buffer: Uint8Array | undefined): Promise<Uint8Array | number> {
    await this.doHandshake();
    const want = buffer ? Math.min(len, buffer.length) : len;
    let data: Uint8Array;
    try {
      if (this.carry !== null && want > 0) {
        data = this.carry.subarray(0, want);
        this.carry = this.carry.length > want ? this.carry.subarray(want) : null;
      } else if (this.closedByPeer || want <= 0) data = new Uint8Array(0);
      else if (this.readFailure !== undefined) throw this.readFailure;
      else {
        try {
          data = await this.driver.run(() => this.sslobj.read(want));
          // Core's read(n > 0) answers empty only at the transport's end under OP_IGNORE_UNEXPECTED_EOF (a
          // ragged close accepted as the end, as OpenSSL reports it: SSL_ERROR_ZERO_RETURN). Without noting the
          // end here, the read after the close (settleAfterClose) found it again and again, for ever.
          // OpenSSL (so Python) does this for an end inside a record too: the option accepts truncation.
          if (data.length === 0) this.closedByPeer = true;
        } catch (err) {
          if (err instanceof SSLZeroReturnError) {
            this.closedByPeer = true;
            data = new Uint8Array(0);
          } else if (err instanceof SSLEOFError && this.sslobj.eofInsideRecord()) {
            // Stricter than Python (OpenSSL reports both the same way): a cut inside a record lost data.
            throw this.endReading(truncatedRecordError());
          } else if (err instanceof SSLEOFError && this.suppressRaggedEofs) {
            this.closedByPeer = true;
            data = new Uint8Array(0);
          } else throw this.endReading(err);
        }
      }
    } finally {
      this.releaseIfDone();
    }
    if (buffer === undefined) return data;
    buffer.set(data);
    return data.length;
  }

  /** Records how reading ended, unless only a wait timed out (the connection is still usable then). */
  private endReading(err: unknown): unknown {
    if (!(err instanceof TransportTimeoutError)) this.readFailure = err;
    return err;
  }

  /** Bytes the peer sent that a read has not returned yet, decrypted or not. */
  private get inputLeft(): boolean {
    return (
      this.carry !== null || this.sslobj.pending() > 0 || this.incoming.pending > 0 || this.socket.readableLength > 0
    );
  }

  /**
   * Issue #10: once the transport closed, the keys are needed only to decrypt what already arrived. When reading
   * has ended (close_notify, EOF or an error) they go; when nothing is left to read but the end is not known yet,
   * one more read learns it first, so that later reads still answer as Python's do.
   */
  private releaseIfDone(): void {
    if (!this.transportClosed || this.released) return;
    if (this.closedByPeer || this.readFailure !== undefined) this.release();
    else if (!this.inputLeft) this.settleAfterClose();
  }

  private settleAfterClose(): void {
    if (this.settling || this.handshake === undefined) return;
    this.settling = true;
    this.read(1).then(
      (data) => {
        this.settling = false;
        // Not expected (nothing was left), but never lost: the next read returns it first.
        if (data.length > 0) this.carry = this.carry === null ? data : Buffer.concat([this.carry, data]);
        this.releaseIfDone();
      },
      () => {
        this.settling = false;
      },
    );
  }

  /** Wipes the connection's keys (core's TlsConnection.dispose()); the engine fails every later operation. */
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.sslobj.dispose();
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

  /** Closes the transport (no close_notify, as Python's `close()`) and wipes the connection's keys. */
  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      await new Promise<void>((resolve) => {
        this.socket.once('close', () => resolve());
        this.socket.destroy();
      });
    }
    this.release();
  }

  /** Decrypted bytes buffered and readable without touching the transport. */
  pending(): number {
    return (this.carry?.length ?? 0) + this.sslobj.pending();
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
