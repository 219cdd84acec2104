/**
 * A bounded memory of peer chains, keyed by their exact bytes, for a TLS engine that meets the same
 * server (or client) chain on every connection: the certificates are parsed once per distinct chain,
 * and a path {@link verifyChain} validated is remembered so the next identical chain skips path
 * building, the structural checks and the signatures.
 *
 * What a remembered path does NOT skip is everything that can change between two connections:
 * - the validity periods of every certificate of the path (RFC 5280 §6.1.3(a)(2)) are checked again at
 *   the caller's `at`, so expiry still bites;
 * - the identity (hostname, IP address, e-mail) is checked again against the leaf on every call;
 * - a verdict is tied to the trust store object and its generation (any anchor or CRL added makes it
 *   stale), the signature provider object, and every option that changes the answer (flags, purpose,
 *   depth, key-size and weak-hash policy, leaf keyUsage). CRL checking is never served from memory.
 * When a remembered path fails any of these, verifyChain validates from scratch (which reports the
 * exact error, or finds another path). Failures are never remembered.
 *
 * The certificates are parsed from private copies of the bytes, so a caller reusing or altering its
 * buffers cannot alter what the cache holds, and lookups compare every byte.
 * @module
 */
import { compareBytes } from '../der.js';
import { parsePublicKey } from '../keys/index.js';
import { parseCertificate } from '../parse/index.js';
import type { Certificate, PublicKey, SignatureProvider } from '../types.js';
import type { TrustStore } from './trust-store.js';

const publicKeys = new WeakMap<Certificate, PublicKey | Error>();

/**
 * The certificate's public key, or the reason it cannot be decoded, decoded once per Certificate object
 * (so a cached certificate hands every connection the same PublicKey, which providers may memoize).
 */
export function certificatePublicKey(cert: Certificate): PublicKey | Error {
  let key = publicKeys.get(cert);
  if (key === undefined) {
    try {
      key = parsePublicKey(cert.spki.der);
    } catch (e) {
      key = e instanceof Error ? e : new Error(String(e));
    }
    publicKeys.set(cert, key);
  }
  return key;
}

/** The options of one validation that decide its answer apart from the time and the identity. */
export interface VerdictScope {
  readonly store: TrustStore;
  readonly provider: SignatureProvider;
  /** Flags, purpose, depth, policies, as one string. */
  readonly policy: string;
}

interface Verdict {
  readonly store: TrustStore;
  readonly generation: number;
  readonly provider: SignatureProvider;
  readonly policy: string;
  /** The validated path, leaf first, anchor last. */
  readonly path: readonly Certificate[];
}

/** Verdicts kept per chain (a chain is rarely validated under more than one policy). */
const VERDICTS_PER_CHAIN = 4;
/** Reference identities kept per chain (a server certificate is usually reached under one or two names). */
const IDENTITIES_PER_CHAIN = 8;

/** One distinct chain: its bytes, its parsed certificates and the paths validated for it. */
export class CachedChain {
  /** The leaf, parsed from the cache's copy. */
  readonly leaf: Certificate;
  private pool: readonly (Certificate | undefined)[] | undefined;
  private verdicts: Verdict[] = [];
  /** Reference identities the leaf was found valid for (see {@link identityPassed}). */
  private identities: string[] = [];

  /** @internal */
  constructor(readonly ders: readonly Uint8Array[]) {
    this.leaf = parseCertificate(ders[0] as Uint8Array);
  }

  /** The leaf's public key (throws as parsePublicKey when it cannot be decoded). */
  leafPublicKey(): PublicKey {
    const key = certificatePublicKey(this.leaf);
    if (key instanceof Error) throw key;
    return key;
  }

  /** The certificates after the leaf, parsed once; undefined where one does not parse. */
  intermediates(): readonly (Certificate | undefined)[] {
    if (this.pool === undefined) {
      this.pool = this.ders.slice(1).map((der) => {
        try {
          return parseCertificate(der);
        } catch {
          return undefined;
        }
      });
    }
    return this.pool;
  }

  /** Position in the chain (0: leaf) of a certificate this entry parsed, or -1 (an anchor). */
  indexOf(cert: Certificate): number {
    if (cert === this.leaf) return 0;
    const i = this.pool?.indexOf(cert) ?? -1;
    return i < 0 ? -1 : i + 1;
  }

