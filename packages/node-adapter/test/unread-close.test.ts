/**
 * A connection nobody reads still notices its peer leaving, as with node:tls. Node's TLSSocket reads from the start
 * (initRead's `read(0)`), whether or not the application listens for 'data': the peer's close_notify or FIN becomes
 * 'end' (when nothing is left unread), and with allowHalfOpen false our side ends in turn, then 'close'. Our
 * TLSSocket was pull-based — it read only when the application did — so a server that only writes (or ignores its
 * connections) kept every dead connection: `getConnections()` never went down. Each case runs against node:tls
 * too, with the same expectations, so the parity these tests rely on is checked where it is stated. Backpressure
 * must survive the eager read: a connection nobody reads still stops the sender.
 */
import { once } from 'node:events';
import type net from 'node:net';
import tls from 'node:tls';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import { connect, createServer, type TLSSocket } from '../src/index.js';
import { within } from './helpers/processes.js';

const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });
const CONNECTIONS = 3;
const versions = ['TLSv1.3', 'TLSv1.2'] as const;
const impls = ['sanstls', 'node:tls'] as const;
type Impl = (typeof impls)[number];
type Version = (typeof versions)[number];

/** The events a socket emits about its end, in order ('error' with its code). */
function recordEnd(socket: net.Socket | tls.TLSSocket | NodeJS.EventEmitter): string[] {
  const events: string[] = [];
  for (const name of ['end', 'finish', 'close']) socket.on(name, () => events.push(name));
  socket.on('error', (err: Error & { code?: string }) => events.push(`error ${err.code ?? err.message}`));
  return events;
}

interface UnreadServer {
  port: number;
  /** Each accepted connection's end events, in order of arrival. */
  events: string[][];
  sockets: tls.TLSSocket[];
  /** Each accepted connection's 'close'. */
  closes: Promise<unknown>[];
  /** Resolves when the next connection completed its handshake on the server. */
  nextSecure(): Promise<void>;
  connections(): Promise<number>;
  stop(): Promise<void>;
}

