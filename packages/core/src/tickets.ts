/**
 * TLS 1.3 session tickets (RFC 8446 §4.6.1) and 0-RTT anti-replay (§8).
 *
 * - The server's tickets are stateless: the resumption state ({@link Tls13TicketState}) is sealed under
 *   the context's rotating ticket keys, the same key ring as TLS 1.2's RFC 5077 tickets
 *   (`Tls12ContextState.sealTicketBytes`), told apart by a format byte.
 * - The client keeps what it needs to offer a ticket ({@link Tls13ClientTicket}) in its SSLSession.
 * - Early data is accepted at most once per ticket (§8.1 "single-use tickets"): {@link AntiReplayStore}
 *   remembers the ids of tickets used for 0-RTT until they expire, bounded in size; when full it
 *   refuses early data rather than forgetting (a replay is never accepted, §8).
 * @module
 */
import { SSLError, toHex } from '@sanstls/x509';
import { tlsFailure } from './alerts.js';
import { ExtensionType, HandshakeType } from './codec/enums.js';
import { parseEarlyDataNewSessionTicket } from './codec/extensions.js';
import { parseNewSessionTicketTls13, splitHandshake } from './codec/messages.js';
import { Reader } from './codec/reader.js';
import { Writer } from './codec/writer.js';
import { hkdfExpandLabel } from './crypto/keyschedule.js';
import { defaultProvider } from './crypto/noble.js';
import type { CryptoProvider } from './crypto/provider.js';
import { tls13SuiteByCode, tls13SuiteByName } from './handshake/suites.js';
import { SSLSession } from './session.js';
import {
  decodeSessionState,
  encodeSessionState,
  readPeerState,
  readStateTime,
  type Tls12ClientSession,
  type Tls12ContextState,
  writePeerState,
  writeStateTime,
} from './session12.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)". */
export const MAX_TICKET_LIFETIME = 604800;
/** Default ticket lifetime (OpenSSL's session timeout, 7200 s). */
export const DEFAULT_TICKET_LIFETIME = 7200;
/** Tickets per full handshake (OpenSSL's default, SSL_CTX_set_num_tickets). */
export const DEFAULT_TICKET_COUNT = 2;
/** §8.3: the window within which the client's view of the ticket age must match ours for 0-RTT. */
export const EARLY_DATA_FRESHNESS_WINDOW_MS = 10_000;
const TICKET_ID_LENGTH = 16;
const STATE_FORMAT_TLS13 = 0x13;

