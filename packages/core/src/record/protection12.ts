/**
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3) for one direction:
 *
 * - AES-GCM (RFC 5288 §3): nonce = salt (4 bytes of the key block) || explicit nonce (8 bytes sent in
 *   front of each record's ciphertext). We send the record sequence number as the explicit part (§3
 *   allows it), so a nonce never repeats under one key; received explicit nonces are taken as sent (a
 *   tampered one fails authentication: bad_record_mac).
 * - ChaCha20-Poly1305 (RFC 7905 §2): no explicit nonce; nonce = 12-byte IV XOR the left-padded
 *   sequence number, the TLS 1.3 construction.
 *
 * additional_data = seq_num (8) || TLSCompressed.type || TLSCompressed.version || TLSCompressed.length
 * (RFC 5246 §6.2.3.3), the length being the plaintext's. Every content type is protected once keys are
 * active (RFC 5246 §6.1), and the content type stays in the clear in the header.
 * @module
 */
import { tlsFailure } from '../alerts.js';
import type { Tls12Suite } from '../cipher-string.js';
import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH, writeRecordHeader } from '../codec/record.js';
import { writeRecordNonce } from '../crypto/keyschedule.js';
import { writeTls12GcmNonce } from '../crypto/prf12.js';
import type { AeadAlgorithm, AeadKey } from '../crypto/provider.js';
import {
  allocateRecord,
  checkDetachedBody,
  DETACHED_MIN_CONTENT,
  type ScratchBlock,
  sealInPlace,
} from './protection.js';

/** TLS 1.2 has no KeyUpdate: past this many records under one key the connection must end (RFC 5246 §6.1). */
export const TLS12_SEQUENCE_LIMIT = 2 ** 48;

const TLS12_RECORD_VERSION = 0x0303;

export class Tls12RecordProtection {
  private readonly key: AeadKey;
  private readonly iv: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly aad = new Uint8Array(13);
  private readonly explicitNonceLength: number;
  readonly tagLength: number;
  /** Sequence number of the next record (RFC 5246 §6.1: starts at 0 after each ChangeCipherSpec). */
  sequence = 0;

  constructor(
    aead: AeadAlgorithm,
    suite: Pick<Tls12Suite, 'explicitNonceLength' | 'fixedIvLength'>,
    key: Uint8Array,
    iv: Uint8Array,
  ) {
    if (iv.length !== suite.fixedIvLength) {
      throw tlsFailure('INTERNAL_ERROR', `TLS 1.2 ${aead.name} needs a ${suite.fixedIvLength}-byte IV`);
    }
    this.key = aead.create(key);
    this.iv = iv.slice();
    this.explicitNonceLength = suite.explicitNonceLength;
    this.tagLength = aead.tagLength;
  }

  /** Zeroes the key material at the connection's end (best effort, as HalfConnection.wipe). */
  wipe(): void {
    this.key.wipe?.();
    this.iv.fill(0);
    this.nonce.fill(0);
  }

  /** Bytes a record grows by: explicit nonce and tag. */
  get overhead(): number {
    return this.explicitNonceLength + this.tagLength;
  }

  private nextSequence(): number {
    if (this.sequence >= TLS12_SEQUENCE_LIMIT) {
      throw tlsFailure('SEQUENCE_NUMBER_EXHAUSTED', 'TLS 1.2 record sequence number limit reached');
    }
    return this.sequence++;
  }

  private writeAad(sequence: number, type: number, version: number, length: number): Uint8Array {
    const aad = this.aad;
    const high = Math.floor(sequence / 0x100000000);
    const low = sequence >>> 0;
    aad[0] = high >>> 24;
    aad[1] = (high >>> 16) & 0xff;
    aad[2] = (high >>> 8) & 0xff;
    aad[3] = high & 0xff;
    aad[4] = low >>> 24;
    aad[5] = (low >>> 16) & 0xff;
    aad[6] = (low >>> 8) & 0xff;
    aad[7] = low & 0xff;
    aad[8] = type;
    aad[9] = version >>> 8;
    aad[10] = version & 0xff;
    aad[11] = length >>> 8;
    aad[12] = length & 0xff;
    return aad;
  }

