/**
 * Issue #10 follow-up: with OP_IGNORE_UNEXPECTED_EOF core's `read(n)` answers an empty array at the transport's
 * end (the ragged close it was told to accept, RFC 8446 §6.1) instead of raising SSLEOFError. The sockets took
 * that for "no data yet" and read again at once, for ever: TLSSocket's read loop and SSLSocket's read after the
 * transport closed both spun in microtasks, starving the event loop (so a timer-based guard never fires). Each
 * test counts the engine's reads and fails past a bound far above what a handful of records needs, so a
 * regression fails here instead of hanging the run.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import { keylogSecrets, liveSecrets } from '../../core/test/helpers/secrets.js';
import {
  connect,
  createServer,
  OP_IGNORE_UNEXPECTED_EOF,
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  SSLEOFError,
  type SSLSocket,
  type TLSSocket,
} from '../src/index.js';
import { within } from './helpers/processes.js';

const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });
const MAX_READS = 1000;

/** Counts the engine reads of a socket; past MAX_READS each read throws, so a spinning loop ends with an error. */
function guardReads(socket: TLSSocket | SSLSocket): () => number {
  const engine = socket.sslObject as { read(n?: number): Uint8Array };
  const read = engine.read.bind(engine);
  let calls = 0;
  engine.read = (n?: number) => {
    if (++calls > MAX_READS) throw new Error(`spin guard: ${calls} engine reads`);
    return read(n);
  };
  return () => calls;
}

const connectionOf = (socket: TLSSocket | SSLSocket): unknown =>
  (socket.sslObject as unknown as { core: { connection: unknown } }).core.connection;

type PeerEnd = 'fin' | 'close_notify';

/** A sanstls server that sends `hello` then ends with close_notify, or with a bare TCP FIN (no close_notify). */
async function server(end: PeerEnd): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<TLSSocket>();
  const srv = createServer({ cert: chain.certChainPem, key: chain.leaf.keyPem }, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    if (end === 'close_notify') s.end('hello');
    else s.write('hello', () => s.transport.end());
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}

function clientContext(ignoreEof: boolean, lines: string[]): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.loadVerifyLocations({ cadata: chain.root.pem });
  if (ignoreEof) ctx.options |= OP_IGNORE_UNEXPECTED_EOF;
  ctx.keylogCallback = (line) => lines.push(line);
  return ctx;
}

/** Resolves with the events a TLSSocket emits until 'close', in order, and the data it delivered. */
/**
 * A transport over a real TCP connection whose incoming bytes can be held back: after `hold()`, everything the
 * server sends is kept until `cutInsideLastRecord()` delivers all but its last byte together with the end — the
 * stream then stops inside the record after 'hello' (the close_notify).
 */
async function cuttableTransport(port: number): Promise<{
  raw: net.Socket;
  transport: Duplex;
  hold(): void;
  cutInsideLastRecord(): Promise<void>;
}> {
  const raw = net.connect({ host: '127.0.0.1', port });
  await once(raw, 'connect');
  // The client answers a clean end with its own close_notify, written after the server's FIN: EPIPE here.
  raw.on('error', () => {});
  let holding = false;
  const held: Buffer[] = [];
  const transport = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      raw.write(chunk, callback);
    },
  });
  raw.on('data', (chunk: Buffer) => (holding ? held.push(chunk) : transport.push(chunk)));
  const rawEnded = once(raw, 'end');
  return {
    raw,
    transport,
    hold: () => {
      holding = true;
    },
    async cutInsideLastRecord() {
      await within(10_000, 'server FIN', rawEnded);
      const all = Buffer.concat(held);
      transport.push(all.subarray(0, all.length - 1));
      transport.push(null);
    },
  };
}

function collect(socket: TLSSocket): Promise<{ events: string[]; data: string; error?: Error }> {
  const events: string[] = [];
  const chunks: Buffer[] = [];
  let error: Error | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => events.push('end'));
  socket.on('error', (err: Error) => {
    events.push('error');
    error = err;
  });
  return new Promise((resolve) =>
    socket.once('close', () => {
      events.push('close');
      resolve({ events, data: Buffer.concat(chunks).toString(), ...(error ? { error } : {}) });
    }),
  );
}

