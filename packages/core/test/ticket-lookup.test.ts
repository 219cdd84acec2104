/**
 * Tickets this context did not seal (issue #11): the server's `ticketLookupCallback` (OpenSSL's
 * psk_find_session callback) resumes a pre_shared_key identity from the application's own store, with the
 * binder checked against the PSK it returns (RFC 8446 §4.2.11); an unknown identity gives a full
 * handshake; a wrong PSK is decrypt_error; an unusable answer or a throwing callback is internal_error.
 * And the client's half: `sessionFromNewSessionTicket` makes a session from a NewSessionTicket and a
 * resumption_master_secret recorded elsewhere — RFC 8448 §3's gives the RFC's PSK.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type SSLContext,
  SSLError,
  type SSLSession,
  sessionFromNewSessionTicket,
  type TicketLookupResult,
  TLSVersion,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  connectPair,
  handshakeUntilError,
  makePair,
  type Pair,
  serverContext,
} from './helpers/tls-pair.js';

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const pair = (clientCtx: SSLContext, serverCtx: SSLContext, session?: SSLSession): Pair =>
  makePair(clientCtx, serverCtx, 'localhost', session ?? null);

/** A handshake and one exchange each way (the client reads its tickets with the server's data). */
function connect(p: Pair): Pair {
  connectPair(p);
  return p;
}

function tls13Client(): SSLContext {
  const ctx = clientContext();
  ctx.minimumVersion = TLSVersion.TLSv1_3;
  return ctx;
}

/** A ticket from server A, and what an application's store would hold about it. */
function issued(clientCtx: SSLContext): { session: SSLSession; entry: TicketLookupResult } {
  const session = connect(pair(clientCtx, serverContext())).client.session!;
  const t = session.tls13!;
  return {
    session,
    entry: { suite: t.suiteCode, psk: t.psk, issuedAt: t.receivedAt, lifetime: t.lifetime, ageAdd: t.ageAdd },
  };
}

