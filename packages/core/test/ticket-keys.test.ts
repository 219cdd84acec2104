/**
 * Session-ticket keys set by the application (issue #11, "ticket keys injectable through public
 * options"): `ctx.setTicketKeys(48 bytes)` / `ctx.getTicketKeys()`, shared by TLS 1.2 (RFC 5077) and
 * TLS 1.3 (RFC 8446 §4.6.1) tickets. Two server contexts with the same keys resume each other's tickets;
 * different keys give a full handshake without an error; a rotation keeps the replaced key's tickets
 * valid for one rotation period (and renews them); any other length is SSLError INVALID_TICKET_KEYS_LENGTH.
 */
import { type SSLContext, SSLError, type SSLSession, TICKET_KEYS_LENGTH, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { clientContext, connectPair, makePair, type Pair, serverContext } from './helpers/tls-pair.js';

const keysOf = (fill: number) => new Uint8Array(TICKET_KEYS_LENGTH).map((_, i) => (fill + i * 7) & 0xff);

/** A handshake and one exchange each way (the TLS 1.3 client reads its tickets with the server's data). */
function connect(clientCtx: SSLContext, serverCtx: SSLContext, session?: SSLSession): Pair {
  const pair = makePair(clientCtx, serverCtx, 'localhost', session ?? null);
  connectPair(pair);
  return pair;
}

function client(version: number): SSLContext {
  const ctx = clientContext();
  ctx.minimumVersion = version;
  ctx.maximumVersion = version;
  return ctx;
}

const VERSIONS = [
  ['TLS 1.3', TLSVersion.TLSv1_3],
  ['TLS 1.2', TLSVersion.TLSv1_2],
] as const;

describe.each(VERSIONS)('ticket keys set by the application, %s', (_name, version) => {
  it('two servers with the same keys resume each other’s tickets; other keys give a full handshake', () => {
    const keys = keysOf(1);
    const a = serverContext();
    const b = serverContext();
    a.setTicketKeys(keys);
    b.setTicketKeys(keys.slice());
    const clientCtx = client(version);
    const first = connect(clientCtx, a);
    expect(first.client.sessionReused).toBe(false);
    const session = first.client.session!;
    expect(session.hasTicket).toBe(true);
    // The ticket starts with the key name (RFC 5077 §4 layout), the first 16 bytes of the keys.
    const ticket = version === TLSVersion.TLSv1_3 ? session.tls13!.ticket : session.tls12!.ticket!;
    expect(ticket.subarray(0, 16)).toEqual(keys.subarray(0, 16));
    const onB = connect(clientCtx, b, session);
    expect(onB.client.sessionReused).toBe(true);
    expect(onB.server.sessionReused).toBe(true);
    // And back: b's ticket resumes on a.
    const back = connect(clientCtx, a, onB.client.session!);
    expect(back.server.sessionReused).toBe(true);

    // Same name, other key bytes: the ticket does not authenticate — a full handshake, no error.
    const other = serverContext();
    const forged = keys.slice();
    forged[40] ^= 0x01;
    other.setTicketKeys(forged);
    const miss = connect(clientCtx, other, session);
    expect(miss.client.sessionReused).toBe(false);
    expect(miss.server.sessionReused).toBe(false);
    // A server with automatic (random) keys cannot open it either.
    expect(connect(clientCtx, serverContext(), session).server.sessionReused).toBe(false);
  });

  it('rotation: the replaced key opens tickets for one rotation period, then not', () => {
    let now = Date.now();
    const server = serverContext(['ec256'], { now: () => now });
    server.tls12.ticketKeyRotation = 60;
    server.tls12.sessionTimeout = 100_000;
    server.setTicketKeys(keysOf(1));
    const clientCtx = clientContext({ now: () => now });
    clientCtx.minimumVersion = version;
    clientCtx.maximumVersion = version;
    const old = connect(clientCtx, server).client.session!;
    // Application keys do not rotate by themselves: long past the rotation period, still current.
    now += 1000 * 1000;
    expect(server.getTicketKeys()).toEqual(keysOf(1));
    const stillCurrent = connect(clientCtx, server, old);
    expect(stillCurrent.server.sessionReused).toBe(true);
    const older = stillCurrent.client.session!;

    server.setTicketKeys(keysOf(2));
    expect(server.getTicketKeys()).toEqual(keysOf(2));
    expect(server.tls12.ticketKeyNames).toEqual([keysOf(2).subarray(0, 16), keysOf(1).subarray(0, 16)]);
    // Within the window the old key's ticket resumes, and the client gets a ticket under the new key.
    now += 30 * 1000;
    const renewed = connect(clientCtx, server, older);
    expect(renewed.server.sessionReused).toBe(true);
    const fresh = renewed.client.session!;
    const freshTicket = version === TLSVersion.TLSv1_3 ? fresh.tls13!.ticket : fresh.tls12!.ticket!;
    expect(freshTicket.subarray(0, 16)).toEqual(keysOf(2).subarray(0, 16));
    // One rotation period after the replacement the old key is retired: full handshake, no error.
    now += 31 * 1000;
    const retired = connect(clientCtx, server, older);
    expect(retired.server.sessionReused).toBe(false);
    // The new key's ticket still resumes.
    expect(connect(clientCtx, server, fresh).server.sessionReused).toBe(true);
  });
});

describe('ticket key API', () => {
  it('getTicketKeys returns the automatic key, which another server can then use', () => {
    const a = serverContext();
    const keys = a.getTicketKeys();
    expect(keys.length).toBe(48);
    expect(a.getTicketKeys()).toEqual(keys); // stable until it rotates
    const b = serverContext();
    b.setTicketKeys(keys);
    const clientCtx = client(TLSVersion.TLSv1_3);
    const first = connect(clientCtx, a);
    expect(connect(clientCtx, b, first.client.session!).server.sessionReused).toBe(true);
  });

  it('the ticketKeys constructor option is setTicketKeys at creation (bad lengths refused there too)', () => {
    const a = serverContext(['ec256'], { ticketKeys: keysOf(9) });
    expect(a.getTicketKeys()).toEqual(keysOf(9));
    const b = serverContext();
    b.setTicketKeys(keysOf(9));
    const clientCtx = client(TLSVersion.TLSv1_3);
    const first = connect(clientCtx, a);
    expect(connect(clientCtx, b, first.client.session!).server.sessionReused).toBe(true);
    expect(() => serverContext(['ec256'], { ticketKeys: new Uint8Array(47) })).toThrow(
      expect.objectContaining({ reason: 'INVALID_TICKET_KEYS_LENGTH' }),
    );
  });

  it('setting the current keys again is not a rotation', () => {
    const a = serverContext();
    a.setTicketKeys(keysOf(5));
    a.setTicketKeys(keysOf(5));
    expect(a.tls12.ticketKeyNames.length).toBe(1);
  });

  it.each([0, 16, 32, 47, 49, 80, 96])('%i bytes: SSLError INVALID_TICKET_KEYS_LENGTH, keys unchanged', (n) => {
    const a = serverContext();
    a.setTicketKeys(keysOf(3));
    let error: unknown;
    try {
      a.setTicketKeys(new Uint8Array(n));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SSLError);
    expect((error as SSLError).reason).toBe('INVALID_TICKET_KEYS_LENGTH');
    expect((error as SSLError).message).toContain(`must be 48 bytes`);
    expect(a.getTicketKeys()).toEqual(keysOf(3));
  });

  it('a value that is not bytes is the same SSLError, not a TypeError', () => {
    const a = serverContext();
    expect(() => a.setTicketKeys('0123456789abcdef0123456789abcdef0123456789abcdef' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ reason: 'INVALID_TICKET_KEYS_LENGTH' }),
    );
  });
});
