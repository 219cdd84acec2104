/**
 * TLS over any Web Streams byte pair: `connectTls(transport, options)` runs the handshake and resolves to
 * a plaintext `{ readable, writable }` pair with the session facts. Only Web APIs are used (streams,
 * `crypto.getRandomValues` through the provider), so it runs unchanged in browsers, Deno, Bun, workers and
 * Node ≥ 20.
 *
 * Driving: the engine's non-throwing event API (`TlsConnection` under core's SSLObject). The plaintext
 * readable is pull-based: ciphertext is read from the transport only while the handshake runs or while
 * the application asks for data (its queue is below `highWaterMark`), so a slow reader stops transport
 * reads and the peer feels the transport's own flow control. A write resolves once its records were
 * accepted by the transport's writable, so the transport's backpressure reaches the writer.
 *
 * Closing (RFC 8446 §6.1): closing the plaintext writable sends close_notify; the plaintext readable ends
 * at the peer's close_notify. The transport's writable is closed only when both directions are done (or
 * on `close()`), because some transports (a WebSocket) cannot half-close. EOF without close_notify is an
 * SSLEOFError (truncation) unless OP_IGNORE_UNEXPECTED_EOF is set on the context.
 * @module
 */
import {
  installPrivateKeySupport,
  installServerSupport,
  MemoryBIO,
  OP_IGNORE_UNEXPECTED_EOF,
  type SSLContext,
  SSLEOFError,
  SSLError,
  type SSLObject,
  SSLSyscallError,
  type TlsConnection,
} from '@sanstls/core/client-base';
import { decodeCertificate, type PeerCertDict } from '@sanstls/x509';
import { type StreamPair, toBytes, transportError } from './stream-pair.js';
import { createWebContext, type WebContextOptions } from './trust.js';
import { type WebCryptoVerification, webCryptoVerificationConfig } from './webcrypto.js';

export interface TlsInfo {
  /** `'TLSv1.3'` or `'TLSv1.2'`. */
  readonly protocol: string;
  /** OpenSSL's cipher name (`TLS_AES_128_GCM_SHA256`). */
  readonly cipher: string;
  readonly cipherBits: number;
  readonly alpn: string | null;
  /** The peer's leaf as Python's getpeercert() dict; `{}` when it was not validated; null when none was sent. */
  readonly peerCertificate: PeerCertDict | Record<string, never> | null;
  /** The certificates the peer sent (DER, leaf first). */
  readonly peerCertificateChain: readonly Uint8Array[];
  /** The validated path (leaf … trust anchor), when validation ran and succeeded. */
  readonly verifiedChain: readonly Uint8Array[] | null;
  /** The key-exchange group (`x25519`, `X25519MLKEM768`, …). */
  readonly group: string | null;
  /** True when the chain's signatures were checked with WebCrypto (see `webCrypto`). */
  readonly webCryptoVerified: boolean;
}

export interface TlsStream extends StreamPair {
  readonly info: TlsInfo;
  /** The Python-shaped object (cipher(), version(), getPeerCert(), exportKeyingMaterial(), …). */
  readonly sslObject: SSLObject;
  /** Sends close_notify (if not sent yet) and closes the transport. Never rejects. */
  close(): Promise<void>;
  /** Settles when the transport was released: resolves after a clean close, rejects with the failure. */
  readonly closed: Promise<void>;
}

export interface ConnectTlsOptions extends WebContextOptions {
  /** A configured context; when absent one is built from the other options. */
  readonly context?: SSLContext;
  /** SNI and the name the certificate must match. */
  readonly serverHostname?: string | null;
  /**
   * Check certificate-chain signatures with WebCrypto at the engine's `verifyPeerCertificate` suspension
   * point, falling back to noble where WebCrypto lacks an algorithm. `'auto'` (default) when
   * `crypto.subtle` exists and the context has no pins or verify callback of its own.
   */
  readonly webCrypto?: WebCryptoVerification;
  /** Bytes of plaintext buffered ahead of the reader (default 64 KiB). */
  readonly highWaterMark?: number;
  /** Aborts the handshake or the connection. */
  readonly signal?: AbortSignal;
  /** Milliseconds the handshake may take, then it fails with ETIMEDOUT (default 120000, as Node's; 0: none). */
  readonly handshakeTimeout?: number;
  /** Milliseconds a read waits for the transport before the connection fails with ETIMEDOUT (default 0: none). */
  readonly idleTimeout?: number;
}

