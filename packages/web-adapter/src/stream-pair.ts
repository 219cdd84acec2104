/**
 * The one transport shape every binding here speaks: a pair of Web Streams of bytes. A WebSocket tunnel,
 * a WebTransport bidirectional stream, a Cloudflare-style `connect()` socket, Deno's `Deno.connect()`
 * (`conn.readable`/`conn.writable`) or Node's `Duplex.toWeb()` all have this shape.
 * @module
 */
import { SSLError, SSLSyscallError } from '@sanstls/core/client-base';

export interface StreamPair {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** Bytes as the streams here carry them: Uint8Array, other views and ArrayBuffers are accepted. */
export function toBytes(chunk: unknown, what: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new SSLError(`${what}: expected bytes (Uint8Array or ArrayBuffer), got ${describe(chunk)}`, {
    library: 'SSL',
    reason: 'BAD_VALUE',
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** A transport failure as the TLS layer reports it: an SSLSyscallError keeping the original as `cause`. */
export function transportError(error: unknown, what: string): SSLError {
  if (error instanceof SSLError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new SSLSyscallError(`${what}: ${text}`, { library: 'SYS', reason: 'TRANSPORT_ERROR', cause: error });
}

/** In-memory pair of connected stream pairs (two pipes): tests, workers, and loopback use. */
export function memoryStreamPair(highWaterMark = 64 * 1024): [StreamPair, StreamPair] {
  const strategy = () => new ByteLengthQueuingStrategy({ highWaterMark });
  const aToB = new TransformStream<Uint8Array, Uint8Array>({}, strategy(), strategy());
  const bToA = new TransformStream<Uint8Array, Uint8Array>({}, strategy(), strategy());
  return [
    { readable: bToA.readable, writable: aToB.writable },
    { readable: aToB.readable, writable: bToA.writable },
  ];
}
