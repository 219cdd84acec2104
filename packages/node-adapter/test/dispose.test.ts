/**
 * Issue #10: the Node sockets wipe their connection's keys (core's `TlsConnection.dispose()`) when the socket is
 * destroyed, fails, times out or is closed — not at garbage collection — and never before the reader has what the
 * peer sent: a paused 'data' consumer and a Python-style `recv` after the peer closed still get the buffered
 * plaintext. Key material is observed as in core's secrets tests: the connection's own key-log secrets, searched
 * by value in everything reachable from the connection.
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
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  type SSLSocket,
  type TLSSocket,
  TransportTimeoutError,
} from '../src/index.js';
import { within } from './helpers/processes.js';

const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });

/** The TlsConnection under a socket (both socket kinds expose core's SSLObject as `sslObject.core`). */
const connectionOf = (socket: TLSSocket | SSLSocket): unknown =>
  (socket.sslObject as unknown as { core: { connection: unknown } }).core.connection;

/** Resolves on 'close' (events.once would reject on an 'error' first, which some of these closes may bring). */
const closed = (emitter: NodeJS.EventEmitter): Promise<unknown> =>
  new Promise((resolve) => emitter.once('close', resolve));

/** A sanstls server; `onSecure` gets each connection. */
async function server(onSecure: (socket: TLSSocket) => void): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<TLSSocket>();
  const srv = createServer({ cert: chain.certChainPem, key: chain.leaf.keyPem }, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onSecure(s);
  });
  const raws = new Set<net.Socket>();
  srv.on('connection', (raw: net.Socket) => raws.add(raw));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      for (const raw of raws) raw.destroy();
      srv.close();
      await once(srv, 'close');
    },
  };
}

/** Our node:tls-shaped client, its key-log lines, resolved once the handshake is done. */
async function client(port: number, extra: Partial<Parameters<typeof connect>[0]> = {}) {
  const lines: string[] = [];
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: chain.root.pem, ...extra });
  socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
  await within(10_000, 'secureConnect', once(socket, 'secureConnect'));
  return { socket, secrets: () => keylogSecrets(lines) };
}

