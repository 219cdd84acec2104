/**
 * The bytes of the ASCII labels the key derivations use — TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1)
 * and TLS 1.2's PRF (RFC 5246 §5) — encoded once each instead of on every derivation.
 * @module
 */

const encoder = /* @__PURE__ */ new TextEncoder();
const cache = /* @__PURE__ */ new Map<string, Uint8Array>();
/** Exporter labels come from applications: the memory stays bounded whatever they pass. */
const MAX_CACHED_LABELS = 64;

/** UTF-8 of `label` (shared: callers copy it and never write to it). */
export function labelBytes(label: string): Uint8Array {
  let bytes = cache.get(label);
  if (bytes === undefined) {
    bytes = encoder.encode(label);
    if (cache.size < MAX_CACHED_LABELS) cache.set(label, bytes);
  }
  return bytes;
}
