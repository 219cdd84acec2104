/**
 * A WebSocket as a byte-stream pair: each binary frame received is one chunk of the readable; each chunk
 * written is sent as one binary frame. With the relay (`@sanstls/web-adapter/relay`) on the other end the
 * pair reaches a TCP port, and `connectTls` over it gives the page end-to-end TLS the relay cannot read.
 *
 * Flow control: sending waits while the socket's `bufferedAmount` is above `highWaterMark`. Receiving
 * cannot push back (the WebSocket API has no pause), so frames queue in the readable; the queue is
 * bounded by `maxQueuedBytes`, beyond which the tunnel fails instead of growing without limit.
 * @module
 */
import { SSLSyscallError } from '@sanstls/core/client-base';
import { RelayCloseCode, relayCloseCodeName } from './close-codes.js';
import type { StreamPair } from './stream-pair.js';
import { toBytes } from './stream-pair.js';

/** The part of the WebSocket API used here (browsers, Deno, Bun, Node 22, or the `ws` package in Node 20). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketTransportOptions {
  readonly protocols?: string | string[];
  /** WebSocket implementation (default `globalThis.WebSocket`; pass `ws`'s `WebSocket` in Node 20). */
  readonly WebSocket?: WebSocketConstructor;
  /** Sending pauses while more than this many bytes wait in the socket (default 1 MiB). */
  readonly highWaterMark?: number;
  /** Received bytes queued and unread beyond which the tunnel fails (default 16 MiB). */
  readonly maxQueuedBytes?: number;
  readonly signal?: AbortSignal;
}

/** The tunnel closed abnormally: `closeCode`/`closeReason` come from the relay (see RelayCloseCode). */
export class TunnelClosedError extends SSLSyscallError {
  constructor(
    readonly closeCode: number,
    readonly closeReason: string,
  ) {
    super(
      `tunnel closed: ${closeCode} ${relayCloseCodeName(closeCode)}${closeReason === '' ? '' : ` (${closeReason})`}`,
      { library: 'SYS', reason: 'TUNNEL_CLOSED' },
    );
  }
}

const OPEN = 1;
const SEND_POLL_MS = 5;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens `url` and resolves to its stream pair once the WebSocket is open. */
export function websocketTransport(url: string | URL, options: WebSocketTransportOptions = {}): Promise<StreamPair> {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Impl === undefined) {
    return Promise.reject(
      new SSLSyscallError('no WebSocket implementation: pass options.WebSocket', { library: 'SYS', reason: 'ENOSYS' }),
    );
  }
  const ws = new Impl(String(url), options.protocols);
  ws.binaryType = 'arraybuffer';
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  const maxQueued = options.maxQueuedBytes ?? 16 * 1024 * 1024;
  return new Promise<StreamPair>((resolve, reject) => {
    let readController: ReadableStreamDefaultController<Uint8Array> | null = null;
    let finished = false;
    let closedSignal: () => void = () => {};
    const closed = new Promise<void>((r) => {
      closedSignal = r;
    });
    const fail = (error: Error) => {
      if (finished) return;
      finished = true;
      try {
        readController?.error(error);
      } catch {
        // already closed
      }
    };
    const onAbort = () => {
      const error = new SSLSyscallError('tunnel aborted', { library: 'SYS', reason: 'ABORTED' });
      ws.close(1000, 'aborted');
      fail(error);
      reject(error);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const readable = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          readController = controller;
        },
        cancel() {
          finished = true;
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        if (ws.readyState !== OPEN) throw new SSLSyscallError('tunnel is closed', { library: 'SYS', reason: 'EPIPE' });
        ws.send(toBytes(chunk, 'tunnel write'));
        while (ws.bufferedAmount > highWaterMark && ws.readyState === OPEN) await delay(SEND_POLL_MS);
      },
      async close() {
        if (ws.readyState === OPEN) ws.close(RelayCloseCode.NORMAL);
        await closed;
      },
      abort() {
        ws.close(RelayCloseCode.NORMAL, 'aborted');
      },
    });
    ws.onopen = () => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ readable, writable });
    };
    ws.onmessage = (event) => {
      if (finished) return;
      if (typeof event.data === 'string') {
        ws.close(RelayCloseCode.UNSUPPORTED_DATA, 'binary frames only');
        fail(new TunnelClosedError(RelayCloseCode.UNSUPPORTED_DATA, 'text frame received'));
        return;
      }
      const bytes = toBytes(event.data, 'tunnel frame');
      const queued = -(readController!.desiredSize ?? 0);
      if (queued + bytes.length > maxQueued) {
        ws.close(RelayCloseCode.MESSAGE_TOO_BIG, 'reader too slow');
        fail(new TunnelClosedError(RelayCloseCode.MESSAGE_TOO_BIG, 'receive queue limit reached'));
        return;
      }
      readController!.enqueue(bytes);
    };
    ws.onerror = () => {
      // The close event that follows carries the code; browsers give errors no detail.
    };
    ws.onclose = (event) => {
      closedSignal();
      const error = new TunnelClosedError(event.code, event.reason);
      reject(error); // no-op once open
      if (event.code === RelayCloseCode.NORMAL) {
        if (!finished) {
          finished = true;
          try {
            readController!.close();
          } catch {
            // cancelled
          }
        }
      } else {
        fail(error);
      }
    };
  });
}
