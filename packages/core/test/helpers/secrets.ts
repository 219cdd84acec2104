/**
 * Observing key material in a live connection (issue #10): the typed arrays reachable from an object, and
 * which of them still hold a given secret. Used by the secrets tests of core and of the adapters, with the
 * secrets taken from the connection's own key log.
 */

/**
 * Every typed array reachable from `root` (private fields included: they are ordinary properties at run
 * time). Resumable state keeps what resumption needs (TLS 1.2: the master secret, in the SSLSession and
 * the server's cache, as OpenSSL's SSL_SESSION) and the context is shared with other connections: both
 * are left out.
 */
export function reachableArrays(root: unknown): ArrayBufferView[] {
  const found: ArrayBufferView[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 12) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      found.push(v);
      return;
    }
    for (const key of Reflect.ownKeys(v)) {
      if (['sessionObject', 'session', 'offeredSession', 'currentContext', 'config'].includes(String(key))) continue;
      try {
        walk((v as Record<PropertyKey, unknown>)[key], depth + 1);
      } catch {}
    }
  };
  walk(root, 0);
  return found;
}

export const hexOf = (v: ArrayBufferView): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');

export const allZero = (v: ArrayBufferView): boolean => /^(00)*$/.test(hexOf(v));

/** The secrets of NSS key-log lines (`LABEL client_random secret`), as hex. */
export function keylogSecrets(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim().split(' ')[2]!).filter((s) => s !== undefined && s.length > 0);
}

/** Secrets (hex) still present in Uint8Arrays reachable from `connection` (a TlsConnection). */
export function liveSecrets(connection: unknown, secrets: readonly (Uint8Array | string)[]): string[] {
  const hexes = new Set(secrets.map((s) => (typeof s === 'string' ? s : Buffer.from(s).toString('hex'))));
  return reachableArrays(connection)
    .filter((v) => v instanceof Uint8Array && hexes.has(hexOf(v)))
    .map((v) => hexOf(v).slice(0, 12));
}