describe('TLSSocket', () => {
  it('destroy() wipes the keys at once; the server side wipes its own when the transport closes', async () => {
    let accepted: TLSSocket | undefined;
    const srv = await server((s) => {
      accepted = s;
      s.pipe(s);
    });
    try {
      const { socket, secrets } = await client(srv.port);
      socket.write('ping');
      await within(10_000, 'echo', once(socket, 'data'));
      expect(liveSecrets(connectionOf(socket), secrets()).length).toBeGreaterThan(0);
      expect(liveSecrets(connectionOf(accepted!), secrets()).length).toBeGreaterThan(0);
      socket.destroy();
      expect(liveSecrets(connectionOf(socket), secrets())).toEqual([]);
      if (!accepted!.destroyed) await within(10_000, 'server close', closed(accepted!));
      expect(liveSecrets(connectionOf(accepted!), secrets())).toEqual([]);
    } finally {
      await srv.stop();
    }
  });

  it('a transport error and an idle timeout wipe the keys with the error', async () => {
    const srv = await server(() => {}); // connected, then silent
    try {
      const broken = await client(srv.port);
      broken.socket.on('error', () => {});
      const brokenClosed = closed(broken.socket);
      broken.socket.transport.destroy(new Error('the wire was cut'));
      await within(10_000, 'close', brokenClosed);
      expect(liveSecrets(connectionOf(broken.socket), broken.secrets())).toEqual([]);

      const idle = await client(srv.port, { idleTimeout: 200 });
      idle.socket.resume();
      const [err] = (await within(10_000, 'timeout', once(idle.socket, 'error'))) as [Error];
      expect(err).toBeInstanceOf(TransportTimeoutError);
      expect(liveSecrets(connectionOf(idle.socket), idle.secrets())).toEqual([]);
    } finally {
      await srv.stop();
    }
  });

  it('the transport closes while decrypted data waits for a paused consumer: every byte is still delivered, then the keys go', async () => {
    const payload = Buffer.alloc(48 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const srv = await server((s) => {
      s.end(payload); // data, close_notify, FIN
    });
    try {
      // A transport that holds what the server sends after the handshake until the server's FIN, then hands it over
      // at once: the first read takes the whole stream, so the transport ends (and closes) while the consumer is
      // still paused — deterministic, where TCP timing would decide.
      const raw = net.connect({ host: '127.0.0.1', port: srv.port, allowHalfOpen: true });
      await once(raw, 'connect');
      let holding = false;
      const held: Buffer[] = [];
      const transport = new Duplex({
        allowHalfOpen: true,
        read() {},
        write(chunk: Buffer, _encoding, callback) {
          raw.write(chunk, callback);
        },
        final(callback) {
          raw.end();
          callback();
        },
      });
      raw.on('data', (chunk: Buffer) => (holding ? held.push(chunk) : transport.push(chunk)));
      const rawEnded = once(raw, 'end');
      const lines: string[] = [];
      const socket = connect({ socket: transport, servername: 'localhost', ca: chain.root.pem });
      socket.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
      await within(10_000, 'secureConnect', once(socket, 'secureConnect'));
      holding = true;
      socket.end(); // our half: close_notify and FIN
      await within(10_000, 'server FIN', rawEnded);
      const transportClosed = closed(transport);
      socket.pause();
      for (const chunk of held) transport.push(chunk);
      transport.push(null);
      socket.read(0); // the read loop starts, decrypts into the stream's buffer, and stops there (backpressure)
      await within(10_000, 'transport close', transportClosed);
      expect(socket.destroyed).toBe(false);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.resume();
      await within(10_000, 'end', once(socket, 'end'));
      const received = Buffer.concat(chunks);
      expect(received.length).toBe(payload.length);
      expect(received.equals(payload)).toBe(true);
      expect(liveSecrets(connectionOf(socket), keylogSecrets(lines))).toEqual([]);
      raw.destroy();
    } finally {
      await srv.stop();
    }
  });
});

describe('SSLSocket (Python shape)', () => {
  const wrap = async (port: number, lines: string[]) => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations({ cadata: chain.root.pem });
    ctx.keylogCallback = (line) => lines.push(line);
    // allowHalfOpen false: the transport closes as soon as the peer's FIN is read, before recv() has returned
    // everything the engine decrypted or holds.
    const raw = net.connect({ host: '127.0.0.1', port });
    await once(raw, 'connect');
    const sock = ctx.wrapSocket(raw, { serverHostname: 'localhost' });
    await sock.doHandshake();
    return { sock, raw };
  };

  it('recv after the peer closed returns the buffered data, then the end; the keys go once the end is known', async () => {
    const srv = await server((s) => {
      s.end('hello, then goodbye');
    });
    try {
      const lines: string[] = [];
      const { sock, raw } = await wrap(srv.port, lines);
      expect(Buffer.from(await sock.recv(7)).toString()).toBe('hello, ');
      if (!raw.destroyed) await within(10_000, 'transport close', closed(raw));
      expect(liveSecrets(connectionOf(sock), keylogSecrets(lines)).length).toBeGreaterThan(0);
      expect(Buffer.from(await sock.recv(100)).toString()).toBe('then goodbye');
      expect((await sock.recv(100)).length).toBe(0); // close_notify
      expect(liveSecrets(connectionOf(sock), keylogSecrets(lines))).toEqual([]);
      expect((await sock.recv(100)).length).toBe(0); // and so it stays
    } finally {
      await srv.stop();
    }
  });

  it('close() wipes the keys', async () => {
    const srv = await server((s) => s.pipe(s));
    try {
      const lines: string[] = [];
      const { sock } = await wrap(srv.port, lines);
      await sock.sendall('ping');
      expect(Buffer.from(await sock.recv(4)).toString()).toBe('ping');
      expect(liveSecrets(connectionOf(sock), keylogSecrets(lines)).length).toBeGreaterThan(0);
      await sock.close();
      expect(liveSecrets(connectionOf(sock), keylogSecrets(lines))).toEqual([]);
    } finally {
      await srv.stop();
    }
  });
});
