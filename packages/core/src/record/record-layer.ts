/**
 * The record layer (RFC 8446 §5): framing of the incoming byte stream into records, decryption under
 * the current read {@link HalfConnection}, and fragmentation/encryption of outgoing content.
 *
 * Policy (which content type is acceptable in which handshake state, the change_cipher_spec allowance
 * of §5, plaintext alerts) belongs to the connection; this layer enforces the framing rules: header
 * sanity, the length limits of §5.1/§5.2 (record_overflow), and AEAD authentication (bad_record_mac).
 *
 * Input is buffered in one growable buffer that is compacted as records are consumed, and never holds
 * more than the transport delivered; output is a list of buffers taken by the caller — with
 * {@link RecordLayer.chunkedRecords} a record may span several of them (header, body, trailer:
 * HalfConnection.sealRecordTo), sent in order (a vectored write).
 * @module
 */

import { tlsFailure } from '../alerts.js';
import { ContentType } from '../codec/enums.js';
import {
  decodeInnerPlaintext,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  parseRecordHeader,
  RECORD_HEADER_LENGTH,
  writeRecordHeader,
} from '../codec/record.js';
import { type HalfConnection, innerPadding, ScratchBlock } from './protection.js';
import type { Tls12RecordProtection } from './protection12.js';

export interface ReceivedRecord {
  /** The content type: the outer type of a plaintext record, the inner type of a protected one. */
  readonly type: number;
  /** The content (a view; valid until the next call into the record layer). */
  readonly content: Uint8Array;
  /** True when the record was decrypted under the read key. */
  readonly protected: boolean;
}

/** A request line would start like this: a plaintext HTTP client talking to a TLS port. */
const HTTP_METHOD_PREFIXES = ['GET ', 'POST', 'HEAD', 'PUT ', 'DELE', 'OPTI', 'PATC', 'CONN'];

export class RecordLayer {
  private input = new Uint8Array(0);
  private inputStart = 0;
  private inputEnd = 0;
  private output: Uint8Array[] = [];
  private outputLength = 0;
  private recordsReceived = 0;

  /** Decrypts incoming records when set (RFC 8446 §5.2). */
  readKey: HalfConnection | null = null;
  /** Bytes of undecryptable records still to skip (a server's rejected 0-RTT data, RFC 8446 §4.2.10). */
  skipUndecryptable = 0;
  /** Encrypts outgoing records when set. */
  writeKey: HalfConnection | null = null;
  /** TLS 1.2 hook (issue #6): RFC 5246 §6.2.3.3 protection, covering every content type once active. */
  readKey12: Tls12RecordProtection | null = null;
  writeKey12: Tls12RecordProtection | null = null;
  /** RFC 8446 §5.4 padding: pad each protected record's inner plaintext to a multiple of this (0 = none). */
  paddingBlock = 0;
  /** Largest plaintext fragment we send (RFC 8446 §5.1: at most 2^14). */
  maxFragment = MAX_PLAINTEXT_LENGTH;
  /**
   * RFC 8449 §4: the peer's record_size_limit (0 = none). "An endpoint MUST NOT generate a protected
   * record with plaintext that is larger than the RecordSizeLimit value it receives from its peer";
   * in TLS 1.3 the value covers the whole TLSInnerPlaintext (content, type byte and padding), in TLS 1.2
   * the fragment. Unprotected records are not subject to it.
   */
  sendRecordSizeLimit = 0;
  /** RFC 8449 §4: the limit we announced (0 = none); a protected record above it is record_overflow. */
  receiveRecordSizeLimit = 0;
  /**
   * The consumer sends the queued buffers as they are (a socket's vectored write), so a large protected
   * record may be queued as several of them (HalfConnection.sealRecordTo: no record-sized buffer filled
   * with a copy of the AEAD's output). Off by default: a consumer that joins the output
   * ({@link takeOutgoing}, MemoryBIO.read) would pay that allocation and copy in the join instead.
   */
  chunkedRecords = false;
  /** Header and trailer bytes of chunked records (made on the first one). */
  private scratch: ScratchBlock | undefined;

  /** Bytes received from the transport and not yet consumed as records. */
  get bufferedInput(): number {
    return this.inputEnd - this.inputStart;
  }

  /** True when a partial record is buffered (used to tell clean EOF from truncation). */
  get hasPartialRecord(): boolean {
    return this.inputEnd > this.inputStart;
  }

