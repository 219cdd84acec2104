/**
 * TLS 1.2 state that outlives one connection: the context's cipher list and policy, the server's
 * session-ID cache (RFC 5246 §7.4.1.2) and session-ticket keys (RFC 5077 §4: tickets are encrypted
 * and authenticated under a server key, here an AEAD, rotated on a schedule from the injected clock),
 * and the sessionStats() counters OpenSSL keeps.
 *
 * A resumable session's secret state (suite, master secret, extended-master-secret flag, ALPN, SNI,
 * peer chain) is {@link Tls12SessionState}; the client keeps it in the SSLSession it hands back, the
 * server keeps it in its cache (by session ID) or sends it encrypted in a ticket.
 * @module
 */
import { constantTimeEqual, SSLError, toHex } from '@sanstls/x509';
import { tlsFailure } from './alerts.js';
import { evaluateCipherSuites, PYTHON_DEFAULT_CIPHERS, type Tls12Suite, tls12SuiteByCode } from './cipher-string.js';
import { Reader } from './codec/reader.js';
import { Writer } from './codec/writer.js';
import type { CryptoProvider, GroupName } from './crypto/provider.js';

/** What resumption restores (RFC 5246 §7.4.1.2 "session state"; RFC 7627 §5.3 adds the EMS flag). */
export interface Tls12SessionState {
  readonly suiteCode: number;
  readonly masterSecret: Uint8Array;
  /** RFC 7627 §5.3: a session is resumable only with the same extended-master-secret use. */
  readonly extendedMasterSecret: boolean;
  /** Seconds since the epoch when the full handshake completed. */
  readonly time: number;
  /** Lifetime in seconds. */
  readonly timeout: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
  /** The peer's certificates (DER, leaf first) and whether they were validated. */
  readonly peerChain: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

/** What the client keeps in its SSLSession to offer resumption. */
export interface Tls12ClientSession {
  readonly state: Tls12SessionState;
  /** The session ID the server assigned (empty when it only issued a ticket). */
  readonly sessionId: Uint8Array;
  /** RFC 5077 ticket, when the server sent one. */
  readonly ticket: Uint8Array | null;
  readonly ticketLifetimeHint: number;
}

/** Default session lifetime (OpenSSL's TLS default, SSL_get_default_timeout: 7200 s). */
export const DEFAULT_SESSION_TIMEOUT = 7200;
/** How often the ticket-encryption key changes; tickets under the previous key still decrypt. */
export const DEFAULT_TICKET_KEY_ROTATION = 3600;
const MAX_CACHED_SESSIONS = 1024;
const TICKET_KEY_NAME_LENGTH = 16;
const TICKET_NONCE_LENGTH = 12;

// ---------------------------------------------------------------------------------------------
// Session state encoding (inside tickets)

const STATE_FORMAT = 1;

/** What a resumed session restores of its peer, in TLS 1.2 session state and TLS 1.3 tickets alike. */
export interface SessionPeerState {
  readonly serverName: string | null;
  readonly alpn: string | null;
  readonly peerVerified: boolean;
  readonly peerChain: readonly Uint8Array[];
}

/** Milliseconds since the epoch as two u32 (beyond 2^32 s, unlike a single u32 of seconds). */
export function writeStateTime(w: Writer, ms: number): void {
  w.u32(Math.floor(ms / 0x100000000)).u32(ms >>> 0);
}

/** Reads what {@link writeStateTime} wrote; `what` names the field in a length error. */
export function readStateTime(r: Reader, what = 'time'): number {
  return r.u32(`${what} high`) * 0x100000000 + r.u32(`${what} low`);
}

/** One encoder and decoder for every ticket: a new TextDecoder per field cost ≈ 0.4 µs each (issue #9). */
const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

export function writePeerState(w: Writer, s: SessionPeerState): void {
  w.vec8(encoder.encode(s.serverName ?? ''));
  w.vec8(encoder.encode(s.alpn ?? ''));
  w.u8(s.peerVerified ? 1 : 0);
  w.vec24((w) => {
    for (const der of s.peerChain) w.vec24(der);
  });
}

/** Reads {@link writePeerState}'s encoding; the caller ends the reader. */
export function readPeerState(r: Reader): SessionPeerState & { peerChain: Uint8Array[] } {
  const serverName = decoder.decode(r.vec8('sni'));
  const alpn = decoder.decode(r.vec8('alpn'));
  const peerVerified = r.u8('verified') === 1;
  const list = r.block24('chain');
  const peerChain: Uint8Array[] = [];
  while (!list.done) peerChain.push(list.vec24('cert', 1).slice());
  return {
    serverName: serverName === '' ? null : serverName,
    alpn: alpn === '' ? null : alpn,
    peerVerified,
    peerChain,
  };
}

export function encodeSessionState(s: Tls12SessionState): Uint8Array {
  const w = new Writer(128);
  w.u8(STATE_FORMAT)
    .u16(s.suiteCode)
    .u8(s.extendedMasterSecret ? 1 : 0);
  w.vec8(s.masterSecret);
  writeStateTime(w, s.time);
  w.u32(s.timeout);
  writePeerState(w, s);
  return w.finish();
}

/** The state in a decrypted ticket, or undefined when it is not ours (a MAC'd ticket that does not parse). */
export function decodeSessionState(bytes: Uint8Array): Tls12SessionState | undefined {
  try {
    const r = new Reader(bytes);
    if (r.u8('format') !== STATE_FORMAT) return undefined;
    const suiteCode = r.u16('suite');
    const extendedMasterSecret = r.u8('ems') === 1;
    const masterSecret = r.vec8('master secret', 48, 48).slice();
    const time = readStateTime(r);
    const timeout = r.u32('timeout');
    const peer = readPeerState(r);
    r.expectEnd('session state');
    return { suiteCode, masterSecret, extendedMasterSecret, time, timeout, ...peer };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-context state

interface TicketKey {
  readonly name: Uint8Array;
  readonly key: Uint8Array;
  /** Seconds since the epoch when the key was made. */
  readonly created: number;
  /** Seconds since the epoch when {@link Tls12ContextState.setTicketKeys} replaced it (undefined: not replaced that way). */
  readonly replaced?: number;
}

/**
 * The length of the ticket keys {@link Tls12ContextState.setTicketKeys} takes: 48 bytes, as Node's
 * `server.setTicketKeys()` — a 16-byte key name (the first bytes of every ticket, RFC 5077 §4) and 32
 * bytes of AEAD key. Node splits its 32 bytes into HMAC and AES keys; sanstls seals with one AEAD key, so
 * the same bytes do not make tickets that Node (or OpenSSL) can open, only other sanstls servers.
 */
export const TICKET_KEYS_LENGTH = TICKET_KEY_NAME_LENGTH + 32;

export interface Tls12Stats {
  hits: number;
  misses: number;
  timeouts: number;
  cache_full: number;
  connect_renegotiate: number;
  accept_renegotiate: number;
}

/** The per-handshake view of {@link Tls12ContextState} the engine reads (EngineConfig.tls12). */
export interface Tls12EngineConfig {
  /** Suites in preference order; DHE ones only when DHE is enabled. */
  readonly suites: readonly Tls12Suite[];
  /** RFC 7919 groups for DHE (empty: DHE off). */
  readonly dheGroups: readonly GroupName[];
  /** RFC 7627: refuse peers without extended_master_secret (default true). */
  readonly requireExtendedMasterSecret: boolean;
  /** A renegotiation attempt gets a fatal no_renegotiation instead of the warning (RFC 5746 §4.2, §4.4). */
  readonly renegotiationFatal: boolean;
  readonly ticketsEnabled: boolean;
  readonly store: Tls12ContextState;
}

export class Tls12ContextState {
  /** Cipher suites from setCiphers (OpenSSL order), default Python's default string. */
  suites: Tls12Suite[] = evaluateCipherSuites(PYTHON_DEFAULT_CIPHERS);
  /** The list {@link suites} starts with: while it is still this array, no cipher string was set. */
  private readonly defaultSuites = this.suites;
  /** {@link engineConfig}'s suite list and what it was computed from. */
  private engineSuites: {
    from: readonly Tls12Suite[];
    dhe: boolean;
    chachaFirst: boolean;
    suites: readonly Tls12Suite[];
  } | null = null;
  /** RFC 7919 groups enabled for DHE_RSA by loadDhParams/enableDhe; none by default. */
  dheGroups: GroupName[] = [];
  /** RFC 7627: require the extended master secret from TLS 1.2 peers (secure default). */
  requireExtendedMasterSecret = true;
  /** Answer a renegotiation attempt with a fatal alert instead of a warning no_renegotiation. */
  renegotiationFatal = false;
  /** Session lifetime in seconds (Python's SSLSession.timeout). */
  sessionTimeout = DEFAULT_SESSION_TIMEOUT;
  /** Seconds between ticket-key rotations. */
  ticketKeyRotation = DEFAULT_TICKET_KEY_ROTATION;
  readonly stats: Tls12Stats = {
    hits: 0,
    misses: 0,
    timeouts: 0,
    cache_full: 0,
    connect_renegotiate: 0,
    accept_renegotiate: 0,
  };
  private readonly cache = new Map<string, Tls12SessionState>();
  private ticketKeys: TicketKey[] = [];
  /** True once setTicketKeys was called: the application rotates, the automatic schedule is off. */
  private ticketKeysExplicit = false;

  /**
   * `fastAesGcm`: the provider's (CryptoProvider.fastAesGcm); when false and no cipher string was set,
   * the suites are offered and chosen in {@link preferChaCha20}'s order, as TLS 1.3's default order puts
   * ChaCha20-Poly1305 first for such providers (getCiphers() still lists Python's default order).
   */
  engineConfig(options: { noTicket: boolean; fastAesGcm?: boolean }): Tls12EngineConfig {
    const dhe = this.dheGroups.length > 0;
    const chachaFirst = options.fastAesGcm === false && this.suites === this.defaultSuites;
    // The engine's suite list is read-only (Tls12EngineConfig), so one list serves every connection until
    // setCiphers/loadDhParams replace `suites` or `dheGroups` (both assign new arrays): the filter and
    // sort ran on every wrapBio before (issue #9).
    let memo = this.engineSuites;
    if (memo === null || memo.from !== this.suites || memo.dhe !== dhe || memo.chachaFirst !== chachaFirst) {
      const suites = this.suites.filter((s) => dhe || s.kx !== 'DHE');
      memo = { from: this.suites, dhe, chachaFirst, suites: chachaFirst ? preferChaCha20(suites) : suites };
      this.engineSuites = memo;
    }
    return {
      suites: memo.suites,
      dheGroups: [...this.dheGroups],
      requireExtendedMasterSecret: this.requireExtendedMasterSecret,
      renegotiationFatal: this.renegotiationFatal,
      ticketsEnabled: !options.noTicket,
      store: this,
    };
  }

  /** Number of sessions in the server cache (sessionStats()['number']). */
  get cachedSessions(): number {
    return this.cache.size;
  }

  // -- session-ID cache (server) --------------------------------------------------------------

  cacheSession(id: Uint8Array, state: Tls12SessionState): void {
    if (this.cache.size >= MAX_CACHED_SESSIONS) {
      // Evict the oldest (Map keeps insertion order), as OpenSSL's cache does when full.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
      this.stats.cache_full++;
    }
    this.cache.set(toHex(id), state);
  }

  /** A cached session for `id` that has not expired at `nowSeconds`; counts hits, misses and timeouts. */
  lookupSession(id: Uint8Array, nowSeconds: number): Tls12SessionState | undefined {
    const key = toHex(id);
    const state = this.cache.get(key);
    if (state === undefined) {
      this.stats.misses++;
      return undefined;
    }
    if (nowSeconds >= state.time + state.timeout || nowSeconds < state.time) {
      this.cache.delete(key);
      this.stats.timeouts++;
      this.stats.misses++;
      return undefined;
    }
    return state;
  }

  removeSession(id: Uint8Array): void {
    this.cache.delete(toHex(id));
  }

  // -- session tickets (server, RFC 5077 §4) ---------------------------------------------------

  /** The current ticket key, rotated when older than {@link ticketKeyRotation}; keeps one previous key. */
  private currentTicketKey(nowSeconds: number, randomBytes: (n: number) => Uint8Array): TicketKey {
    const current = this.ticketKeys[0];
    if (current !== undefined && this.ticketKeysExplicit) return current;
    if (current !== undefined && nowSeconds - current.created < this.ticketKeyRotation && nowSeconds >= current.created)
      return current;
    const fresh: TicketKey = {
      name: randomBytes(TICKET_KEY_NAME_LENGTH).slice(),
      key: randomBytes(32).slice(),
      created: nowSeconds,
    };
    this.ticketKeys = current === undefined ? [fresh] : [fresh, current];
    return fresh;
  }

  /**
   * Sets the ticket key (48 bytes, {@link TICKET_KEYS_LENGTH}): servers given the same keys resume each
   * other's tickets, TLS 1.2 (RFC 5077) and TLS 1.3 alike. From then on the application rotates: no
   * automatic rotation, and a later call makes the new key current while the replaced one still opens
   * tickets (which are then renewed) for {@link ticketKeyRotation} seconds, or until the next call.
   */
  setTicketKeys(keys: Uint8Array, nowSeconds: number): void {
    if (!(keys instanceof Uint8Array) || keys.length !== TICKET_KEYS_LENGTH) {
      throw new SSLError(
        `session ticket keys must be ${TICKET_KEYS_LENGTH} bytes (16-byte key name, 32-byte key), got ${keys instanceof Uint8Array ? keys.length : typeof keys}`,
        { library: 'SSL', reason: 'INVALID_TICKET_KEYS_LENGTH' },
      );
    }
    const fresh: TicketKey = {
      name: keys.slice(0, TICKET_KEY_NAME_LENGTH),
      key: keys.slice(TICKET_KEY_NAME_LENGTH),
      created: nowSeconds,
    };
    const current = this.ticketKeys[0];
    // Setting the current key again is not a rotation (Node's servers often set the same keys twice).
    const same =
      current !== undefined && constantTimeEqual(current.name, fresh.name) && constantTimeEqual(current.key, fresh.key);
    if (same) return;
    this.ticketKeys = current === undefined ? [fresh] : [fresh, { ...current, replaced: nowSeconds }];
    this.ticketKeysExplicit = true;
  }

  /** The current ticket key as {@link setTicketKeys} takes it (one is made when none exists yet). */
  getTicketKeys(nowSeconds: number, randomBytes: (n: number) => Uint8Array): Uint8Array {
    const key = this.currentTicketKey(nowSeconds, randomBytes);
    const out = new Uint8Array(TICKET_KEYS_LENGTH);
    out.set(key.name, 0);
    out.set(key.key, TICKET_KEY_NAME_LENGTH);
    return out;
  }

  /** Names of the ticket keys in use, newest first (tests and monitoring). */
  get ticketKeyNames(): readonly Uint8Array[] {
    return this.ticketKeys.map((k) => k.name);
  }

  /**
   * A ticket for `state` (RFC 5077 §4's recommended layout): key_name (16) || nonce (12) || AEAD
   * ciphertext of the state with key_name as additional data.
   */
  sealTicket(
    state: Tls12SessionState,
    provider: CryptoProvider,
    nowSeconds: number,
    randomBytes: (n: number) => Uint8Array,
  ): Uint8Array {
    return this.sealTicketBytes(encodeSessionState(state), provider, nowSeconds, randomBytes);
  }

  /**
   * Seals any session encoding under the current ticket key (the RFC 5077 §4 layout of
   * {@link sealTicket}); TLS 1.3 tickets (tickets.ts, issue #7) share this key ring.
   */
  sealTicketBytes(
    plain: Uint8Array,
    provider: CryptoProvider,
    nowSeconds: number,
    randomBytes: (n: number) => Uint8Array,
  ): Uint8Array {
    const key = this.currentTicketKey(nowSeconds, randomBytes);
    const nonce = randomBytes(TICKET_NONCE_LENGTH);
    const sealed = ticketAead(provider, key.key).seal(nonce, plain, key.name);
    const out = new Uint8Array(TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH + sealed.length);
    out.set(key.name, 0);
    out.set(nonce, TICKET_KEY_NAME_LENGTH);
    out.set(sealed, TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH);
    return out;
  }

  /**
   * The session in a ticket, or undefined for a ticket we cannot use (unknown key, bad tag, expired):
   * RFC 5077 §3.3 — the server then falls back to a full handshake. `renew` is true when the ticket
   * was sealed under the previous key (a new ticket should be issued).
   */
  openTicket(
    ticket: Uint8Array,
    provider: CryptoProvider,
    nowSeconds: number,
  ): { state: Tls12SessionState; renew: boolean } | undefined {
    const opened = this.openTicketBytes(ticket, provider, nowSeconds);
    const state = opened === undefined ? undefined : decodeSessionState(opened.plain);
    if (opened === undefined || state === undefined) {
      this.stats.misses++;
      return undefined;
    }
    if (nowSeconds >= state.time + state.timeout || nowSeconds < state.time) {
      this.stats.timeouts++;
      this.stats.misses++;
      return undefined;
    }
    return { state, renew: opened.renew };
  }

  /**
   * The plaintext of a ticket sealed by {@link sealTicketBytes}, or undefined when the key is unknown or
   * retired, or the tag does not verify. `renew`: sealed under the previous key. Counts nothing.
   */
  openTicketBytes(
    ticket: Uint8Array,
    provider: CryptoProvider,
    nowSeconds: number,
  ): { plain: Uint8Array; renew: boolean } | undefined {
    if (ticket.length < TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH + 16) return undefined;
    const name = ticket.subarray(0, TICKET_KEY_NAME_LENGTH);
    const index = this.ticketKeys.findIndex((k) => constantTimeEqual(k.name, name));
    const key = this.ticketKeys[index];
    if (key === undefined || !this.ticketKeyUsable(key, nowSeconds)) return undefined;
    const nonce = ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH);
    const plain = ticketAead(provider, key.key).open(
      nonce,
      ticket.subarray(TICKET_KEY_NAME_LENGTH + TICKET_NONCE_LENGTH),
      name.slice(),
    );
    return plain === null ? undefined : { plain, renew: index > 0 };
  }

  /**
   * Automatic keys open tickets for two rotation periods after they were made (current, then previous);
   * a key set by the application opens them while current, and for one rotation period once replaced.
   */
  private ticketKeyUsable(key: TicketKey, nowSeconds: number): boolean {
    if (key.replaced !== undefined) return nowSeconds - key.replaced < this.ticketKeyRotation;
    if (this.ticketKeysExplicit && key === this.ticketKeys[0]) return true;
    return nowSeconds - key.created < 2 * this.ticketKeyRotation;
  }
}

/**
 * ChaCha20-Poly1305 ahead of the AES-GCM suites of the same key exchange, the order otherwise kept: in
 * pure JS it is the faster AEAD (noble: about twice AES-GCM's bulk speed, no GHASH table per key) and its
 * suites use the SHA-256 PRF, where AES-256-GCM's uses SHA-384 (64-bit arithmetic, slow in JS). ECDHE
 * suites stay ahead of DHE ones whatever their AEAD (a finite-field exchange costs far more than AES).
 */
export function preferChaCha20(suites: readonly Tls12Suite[]): Tls12Suite[] {
  const rank = (s: Tls12Suite) => (s.kx === 'ECDHE' ? 0 : 2) + (s.aead === 'CHACHA20-POLY1305' ? 0 : 1);
  // Array.prototype.sort is stable (ES2019): equal ranks keep the cipher string's order.
  return [...suites].sort((a, b) => rank(a) - rank(b));
}

/** Tickets use the cheapest strong AEAD of the provider: ChaCha20-Poly1305 in pure JS, else AES-256-GCM. */
function ticketAead(provider: CryptoProvider, key: Uint8Array) {
  return provider.aead(provider.fastAesGcm ? 'AES-256-GCM' : 'CHACHA20-POLY1305').create(key);
}

/** The suite of a stored session, or a failure when the state names a suite we no longer implement. */
export function sessionSuite(state: Tls12SessionState): Tls12Suite {
  const suite = tls12SuiteByCode(state.suiteCode);
  if (suite === undefined) throw tlsFailure('INTERNAL_ERROR', 'stored session uses an unknown cipher suite');
  return suite;
}

/** RFC 7919 names accepted by loadDhParams / enableDhe. */
export const FFDHE_GROUPS: readonly GroupName[] = ['ffdhe2048', 'ffdhe3072', 'ffdhe4096'];

/** Parses loadDhParams' argument: an RFC 7919 group name, or PEM/DER DH parameters holding an RFC 7919 prime. */
export function dheGroupsFrom(spec: string | Uint8Array, provider: CryptoProvider): GroupName[] {
  if (typeof spec === 'string' && FFDHE_GROUPS.includes(spec.trim().toLowerCase() as GroupName)) {
    return [spec.trim().toLowerCase() as GroupName];
  }
  let der: Uint8Array;
  if (typeof spec === 'string') {
    const m = /-----BEGIN DH PARAMETERS-----([\s\S]*?)-----END DH PARAMETERS-----/.exec(spec);
    if (m === null) {
      throw new SSLError(
        'DH parameter files are not supported in core: pass PEM DH parameters or an RFC 7919 group name (files need @sanstls/node-adapter)',
        { library: 'SSL', reason: 'NOT_SUPPORTED' },
      );
    }
    const binary = atob(m[1]!.replace(/\s+/g, ''));
    der = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } else der = spec;
  // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, ... }: the prime must be one of RFC 7919's.
  for (const name of FFDHE_GROUPS) {
    if (containsFfdhePrime(der, FFDHE_PRIME_LENGTH[name as keyof typeof FFDHE_PRIME_LENGTH]))
      return provider.group(name) === undefined ? [] : [name];
  }
  throw new SSLError('only the RFC 7919 ffdhe2048/3072/4096 groups are supported for DHE', {
    library: 'SSL',
    reason: 'NOT_SUPPORTED',
  });
}

const FFDHE_PRIME_LENGTH = { ffdhe2048: 256, ffdhe3072: 384, ffdhe4096: 512 } as const;

/** RFC 7919 primes share their leading bytes (FFFFFFFF FFFFFFFF ADF85458 …); the length identifies the group. */
function containsFfdhePrime(der: Uint8Array, pLength: number): boolean {
  // Look for INTEGER 00 FF FF FF FF FF FF FF FF AD F8 54 58 ... of length pLength + 1.
  for (let i = 0; i + 4 < der.length; i++) {
    if (der[i] !== 0x02) continue;
    const lenBytes = der[i + 1] === 0x82 ? 2 : 0;
    if (lenBytes === 0) continue;
    const len = (der[i + 2]! << 8) | der[i + 3]!;
    if (len !== pLength + 1 || der[i + 4] !== 0x00) continue;
    const start = i + 5;
    if (der[start] === 0xff && der[start + 8] === 0xad && der[start + 9] === 0xf8 && der[start + 10] === 0x54)
      return true;
  }
  return false;
}
