/**
 * Resource limits of one connection (issue #10): every bound the engine puts on what a peer can make it
 * buffer, parse or repeat, in one place, each with a safe default and overridable per context
 * (`SSLContext.limits`) or per connection (`TlsConnectionOptions.limits`).
 *
 * What is bounded elsewhere by the protocol itself, not by a setting: record length (RFC 8446 §5.1/§5.2:
 * 2^14 plaintext, 2^14 + 256 ciphertext; record_overflow), the one ChangeCipherSpec TLS 1.3 tolerates
 * during the handshake (§5, a second one is unexpected_message) and the one per direction TLS 1.2 allows
 * (RFC 5246 §7.1), empty handshake fragments (§5.1: refused outright), 0-RTT data (bounded by the
 * server's own `SSLContext.maxEarlyData`, §4.2.10) and the record sequence number (§5.3).
 * @module
 */

export interface TlsLimits {
  /** Largest handshake message body other than Certificate (bytes; RFC 8446 §4: a u24 length allows 16 MiB). */
  readonly maxHandshakeMessageSize: number;
  /** Largest Certificate message body: the total size of the peer's chain (OpenSSL's max_cert_list). */
  readonly maxCertificateMessageSize: number;
  /** Most certificates in the peer's Certificate message (leaf included). */
  readonly maxChainLength: number;
  /** Most extensions in a ClientHello the server accepts (RFC 8446 §4.2 sets no count; real clients send < 30). */
  readonly maxExtensions: number;
  /** Consecutive empty application-data records (RFC 8446 §5.4 allows them; a flood only burns CPU). */
  readonly maxEmptyRecords: number;
  /** TLS 1.2 warning alerts and refused renegotiations per connection (RFC 5246 §7.2). */
  readonly maxWarningAlerts: number;
  /** KeyUpdates (RFC 8446 §4.6.3) received without application data in between. */
  readonly maxKeyUpdatesWithoutData: number;
  /** NewSessionTickets (RFC 8446 §4.6.1) kept per connection; later ones are dropped unread. */
  readonly maxTicketsPerConnection: number;
  /** Post-handshake CertificateRequests (RFC 8446 §4.6.2) a client answers: each costs it a signature. */
  readonly maxPostHandshakeAuthRequests: number;
  /**
   * Decrypted application data buffered while the application does not read. Past it the engine stops
   * opening records (the ciphertext waits in the input buffer) until the application reads.
   */
  readonly maxBufferedPlaintext: number;
  /**
   * Received bytes not yet consumed as records: what piles up while the engine is stalled (a suspended
   * handshake, a full plaintext buffer). Adapters feed at most `TlsConnection.receiveRoom`; more fails
   * the connection rather than growing without bound.
   */
  readonly maxBufferedInput: number;
}

export const DEFAULT_LIMITS: TlsLimits = Object.freeze({
  maxHandshakeMessageSize: 64 * 1024,
  maxCertificateMessageSize: 256 * 1024,
  // OpenSSL's default verify depth is 100, but real chains are 2–5 certificates; 16 leaves room for
  // cross-signed and key-rollover paths while bounding the path builder's pool.
  maxChainLength: 16,
  maxExtensions: 128,
  maxEmptyRecords: 32,
  maxWarningAlerts: 8,
  maxKeyUpdatesWithoutData: 32,
  maxTicketsPerConnection: 16,
  maxPostHandshakeAuthRequests: 8,
  maxBufferedPlaintext: 128 * 1024,
  maxBufferedInput: 1024 * 1024,
});

/** The defaults with `overrides` applied; every value must be a positive integer. */
export function resolveLimits(...overrides: readonly (Partial<TlsLimits> | null | undefined)[]): TlsLimits {
  // Every connection resolves its context's and its own limits, nearly always both empty: the frozen
  // defaults then serve as they are (issue #9: a copy, an entries list and a freeze per connection).
  if (overrides.every(isEmptyOverride)) return DEFAULT_LIMITS;
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const o of overrides) {
    if (o === null || o === undefined) continue;
    for (const [name, value] of Object.entries(o)) {
      if (!(name in DEFAULT_LIMITS)) throw new TypeError(`unknown TLS limit ${name}`);
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new RangeError(`TLS limit ${name} must be a positive integer, got ${String(value)}`);
      }
      out[name] = value;
    }
  }
  return Object.freeze(out) as unknown as TlsLimits;
}

function isEmptyOverride(o: Partial<TlsLimits> | null | undefined): boolean {
  if (o === null || o === undefined) return true;
  for (const _ in o) return false;
  return true;
}