describe('ticketLookupCallback (server)', () => {
  it('resumes an identity the application knows; passes over one it does not (full handshake, no error)', () => {
    const clientCtx = tls13Client();
    const { session, entry } = issued(clientCtx);
    const server = serverContext(); // other ticket keys: cannot open A's ticket itself
    const seen: { identity: string; serverName: string | null }[] = [];
    server.ticketLookupCallback = (identity, info) => {
      seen.push({ identity: toHex(identity), serverName: info.serverName });
      return toHex(identity) === toHex(session.tls13!.ticket) ? entry : null;
    };
    const resumed = connect(pair(clientCtx, server, session));
    expect(resumed.server.sessionReused).toBe(true);
    expect(resumed.client.sessionReused).toBe(true);
    expect(seen).toEqual([{ identity: toHex(session.tls13!.ticket), serverName: 'localhost' }]);

    // Another server's ticket the application does not know: a full handshake.
    const unknown = issued(clientCtx).session;
    const full = connect(pair(clientCtx, server, unknown));
    expect(full.server.sessionReused).toBe(false);
    expect(full.client.sessionReused).toBe(false);
    expect(seen.length).toBe(2);
    // Our own tickets never reach the callback.
    const own = full.client.session!;
    expect(connect(pair(clientCtx, server, own)).server.sessionReused).toBe(true);
    expect(seen.length).toBe(2);
  });

  it('an expired or name-bound entry is passed over: full handshake', () => {
    const clientCtx = tls13Client();
    const { session, entry } = issued(clientCtx);
    const server = serverContext();
    server.ticketLookupCallback = () => ({ ...entry, issuedAt: entry.issuedAt - entry.lifetime * 1000 - 1 });
    expect(connect(pair(clientCtx, server, session)).server.sessionReused).toBe(false);
    server.ticketLookupCallback = () => ({ ...entry, serverName: 'other.example' });
    expect(connect(pair(clientCtx, server, session)).server.sessionReused).toBe(false);
  });

  it('a PSK that is not the ticket’s fails the binder: decrypt_error (RFC 8446 §4.2.11)', () => {
    const clientCtx = tls13Client();
    const { session, entry } = issued(clientCtx);
    const server = serverContext();
    server.ticketLookupCallback = () => ({ ...entry, psk: new Uint8Array(32).fill(7) });
    const errors = handshakeUntilError(pair(clientCtx, server, session));
    expect((errors.server as SSLError).reason).toBe('BINDER_DOES_NOT_VERIFY');
    expect(String(errors.client)).toMatch(/decrypt error/i);
  });

  it.each([
    ['a PSK of another length', (e: TicketLookupResult) => ({ ...e, psk: new Uint8Array(48) }), /hash's length/],
    ['an unknown suite', (e: TicketLookupResult) => ({ ...e, suite: 0x1399 }), /unknown TLS 1.3 cipher suite/],
    [
      'a throwing callback',
      () => {
        throw new Error('store offline');
      },
      /threw an exception/,
    ],
  ])('%s: SSLError INTERNAL_ERROR, internal_error to the client', (_name, answer, message) => {
    const clientCtx = tls13Client();
    const { session, entry } = issued(clientCtx);
    const server = serverContext();
    server.ticketLookupCallback = () => answer(entry);
    const errors = handshakeUntilError(pair(clientCtx, server, session));
    expect(errors.server).toBeInstanceOf(SSLError);
    expect((errors.server as SSLError).reason).toBe('INTERNAL_ERROR');
    expect((errors.server as SSLError).message).toMatch(message);
    expect(String(errors.client)).toMatch(/internal error/i);
  });
});

const trace = fileURLToPath(new URL('../../../test-vectors/rfc8448/simple-1rtt.json', import.meta.url));
const traceAvailable = existsSync(trace);
if (!traceAvailable) console.log('ticket-lookup: RFC 8448 §3 case skipped, test-vectors/rfc8448 is missing');

describe('sessionFromNewSessionTicket (client)', () => {
  it.skipIf(!traceAvailable)(
    'RFC 8448 §3: the NewSessionTicket and resumption_master_secret give the RFC’s PSK',
    () => {
      const items: { side: string; step: string; label: string; hex: string }[] = JSON.parse(
        readFileSync(trace, 'utf8'),
      ).items;
      const find = (side: string, step: string, label: string) =>
        hex(items.find((i) => i.side === side && i.step.includes(step) && i.label === label)!.hex);
      const nst = find('server', 'construct a NewSessionTicket', 'NewSessionTicket');
      const session = sessionFromNewSessionTicket({
        newSessionTicket: nst,
        resumptionMasterSecret: find('client', 'derive secret "tls13 res master"', 'expanded'),
        suite: 'TLS_AES_128_GCM_SHA256',
        receivedAt: Date.UTC(2017, 0, 1),
        serverName: 'server',
      });
      expect(toHex(session.tls13!.psk)).toBe(toHex(find('server', 'generate resumption secret', 'expanded')));
      expect(session.hasTicket).toBe(true);
      expect(session.ticketLifetimeHint).toBe(30);
      expect(session.tls13!.maxEarlyData).toBe(1024);
      expect(session.tls13!.serverName).toBe('server');
      // The ticket is the message's (body offset: 4 header + 4 lifetime + 4 age_add + 1+2 nonce + 2 length).
      expect(toHex(session.tls13!.ticket)).toBe(toHex(nst.subarray(17, 17 + session.tls13!.ticket.length)));
    },
  );

  it.each([
    ['not a NewSessionTicket', { newSessionTicket: hex('0100000400000000') }, /not a NewSessionTicket/],
    ['an unknown suite', { suite: 'TLS_NOPE' }, /unknown TLS 1.3 cipher suite/],
    ['a short secret', { resumptionMasterSecret: new Uint8Array(31) }, /32-byte resumption_master_secret/],
    [
      'a zero lifetime',
      { newSessionTicket: hex('0400000e' + '00000000' + '00000001' + '00' + '0001aa' + '0000') },
      /discarded/,
    ],
  ])('%s: SSLError', (_name, change, message) => {
    const base = {
      newSessionTicket: hex('0400000f' + '0000001e' + '00000001' + '00' + '0002aabb' + '0000'),
      resumptionMasterSecret: new Uint8Array(32),
      suite: 0x1301,
      receivedAt: 0,
    };
    expect(() => sessionFromNewSessionTicket({ ...base, ...change })).toThrow(message);
    expect(() => sessionFromNewSessionTicket({ ...base, ...change })).toThrow(SSLError);
    expect(sessionFromNewSessionTicket(base).tls13!.ticket).toEqual(hex('aabb'));
  });
});