  /** Appends bytes from the transport. */
  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const live = this.inputEnd - this.inputStart;
    if (this.inputEnd + bytes.length > this.input.length) {
      if (live + bytes.length <= this.input.length && this.inputStart > 0) {
        this.input.copyWithin(0, this.inputStart, this.inputEnd);
      } else {
        // Sized to what arrived (at least 256 bytes), doubling as needed: a handshake's flights are a few
        // hundred bytes to a few KiB, and a zeroed 4 KiB first buffer per connection cost ≈ 4 µs against
        // ≈ 0.7 µs for 512 bytes (issue #9); bulk transfers reach their record size after a few doublings.
        const grown = new Uint8Array(Math.max(live + bytes.length, this.input.length * 2, 256));
        grown.set(this.input.subarray(this.inputStart, this.inputEnd));
        this.input = grown;
      }
      this.inputStart = 0;
      this.inputEnd = live;
    }
    this.input.set(bytes, this.inputEnd);
    this.inputEnd += bytes.length;
  }

  /**
   * The next complete record, decrypted when a read key is set and the record is application_data, or
   * undefined when more bytes are needed. Throws SSLErrors carrying their alert.
   */
  nextRecord(): ReceivedRecord | undefined {
    const available = this.inputEnd - this.inputStart;
    if (available < RECORD_HEADER_LENGTH) {
      if (available > 0 && this.recordsReceived === 0) this.checkFirstBytes(available);
      return undefined;
    }
    const at = this.inputStart;
    const buf = this.input;
    const type = buf[at]!;
    if (this.recordsReceived === 0) this.checkFirstBytes(available);
    // RFC 8446 §5.1: legacy_record_version is otherwise ignored, but a major version other than 3 is
    // not TLS at all (OpenSSL: WRONG_VERSION_NUMBER).
    if (buf[at + 1] !== 0x03) {
      throw tlsFailure('WRONG_VERSION_NUMBER', `record version ${buf[at + 1]}.${buf[at + 2]} is not TLS`);
    }
    if (type < ContentType.change_cipher_spec || type > ContentType.application_data) {
      throw tlsFailure('WRONG_RECORD_TYPE', `unknown record content type ${type}`);
    }
    // TLS 1.2 hook (issue #6): after ChangeCipherSpec every record is protected (RFC 5246 §6.2.3).
    if (this.readKey12 !== null) {
      const header12 = parseRecordHeader(buf, at, MAX_TLS12_CIPHERTEXT_LENGTH)!;
      if (available < RECORD_HEADER_LENGTH + header12.length) return undefined;
      this.inputStart = at + RECORD_HEADER_LENGTH + header12.length;
      this.recordsReceived++;
      // The header is read during open() only: a view is enough.
      const headerBytes = buf.subarray(at, at + RECORD_HEADER_LENGTH);
      const content = this.readKey12.open(headerBytes, buf.subarray(at + RECORD_HEADER_LENGTH, this.inputStart));
      this.checkReceiveLimit(content.length);
      return { type, content, protected: true };
    }
    const isProtected = this.readKey !== null && type === ContentType.application_data;
    // §5.1: TLSPlaintext.length MUST NOT exceed 2^14; §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256.
    const header = parseRecordHeader(buf, at, isProtected ? MAX_TLS13_CIPHERTEXT_LENGTH : MAX_PLAINTEXT_LENGTH)!;
    if (available < RECORD_HEADER_LENGTH + header.length) return undefined;
    this.inputStart = at + RECORD_HEADER_LENGTH + header.length;
    this.recordsReceived++;
    const fragment = buf.subarray(at + RECORD_HEADER_LENGTH, this.inputStart);
    if (!isProtected) return { type, content: fragment, protected: false };
    const key = this.readKey!;
    if (fragment.length < key.tagLength + 1) {
      throw tlsFailure('DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'protected record shorter than its tag');
    }
    // The header is the AEAD's additional data, used during open() only (before any further feed): a view.
    const aad = buf.subarray(at, at + RECORD_HEADER_LENGTH);
    if (this.skipUndecryptable > 0) {
      // RFC 8446 §4.2.10: a server that rejected 0-RTT discards records that fail deprotection, up to a
      // budget; the first record that opens ends the skipping.
      const opened = key.tryOpen(aad, fragment);
      if (opened === null && fragment.length <= this.skipUndecryptable) {
        this.skipUndecryptable -= fragment.length;
        return this.nextRecord();
      }
      this.skipUndecryptable = 0;
      if (opened === null)
        throw tlsFailure('DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'decryption failed or bad record mac');
      this.checkReceiveLimit(opened.length);
      const inner = decodeInnerPlaintext(opened);
      return { type: inner.type, content: inner.content, protected: true };
    }
    const plaintext = key.open(aad, fragment);
    this.checkReceiveLimit(plaintext.length);
    const inner = decodeInnerPlaintext(plaintext);
    return { type: inner.type, content: inner.content, protected: true };
  }

  /**
   * RFC 8449 §4: "A TLS endpoint that receives a record larger than its advertised limit MUST generate a
   * fatal "record_overflow" alert". `length` is the TLSInnerPlaintext (1.3) or the fragment (1.2).
   */
  private checkReceiveLimit(length: number): void {
    if (this.receiveRecordSizeLimit > 0 && length > this.receiveRecordSizeLimit) {
      throw tlsFailure(
        'DATA_LENGTH_TOO_LONG',
        `protected record of ${length} bytes exceeds our record_size_limit of ${this.receiveRecordSizeLimit}`,
      );
    }
  }

  /**
   * Content bytes per record under the current write protection: {@link maxFragment}, lowered by the
   * peer's record_size_limit (RFC 8449 §4; TLS 1.3 keeps one byte of the limit for the content type).
   */
  get protectedFragmentLength(): number {
    const limit = this.sendRecordSizeLimit;
    if (limit === 0 || (this.writeKey === null && this.writeKey12 === null)) return this.maxFragment;
    return Math.min(this.maxFragment, this.writeKey12 !== null ? limit : limit - 1);
  }

  /** OpenSSL's first-record diagnostics: a plaintext HTTP request, or bytes that are not TLS at all. */
  private checkFirstBytes(available: number): void {
    const head = String.fromCharCode(...this.input.subarray(this.inputStart, this.inputStart + Math.min(4, available)));
    if (available >= 4 && HTTP_METHOD_PREFIXES.includes(head)) {
      throw tlsFailure('HTTP_REQUEST', 'http request');
    }
    if (available >= 2 && this.input[this.inputStart + 1] !== 0x03) {
      throw tlsFailure('WRONG_VERSION_NUMBER', 'wrong version number');
    }
  }

  /**
   * Queues `content` as records of `type`, fragmented to {@link maxFragment}, protected under the
   * write key when one is set. `legacyVersion` matters only for plaintext records (0x0301 is allowed
   * for the initial ClientHello, RFC 8446 §5.1).
   */
  send(type: number, content: Uint8Array, legacyVersion = 0x0303): void {
    const step = this.protectedFragmentLength;
    if (this.writeKey12 !== null) {
      // TLS 1.2 hook (issue #6): RFC 5246 §6.2.3.3 AEAD records (empty application data allowed).
      let offset = 0;
      do {
        const fragment = content.subarray(offset, Math.min(content.length, offset + step));
        if (this.chunkedRecords)
          this.outputLength += this.writeKey12.sealRecordTo(this.output, this.scratchBlock(), type, fragment);
        else this.push(this.writeKey12.sealRecord(type, fragment));
        offset += step;
      } while (offset < content.length);
      return;
    }
    if (content.length === 0) {
      // Only application data may be empty (RFC 8446 §5.1); callers never send other empty content.
      if (this.writeKey !== null) this.pushProtected(type, content);
      return;
    }
    for (let offset = 0; offset < content.length; offset += step) {
      const fragment = content.subarray(offset, Math.min(content.length, offset + step));
      if (this.writeKey !== null) this.pushProtected(type, fragment);
      else this.pushPlaintext(type, fragment, legacyVersion);
    }
  }

  /** The unprotected change_cipher_spec record of middlebox compatibility mode (RFC 8446 §D.4). */
  sendChangeCipherSpec(): void {
    this.pushPlaintext(ContentType.change_cipher_spec, Uint8Array.of(1), 0x0303);
  }

  private pushPlaintext(type: number, fragment: Uint8Array, legacyVersion: number): void {
    const record = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
    writeRecordHeader(record, 0, type, legacyVersion, fragment.length);
    record.set(fragment, RECORD_HEADER_LENGTH);
    this.push(record);
  }

  private pushProtected(type: number, fragment: Uint8Array): void {
    // RFC 8449 §4: padding counts against the peer's limit too.
    const limit = this.sendRecordSizeLimit > 0 ? this.sendRecordSizeLimit : MAX_INNER_PLAINTEXT_LENGTH;
    const padding = innerPadding(fragment.length, this.paddingBlock, limit);
    if (this.chunkedRecords)
      this.outputLength += this.writeKey!.sealRecordTo(this.output, this.scratchBlock(), fragment, type, padding);
    else this.push(this.writeKey!.sealRecord(fragment, type, padding));
  }

  /** Header and trailer bytes for chunked records: the block is made on the first one. */
  private scratchBlock(): ScratchBlock {
    return (this.scratch ??= new ScratchBlock());
  }

  private push(bytes: Uint8Array): void {
    this.output.push(bytes);
    this.outputLength += bytes.length;
  }

  /** Bytes queued for the transport. */
  get pendingOutput(): number {
    return this.outputLength;
  }

  /**
   * Everything queued for the transport as the buffers queued (each the caller's), emptying the queue. A
   * buffer is a whole record or, with {@link chunkedRecords}, a part of one: their concatenation is the byte
   * stream to send. Record parts of one connection may share an ArrayBuffer: send them, do not transfer them.
   */
  takeOutgoingChunks(): Uint8Array[] {
    const chunks = this.output;
    this.output = [];
    this.outputLength = 0;
    return chunks;
  }

  /** Everything queued for the transport as one buffer, or null when nothing is queued. */
  takeOutgoing(): Uint8Array | null {
    if (this.outputLength === 0) return null;
    let out: Uint8Array;
    if (this.output.length === 1) out = this.output[0]!;
    else {
      out = new Uint8Array(this.outputLength);
      let at = 0;
      for (const chunk of this.output) {
        out.set(chunk, at);
        at += chunk.length;
      }
    }
    this.output = [];
    this.outputLength = 0;
    return out;
  }
}
