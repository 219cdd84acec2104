/**
 * Python's `ssl.SSLSession`: what a client keeps to resume — a TLS 1.2 session (ID and/or RFC 5077
 * ticket) or a TLS 1.3 NewSessionTicket (issue #7). A TLS 1.3 session changes with every ticket the
 * server sends after the handshake (as OpenSSL's SSL_get1_session); its id is SHA-256 of the ticket,
 * as OpenSSL's. Sessions are plain data: pass one to any client context's `wrapBio({ session })`.
 * @module
 */

import { toHex } from '@sanstls/x509';
import { redactSecrets } from './redact.js';
import type { Tls12ClientSession } from './session12.js';
import type { Tls13ClientTicket } from './tickets.js';

export class SSLSession {
  /** Session identifier (TLS 1.3: the legacy_session_id; resumption identity comes with tickets). */
  readonly id: Uint8Array;
  /** Creation time, seconds since the epoch. */
  readonly time: number;
  /** Lifetime in seconds (OpenSSL's default session timeout). */
  readonly timeout: number;
  /** The server's ticket_lifetime hint (0 without a ticket). */
  readonly ticketLifetimeHint: number;
  readonly hasTicket: boolean;
  /** TLS 1.2 resumption state (issue #6): what the client offers when this session is passed to wrapBio. */
  readonly tls12: Tls12ClientSession | undefined;
  /** TLS 1.3 (issue #7): the NewSessionTicket this session offers as a PSK (RFC 8446 §4.6.1). */
  readonly tls13: Tls13ClientTicket | undefined;

  constructor(fields: {
    id: Uint8Array;
    time: number;
    timeout?: number;
    ticketLifetimeHint?: number;
    hasTicket?: boolean;
    tls12?: Tls12ClientSession;
    tls13?: Tls13ClientTicket;
  }) {
    this.id = fields.id;
    this.time = fields.time;
    this.timeout = fields.timeout ?? 7200;
    this.ticketLifetimeHint = fields.ticketLifetimeHint ?? 0;
    this.hasTicket = fields.hasTicket ?? false;
    this.tls12 = fields.tls12;
    this.tls13 = fields.tls13;
  }

  /** Python: sessions compare equal by id. */
  equals(other: SSLSession): boolean {
    return this.id.length === other.id.length && this.id.every((b, i) => b === other.id[i]);
  }
}

// The master secret / resumption PSK stay out of util.inspect and JSON.stringify (issue #10).
redactSecrets(SSLSession, (s) => ({
  id: toHex(s.id),
  time: s.time,
  timeout: s.timeout,
  ticketLifetimeHint: s.ticketLifetimeHint,
  hasTicket: s.hasTicket,
}));
