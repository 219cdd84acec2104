/**
 * Drives a sans-IO TLS object (core's `SSLObject` on two `MemoryBIO`s) over a Node stream (a `net.Socket` or any
 * Duplex). Both socket flavours — the Python-shaped {@link SSLSocket} and the node:tls-shaped `TLSSocket` — sit on
 * this one driver, so backpressure, EOF and error handling are written once.
 *
 * Reading is pull-based: the transport stays paused and bytes are taken with `transport.read()` only when the engine
 * asks for more (SSLWantReadError), so a slow consumer stops TCP reads and the peer feels TCP backpressure.
 * Writing waits for `drain` whenever the transport's buffer is full.
 * @module
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SSLEOFError, SSLSyscallError, SSLWantReadError, SSLWantWriteError } from '@sanstls/core';

/** The part of core's MemoryBIO the driver uses. */
export interface ByteQueue {
  write(buf: Uint8Array): number;
  read(n?: number): Uint8Array;
  writeEof(): void;
  readonly pending: number;
  /** Appends a buffer the queue may keep without copying (core's MemoryBIO; optional for other queues). */
  writeOwned?(buf: Uint8Array): void;
  /** Everything queued, as separate buffers (core's MemoryBIO; optional for other queues). */
  readChunks?(): Uint8Array[];
}

/** Something the engine may hand back while a user callback (SNI, verifier, signer) has not settled yet. */
export interface SuspensionSource {
  /** A promise to wait for before retrying the operation, or undefined when the engine is not parked. */
  pendingSuspension(): PromiseLike<unknown> | undefined;
}

export interface TransportDriverOptions {
  /** Milliseconds without transport input or output after which a waiting read fails (0: never). */
  readonly idleTimeoutMs?: number;
  /** The transport is a net.Socket made with {@link SocketInput}'s `onread` options: its bytes come through it. */
  readonly input?: SocketInput;
}

/**
 * One buffer for every socket's reads through {@link SocketInput}: Node reads into it and calls the callback at once,
 * which copies the bytes out before any other read (one thread), so connections need no buffer of their own.
 */
const sharedReadBuffer = new Uint8Array(65536);

/** Socket bytes queued for the engine beyond which reading stops until the engine asks for more. */
const READ_AHEAD = 65536;

/**
 * Socket reads through Node's `onread` (net.connect's option): the bytes land in one shared buffer and are copied
 * into the engine's incoming queue, instead of Node allocating a fresh 64 KiB ArrayBuffer per read for the stream:
 * over plain TCP (both ends in one process) onread moved 1.3–2.1× the bytes per CPU second of the stream path, the
 * allocation and the collections it causes being the difference. Flow control is Node's for `onread`: the callback
 * answers false to stop reading; `read()` starts it again.
 * Give {@link options} to net.connect and the SocketInput to the driver of that socket.
 */
export class SocketInput {
  private sink: ((length: number, buffer: Uint8Array) => boolean) | undefined;

  readonly options = {
    buffer: sharedReadBuffer,
    callback: (length: number, buffer: Uint8Array): boolean => {
      // The driver is attached in the same tick the socket is made, before it can read anything.
      if (this.sink === undefined) throw new Error('sanstls: socket input read before its driver was attached');
      return this.sink(length, buffer);
    },
  };

  /** @internal */
  attach(sink: (length: number, buffer: Uint8Array) => boolean): void {
    this.sink = sink;
  }
}

/** Thrown when a timeout ends a wait; an SSLSyscallError so callers treat it as a transport failure. */
export class TransportTimeoutError extends SSLSyscallError {
  constructor(what: string, ms: number) {
    super(`${what}: no data from the peer for ${ms} ms`, { library: 'SYS', reason: 'ETIMEDOUT' });
  }
}

/** {@link TransportDriver.runNow}'s answer when the operation must wait. */
export const WOULD_BLOCK: unique symbol = Symbol('would block');

export class TransportDriver {
  /** The transport delivered its end (FIN). */
  private inputEnded = false;
  /** The transport failed or was destroyed: the error, if any. */
  private transportError: Error | undefined;
  private closed = false;
  private readonly wakeups = new Set<() => void>();
  private readonly idleTimeoutMs: number;
  /** Buffers read from the transport are ours to keep (see {@link pullInput}). */
  private readonly ownsInput: boolean;
  /** When bytes were last handed to the transport (performance.now()): writes keep the idle timeout away. */
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  /** Bytes came through the {@link SocketInput} since {@link pullInputNow} last looked. */
  private arrived = false;
  private readonly wake = (): void => {
    for (const fn of [...this.wakeups]) fn();
  };

