/**
 * What a closed connection leaves behind: nothing of its own. After each way a node:tls-shaped connection can end
 * — either side's destroy() or end() (close_notify), a server that never reads, a failed handshake — and a full
 * collection, the sockets on both sides, their engines (core's SSLObject), drivers and TCP sockets are gone: no
 * listener on the server or on a shared context, no timer, no cache holds them. The contexts live on, as an
 * HTTPS agent's and a server's do. (Bounded caches keep copies of session state and certificates, never a
 * connection: core's TLS 1.2 session-ID cache, 1024 entries, is tested in core's tls12-units.)
 */
import { once } from 'node:events';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import {
  CERT_NONE,
  connect,
  createServer,
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  type SSLSocket,
  type TLSSocket,
} from '../src/index.js';
import { within } from './helpers/processes.js';

const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });
const otherChain = createChain({ keyType: 'ecdsa-p256', depth: 1 });

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

type Ending = 'client destroy' | 'client end' | 'server end' | 'unread server, client destroy' | 'handshake fails';
const endings: Ending[] = [
  'client destroy',
  'client end',
  'server end',
  'unread server, client destroy',
  'handshake fails',
];

/** What each connection is made of, held weakly. */
function parts(socket: TLSSocket): Array<[string, WeakRef<object>]> {
  const inner = socket as unknown as { driver: object; sslObject: object; transport: object };
  return [
    ['TLSSocket', new WeakRef(socket)],
    ['SSLObject', new WeakRef(inner.sslObject)],
    ['driver', new WeakRef(inner.driver)],
    ['transport', new WeakRef(inner.transport)],
  ];
}

/** Collects until every ref is cleared (or ten rounds passed); the labels of those still alive. */
async function survivors(refs: Array<[string, WeakRef<object>]>): Promise<string[]> {
  let alive: string[] = [];
  for (let round = 0; round < 10; round++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
    alive = refs.filter(([, ref]) => ref.deref() !== undefined).map(([what]) => what);
    if (alive.length === 0) break;
  }
  return alive;
}

const closed = (socket: NodeJS.EventEmitter): Promise<unknown> =>
  new Promise((resolve) => socket.once('close', resolve));