describe('TLSSocket: the peer ends the stream', () => {
  for (const end of ['fin', 'close_notify'] as const) {
    for (const ignoreEof of [true, false]) {
      it(`${end === 'fin' ? 'TCP FIN without close_notify' : 'close_notify'}, ${ignoreEof ? 'with' : 'without'} OP_IGNORE_UNEXPECTED_EOF: 'end' then 'close', keys wiped`, async () => {
        const srv = await server(end);
        try {
          const lines: string[] = [];
          const socket = connect({
            host: '127.0.0.1',
            port: srv.port,
            servername: 'localhost',
            context: clientContext(ignoreEof, lines),
          });
          const reads = guardReads(socket);
          const result = await within(10_000, 'close', collect(socket));
          expect(result.error).toBeUndefined();
          expect(result.events).toEqual(['end', 'close']);
          expect(result.data).toBe('hello');
          expect(reads()).toBeLessThan(50);
          expect(liveSecrets(connectionOf(socket), keylogSecrets(lines))).toEqual([]);
        } finally {
          await srv.stop();
        }
      });
    }
  }

  // OpenSSL's record layer takes any EOF as the shutdown under SSL_OP_IGNORE_UNEXPECTED_EOF, inside a record too
  // (Python 3 + OpenSSL 3.0 reads b'' for a cut 3 or 10 bytes into an application-data record); the web
  // adapter's streams do the same. Without the option the cut is a truncation error.
  for (const ignoreEof of [true, false]) {
    it(`a cut inside a record ${ignoreEof ? 'with OP_IGNORE_UNEXPECTED_EOF ends the stream' : 'is a truncation error'}`, async () => {
      const srv = await server('close_notify');
      try {
        const { raw, transport, hold, cutInsideLastRecord } = await cuttableTransport(srv.port);
        const lines: string[] = [];
        const socket = connect({
          socket: transport,
          servername: 'localhost',
          context: clientContext(ignoreEof, lines),
        });
        const reads = guardReads(socket);
        socket.pause();
        await within(10_000, 'secureConnect', once(socket, 'secureConnect'));
        hold();
        await cutInsideLastRecord();
        const result = collect(socket);
        socket.resume();
        const { events, error, data } = await within(10_000, 'close', result);
        // 'hello' is whole; the cut falls inside the close_notify record after it.
        expect(data).toBe('hello');
        if (ignoreEof) {
          expect(error).toBeUndefined();
          expect(events).toEqual(['end', 'close']);
        } else {
          expect(events).toEqual(['error', 'close']);
          expect(error).toBeInstanceOf(SSLEOFError);
          expect((error as SSLEOFError).reason).toBe('UNEXPECTED_EOF_WHILE_READING');
        }
        expect(reads()).toBeLessThan(50);
        raw.destroy();
      } finally {
        await srv.stop();
      }
    });
  }
});

describe('SSLSocket: recv after a TCP FIN without close_notify', () => {
  it('a cut inside a record with OP_IGNORE_UNEXPECTED_EOF: the data, then empty reads (as Python over OpenSSL)', async () => {
    const srv = await server('close_notify');
    try {
      const { raw, transport, hold, cutInsideLastRecord } = await cuttableTransport(srv.port);
      const sock = clientContext(true, []).wrapSocket(transport, { serverHostname: 'localhost' });
      const reads = guardReads(sock);
      await within(10_000, 'handshake', sock.doHandshake());
      hold();
      await cutInsideLastRecord();
      let received = '';
      for (;;) {
        const chunk = await within(10_000, 'recv', sock.recv(100));
        if (chunk.length === 0) break;
        received += Buffer.from(chunk).toString();
      }
      expect(received).toBe('hello');
      expect((await within(10_000, 'recv again', sock.recv(100))).length).toBe(0);
      expect(reads()).toBeLessThan(50);
      raw.destroy();
    } finally {
      await srv.stop();
    }
  });

  for (const ignoreEof of [true, false]) {
    it(`${ignoreEof ? 'with' : 'without'} OP_IGNORE_UNEXPECTED_EOF: the data, then empty reads; keys wiped once the end is known`, async () => {
      const srv = await server('fin');
      try {
        const lines: string[] = [];
        const raw = net.connect({ host: '127.0.0.1', port: srv.port });
        await once(raw, 'connect');
        const sock = clientContext(ignoreEof, lines).wrapSocket(raw, { serverHostname: 'localhost' });
        const reads = guardReads(sock);
        await sock.doHandshake();
        let received = '';
        while (received.length < 5) received += Buffer.from(await within(10_000, 'recv', sock.recv(100))).toString();
        expect(received).toBe('hello');
        expect((await within(10_000, 'recv at the end', sock.recv(100))).length).toBe(0);
        if (!raw.destroyed) await within(10_000, 'transport close', once(raw, 'close'));
        // The read after the close (which learns the end and releases the keys) runs on its own: let it settle.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect((await within(10_000, 'recv again', sock.recv(100))).length).toBe(0);
        expect(reads()).toBeLessThan(50);
        expect(liveSecrets(connectionOf(sock), keylogSecrets(lines))).toEqual([]);
      } finally {
        await srv.stop();
      }
    });
  }
});