  constructor(
    readonly transport: Duplex,
    private readonly incoming: ByteQueue,
    private readonly outgoing: ByteQueue,
    private readonly suspensions: SuspensionSource | undefined,
    options: TransportDriverOptions = {},
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.ownsInput = transport instanceof Socket;
    transport.pause();
    const wake = this.wake;
    options.input?.attach((length, buffer) => {
      this.incoming.write(buffer.subarray(0, length));
      this.arrived = true;
      wake();
      return this.incoming.pending < READ_AHEAD;
    });
    transport.on('readable', wake);
    transport.on('end', () => {
      this.inputEnded = true;
      wake();
    });
    transport.on('error', (err: Error) => {
      this.transportError ??= err;
      wake();
    });
    transport.on('close', () => {
      this.closed = true;
      wake();
    });
    transport.on('drain', wake);
  }

  /** Whether the transport can still carry bytes to the peer. */
  get writable(): boolean {
    return !this.closed && this.transport.writable && !this.transport.destroyed;
  }

  /** True once the peer's FIN arrived and every byte before it was handed to the engine. */
  get inputExhausted(): boolean {
    return this.inputEnded && this.transport.readableLength === 0;
  }

  /** Sends everything the engine produced. Returns false when the transport asks us to wait (backpressure). */
  flush(): boolean {
    if (this.outgoing.pending === 0) return !this.transport.writableNeedDrain;
    const records = this.outgoing.readChunks?.() ?? [this.outgoing.read()];
    if (!this.writable) return false;
    this.lastWriteAt = performance.now();
    if (records.length === 1) return this.transport.write(records[0]!);
    // Several records (a large write, a handshake flight): corked, a net.Socket sends them with one writev
    // instead of a write per record, and nothing joins them in JavaScript first.
    let ok = true;
    this.transport.cork();
    for (const record of records) ok = this.transport.write(record) && ok;
    this.transport.uncork();
    return ok;
  }

  /**
   * Flushes; true when nothing is left waiting in the transport's buffer. A net.Socket whose kernel buffer took
   * the records at once holds nothing (writableLength 0) even though write() said false — a 16 KiB record alone
   * reaches its 16 KiB highWaterMark — so there is no backlog to wait for, and waiting for its 'drain' would cost
   * a tick and a promise per record. Bytes still queued in the transport are waited for (bounded buffering).
   */
  private flushed(): boolean {
    return this.flush() || this.transport.writableLength === 0;
  }

  /** Flushes and, when the transport holds a backlog (its buffer is full), waits until it drains. */
  async flushAndDrain(): Promise<void> {
    if (this.flushed()) return;
    while (this.transport.writableNeedDrain && this.writable) {
      await this.waitForEvent('write');
    }
    if (this.transportError) throw this.wrapTransportError(this.transportError);
  }

  /** The incoming queue has been told the transport ended. */
  private eofDelivered = false;

  /**
   * Moves transport bytes into the engine's incoming queue: what is buffered now, or else waits for more.
   * At the transport's end it marks the queue's EOF, so the engine reports a clean close or a truncation.
   */
  async pullInput(): Promise<void> {
    while (!this.pullInputNow()) await this.waitForEvent('read');
  }

  /**
   * {@link pullInput} without waiting: true when it moved bytes (or the EOF) into the incoming queue, or there
   * is nothing more to pull; false when the transport has nothing yet.
   */
  private pullInputNow(): boolean {
    if (this.eofDelivered) return true;
    // With a SocketInput this read returns nothing, but starts the socket reading again if the callback stopped it.
    const chunk = this.transport.read() as Buffer | null;
    if (chunk !== null && chunk.length > 0) {
      // A net.Socket hands out buffers it never touches again: the queue keeps this one instead of
      // copying it (the engine copies it into its record buffer). Other Duplexes may pass on buffers
      // their writers still own (a PassThrough), so their bytes are copied.
      if (this.ownsInput && this.incoming.writeOwned !== undefined) this.incoming.writeOwned(chunk);
      else this.incoming.write(chunk);
      return true;
    }
    if (this.arrived) {
      this.arrived = false;
      return true;
    }
    if (this.transportError) throw this.wrapTransportError(this.transportError);
    if (this.inputEnded || this.closed) {
      this.eofDelivered = true;
      this.incoming.writeEof();
      return true;
    }
    return false;
  }