/** What a TLS 1.3 ticket restores on the server. */
export interface Tls13TicketState {
  readonly suiteCode: number;
  /** The resumption PSK (§4.6.1: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length)). */
  readonly psk: Uint8Array;
  /** Milliseconds since the epoch when the ticket was issued. */
  readonly issuedAt: number;
  /** Seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  /** 0: no early data with this ticket. */
  readonly maxEarlyData: number;
  /** Random, unique per ticket: the single-use key of the anti-replay store. */
  readonly ticketId: Uint8Array;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerChain: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

/** What a client keeps to offer a ticket (inside SSLSession). */
export interface Tls13ClientTicket {
  readonly suiteCode: number;
  readonly psk: Uint8Array;
  readonly ticket: Uint8Array;
  /** Seconds (the server's ticket_lifetime). */
  readonly lifetime: number;
  readonly ageAdd: number;
  /** Milliseconds since the epoch when the NewSessionTicket arrived. */
  readonly receivedAt: number;
  readonly maxEarlyData: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerChain: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

export function encodeTicketState(s: Tls13TicketState): Uint8Array {
  const w = new Writer(160);
  w.u8(STATE_FORMAT_TLS13).u16(s.suiteCode);
  w.vec8(s.psk);
  writeStateTime(w, s.issuedAt);
  w.u32(s.lifetime).u32(s.ageAdd).u32(s.maxEarlyData);
  w.vec8(s.ticketId);
  writePeerState(w, s);
  return w.finish();
}

/** The state of an opened ticket, or undefined when it is not a TLS 1.3 ticket of ours. */
export function decodeTicketState(bytes: Uint8Array): Tls13TicketState | undefined {
  try {
    const r = new Reader(bytes);
    if (r.u8('format') !== STATE_FORMAT_TLS13) return undefined;
    const suiteCode = r.u16('suite');
    const psk = r.vec8('psk', 32, 48).slice();
    const issuedAt = readStateTime(r);
    const lifetime = r.u32('lifetime');
    const ageAdd = r.u32('age add');
    const maxEarlyData = r.u32('max early data');
    const ticketId = r.vec8('ticket id', TICKET_ID_LENGTH, TICKET_ID_LENGTH).slice();
    const peer = readPeerState(r);
    r.expectEnd('ticket state');
    return { suiteCode, psk, issuedAt, lifetime, ageAdd, maxEarlyData, ticketId, ...peer };
  } catch {
    return undefined;
  }
}

/**
 * What a server's `ticketLookupCallback` returns for a pre_shared_key identity it recognises: the
 * resumption state of a ticket this context did not seal (another implementation's tickets, a ticket
 * store keyed by identity, a recorded trace). Times are those of the ticket's issue, as the issuing
 * server knew them.
 */
export interface TicketLookupResult {
  /** The TLS 1.3 suite the ticket was issued under (code or name); its hash must be the negotiated suite's. */
  readonly suite: number | string;
  /** The resumption PSK (§4.6.1: HKDF-Expand-Label(resumption_master_secret, "resumption", nonce, Hash.length)). */
  readonly psk: Uint8Array;
  /** Milliseconds since the epoch when the ticket was issued. */
  readonly issuedAt: number;
  /** The ticket_lifetime sent, seconds: past it the ticket is passed over. */
  readonly lifetime: number;
  /** The ticket_age_add sent (0-RTT checks the client's ticket age with it, §8.3). */
  readonly ageAdd: number;
  /** The max_early_data_size sent (default 0: no 0-RTT with this ticket). */
  readonly maxEarlyData?: number;
  /** The server name the ticket is bound to (default: whatever the client asks for now). */
  readonly serverName?: string | null;
  readonly alpn?: string | null;
  /** The client's certificates (DER, leaf first) from the original handshake, and whether they were verified. */
  readonly peerChain?: readonly Uint8Array[];
  readonly peerVerified?: boolean;
}

/**
 * Server: called with each offered PSK identity our ticket keys cannot open (RFC 8446 §4.2.11), as
 * OpenSSL's SSL_CTX_set_psk_find_session_callback; null or undefined passes the identity over (a full
 * handshake when none is usable). Synchronous. The binder is then checked with the returned PSK, and
 * the identity is the single-use key for 0-RTT anti-replay (§8.1).
 */
export type TicketLookupCallback = (
  identity: Uint8Array,
  info: { readonly serverName: string | null },
) => TicketLookupResult | null | undefined;

/**
 * The state of a ticket found by the application's {@link TicketLookupCallback}, or undefined when it has
 * none (or the ticket it found has expired). A result the engine cannot use (an unknown suite, a PSK of
 * another length than the suite's hash) is a failure with internal_error, as an exception thrown by the
 * callback is.
 */
export function lookupTicket(
  callback: TicketLookupCallback | null,
  identity: Uint8Array,
  serverName: string | null,
  provider: CryptoProvider,
  nowMs: number,
): Tls13TicketState | undefined {
  if (callback === null) return undefined;
  let found: TicketLookupResult | null | undefined;
  try {
    found = callback(identity.slice(), { serverName });
  } catch (e) {
    if (e instanceof SSLError) throw e;
    throw tlsFailure('INTERNAL_ERROR', 'ticketLookupCallback threw an exception');
  }
  if (found == null) return undefined;
  const suite = typeof found.suite === 'number' ? tls13SuiteByCode(found.suite) : tls13SuiteByName(found.suite);
  if (suite === undefined) throw tlsFailure('INTERNAL_ERROR', 'ticketLookupCallback: unknown TLS 1.3 cipher suite');
  if (!(found.psk instanceof Uint8Array) || found.psk.length !== provider.hash(suite.hash).outputLength)
    throw tlsFailure('INTERNAL_ERROR', `ticketLookupCallback: the PSK of ${suite.name} has the hash's length`);
  const state: Tls13TicketState = {
    suiteCode: suite.code,
    psk: found.psk.slice(),
    issuedAt: found.issuedAt,
    lifetime: Math.min(found.lifetime, MAX_TICKET_LIFETIME),
    ageAdd: found.ageAdd >>> 0,
    maxEarlyData: found.maxEarlyData ?? 0,
    ticketId: identity.slice(),
    serverName: found.serverName === undefined ? serverName : found.serverName,
    alpn: found.alpn ?? null,
    peerChain: found.peerChain ?? [],
    peerVerified: found.peerVerified ?? false,
  };
  return ticketExpired(state, nowMs) ? undefined : state;
}

/** A fresh random ticket id. */
export function newTicketId(randomBytes: (n: number) => Uint8Array): Uint8Array {
  return randomBytes(TICKET_ID_LENGTH).slice();
}

/** Seals a TLS 1.3 ticket under the context's ticket keys (shared with TLS 1.2, RFC 5077 §4 layout). */
export function sealTicket(
  store: Tls12ContextState,
  state: Tls13TicketState,
  provider: CryptoProvider,
  nowMs: number,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  return store.sealTicketBytes(encodeTicketState(state), provider, Math.floor(nowMs / 1000), randomBytes);
}

/**
 * Opens a ticket offered in a pre_shared_key identity: undefined when it is not ours, is damaged, was
 * sealed under a retired key, or has expired (§4.6.1: never resume past ticket_lifetime).
 */
export function openTicket(
  store: Tls12ContextState,
  ticket: Uint8Array,
  provider: CryptoProvider,
  nowMs: number,
): Tls13TicketState | undefined {
  const opened = store.openTicketBytes(ticket, provider, Math.floor(nowMs / 1000));
  const state = opened === undefined ? undefined : decodeTicketState(opened.plain);
  return state === undefined || ticketExpired(state, nowMs) ? undefined : state;
}

/** §4.6.1: never resume past ticket_lifetime (nor with a ticket from the future). */
function ticketExpired(state: Tls13TicketState, nowMs: number): boolean {
  return nowMs < state.issuedAt || nowMs - state.issuedAt >= state.lifetime * 1000;
}

/**
 * §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32, the age counted from when
 * the client received the ticket.
 */
export function obfuscatedTicketAge(ticket: Tls13ClientTicket, nowMs: number): number {
  const age = Math.max(0, Math.floor(nowMs - ticket.receivedAt));
  return (age + ticket.ageAdd) >>> 0;
}

/** A client ticket is usable while younger than its lifetime (and never beyond 7 days, §4.6.1). */
export function clientTicketUsable(ticket: Tls13ClientTicket, nowMs: number): boolean {
  const ageMs = nowMs - ticket.receivedAt;
  return ageMs >= 0 && ageMs < Math.min(ticket.lifetime, MAX_TICKET_LIFETIME) * 1000;
}

/**
 * §8.3: the client's view of the ticket age, de-obfuscated, must put the ClientHello's departure within
 * the window of when we expect it (issue time + client age ≈ now).
 */
export function ticketAgeFresh(state: Tls13TicketState, obfuscatedAge: number, nowMs: number): boolean {
  const clientAge = (obfuscatedAge - state.ageAdd) >>> 0;
  const serverAge = nowMs - state.issuedAt;
  return Math.abs(serverAge - clientAge) <= EARLY_DATA_FRESHNESS_WINDOW_MS;
}

/**
 * Single-use tickets for 0-RTT (RFC 8446 §8.1): the ids of tickets whose early data was accepted, kept
 * until the ticket would expire. Bounded: when full (after dropping expired entries) new early data is
 * refused, so the store never forgets an id that could still be replayed.
 */
export class AntiReplayStore {
  private readonly used = new Map<string, number>();
  readonly capacity: number;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.used.size;
  }

