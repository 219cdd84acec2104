/**
 * WebTransport binding: a WebTransport bidirectional stream already is a byte-stream pair (its
 * `readable`/`writable`), with real flow control both ways and a real half-close (FIN), so `connectTls`
 * runs over it unchanged. A tunnel server would map each bidirectional stream to a TCP connection, as the
 * WebSocket relay does per socket.
 *
 * Tested with stand-in session objects (in Node and in Chromium): no HTTP/3 server installs on the machines
 * this project is built on, and Node 20 has none.
 * @module
 */
import { SSLSyscallError } from '@sanstls/core/client-base';
import type { StreamPair } from './stream-pair.js';

/** The part of the WebTransport API used here. */
export interface WebTransportSessionLike {
  readonly ready: Promise<unknown>;
  readonly closed?: Promise<unknown>;
  createBidirectionalStream(): Promise<StreamPair>;
  readonly incomingBidirectionalStreams?: ReadableStream<StreamPair>;
  close?(info?: { closeCode?: number; reason?: string }): void;
}

export interface WebTransportStreams {
  /** Opens a new bidirectional stream (waits for the session to be ready). */
  open(): Promise<StreamPair>;
  /** Bidirectional streams the peer opened, as stream pairs. */
  incoming(): AsyncIterableIterator<StreamPair>;
}

function sessionError(error: unknown): SSLSyscallError {
  const text = error instanceof Error ? error.message : String(error);
  return new SSLSyscallError(`WebTransport: ${text}`, { library: 'SYS', reason: 'TRANSPORT_ERROR', cause: error });
}

/** Stream pairs over a WebTransport session. */
export function webTransportStreams(session: WebTransportSessionLike): WebTransportStreams {
  return {
    async open() {
      try {
        await session.ready;
        const stream = await session.createBidirectionalStream();
        return { readable: stream.readable, writable: stream.writable };
      } catch (e) {
        throw sessionError(e);
      }
    },
    async *incoming() {
      const source = session.incomingBidirectionalStreams;
      if (source === undefined) return;
      const reader = source.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          yield { readable: value.readable, writable: value.writable };
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** Opens a WebTransport session to `url` (browsers) and one bidirectional stream on it. */
export async function webTransportConnect(
  url: string | URL,
  options: { readonly WebTransport?: new (url: string, options?: unknown) => WebTransportSessionLike } & Record<
    string,
    unknown
  > = {},
): Promise<StreamPair & { session: WebTransportSessionLike }> {
  const { WebTransport: given, ...rest } = options;
  const Impl =
    given ??
    (globalThis as { WebTransport?: new (url: string, options?: unknown) => WebTransportSessionLike }).WebTransport;
  if (Impl === undefined) {
    throw new SSLSyscallError('WebTransport is not available here', { library: 'SYS', reason: 'ENOSYS' });
  }
  const session = new Impl(String(url), rest);
  const pair = await webTransportStreams(session).open();
  return { ...pair, session };
}