export interface AcceptTlsOptions extends WebContextOptions {
  readonly context?: SSLContext;
  readonly highWaterMark?: number;
  readonly signal?: AbortSignal;
  readonly handshakeTimeout?: number;
  readonly idleTimeout?: number;
}

type DriverOptions = Pick<ConnectTlsOptions, 'highWaterMark' | 'signal' | 'handshakeTimeout' | 'idleTimeout'>;

/** TLS client over `transport`; resolves once the handshake completed. Errors are SSLError family. */
export async function connectTls(transport: StreamPair, options: ConnectTlsOptions = {}): Promise<TlsStream> {
  const context = options.context ?? createWebContext(options);
  const sslObject = context.wrapBio(new MemoryBIO(), new MemoryBIO(), {
    serverSide: false,
    serverHostname: options.serverHostname ?? null,
  });
  // The engine reads a plain configuration snapshot; overriding it per connection leaves the context as it was.
  const connection = sslObject.connection;
  if (options.context !== undefined && options.alpnProtocols !== undefined) {
    context.setAlpnProtocols(options.alpnProtocols); // validates the names
    connection.config = { ...connection.config, alpnProtocols: [...options.alpnProtocols] };
  }
  const webCrypto = webCryptoVerificationConfig(connection.config, options.webCrypto ?? 'auto', {
    serverHostname: options.serverHostname ?? null,
    signatureCache: connection.signatureCache,
  });
  if (webCrypto !== null) connection.config = webCrypto.config;
  return new TlsStreamDriver(transport, sslObject, options, webCrypto?.result ?? null).start();
}

/** TLS server over `transport` (a worker or test answering TLS over a stream pair). */
export async function acceptTls(transport: StreamPair, options: AcceptTlsOptions = {}): Promise<TlsStream> {
  // A server needs what the client-only entry leaves out (core's slots.ts); referenced here, so bundles
  // that never call acceptTls still leave it out.
  installServerSupport();
  installPrivateKeySupport();
  const context = options.context ?? createWebContext(options, true);
  const sslObject = context.wrapBio(new MemoryBIO(), new MemoryBIO(), { serverSide: true });
  return new TlsStreamDriver(transport, sslObject, options, null).start();
}

/** RFC 8446 §5.1: a record carries at most 2^14 bytes of plaintext. */
const MAX_RECORD_PLAINTEXT = 16384;

/** The outcome of WebCrypto chain verification, filled in by the verifier when it ran. */
export interface WebCryptoOutcome {
  verifiedChain: Uint8Array[] | null;
}

class TlsStreamDriver {
  private readonly connection: TlsConnection;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly highWaterMark: number;
  private readonly allowTruncation: boolean;
  private transportEnded = false;
  private inFlightRead: Promise<void> | null = null;
  private resumed = false;
  private wakeResume: (() => void) | null = null;
  private readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  private readDone = false;
  private writeDone = false;
  private released = false;
  /** Transport bytes read but not yet taken by the engine (see {@link feed}). */
  private backlog: Uint8Array | null = null;
  /** A handshake or idle timeout fired (issue #10): the error every pending operation reports. */
  private timedOut: SSLError | null = null;
  private closedResolve!: () => void;
  private closedReject!: (e: unknown) => void;
  readonly closed: Promise<void>;

  constructor(
    transport: StreamPair,
    private readonly sslObject: SSLObject,
    private readonly options: DriverOptions,
    private readonly webCrypto: WebCryptoOutcome | null,
  ) {
    this.connection = sslObject.connection;
    this.reader = transport.readable.getReader();
    this.writer = transport.writable.getWriter();
    this.highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.allowTruncation = (sslObject.context.options & OP_IGNORE_UNEXPECTED_EOF) !== 0;
    this.closed = new Promise((resolve, reject) => {
      this.closedResolve = resolve;
      this.closedReject = reject;
    });
    this.closed.catch(() => {}); // observed through the streams; never an unhandled rejection
    this.connection.onResume = () => {
      this.resumed = true;
      const wake = this.wakeResume;
      this.wakeResume = null;
      wake?.();
    };
  }

