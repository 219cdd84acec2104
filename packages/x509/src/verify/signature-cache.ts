/**
 * A bounded memory of signatures already verified, so a TLS engine that sees the same intermediates on
 * every connection does not verify them again. Entries are keyed by a SHA-256 over the issuer's
 * SubjectPublicKeyInfo and the signed object's full DER, so a hit proves the exact (key, certificate)
 * pair was verified before.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../der.js';
import { toHex } from '../parse/name.js';

/** What {@link verifyChain} needs from a cache; {@link VerifiedSignatureCache} is the bundled one. */
export interface SignatureCacheLike {
  has(key: string): boolean;
  add(key: string): void;
}

/** Insertion-ordered bounded set: the oldest key is dropped when `capacity` is reached. */
export class VerifiedSignatureCache implements SignatureCacheLike {
  private readonly keys = new Set<string>();
  constructor(readonly capacity = 4096) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    if (this.keys.size >= this.capacity) {
      const oldest = this.keys.values().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
  }
}

/** SHA-256 of `der` in hex: a compact identity for certificates and cache keys. */
export function derFingerprint(der: Uint8Array): string {
  return toHex(sha256(der));
}

/** The cache key for "`signedDer` verifies under the key in `issuerSpki`" (both are self-delimiting DER). */
export function signatureCacheKey(issuerSpki: Uint8Array, signedDer: Uint8Array): string {
  return derFingerprint(concatBytes([issuerSpki, signedDer]));
}
