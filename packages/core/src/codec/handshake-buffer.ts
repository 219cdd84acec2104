/**
 * Handshake-message reassembly across records (RFC 8446 §5.1, RFC 5246 §6.2.1): several messages per
 * record, one message split over many records. The header's 24-bit length is checked against a
 * configured maximum as soon as the 4-byte header is available, so a peer cannot make us buffer 16 MiB.
 * @module
 */
import { CodecAlert, CodecError } from './errors.js';

/** One complete handshake message. */
export interface HandshakeMessage {
  /** HandshakeType (msg_type). */
  type: number;
  /** The body (without the 4-byte header): a view of `raw`. */
  body: Uint8Array;
  /** Header + body, exactly as received: what the transcript hash consumes (RFC 8446 §4.4.1). */
  raw: Uint8Array;
}

export interface HandshakeDefragmenterOptions {
  /** Largest accepted body, default 65536. */
  maxMessageSize?: number;
  /**
   * Largest accepted Certificate (11) / CompressedCertificate (25) body, default `maxMessageSize`
   * (certificate chains are the one message that legitimately grows large; OpenSSL's max_cert_list).
   */
  maxCertificateMessageSize?: number;
}

export const HANDSHAKE_HEADER_LENGTH = 4;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 65536;

/**
 * Accumulates handshake-record fragments with {@link HandshakeDefragmenter.push} and returns complete
 * messages from {@link HandshakeDefragmenter.next}. A message contained in a single pushed fragment is
 * returned as a view of that fragment (no copy); a message spanning fragments is assembled into a new
 * buffer. Callers must not modify pushed buffers until the messages from them are consumed.
 */
export class HandshakeDefragmenter {
  private readonly maxMessageSize: number;
  private readonly maxCertificateMessageSize: number;
  private chunks: Uint8Array[] = [];
  /** Read offset into chunks[0]. */
  private head = 0;
  private buffered = 0;

  constructor(options: HandshakeDefragmenterOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE;
    this.maxCertificateMessageSize = options.maxCertificateMessageSize ?? this.maxMessageSize;
  }

  /** Bytes received but not yet returned as messages. */
  get bufferedLength(): number {
    return this.buffered;
  }

  /**
   * True while part of a message is buffered. RFC 8446 §5.1: handshake messages MUST NOT span a key
   * change; the engine checks this before switching keys and raises unexpected_message.
   */
  get hasPartialMessage(): boolean {
    return this.buffered > 0;
  }

  /** Appends the fragment of a handshake record. */
  push(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    this.chunks.push(fragment);
    this.buffered += fragment.length;
  }

  /** The next complete message, or undefined if more bytes are needed. */
  next(): HandshakeMessage | undefined {
    if (this.buffered < HANDSHAKE_HEADER_LENGTH) return undefined;
    const type = this.peekByte(0);
    const length = (this.peekByte(1) << 16) | (this.peekByte(2) << 8) | this.peekByte(3);
    const limit = type === 11 || type === 25 ? this.maxCertificateMessageSize : this.maxMessageSize;
    if (length > limit) {
      // OpenSSL: SSL_R_EXCESSIVE_MESSAGE_SIZE with illegal_parameter.
      throw new CodecError(
        `handshake message type ${type} of ${length} bytes exceeds the limit of ${limit}`,
        'EXCESSIVE_MESSAGE_SIZE',
        CodecAlert.illegal_parameter,
      );
    }
    const total = HANDSHAKE_HEADER_LENGTH + length;
    if (this.buffered < total) return undefined;
    const raw = this.take(total);
    return { type, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }

  /** Drops everything buffered (after a fatal error). */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
  }

  private peekByte(index: number): number {
    let i = this.head + index;
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    return 0; // unreachable: callers check `buffered` first
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length - this.head >= n) {
      const view = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.length - this.head, n - filled);
      out.set(chunk.subarray(this.head, this.head + count), filled);
      filled += count;
      this.head += count;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}