  /**
   * Whether the leaf passed the identity check described by `key` before (the check is a pure function
   * of the leaf and the reference identity, so a pass stays a pass; failures are not kept).
   */
  identityPassed(key: string): boolean {
    return this.identities.includes(key);
  }

  /** Records that the leaf passed the identity check described by `key`. */
  rememberIdentity(key: string): void {
    if (this.identities.includes(key)) return;
    if (this.identities.length >= IDENTITIES_PER_CHAIN) this.identities.shift();
    this.identities.push(key);
  }

  /** A path validated under `scope` with the store unchanged since, if any. */
  verdict(scope: VerdictScope): readonly Certificate[] | undefined {
    for (const v of this.verdicts) {
      if (
        v.store === scope.store &&
        v.generation === scope.store.generation &&
        v.provider === scope.provider &&
        v.policy === scope.policy
      ) {
        return v.path;
      }
    }
    return undefined;
  }

  /** Remembers a path that passed every check under `scope` (never a failure). */
  remember(scope: VerdictScope, path: readonly Certificate[]): void {
    const kept = this.verdicts.filter(
      (v) =>
        // Verdicts under an older generation of a store can never be served again.
        v.store.generation === v.generation &&
        !(v.store === scope.store && v.provider === scope.provider && v.policy === scope.policy),
    );
    kept.push({
      store: scope.store,
      generation: scope.store.generation,
      provider: scope.provider,
      policy: scope.policy,
      path: path.slice(),
    });
    this.verdicts = kept.slice(-VERDICTS_PER_CHAIN);
  }
}

/** A bucket key from the lengths and the final bytes (signature bytes, in certificates) of each DER. */
function bucketKey(leaf: Uint8Array, intermediates: readonly Uint8Array[]): string {
  let key = '';
  for (let i = -1; i < intermediates.length; i++) {
    const der = i < 0 ? leaf : (intermediates[i] as Uint8Array);
    let h = 0x811c9dc5; // FNV-1a over the last 16 bytes: cheap; equality is decided by comparing every byte
    for (let j = Math.max(0, der.length - 16); j < der.length; j++) h = Math.imul(h ^ (der[j] as number), 0x01000193);
    key += `${der.length}.${(h >>> 0).toString(36)}/`;
  }
  return key;
}

function sameChain(entry: CachedChain, leaf: Uint8Array, intermediates: readonly Uint8Array[]): boolean {
  const ders = entry.ders;
  if (ders.length !== intermediates.length + 1) return false;
  if (compareBytes(ders[0] as Uint8Array, leaf) !== 0) return false;
  for (let i = 0; i < intermediates.length; i++) {
    if (compareBytes(ders[i + 1] as Uint8Array, intermediates[i] as Uint8Array) !== 0) return false;
  }
  return true;
}

/**
 * Least-recently-used memory of {@link CachedChain}s. Give one to {@link verifyChain} as
 * `verifiedChainCache` (a TLS context keeps one for all its connections).
 */
export class VerifiedChainCache {
  /** Buckets in least-recently-used order (Map iteration order; a hit moves its bucket to the end). */
  private readonly buckets = new Map<string, CachedChain[]>();
  private count = 0;

  constructor(readonly capacity = 32) {}

  /**
   * The entry for exactly these bytes (leaf, then the rest of the chain as given), created — parsing the
   * leaf — when absent. Throws as parseCertificate when the leaf does not parse (nothing is kept then).
   */
  chain(leaf: Uint8Array, intermediates: readonly Uint8Array[] = []): CachedChain {
    const key = bucketKey(leaf, intermediates);
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) {
      const hit = bucket.find((e) => sameChain(e, leaf, intermediates));
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
      if (hit !== undefined) return hit;
    }
    const entry = new CachedChain([leaf.slice(), ...intermediates.map((d) => d.slice())]);
    if (this.capacity <= 0) return entry;
    while (this.count >= this.capacity) this.evictOldest();
    const list = this.buckets.get(key);
    if (list === undefined) this.buckets.set(key, [entry]);
    else list.push(entry);
    this.count++;
    return entry;
  }

  private evictOldest(): void {
    const oldest = this.buckets.entries().next();
    if (oldest.done === true) return;
    const [key, list] = oldest.value;
    list.shift();
    this.count--;
    if (list.length === 0) this.buckets.delete(key);
  }

  /** Number of chains held. */
  get size(): number {
    return this.count;
  }

  /** Forgets every chain and verdict. */
  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }
}
