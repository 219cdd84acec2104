/**
 * Key-exchange group names and defaults (RFC 8446 §4.2.7). Defaults follow issue #4's measurements on
 * pure JS: the client offers key shares for X25519MLKEM768 and X25519 only (a P-256 share costs twice
 * an X25519 one), while secp256r1 and secp384r1 stay supported (reachable through HelloRetryRequest);
 * secp521r1 only when configured.
 * @module
 */

import { tlsFailure } from '../alerts.js';
import { NamedGroup } from '../codec/enums.js';
import type { GroupName } from '../crypto/provider.js';

/** Supported groups in preference order. */
export const DEFAULT_GROUPS: readonly GroupName[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'];
/** Groups the client sends key shares for in its first ClientHello. */
export const DEFAULT_KEY_SHARE_GROUPS: readonly GroupName[] = ['X25519MLKEM768', 'x25519'];

/** The TLS 1.3 groups this engine negotiates (FFDHE stays with TLS 1.2, issue #6). */
const TLS13_GROUPS: readonly GroupName[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1', 'secp521r1'];

/** Names accepted by setGroups/setEcdhCurve: IANA, OpenSSL and NIST spellings. */
const ALIASES: ReadonlyMap<string, GroupName> = new Map<string, GroupName>([
  ['x25519', 'x25519'],
  ['secp256r1', 'secp256r1'],
  ['prime256v1', 'secp256r1'],
  ['p-256', 'secp256r1'],
  ['secp384r1', 'secp384r1'],
  ['p-384', 'secp384r1'],
  ['secp521r1', 'secp521r1'],
  ['p-521', 'secp521r1'],
  ['x25519mlkem768', 'X25519MLKEM768'],
]);

/** The canonical group name for a user-supplied spelling; SSLError for unknown names. */
export function parseGroupName(name: string): GroupName {
  const group = ALIASES.get(name.trim().toLowerCase());
  if (group === undefined || !TLS13_GROUPS.includes(group)) {
    throw tlsFailure('BAD_VALUE', `unknown or unsupported group name '${name}'`);
  }
  return group;
}

/** NamedGroup code point of a group (RFC 8446 §4.2.7). */
export function groupCode(name: GroupName): number {
  return NamedGroup[name];
}

/** The group for a code point among `candidates`, or undefined. */
export function groupByCode(code: number, candidates: readonly GroupName[]): GroupName | undefined {
  return candidates.find((g) => NamedGroup[g] === code);
}