  async start(): Promise<TlsStream> {
    const signal = this.options.signal;
    let aborted: SSLError | null = null;
    const onAbort = () => {
      aborted = abortError(signal!);
      void this.release(aborted);
    };
    if (signal !== undefined) {
      if (signal.aborted) {
        onAbort();
        throw abortError(signal);
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const timeoutMs = this.options.handshakeTimeout ?? 120_000;
    const timer = timeoutMs > 0 ? setTimeout(() => this.timeout('handshake', timeoutMs), timeoutMs) : undefined;
    try {
      await this.handshake();
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      const error =
        aborted ??
        this.timedOut ??
        this.connection.error ??
        (e instanceof SSLError ? e : transportError(e, 'handshake'));
      await this.release(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return {
      readable: this.makeReadable(),
      writable: this.makeWritable(),
      info: this.info(),
      sslObject: this.sslObject,
      close: () => this.close(),
      closed: this.closed,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Transport

  /**
   * Hands a transport chunk to the engine at most `receiveRoom` bytes at a time (core limits.ts bounds
   * unprocessed input), running it in between. What a stalled engine (unread plaintext at its limit) cannot
   * take waits here, in the backlog, and is fed before the transport is read again.
   */
  private feed(bytes: Uint8Array): void {
    this.backlog = null;
    for (let at = 0; at < bytes.length; ) {
      const room = this.connection.receiveRoom;
      if (room === 0) {
        this.backlog = bytes.subarray(at);
        return;
      }
      const n = Math.min(bytes.length - at, room);
      this.connection.receive(bytes.subarray(at, at + n));
      at += n;
      if (at < bytes.length) this.connection.process();
      if (this.connection.error !== null) return;
    }
  }

  /** Fails the connection: the transport is released and pending operations report ETIMEDOUT. */
  private timeout(what: string, ms: number): void {
    if (this.released) return;
    this.timedOut = new SSLSyscallError(`${what} timed out after ${ms} ms`, { library: 'SYS', reason: 'ETIMEDOUT' });
    void this.release(this.timedOut);
  }

  /** One read at a time: concurrent callers share the read in flight. */
  private readTransport(): Promise<void> {
    if (this.inFlightRead !== null) return this.inFlightRead;
    if (this.backlog !== null) {
      this.feed(this.backlog);
      return Promise.resolve();
    }
    const idleMs = this.connection.handshakeComplete ? (this.options.idleTimeout ?? 0) : 0;
    const timer = idleMs > 0 ? setTimeout(() => this.timeout('read', idleMs), idleMs) : undefined;
    this.inFlightRead = this.reader.read().then(
      ({ value, done }) => {
        clearTimeout(timer);
        this.inFlightRead = null;
        if (this.timedOut !== null) throw this.timedOut;
        if (done) {
          this.transportEnded = true;
          this.connection.receiveEof();
        } else {
          this.feed(toBytes(value, 'transport readable'));
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.inFlightRead = null;
        this.transportEnded = true;
        throw this.timedOut ?? transportError(error, 'transport read failed');
      },
    );
    return this.inFlightRead;
  }

  /** Hands queued records to the transport; resolves when it accepted them (backpressure). */
  private flush(): Promise<void> {
    const out = this.connection.takeOutgoing();
    if (out === null) return Promise.resolve();
    return this.writer.write(out).catch((error: unknown) => {
      throw transportError(error, 'transport write failed');
    });
  }

  private waitResume(): Promise<void> {
    if (this.resumed) {
      this.resumed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeResume = () => {
        this.resumed = false;
        resolve();
      };
    });
  }

  private async handshake(): Promise<void> {
    for (;;) {
      const state = this.connection.process();
      // The alert of a failure goes out before the error is raised.
      await this.flush();
      switch (state.kind) {
        case 'Failed':
          throw state.error;
        case 'Open':
          this.sslObject.doHandshake(); // Python-side bookkeeping (statistics); completes at once
          return;
        case 'Suspended':
          await this.waitResume();
          break;
        case 'Handshaking':
          if (this.transportEnded) throw new SSLEOFError('EOF occurred in violation of protocol');
          await this.readTransport();
          break;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Plaintext side

  private makeReadable(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.readController = controller;
        },
        pull: (controller) => this.pull(controller),
        cancel: async () => {
          this.readDone = true;
          await this.finishIfDone();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.highWaterMark }),
    );
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const data = this.connection.readApplicationData(this.highWaterMark);
        if (data !== null) {
          controller.enqueue(data);
          return;
        }
        const error = this.connection.error;
        if (error !== null) throw error;
        if (this.connection.peerClosed || (this.transportEnded && this.allowTruncation)) {
          controller.close();
          this.readDone = true;
          await this.finishIfDone();
          return;
        }
        if (this.transportEnded) throw new SSLEOFError('EOF occurred in violation of protocol');
        await this.readTransport();
        this.connection.process();
        await this.flush(); // KeyUpdate answers, alerts
      }
    } catch (e) {
      const error = e instanceof SSLError ? e : transportError(e, 'read');
      this.readDone = true;
      await this.release(error);
      throw error;
    }
  }

  private makeWritable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>(
      {
        write: async (chunk) => {
          const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : toBytes(chunk, 'write');
          const before = this.connection.error;
          if (before !== null) throw before;
          if (this.connection.closeSent) {
            throw new SSLError('protocol is shutdown', { library: 'SSL', reason: 'PROTOCOL_IS_SHUTDOWN' });
          }
          // A record's worth at a time, so the transport's backpressure acts between records rather than
          // after a whole large chunk was encrypted and handed over at once.
          for (let at = 0; at < bytes.length; at += MAX_RECORD_PLAINTEXT) {
            const ok = this.connection.writeApplicationData(bytes.subarray(at, at + MAX_RECORD_PLAINTEXT));
            try {
              await this.flush();
            } catch (e) {
              await this.release(e);
              throw e;
            }
            if (!ok) {
              throw this.connection.error ?? new SSLError('write failed', { library: 'SSL', reason: 'BAD_STATE' });
            }
          }
        },
        close: async () => {
          this.connection.close(); // close_notify
          await this.flush();
          this.writeDone = true;
          await this.finishIfDone();
        },
        abort: async (reason) => {
          await this.release(reason ?? new SSLError('aborted', { library: 'SSL', reason: 'ABORTED' }));
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.highWaterMark }),
    );
  }

  private async finishIfDone(): Promise<void> {
    if (this.readDone && this.writeDone) await this.release(null);
  }

  private async close(): Promise<void> {
    if (this.released) return;
    if (this.connection.handshakeComplete && !this.connection.closeSent && this.connection.error === null) {
      this.connection.close();
      await this.flush().catch(() => {});
    }
    try {
      this.readController?.close();
    } catch {
      // already closed or errored
    }
    await this.release(null);
  }

  /** Releases the transport once: a clean close when `error` is null, otherwise an abort. */
  private async release(error: unknown): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.backlog = null;
    if (error === null) {
      await this.writer.close().catch(() => {});
      await this.reader.cancel().catch(() => {});
      this.closedResolve();
    } else {
      await this.writer.abort(error).catch(() => {});
      await this.reader.cancel(error).catch(() => {});
      this.closedReject(error);
    }
    this.connection.dispose(); // the keys go with the transport (issue #10)
  }

  // -------------------------------------------------------------------------------------------

  private info(): TlsInfo {
    const cipher = this.sslObject.cipher();
    const negotiated = this.connection.negotiated;
    const peer = negotiated.peerCertificate;
    const webCryptoChain = this.webCrypto?.verifiedChain ?? null;
    let peerCertificate: TlsInfo['peerCertificate'] = this.sslObject.getPeerCert();
    // WebCrypto verification runs with the engine's own validation switched off (it parks at the callback
    // instead), so the dict comes from the chain that verification accepted.
    if (webCryptoChain !== null && peer !== null) peerCertificate = decodeCertificate(peer.leaf);
    return {
      protocol: this.sslObject.version() ?? '',
      cipher: cipher?.[0] ?? '',
      cipherBits: cipher?.[2] ?? 0,
      alpn: this.sslObject.selectedAlpnProtocol(),
      peerCertificate,
      peerCertificateChain: peer === null ? [] : [...peer.chain],
      verifiedChain: webCryptoChain ?? (peer?.verified === true ? [...(peer.verifiedChain ?? [])] : null),
      group: negotiated.group,
      webCryptoVerified: webCryptoChain !== null,
    };
  }
}

function abortError(signal: AbortSignal): SSLError {
  const reason: unknown = signal.reason;
  return new SSLError(`aborted${reason instanceof Error ? `: ${reason.message}` : ''}`, {
    library: 'SSL',
    reason: 'ABORTED',
    cause: reason,
  });
}