  /** True (and the id is now spent) when early data may be accepted for this ticket. */
  claim(ticketId: Uint8Array, expiresAtMs: number, nowMs: number): boolean {
    const key = toHex(ticketId);
    const seen = this.used.get(key);
    if (seen !== undefined && seen > nowMs) return false;
    if (this.used.size >= this.capacity) {
      for (const [k, expiry] of this.used) if (expiry <= nowMs) this.used.delete(k);
      if (this.used.size >= this.capacity) return false;
    }
    this.used.set(key, expiresAtMs);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Client sessions from tickets

/** The SSLSession a client hands back for a TLS 1.3 ticket; OpenSSL names it by SHA-256 of the ticket. */
export function tls13Session(ticket: Tls13ClientTicket, provider: CryptoProvider): SSLSession {
  return new SSLSession({
    id: provider.hash('sha256').digest(ticket.ticket),
    time: Math.floor(ticket.receivedAt / 1000),
    timeout: ticket.lifetime,
    ticketLifetimeHint: ticket.lifetime,
    hasTicket: true,
    tls13: ticket,
  });
}

/** What {@link sessionFromNewSessionTicket} needs of a TLS 1.3 connection recorded elsewhere. */
export interface NewSessionTicketSource {
  /** The NewSessionTicket handshake message, header included (RFC 8446 §4.6.1). */
  readonly newSessionTicket: Uint8Array;
  /** resumption_master_secret of the connection that received it (RFC 8446 §7.1). */
  readonly resumptionMasterSecret: Uint8Array;
  /** That connection's TLS 1.3 cipher suite: its code (0x1301) or name (`TLS_AES_128_GCM_SHA256`). */
  readonly suite: number | string;
  /** Milliseconds since the epoch when the ticket arrived: the ticket's age is counted from here (§4.2.11.1). */
  readonly receivedAt: number;
  /** The server name the connection used (a client offers the ticket only to that name). */
  readonly serverName?: string | null;
  readonly alpn?: string | null;
  /** The server's certificates (DER, leaf first), remembered for the resumed connection's peer. */
  readonly peerChain?: readonly Uint8Array[];
  readonly provider?: CryptoProvider;
}

function ticketSourceError(text: string): SSLError {
  return new SSLError(`sessionFromNewSessionTicket: ${text}`, { library: 'SSL', reason: 'BAD_VALUE' });
}

/**
 * A client session that offers a ticket received by another connection — one in a transcript, a trace
 * such as RFC 8448 §3, or another implementation's key log — from the NewSessionTicket message and the
 * resumption_master_secret: the PSK is HKDF-Expand-Label(resumption_master_secret, "resumption",
 * ticket_nonce, Hash.length) (RFC 8446 §4.6.1), as the engine computes it for the tickets it receives.
 * Pass it as `wrapBio(…, { session })`. A malformed message, an unknown suite, a secret of the wrong
 * length or a ticket_lifetime of 0 ("discard immediately") raise SSLError BAD_VALUE.
 */
export function sessionFromNewSessionTicket(source: NewSessionTicketSource): SSLSession {
  const provider = source.provider ?? defaultProvider;
  const suite = typeof source.suite === 'number' ? tls13SuiteByCode(source.suite) : tls13SuiteByName(source.suite);
  if (suite === undefined) throw ticketSourceError(`unknown TLS 1.3 cipher suite ${String(source.suite)}`);
  const hash = provider.hash(suite.hash);
  if (source.resumptionMasterSecret.length !== hash.outputLength)
    throw ticketSourceError(`${suite.name} needs a ${hash.outputLength}-byte resumption_master_secret`);
  const message = splitHandshake(source.newSessionTicket);
  if (message.type !== HandshakeType.new_session_ticket) throw ticketSourceError('not a NewSessionTicket message');
  const nst = parseNewSessionTicketTls13(message.body);
  if (nst.ticketLifetime === 0) throw ticketSourceError('ticket_lifetime 0: the server asked for it to be discarded');
  const early = nst.extensions.find((e) => e.type === ExtensionType.early_data);
  return tls13Session(
    {
      suiteCode: suite.code,
      psk: hkdfExpandLabel(hash, source.resumptionMasterSecret, 'resumption', nst.ticketNonce, hash.outputLength),
      ticket: nst.ticket.slice(),
      lifetime: Math.min(nst.ticketLifetime, MAX_TICKET_LIFETIME),
      ageAdd: nst.ticketAgeAdd,
      receivedAt: source.receivedAt,
      maxEarlyData: early === undefined ? 0 : parseEarlyDataNewSessionTicket(early.body),
      serverName: source.serverName ?? null,
      alpn: source.alpn ?? null,
      peerChain: (source.peerChain ?? []).map((c) => c.slice()),
      peerVerified: false,
    },
    provider,
  );
}

// ---------------------------------------------------------------------------------------------
// Sessions as bytes (s_client -sess_out / -sess_in; an adapter's persistent session cache)

const SESSION_MAGIC = encoder.encode('sanstls-session');
const SESSION_VERSION = 1;

/**
 * An SSLSession as bytes, for storing it outside the process: TLS 1.3 ticket and PSK, or TLS 1.2 session
 * state (master secret). The bytes are as secret as the session itself: whoever holds them can resume
 * it (and, with TLS 1.2, decrypt traffic of the connections that use it). Our own format — OpenSSL's
 * `SSL_SESSION` PEM is not understood.
 */
export function exportSession(session: SSLSession): Uint8Array {
  const w = new Writer(512);
  w.bytes(SESSION_MAGIC).u8(SESSION_VERSION);
  w.vec8(session.id);
  writeStateTime(w, session.time);
  w.u32(session.timeout)
    .u32(session.ticketLifetimeHint)
    .u8(session.hasTicket ? 1 : 0);
  const t = session.tls13;
  w.u8(t === undefined ? 0 : 1);
  if (t !== undefined) {
    w.u16(t.suiteCode).vec8(t.psk).vec16(t.ticket).u32(t.lifetime).u32(t.ageAdd);
    writeStateTime(w, t.receivedAt);
    w.u32(t.maxEarlyData)
      .vec8(encoder.encode(t.serverName ?? ''))
      .vec8(encoder.encode(t.alpn ?? ''));
    w.u8(t.serverName === null ? 0 : 1)
      .u8(t.alpn === null ? 0 : 1)
      .u8(t.peerVerified ? 1 : 0);
    w.vec24((w) => {
      for (const der of t.peerChain) w.vec24(der);
    });
  }
  const s = session.tls12;
  w.u8(s === undefined ? 0 : 1);
  if (s !== undefined) {
    w.vec16(encodeSessionState(s.state))
      .vec8(s.sessionId)
      .u8(s.ticket === null ? 0 : 1);
    if (s.ticket !== null) w.vec16(s.ticket);
    w.u32(s.ticketLifetimeHint);
  }
  return w.finish();
}

/** The session {@link exportSession} wrote, or undefined when the bytes are not one. */
export function importSession(bytes: Uint8Array): SSLSession | undefined {
  try {
    const r = new Reader(bytes);
    const magic = r.bytes(SESSION_MAGIC.length, 'magic');
    if (!magic.every((b, i) => b === SESSION_MAGIC[i]) || r.u8('version') !== SESSION_VERSION) return undefined;
    const id = r.vec8('id').slice();
    const time = readStateTime(r);
    const timeout = r.u32('timeout');
    const ticketLifetimeHint = r.u32('hint');
    const hasTicket = r.u8('has ticket') === 1;
    let tls13: Tls13ClientTicket | undefined;
    if (r.u8('tls13') === 1) {
      const suiteCode = r.u16('suite');
      const psk = r.vec8('psk').slice();
      const ticket = r.vec16('ticket').slice();
      const lifetime = r.u32('lifetime');
      const ageAdd = r.u32('age add');
      const receivedAt = readStateTime(r, 'received');
      const maxEarlyData = r.u32('max early data');
      const serverName = decoder.decode(r.vec8('sni'));
      const alpn = decoder.decode(r.vec8('alpn'));
      const hasName = r.u8('has sni') === 1;
      const hasAlpn = r.u8('has alpn') === 1;
      const peerVerified = r.u8('verified') === 1;
      const list = r.block24('chain');
      const peerChain: Uint8Array[] = [];
      while (!list.done) peerChain.push(list.vec24('cert', 1).slice());
      tls13 = {
        suiteCode,
        psk,
        ticket,
        lifetime,
        ageAdd,
        receivedAt,
        maxEarlyData,
        serverName: hasName ? serverName : null,
        alpn: hasAlpn ? alpn : null,
        peerChain,
        peerVerified,
      };
    }
    let tls12: Tls12ClientSession | undefined;
    if (r.u8('tls12') === 1) {
      const state = decodeSessionState(r.vec16('state'));
      const sessionId = r.vec8('session id').slice();
      const ticket = r.u8('has ticket') === 1 ? r.vec16('ticket').slice() : null;
      const hint = r.u32('hint');
      if (state === undefined) return undefined;
      tls12 = { state, sessionId, ticket, ticketLifetimeHint: hint };
    }
    r.expectEnd('session');
    return new SSLSession({
      id,
      time,
      timeout,
      ticketLifetimeHint,
      hasTicket,
      ...(tls13 === undefined ? {} : { tls13 }),
      ...(tls12 === undefined ? {} : { tls12 }),
    });
  } catch {
    return undefined;
  }
}
