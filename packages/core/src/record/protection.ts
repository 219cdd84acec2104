/**
 * TLS 1.3 record protection (RFC 8446 §5.2–§5.5) as two half-connections, one per direction, each
 * `{ aead key, static iv, sequence number }`. Keys change per direction (handshake → application →
 * KeyUpdate) and every change resets the sequence number to 0 (§5.3).
 *
 * Sealing allocates one buffer per record, header and inner plaintext written in place and sealed there
 * (AeadKey.sealInPlace); opening allocates only the AEAD's output. The nonce is written in place.
 * @module
 */

import { tlsFailure } from '../alerts.js';
import { ContentType } from '../codec/enums.js';
import {
  MAX_INNER_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  writeInnerPlaintext,
  writeRecordHeader,
} from '../codec/record.js';
import { writeRecordNonce } from '../crypto/keyschedule.js';
import type { AeadAlgorithm, AeadKey, AeadName } from '../crypto/provider.js';

/** legacy_record_version of every TLS 1.3 protected record (RFC 8446 §5.2). */
const LEGACY_RECORD_VERSION = 0x0303;

/**
 * Records protected under one key before the engine sends a KeyUpdate (RFC 8446 §5.5: "Implementations
 * SHOULD do a key update as described in Section 4.6.3 prior to reaching these limits"). §5.5: "For
 * AES-GCM, up to 2^24.5 full-size records (about 24 million) may be encrypted ... while keeping a safety
 * margin of approximately 2^-57 for Authenticated Encryption (AE) security. For ChaCha20/Poly1305, the
 * record sequence number would wrap before the safety limit is reached" — so ChaCha20-Poly1305 updates
 * only shortly before our own counter bound ({@link HARD_SEQUENCE_LIMIT}, §5.3 forbids wrapping).
 * The confidentiality limit counts full-size records; we count records of any size (conservative).
 */
export function keyUpdateRecordLimit(aead: AeadName): number {
  return aead === 'CHACHA20-POLY1305' ? HARD_SEQUENCE_LIMIT - 2 ** 32 : AES_GCM_RECORD_LIMIT;
}

/** ⌊2^24.5⌋ = 23,726,566 records (RFC 8446 §5.5). */
export const AES_GCM_RECORD_LIMIT = Math.floor(2 ** 24.5);
/** Our sequence counter bound: a JS number counts exactly to 2^53; 2^48 records is far beyond any AEAD limit. */
export const HARD_SEQUENCE_LIMIT = 2 ** 48;

export class HalfConnection {
  private readonly key: AeadKey;
  private readonly iv: Uint8Array;
  private readonly nonce: Uint8Array;
  /** The write_key bytes we were given, zeroed with the rest by {@link wipe}. */
  private readonly rawKey: Uint8Array;
  readonly tagLength: number;
  /** Sequence number of the next record (RFC 8446 §5.3). */
  sequence = 0;

  constructor(aead: AeadAlgorithm, key: Uint8Array, iv: Uint8Array) {
    this.key = aead.create(key);
    this.rawKey = key;
    this.iv = iv;
    this.nonce = new Uint8Array(iv.length);
    this.tagLength = aead.tagLength;
  }

  /**
   * Zeroes this direction's key material once it is retired — replaced (a KeyUpdate, the next epoch) or
   * the connection over — as RFC 8446 §7.2 asks ("the old ... keys should be deleted"). Best effort:
   * see AeadKey.wipe. Unusable afterwards.
   */
  wipe(): void {
    this.key.wipe?.();
    this.rawKey.fill(0);
    this.iv.fill(0);
    this.nonce.fill(0);
  }

  private nextNonce(): Uint8Array {
    if (this.sequence >= HARD_SEQUENCE_LIMIT) {
      throw tlsFailure('SEQUENCE_NUMBER_EXHAUSTED', 'record sequence number limit reached without a key update');
    }
    writeRecordNonce(this.nonce, this.iv, this.sequence);
    this.sequence++;
    return this.nonce;
  }