/** A server whose connection handler never reads (no 'data' listener, no pipe). */
async function unreadServer(
  impl: Impl,
  version: Version,
  extra: { allowHalfOpen?: boolean } = {},
  onSecure: (socket: tls.TLSSocket) => void = () => {},
): Promise<UnreadServer> {
  const events: string[][] = [];
  const sockets: tls.TLSSocket[] = [];
  const closes: Promise<unknown>[] = [];
  let secured: () => void = () => {};
  const listener = (socket: tls.TLSSocket): void => {
    events.push(recordEnd(socket));
    sockets.push(socket);
    closes.push(new Promise((resolve) => socket.once('close', resolve)));
    onSecure(socket);
    secured();
  };
  const options = { cert: chain.certChainPem, key: chain.leaf.keyPem, maxVersion: version, ...extra };
  const server: net.Server =
    impl === 'node:tls'
      ? tls.createServer(options, listener)
      : createServer(options, listener as unknown as Parameters<typeof createServer>[1]);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    events,
    sockets,
    closes,
    nextSecure: () =>
      new Promise<void>((resolve) => {
        secured = resolve;
      }),
    connections: () =>
      new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Node's client, connected and past the handshake on both sides, its TLS 1.3 tickets read. */
async function nodeClient(server: UnreadServer, version: Version): Promise<tls.TLSSocket> {
  const secure = server.nextSecure();
  const client = tls.connect({ host: '127.0.0.1', port: server.port, ca: chain.root.pem, servername: 'localhost' });
  client.on('error', () => {});
  // Both servers send two tickets after a full TLS 1.3 handshake (OpenSSL's default): a client that closed with
  // them unread in its kernel buffer would answer with a reset, which is not what these tests are about.
  let tickets = 0;
  const ticketsRead =
    version === 'TLSv1.3'
      ? new Promise<void>((resolve) => client.on('session', () => ++tickets === 2 && resolve()))
      : Promise.resolve();
  await within(10_000, 'handshake', Promise.all([once(client, 'secureConnect'), secure, ticketsRead]));
  return client;
}

/** Resolves when every accepted socket has emitted 'close' (hang-guarded). */
async function allClosed(server: UnreadServer): Promise<void> {
  await within(10_000, "'close' on every server socket", Promise.all(server.closes));
}

/** Polls until the server counts `n` connections (hang-guarded). */
async function connectionsDropTo(server: UnreadServer, n: number): Promise<void> {
  await within(
    10_000,
    `getConnections() → ${n}`,
    (async () => {
      while ((await server.connections()) !== n) await new Promise((r) => setTimeout(r, 10));
    })(),
  );
}

describe('a server that never reads notices the client leaving', () => {
  for (const version of versions) {
    for (const impl of impls) {
      it.each(['destroy', 'end'] as const)(
        `${impl} ${version}: client %s() → 'end', 'close', connections drop`,
        async (how) => {
          const server = await unreadServer(impl, version);
          try {
            for (let i = 0; i < CONNECTIONS; i++) {
              const client = await nodeClient(server, version);
              // destroy(): a FIN without close_notify (at a record boundary: the end, as node:tls); end(): close_notify.
              if (how === 'destroy') client.destroy();
              else client.end();
            }
            await allClosed(server);
            await connectionsDropTo(server, 0);
            expect(server.events).toEqual(Array.from({ length: CONNECTIONS }, () => ['end', 'finish', 'close']));
          } finally {
            await server.stop();
          }
        },
      );

      it(`${impl} ${version}: with allowHalfOpen the server gets 'end' and keeps the connection until it ends`, async () => {
        const server = await unreadServer(impl, version, { allowHalfOpen: true });
        try {
          const clients: tls.TLSSocket[] = [];
          for (let i = 0; i < CONNECTIONS; i++) {
            const client = await nodeClient(server, version);
            client.end();
            clients.push(client);
          }
          await within(
            10_000,
            "'end' on every server socket",
            Promise.all(server.sockets.map((s) => (s.readableEnded ? undefined : once(s, 'end')))),
          );
          expect(await server.connections()).toBe(CONNECTIONS);
          expect(server.events).toEqual(Array.from({ length: CONNECTIONS }, () => ['end']));
          // Our half may still speak; then it ends too, and the connection goes.
          const replies = clients.map((c) => {
            const got: Buffer[] = [];
            c.on('data', (d: Buffer) => got.push(d));
            return once(c, 'end').then(() => Buffer.concat(got).toString());
          });
          for (const s of server.sockets) s.end('after your close_notify');
          expect(await within(10_000, 'replies', Promise.all(replies))).toEqual(
            clients.map(() => 'after your close_notify'),
          );
          await allClosed(server);
          await connectionsDropTo(server, 0);
          expect(server.events).toEqual(Array.from({ length: CONNECTIONS }, () => ['end', 'finish', 'close']));
        } finally {
          await server.stop();
        }
      });
    }
  }
});

describe('a client that never reads notices the server leaving', () => {
  for (const version of versions) {
    for (const serverImpl of impls) {
      for (const clientImpl of impls) {
        it.each(['destroy', 'end'] as const)(
          `${clientImpl} client, ${serverImpl} server ${version}: server %s() → 'end', 'close'`,
          async (how) => {
            const server = await unreadServer(serverImpl, version, {}, (s) => {
              s.on('error', () => {});
              // Once the client has its tickets (TLS 1.3, sent with the handshake's end), so none is cut off.
              setTimeout(() => (how === 'destroy' ? s.destroy() : s.end()), 50);
            });
            try {
              const options = { host: '127.0.0.1', port: server.port, ca: chain.root.pem, servername: 'localhost' };
              const client = clientImpl === 'node:tls' ? tls.connect(options) : connect(options);
              const events = recordEnd(client);
              await within(10_000, 'close', once(client, 'close'));
              expect(events).toEqual(['end', 'finish', 'close']);
            } finally {
              await server.stop();
            }
          },
        );
      }
    }
  }
});

describe('backpressure still holds on a connection nobody reads', () => {
  it.each(impls)(
    '%s server: the client stalls, what the server decrypted ahead stays near its highWaterMark',
    async (impl) => {
      const server = await unreadServer(impl, 'TLSv1.3');
      try {
        const client = await nodeClient(server, 'TLSv1.3');
        const block = Buffer.alloc(256 * 1024, 7);
        let sent = 0;
        let last = -1;
        let still = 0;
        // Write until the writer makes no progress for 300 ms: without backpressure it would run to the cap.
        await within(
          60_000,
          'writer stalls',
          (async () => {
            while (still < 3 && sent < 256 * 1024 * 1024) {
              while (!client.writableNeedDrain) {
                client.write(block);
                sent += block.length;
              }
              await Promise.race([once(client, 'drain'), new Promise((r) => setTimeout(r, 100))]);
              still = sent === last ? still + 1 : 0;
              last = sent;
            }
          })(),
        );
        const reader = server.sockets[0]!;
        console.log(
          `${impl}: ${(sent / 1048576).toFixed(1)} MiB written before the stall, ${reader.readableLength} bytes decrypted ahead`,
        );
        expect(sent).toBeLessThan(32 * 1024 * 1024);
        // One engine read past the mark at most (a socket read's records are decrypted in one pass).
        expect(reader.readableLength).toBeLessThanOrEqual(reader.readableHighWaterMark + 128 * 1024);
        client.destroy();
      } finally {
        await server.stop();
      }
    },
  );
});

/**
 * A server of ours with `idleTimeout`, recording its connection's errors, and a node:tls client connected to it;
 * `onAccept` runs on the server's connection as it arrives.
 */
async function idleTimeoutPair(idleTimeout: number, onAccept: (s: TLSSocket) => void = () => {}) {
  const errors: Error[] = [];
  const seen: { accepted?: TLSSocket } = {};
  const server = createServer({ cert: chain.certChainPem, key: chain.leaf.keyPem, idleTimeout }, (s) => {
    seen.accepted = s;
    s.on('error', (err) => errors.push(err));
    onAccept(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const client = tls.connect({ host: '127.0.0.1', port, ca: chain.root.pem, servername: 'localhost' });
  client.on('error', () => {});
  return { server, client, errors, seen };
}

describe('idleTimeout on a connection nobody reads', () => {
  it('a silent client is dropped with ETIMEDOUT after idleTimeout, read or not (the socket reads as node:tls)', async () => {
    const { server, client, errors, seen } = await idleTimeoutPair(200);
    try {
      client.resume();
      await within(10_000, 'secureConnect', once(client, 'secureConnect'));
      const started = Date.now();
      await within(10_000, 'client sees the end', once(client, 'close'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(seen.accepted?.destroyed).toBe(true);
      expect(errors.map((e) => e.constructor.name)).toEqual(['TransportTimeoutError']);
    } finally {
      server.close();
    }
  });
});

describe('idleTimeout counts writes as activity', () => {
  it('a server that keeps writing to a client that says nothing is not dropped (as socket.setTimeout)', async () => {
    let writer: NodeJS.Timeout | undefined;
    const { server, client, errors, seen } = await idleTimeoutPair(300, (s) => {
      writer = setInterval(() => s.write('tick\n'), 60);
    });
    try {
      let received = 0;
      client.on('data', (d: Buffer) => {
        received += d.length;
      });
      await within(10_000, 'secureConnect', once(client, 'secureConnect'));
      // Three idle periods of writing one way only.
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect(errors).toEqual([]);
      expect(seen.accepted?.destroyed).toBe(false);
      expect(received).toBeGreaterThan(0);
      // Once the server stops writing too, the timeout applies.
      clearInterval(writer);
      await within(10_000, 'client sees the end', once(client, 'close'));
      expect(errors.map((e) => e.constructor.name)).toEqual(['TransportTimeoutError']);
    } finally {
      clearInterval(writer);
      server.close();
    }
  });
});