  /**
   * Protects one record of `type` holding `fragment` (at most 2^14 bytes): header || explicit nonce ||
   * ciphertext || tag in one new buffer, sealed in place (see HalfConnection.sealRecord).
   */
  sealRecord(type: number, fragment: Uint8Array): Uint8Array {
    const sequence = this.nextSequence();
    const aad = this.writeAad(sequence, type, TLS12_RECORD_VERSION, fragment.length);
    const prefix = RECORD_HEADER_LENGTH + this.explicitNonceLength;
    const record = allocateRecord(prefix, fragment.length + this.tagLength);
    writeRecordHeader(record, 0, type, TLS12_RECORD_VERSION, fragment.length + this.overhead);
    this.writeNonce(sequence, record);
    record.set(fragment, prefix);
    sealInPlace(this.key, this.nonce, aad, record, prefix, fragment.length);
    return record;
  }

  /**
   * Protects one record as {@link sealRecord} does and appends it to `out`: as that one buffer, or — a
   * fragment of at least DETACHED_MIN_CONTENT bytes under a provider with AeadKey.sealDetached — as the
   * same bytes in three buffers: header || explicit nonce, the ciphertext (the provider's own output, kept
   * as it is), and the tag; header and tag are cut from `scratch` (see HalfConnection.sealRecordTo).
   * Returns the record's length in bytes.
   */
  sealRecordTo(out: Uint8Array[], scratch: ScratchBlock, type: number, fragment: Uint8Array): number {
    if (fragment.length < DETACHED_MIN_CONTENT || this.key.sealDetached === undefined) {
      const record = this.sealRecord(type, fragment);
      out.push(record);
      return record.length;
    }
    const sequence = this.nextSequence();
    const aad = this.writeAad(sequence, type, TLS12_RECORD_VERSION, fragment.length);
    const prefix = RECORD_HEADER_LENGTH + this.explicitNonceLength;
    const small = scratch.take(prefix + this.tagLength);
    writeRecordHeader(small, 0, type, TLS12_RECORD_VERSION, fragment.length + this.overhead);
    this.writeNonce(sequence, small);
    const body = this.key.sealDetached(this.nonce, aad, fragment, small, prefix, 0);
    checkDetachedBody(body, fragment.length);
    out.push(small.subarray(0, prefix), body, small.subarray(prefix));
    return prefix + fragment.length + this.tagLength;
  }

  /**
   * This record's nonce: for AES-GCM salt || explicit nonce, the sequence number sent as the explicit
   * part after the header in `record` (RFC 5288 §3); for ChaCha20-Poly1305 the TLS 1.3 construction with
   * nothing sent (RFC 7905 §2).
   */
  private writeNonce(sequence: number, record: Uint8Array): void {
    if (this.explicitNonceLength === 0) {
      writeRecordNonce(this.nonce, this.iv, sequence);
    } else {
      writeTls12GcmNonce(this.nonce, this.iv, sequence);
      record.set(this.nonce.subarray(4), RECORD_HEADER_LENGTH);
    }
  }

  /**
   * Opens one record. `header` holds the 5 received header bytes (type and version enter the additional
   * data). Authentication failure, or a record too short to hold nonce and tag, is bad_record_mac
   * (RFC 5246 §7.2.2); a plaintext over 2^14 bytes is record_overflow (§6.2.3).
   */
  open(header: Uint8Array, body: Uint8Array): Uint8Array {
    const sequence = this.nextSequence();
    const plaintextLength = body.length - this.overhead;
    if (plaintextLength < 0) {
      throw tlsFailure('DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'decryption failed or bad record mac');
    }
    if (plaintextLength > MAX_PLAINTEXT_LENGTH) {
      throw tlsFailure('DATA_LENGTH_TOO_LONG', `decrypted record of ${plaintextLength} bytes exceeds 2^14`);
    }
    const version = (header[1]! << 8) | header[2]!;
    const aad = this.writeAad(sequence, header[0]!, version, plaintextLength);
    let sealed = body;
    if (this.explicitNonceLength === 0) {
      writeRecordNonce(this.nonce, this.iv, sequence);
    } else {
      this.nonce.set(this.iv, 0);
      this.nonce.set(body.subarray(0, 8), 4);
      sealed = body.subarray(8);
    }
    const plaintext = this.key.open(this.nonce, sealed, aad);
    if (plaintext === null) {
      throw tlsFailure('DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'decryption failed or bad record mac');
    }
    return plaintext;
  }
}