describe('a closed connection leaves nothing behind', () => {
  it.each(['TLSv1.3', 'TLSv1.2'] as const)(
    '%s: sockets, engines, drivers and transports are collected after every kind of close',
    async (version) => {
      const refs: Array<[string, WeakRef<object>]> = [];
      let mode: Ending = 'client destroy';
      const server = createServer(
        { cert: chain.certChainPem, key: chain.leaf.keyPem, maxVersion: version },
        (socket: TLSSocket) => {
          for (const [what, ref] of parts(socket)) refs.push([`${mode}: server ${what}`, ref]);
          socket.on('error', () => {});
          if (mode === 'server end') socket.end('bye');
          else if (mode !== 'unread server, client destroy') socket.pipe(socket);
        },
      );
      const serverSockets: Promise<unknown>[] = [];
      server.on('connection', (raw: net.Socket) => serverSockets.push(closed(raw)));
      server.on('tlsClientError', () => {});
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as net.AddressInfo).port;
      // One client context for every connection, as an HTTPS agent keeps one.
      const clientContext = new SSLContext(PROTOCOL_TLS_CLIENT);
      clientContext.checkHostname = false;
      clientContext.verifyMode = CERT_NONE; // node:tls's model: the socket verifies after the handshake
      clientContext.loadVerifyLocations({ cadata: chain.root.pem });
      const strangerContext = new SSLContext(PROTOCOL_TLS_CLIENT);
      strangerContext.checkHostname = false;
      strangerContext.verifyMode = CERT_NONE;
      strangerContext.loadVerifyLocations({ cadata: otherChain.root.pem }); // does not vouch for the server
      const serverListeners = server.eventNames().map((name) => [name, server.listenerCount(name)]);

      const one = async (ending: Ending): Promise<void> => {
        mode = ending;
        const fails = ending === 'handshake fails';
        const client = connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          context: fails ? strangerContext : clientContext,
        });
        for (const [what, ref] of parts(client)) refs.push([`${ending}: client ${what}`, ref]);
        const clientClosed = closed(client);
        const events: string[] = [];
        client.on('error', (err: Error & { code?: string }) => events.push(`error ${err.code ?? err.message}`));
        if (fails) {
          await within(10_000, `${ending}: close`, clientClosed);
          expect(events).toEqual(['error UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
          return;
        }
        await within(10_000, `${ending}: secureConnect`, once(client, 'secureConnect'));
        if (ending === 'client destroy' || ending === 'unread server, client destroy') client.destroy();
        else if (ending === 'client end') {
          client.resume();
          client.end('ping');
        } else client.resume();
        await within(10_000, `${ending}: close`, clientClosed);
        expect(events).toEqual([]);
      };
      try {
        for (const ending of endings) await one(ending);
        // Every server-side TCP socket closed too (the unread one only since TLSSocket reads as node:tls does).
        await within(10_000, 'server sockets close', Promise.all(serverSockets));
        await within(
          10_000,
          'connections drop',
          (async () => {
            for (;;) {
              const n = await new Promise<number>((r) => server.getConnections((_e, count) => r(count)));
              if (n === 0) return;
              await new Promise((r) => setTimeout(r, 10));
            }
          })(),
        );
        expect(await survivors(refs)).toEqual([]);
        // Four parts a side; the failed handshake too completes on the server (the client verifies afterwards).
        expect(refs.length).toBe(endings.length * 8);
        // Nothing was added to the server per connection either.
        expect(server.eventNames().map((name) => [name, server.listenerCount(name)])).toEqual(serverListeners);
      } finally {
        server.close();
      }
    },
  );

  it("Python-shaped SSLSocket: close(), unwrap() and the peer's end release the socket, engine and driver", async () => {
    const server = createServer({ cert: chain.certChainPem, key: chain.leaf.keyPem }, (socket: TLSSocket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const context = new SSLContext(PROTOCOL_TLS_CLIENT);
    context.loadVerifyLocations({ cadata: chain.root.pem });
    const refs: Array<[string, WeakRef<object>]> = [];
    const one = async (how: 'close' | 'unwrap' | 'the peer ends'): Promise<void> => {
      const raw = net.connect({ host: '127.0.0.1', port });
      await once(raw, 'connect');
      const sock: SSLSocket = context.wrapSocket(raw, { serverHostname: 'localhost' });
      const inner = sock as unknown as { driver: object; sslobj: object };
      refs.push([`${how}: SSLSocket`, new WeakRef(sock)], [`${how}: engine`, new WeakRef(inner.sslobj)]);
      refs.push([`${how}: driver`, new WeakRef(inner.driver)], [`${how}: transport`, new WeakRef(raw)]);
      await within(10_000, `${how}: handshake`, sock.doHandshake());
      await sock.sendall(new TextEncoder().encode('ping'));
      expect(new TextDecoder().decode(await sock.recv(4))).toBe('ping');
      const rawClosed = raw.destroyed ? undefined : closed(raw);
      if (how === 'close') await sock.close();
      else if (how === 'unwrap') (await within(10_000, 'unwrap', sock.unwrap())).destroy();
      else {
        // Our FIN; the echoing server ends in turn (close_notify, FIN), which recv reads as the end (b''); the
        // owner closes the socket, as in Python.
        raw.end();
        expect((await within(10_000, 'recv end', sock.recv(10))).length).toBe(0);
        await sock.close();
      }
      await within(10_000, `${how}: transport close`, rawClosed ?? Promise.resolve());
    };
    try {
      await one('close');
      await one('unwrap');
      await one('the peer ends');
      expect(await survivors(refs)).toEqual([]);
    } finally {
      server.close();
    }
  });
});
