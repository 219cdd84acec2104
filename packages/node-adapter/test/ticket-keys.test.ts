// node:tls-shaped ticket keys over TCP on 127.0.0.1 (issue #11): createServer({ ticketKeys }) and
// server.setTicketKeys()/getTicketKeys() — two servers with the same keys resume each other's TLS 1.2 and
// TLS 1.3 tickets, a server with other keys answers with a full handshake, a rotation keeps the replaced
// key's tickets, setSecureContext keeps keys the application set, and a bad length is an SSLError.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, SSLError, type TLSSocket } from '../src/index.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import { within } from './helpers/processes.js';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures(['ecdsa']);
});
afterAll(() => fx?.cleanup());

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) s.close();
});

async function echoServer(options: Parameters<typeof createServer>[0] = {}): Promise<{ server: Server; port: number }> {
  const chain = fx.chains.ecdsa;
  const server = createServer({ cert: chain.pem(chain.serverCert), key: chain.pem(chain.serverKey), ...options }, (s) =>
    s.pipe(s),
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Connects, echoes a byte, and returns whether the session was reused and the session to offer next. */
async function visit(port: number, version: 'TLSv1.2' | 'TLSv1.3', session?: unknown) {
  const chain = fx.chains.ecdsa;
  const socket: TLSSocket = connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: chain.pem(chain.caCert),
    minVersion: version,
    maxVersion: version,
    ...(session === undefined ? {} : { session }),
  });
  const next = within(10_000, "'session'", once(socket, 'session'));
  await within(10_000, 'secureConnect', once(socket, 'secureConnect'));
  const reused = socket.isSessionReused();
  socket.write('x');
  await within(10_000, 'echo', once(socket, 'data'));
  const [fresh] = (await next) as [unknown];
  socket.destroy();
  return { reused, session: fresh };
}

describe.each(['TLSv1.3', 'TLSv1.2'] as const)('createServer({ ticketKeys }), %s', (version) => {
  it('two servers with the same keys resume each other’s sessions; other keys: a full handshake', async () => {
    const keys = randomBytes(48);
    const a = await echoServer({ ticketKeys: keys });
    const b = await echoServer({ ticketKeys: Buffer.from(keys) });
    const other = await echoServer({ ticketKeys: randomBytes(48) });
    expect(a.server.getTicketKeys()).toEqual(keys);
    const first = await visit(a.port, version);
    expect(first.reused).toBe(false);
    const onB = await visit(b.port, version, first.session);
    expect(onB.reused).toBe(true);
    const onOther = await visit(other.port, version, first.session);
    expect(onOther.reused).toBe(false);
  });
});

describe('server.setTicketKeys / getTicketKeys', () => {
  it('a rotation keeps the replaced key’s tickets; setSecureContext keeps the keys set', async () => {
    const a = await echoServer();
    const automatic = a.server.getTicketKeys();
    expect(automatic.length).toBe(48);
    const old = await visit(a.port, 'TLSv1.3');
    const keys = randomBytes(48);
    a.server.setTicketKeys(keys);
    expect(a.server.getTicketKeys()).toEqual(keys);
    // The ticket sealed under the automatic key still resumes (within the rotation period).
    expect((await visit(a.port, 'TLSv1.3', old.session)).reused).toBe(true);
    const current = await visit(a.port, 'TLSv1.3');
    a.server.setSecureContext({});
    expect(a.server.getTicketKeys()).toEqual(keys);
    expect((await visit(a.port, 'TLSv1.3', current.session)).reused).toBe(true);
  });

  it('a key of another length is an SSLError and changes nothing', async () => {
    const keys = randomBytes(48);
    const a = await echoServer({ ticketKeys: keys });
    for (const bad of [randomBytes(32), randomBytes(80), Buffer.alloc(0)]) {
      expect(() => a.server.setTicketKeys(bad)).toThrow(SSLError);
      expect(() => a.server.setTicketKeys(bad)).toThrow(/must be 48 bytes/);
    }
    expect(a.server.getTicketKeys()).toEqual(keys);
    expect(() => createServer({ ticketKeys: randomBytes(47) })).toThrow(
      expect.objectContaining({ reason: 'INVALID_TICKET_KEYS_LENGTH' }),
    );
  });
});
