/**
 * RFC 8448 §4 (Resumed 0-RTT Handshake) replayed byte for byte on the client side: the §3 handshake
 * (replayed as in rfc8448-replay.test.ts) leaves the client the RFC's NewSessionTicket; the §4
 * ClientHello then carries that ticket, a binder computed by our engine equal to the RFC's, and 0-RTT
 * data under client_early_traffic_secret; after the server's flight (no certificate: PSK
 * authentication) the client sends EndOfEarlyData under the early key, then its Finished — every
 * record equal to the trace. The server side of §4 cannot be replayed: the RFC's ticket is the opaque
 * encryption of the RFC server's own state, which only that server can open.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MemoryBIO,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  type SSLSession,
  SSLWantReadError,
} from '@sanstls/core';
import { parseClientHello, splitHandshake } from '@sanstls/core/codec';
import { describe, expect, it } from 'vitest';

interface Item {
  side: 'client' | 'server';
  step: string;
  label: string;
  hex: string;
}

const dir = new URL('../../../test-vectors/rfc8448/', import.meta.url);
const available = existsSync(fileURLToPath(new URL('resumed-0rtt.json', dir)));
if (!available) console.log('rfc8448-resumption-replay: skipped, test-vectors/rfc8448 is missing');

const load = (name: string): Item[] => JSON.parse(readFileSync(fileURLToPath(new URL(name, dir)), 'utf8')).items;
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function find(items: Item[], side: 'client' | 'server', step: string, label: string, n = 0): Uint8Array {
  const item = items.filter((i) => i.side === side && i.step.includes(step) && i.label === label)[n];
  if (item === undefined) throw new Error(`no ${side} ${step} ${label} #${n}`);
  return hex(item.hex);
}

const records = (items: Item[], side: 'client' | 'server') =>
  items
    .filter((i) => i.side === side && i.step.startsWith('send') && i.label === 'complete record')
    .map((i) => hex(i.hex));

function scriptedRandom(values: Uint8Array[]): (n: number) => Uint8Array {
  const queue = [...values];
  return (n) => {
    const next = queue.shift();
    if (next === undefined || next.length !== n)
      throw new Error(`unexpected randomBytes(${n}); next scripted value has ${next?.length}`);
    return next.slice();
  };
}

function drive(obj: { doHandshake(): void }): void {
  try {
    obj.doHandshake();
  } catch (e) {
    if (!(e instanceof SSLWantReadError)) throw e;
  }
}

/** A client context as RFC 8448's client: its suites and group, no middlebox compatibility, its hello extensions. */
function rfcClient(randoms: Uint8Array[], helloMessage: Uint8Array): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, {
    randomBytes: scriptedRandom(randoms),
    now: () => Date.UTC(2017, 0, 1),
  });
  ctx.checkHostname = false;
  ctx.verifyMode = 0; // the RFC's certificate is self-signed RSA-1024
  ctx.options &= ~OP_ENABLE_MIDDLEBOX_COMPAT;
  ctx.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384');
  ctx.setGroups(['x25519']);
  const { body, raw } = splitHandshake(helloMessage);
  const extensions = parseClientHello(body, raw).extensions;
  // The trace's client sent extensions this engine does not generate; pre_shared_key's binder is ours.
  ctx.replayHooks = { clientHelloExtensions: () => extensions.map((e) => ({ type: e.type, body: e.body.slice() })) };
  return ctx;
}

/** §3 as the client, through the NewSessionTicket: the session the RFC's §4 client resumes. */
function section3Session(): SSLSession {
  const items = load('simple-1rtt.json');
  const ch = splitHandshake(find(items, 'client', 'construct a ClientHello', 'ClientHello'));
  const random = parseClientHello(ch.body, ch.raw).random;
  const ctx = rfcClient([random, find(items, 'client', 'ephemeral x25519', 'private key')], ch.raw);
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const obj = ctx.wrapBio(incoming, outgoing, { serverHostname: 'server' });
  const [sh, flight, ticket] = records(items, 'server');
  drive(obj);
  incoming.write(sh!);
  incoming.write(flight!);
  drive(obj);
  incoming.write(ticket!);
  expect(() => obj.read()).toThrow(SSLWantReadError);
  const session = obj.session!;
  expect(session.hasTicket).toBe(true);
  // §3's ticket: lifetime 30 s, early data up to 1024 bytes; the PSK is §3's "tls13 resumption" output.
  expect(session.ticketLifetimeHint).toBe(30);
  expect(session.tls13!.maxEarlyData).toBe(1024);
  expect(toHex(session.tls13!.psk)).toBe(toHex(find(items, 'server', 'generate resumption secret', 'expanded')));
  return session;
}

describe.skipIf(!available)('RFC 8448 §4 resumed 0-RTT handshake', () => {
  it('client side: ClientHello with the binder, 0-RTT data, EndOfEarlyData and Finished equal the RFC', () => {
    const items = load('resumed-0rtt.json');
    const session = section3Session();
    const [ch, early, eoed, fin, app, alert] = records(items, 'client');
    const [sh, flight, serverApp] = records(items, 'server');
    // The full ClientHello is the first record's payload (the "ClientHello" item is the truncated one).
    const helloMessage = find(items, 'client', 'send handshake record', 'payload', 0);
    const random = parseClientHello(splitHandshake(helloMessage).body).random;
    const ctx = rfcClient([random, find(items, 'client', 'ephemeral x25519', 'private key')], helloMessage);
    const keylog: string[] = [];
    ctx.keylogCallback = (line) => keylog.push(line);
    const incoming = new MemoryBIO();
    const outgoing = new MemoryBIO();
    const obj = ctx.wrapBio(incoming, outgoing, { serverHostname: 'server', session });
    expect(obj.writeEarlyData(find(items, 'client', 'send application_data', 'payload', 0))).toBe(6);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch!) + toHex(early!));
    expect(obj.earlyDataStatus).toBe('offered');
    expect(keylog[0]).toBe(
      `CLIENT_EARLY_TRAFFIC_SECRET ${toHex(random)} ${toHex(find(items, 'client', 'derive secret "tls13 c e traffic"', 'expanded'))}`,
    );
    incoming.write(sh!);
    incoming.write(flight!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    expect(obj.sessionReused).toBe(true);
    expect(obj.earlyDataStatus).toBe('accepted');
    expect(toHex(outgoing.read())).toBe(toHex(eoed!) + toHex(fin!));
    obj.write(find(items, 'client', 'send application_data', 'payload', 1));
    expect(toHex(outgoing.read())).toBe(toHex(app!));
    incoming.write(serverApp!);
    expect(toHex(obj.read(1000))).toBe(toHex(find(items, 'server', 'send application_data', 'payload')));
    expect(() => obj.unwrap()).toThrow(SSLWantReadError);
    expect(toHex(outgoing.read())).toBe(toHex(alert!));
  });
});
