/**
 * WebSocket close codes of the tunnel (RFC 6455 §7.4): the relay closes with one of these and the
 * client turns anything but a normal close into a {@link TunnelClosedError} that names it. Codes
 * 4000–4999 are private use (RFC 6455 §7.4.2); they mirror HTTP statuses so they read at a glance.
 * @module
 */
export const RelayCloseCode = {
  /** The TCP peer closed the connection (or the client closed the tunnel). */
  NORMAL: 1000,
  /** A text frame arrived: the tunnel carries binary frames only. */
  UNSUPPORTED_DATA: 1003,
  /** The page's Origin is not allowed. */
  POLICY_VIOLATION: 1008,
  /** A frame larger than the relay accepts. */
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** The relay is at its connection limit (overall or for this client address). */
  TRY_AGAIN_LATER: 1013,
  /** No `target=host:port`, or a malformed one. */
  BAD_TARGET: 4400,
  /** The target is not in the relay's allow-list. */
  TARGET_FORBIDDEN: 4403,
  /** No bytes in either direction for the idle limit. */
  IDLE_TIMEOUT: 4408,
  /** The connection's byte limit was reached. */
  BYTE_LIMIT: 4413,
  /** The first bytes were not a TLS handshake record (the relay only carries TLS). */
  NOT_TLS: 4415,
  /** The TCP connection failed or was reset. */
  TARGET_UNREACHABLE: 4502,
  /** The TCP connection did not open in time. */
  CONNECT_TIMEOUT: 4504,
} as const;

export type RelayCloseCode = (typeof RelayCloseCode)[keyof typeof RelayCloseCode];

const NAMES = new Map<number, string>(Object.entries(RelayCloseCode).map(([name, code]) => [code, name]));

/** The constant's name for a close code (`TARGET_FORBIDDEN`), or `'UNKNOWN'`. */
export function relayCloseCodeName(code: number): string {
  return NAMES.get(code) ?? (code === 1006 ? 'ABNORMAL_CLOSURE' : code === 1005 ? 'NO_STATUS' : 'UNKNOWN');
}

/** The tunnel URL for `host:port` on a relay (`ws://relay.example/tunnel?target=example.com:443`). */
export function relayUrl(relay: string | URL, host: string, port: number): string {
  const url = new URL(relay);
  const needsBrackets = host.includes(':') && !host.startsWith('[');
  url.searchParams.set('target', `${needsBrackets ? `[${host}]` : host}:${port}`);
  return url.toString();
}
