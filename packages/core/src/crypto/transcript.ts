/**
 * The running handshake transcript hash (RFC 8446 §4.4.1).
 *
 * The hash is the cipher suite's, which the client only learns from ServerHello, so messages are kept
 * until `selectHash` and then replayed into the hash. Digests are snapshots: the running state
 * continues (Derive-Secret needs the hash at several points of one handshake).
 * @module
 */
import { SSLError } from '@sanstls/x509';
import type { HashAlgorithm, HashState } from './provider.js';

/** HandshakeType message_hash (RFC 8446 §4.4.1). */
const MESSAGE_HASH = 254;

/** Bound on messages buffered before the hash is known: ClientHello, HelloRetryRequest, ClientHello. */
const MAX_PENDING_BYTES = 1 << 20;

export class TranscriptHash {
  private pending: Uint8Array[] | null = [];
  private pendingBytes = 0;
  private state: HashState | null = null;
  private algorithm: HashAlgorithm | null = null;
  /**
   * The digest of the state as it is, until the next update: a TLS 1.3 side asks twice at one point (the
   * peer's Finished is checked and the application secrets derived over the same messages, RFC 8446
   * §4.4.4, §7.1), and a provider digest is a native hash copy (issue #9). Callers get copies.
   */
  private lastDigest: Uint8Array | null = null;

  /** Pass the hash when it is already known (e.g. a TLS 1.2 suite, or a server that chose its suite). */
  constructor(hash?: HashAlgorithm) {
    if (hash !== undefined) this.selectHash(hash);
  }

  /** The chosen hash, or null before `selectHash`. */
  get hash(): HashAlgorithm | null {
    return this.algorithm;
  }

  /** Adds one whole handshake message (type, length and body, as sent on the wire). */
  update(message: Uint8Array): void {
    this.lastDigest = null;
    if (this.state !== null) {
      this.state.update(message);
      return;
    }
    this.pendingBytes += message.length;
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      throw new SSLError('handshake transcript too long before a cipher suite was chosen', {
        library: 'SSL',
        reason: 'EXCESSIVE_MESSAGE_SIZE',
        alert: 80,
      });
    }
    // Copy: the caller's buffer may be a view into a record buffer that gets reused.
    this.pending!.push(message.slice());
  }

  /** Fixes the hash (once) and feeds it the buffered messages. */
  selectHash(hash: HashAlgorithm): void {
    if (this.algorithm !== null) {
      if (this.algorithm.name === hash.name) return;
      throw new SSLError(`transcript hash already chosen as ${this.algorithm.name}`, {
        library: 'SSL',
        reason: 'INTERNAL_ERROR',
        alert: 80,
      });
    }
    this.algorithm = hash;
    const state = hash.create();
    for (const message of this.pending!) state.update(message);
    this.pending = null;
    this.pendingBytes = 0;
    this.state = state;
  }

  private requireState(): HashState {
    if (this.state === null) {
      throw new SSLError('transcript hash requested before the cipher suite was chosen', {
        library: 'SSL',
        reason: 'INTERNAL_ERROR',
        alert: 80,
      });
    }
    return this.state;
  }

  /** Transcript-Hash of everything so far; the transcript keeps running. */
  digest(): Uint8Array {
    if (this.lastDigest !== null) return this.lastDigest.slice();
    const digest = this.requireState().digest();
    this.lastDigest = digest.slice();
    return digest;
  }

  /**
   * Transcript-Hash of everything so far followed by `extra`, without adding `extra` (PSK binders hash
   * the partial ClientHello up to the binders list, RFC 8446 §4.2.11.2).
   */
  digestWith(extra: Uint8Array): Uint8Array {
    const copy = this.requireState().clone();
    copy.update(extra);
    return copy.digest();
  }

  /** An independent copy (e.g. to try a branch without disturbing this transcript). */
  clone(): TranscriptHash {
    const copy = new TranscriptHash();
    if (this.state !== null) {
      copy.algorithm = this.algorithm;
      copy.state = this.state.clone();
      copy.pending = null;
    } else {
      copy.pending = this.pending!.slice();
      copy.pendingBytes = this.pendingBytes;
    }
    return copy;
  }

  /**
   * HelloRetryRequest (RFC 8446 §4.4.1): replaces ClientHello1 (everything so far) by the synthetic
   * message_hash message `254 || 00 00 Hash.length || Hash(ClientHello1)`. A stateless server that
   * kept Hash(ClientHello1) in its cookie passes it as `clientHello1Hash`, with an empty transcript.
   */
  replaceWithMessageHash(clientHello1Hash?: Uint8Array): void {
    const hash = this.algorithm;
    if (hash === null) {
      throw new SSLError('HelloRetryRequest transcript rewrite before the cipher suite was chosen', {
        library: 'SSL',
        reason: 'INTERNAL_ERROR',
        alert: 80,
      });
    }
    const inner = clientHello1Hash ?? this.requireState().digest();
    if (inner.length !== hash.outputLength) {
      throw new SSLError(`message_hash needs a ${hash.outputLength}-byte hash, got ${inner.length}`, {
        library: 'SSL',
        reason: 'INTERNAL_ERROR',
        alert: 80,
      });
    }
    const state = hash.create();
    state.update(messageHashMessage(inner));
    this.state = state;
    this.lastDigest = null;
  }
}

/** The synthetic handshake message `message_hash` (RFC 8446 §4.4.1) wrapping Hash(ClientHello1). */
export function messageHashMessage(clientHello1Hash: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + clientHello1Hash.length);
  out[0] = MESSAGE_HASH;
  out[3] = clientHello1Hash.length;
  out.set(clientHello1Hash, 4);
  return out;
}