  /**
   * Protects one record: TLSCiphertext { opaque_type = application_data, legacy_record_version 0x0303,
   * length, encrypted_record } (§5.2) with encrypted_record = AEAD(TLSInnerPlaintext = content ||
   * ContentType || zeros[padding], §5.4) and the header as additional data (§5.2). Header, inner
   * plaintext and tag are laid out in one new buffer and sealed in place: the returned record is the
   * only allocation and is owned by the caller.
   */
  sealRecord(content: Uint8Array, type: number, padding: number): Uint8Array {
    const innerLength = content.length + 1 + padding;
    const record = allocateRecord(RECORD_HEADER_LENGTH, innerLength + this.tagLength);
    writeRecordHeader(record, 0, ContentType.application_data, LEGACY_RECORD_VERSION, innerLength + this.tagLength);
    writeInnerPlaintext(record, RECORD_HEADER_LENGTH, content, type, padding);
    const aad = record.subarray(0, RECORD_HEADER_LENGTH);
    sealInPlace(this.key, this.nextNonce(), aad, record, RECORD_HEADER_LENGTH, innerLength);
    return record;
  }

  /**
   * Opens one record. `header` is the 5 received header bytes (the additional data, §5.2). A failed
   * authentication is bad_record_mac (§5.2: "MUST terminate the connection with a bad_record_mac alert").
   */
  /**
   * Opens one record, or returns null without consuming a sequence number when it does not
   * authenticate: a server skipping 0-RTT data it rejected (RFC 8446 §4.2.10) tries each record.
   */
  tryOpen(header: Uint8Array, encrypted: Uint8Array): Uint8Array | null {
    const plaintext = this.key.open(this.nextNonce(), encrypted, header);
    if (plaintext === null) this.sequence--;
    return plaintext;
  }

  open(header: Uint8Array, encrypted: Uint8Array): Uint8Array {
    const plaintext = this.key.open(this.nextNonce(), encrypted, header);
    if (plaintext === null)
      throw tlsFailure('DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'decryption failed or bad record mac');
    return plaintext;
  }
}

/**
 * Zero padding for a TLSInnerPlaintext of `contentLength` bytes of content: enough to round content +
 * type up to a multiple of `paddingBlock` (RFC 8446 §5.4), capped so the total stays within `maxLength`
 * (2^14 + 1, or the peer's record_size_limit, RFC 8449 §4).
 */
export function innerPadding(
  contentLength: number,
  paddingBlock: number,
  maxLength = MAX_INNER_PLAINTEXT_LENGTH,
): number {
  if (paddingBlock <= 1) return 0;
  const unpadded = contentLength + 1;
  const padding = (paddingBlock - (unpadded % paddingBlock)) % paddingBlock;
  return Math.max(0, Math.min(padding, maxLength - unpadded));
}

/**
 * A new record buffer of `prefix` bytes (header, TLS 1.2's explicit nonce) and `bodyLength` bytes to
 * seal, placed so that the sealed part starts 4-byte aligned in its ArrayBuffer: the word-wise AEADs
 * (our AES-GCM, noble's ChaCha20) then run in place without an aligned copy. The view starts up to 3
 * bytes into its ArrayBuffer.
 */
export function allocateRecord(prefix: number, bodyLength: number): Uint8Array {
  const skew = (4 - (prefix & 3)) & 3;
  return new Uint8Array(new ArrayBuffer(skew + prefix + bodyLength), skew, prefix + bodyLength);
}

/**
 * Seals `record[offset, offset + length)` in place with the tag after it: the provider's sealInPlace,
 * or for a provider without one (it is optional) seal() and a copy back.
 */
export function sealInPlace(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  record: Uint8Array,
  offset: number,
  length: number,
): void {
  if (key.sealInPlace !== undefined) key.sealInPlace(nonce, aad, record, offset, length);
  else record.set(key.seal(nonce, record.subarray(offset, offset + length), aad), offset);
}