  /**
   * Runs an engine operation until it completes: flushing what it produced, feeding it transport bytes while it
   * wants to read, and waiting for user callbacks it parked on. Resolves with the operation's result.
   *
   * Only writers wait for the transport to drain (`waitForDrain`): a reader that waited for drain would deadlock
   * two peers whose send buffers are both full, each waiting for the other to read. What a read produces (a
   * KeyUpdate answer, an alert) is small and is queued regardless.
   */
  async run<T>(operation: () => T, waitForDrain = false): Promise<T> {
    for (;;) {
      const result = this.runNow(operation);
      if (result !== WOULD_BLOCK) {
        if (waitForDrain) await this.flushAndDrain();
        return result;
      }
      await this.blocked();
    }
  }

  /** What {@link runNow} stopped for; {@link blocked} waits for it. */
  private blockedOn: 'suspension' | 'read' | 'write' = 'read';
  private parked: PromiseLike<unknown> | undefined;

  /**
   * {@link run} without waiting: runs the operation, feeding it every byte the transport already holds, until it
   * completes — returning its result, records flushed — or must wait (transport input, drain, a parked user
   * callback): then WOULD_BLOCK, and {@link blocked} — called at once, before any other call on this driver — is
   * what to await before calling again. A reader whose
   * records are already buffered decrypts them all in one synchronous pass, not a promise per record.
   */
  runNow<T>(operation: () => T): T | typeof WOULD_BLOCK {
    for (;;) {
      try {
        const result = operation();
        this.flush();
        return result;
      } catch (err) {
        if (err instanceof SSLWantReadError) {
          this.flush();
          const parked = this.suspensions?.pendingSuspension();
          if (parked !== undefined) {
            this.blockedOn = 'suspension';
            this.parked = parked;
            return WOULD_BLOCK;
          }
          // An engine that still wants bytes after being told of the EOF is reading a truncated stream.
          if (this.eofDelivered) throw new SSLEOFError();
          if (this.pullInputNow()) continue;
          this.blockedOn = 'read';
          return WOULD_BLOCK;
        }
        if (err instanceof SSLWantWriteError) {
          if (this.flushed()) continue;
          this.blockedOn = 'write';
          return WOULD_BLOCK;
        }
        // Whatever the engine queued (a fatal alert) still goes to the peer.
        this.flush();
        throw err;
      }
    }
  }

  /** Waits for what the last {@link runNow} that answered WOULD_BLOCK stopped for. */
  async blocked(): Promise<void> {
    if (this.blockedOn === 'suspension') {
      const parked = this.parked;
      this.parked = undefined;
      await parked;
    } else if (this.blockedOn === 'read') await this.pullInput();
    else await this.flushAndDrain();
  }

  /**
   * {@link run} with `waitForDrain` for an operation that completes without input (a write after the
   * handshake), calling back instead of returning a promise: when the transport takes the records at once,
   * no promise is made and the callback runs synchronously — per-write overhead the streams machinery
   * would otherwise pay in microtask hops for every record.
   */
  runWrite(operation: () => void, callback: (error?: Error | null) => void): void {
    try {
      operation();
    } catch (err) {
      if (err instanceof SSLWantReadError || err instanceof SSLWantWriteError) {
        this.run(operation, true).then(() => callback(), callback);
        return;
      }
      this.flush();
      callback(err as Error);
      return;
    }
    if (this.flushed()) callback();
    else this.flushAndDrain().then(() => callback(), callback);
  }

  /** Half-closes the transport (FIN) after flushing. */
  async endTransport(): Promise<void> {
    this.flush();
    if (!this.transport.writableEnded) this.transport.end();
  }

  destroy(err?: Error): void {
    this.transport.destroy(err);
  }

  private wrapTransportError(err: Error): Error {
    if (err instanceof SSLSyscallError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    return new SSLSyscallError(err.message, { library: 'SYS', ...(code ? { reason: code } : {}), cause: err });
  }

  /** Waits for transport input, drain, end, error or close — or fails after the idle timeout. */
  private waitForEvent(what: 'read' | 'write'): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.wakeups.delete(done);
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.wakeups.add(done);
      if (what === 'read' && this.idleTimeoutMs > 0) {
        const arm = (ms: number): void => {
          timer = setTimeout(() => {
            // Sending is activity too, as for Node's socket.setTimeout: a connection writing to a peer that says
            // nothing (server push, a long download) is not idle.
            const sinceWrite = performance.now() - this.lastWriteAt;
            if (sinceWrite < this.idleTimeoutMs) {
              arm(this.idleTimeoutMs - sinceWrite);
              return;
            }
            this.wakeups.delete(done);
            reject(new TransportTimeoutError('read', this.idleTimeoutMs));
          }, ms);
        };
        arm(this.idleTimeoutMs);
      }
    });
  }
}
