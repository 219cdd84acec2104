/**
 * Python's `ssl.MemoryBIO`: a byte queue between the transport and an {@link SSLObject}. The incoming
 * BIO carries bytes from the network into the TLS engine, the outgoing BIO carries records out.
 *
 * Chunks are queued as written (no copy on write for the common case of one consumer reading
 * everything), and a read of n bytes copies only what it returns.
 * @module
 */
import { SSLError } from '@sanstls/x509';

const EMPTY = new Uint8Array(0);

export class MemoryBIO {
  private chunks: Uint8Array[] = [];
  /** Offset into chunks[0] already consumed. */
  private head = 0;
  private size = 0;
  private eofWritten = false;

  /** Number of bytes currently in the buffer. */
  get pending(): number {
    return this.size;
  }

  /** True once {@link writeEof} was called and every buffered byte has been read. */
  get eof(): boolean {
    return this.eofWritten && this.size === 0;
  }

  /**
   * Appends `buf` and returns its length. The bytes are copied: callers may reuse their buffer.
   * Raises SSLError after {@link writeEof} (Python: "cannot write() after write_eof()").
   */
  write(buf: Uint8Array | ArrayBufferView | string): number {
    if (this.eofWritten) throw new SSLError('cannot write() after write_eof()', { library: 'SSL', reason: 'BIO_EOF' });
    let bytes: Uint8Array;
    if (typeof buf === 'string') bytes = new TextEncoder().encode(buf);
    else if (buf instanceof Uint8Array) bytes = buf.slice();
    else bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.size += bytes.length;
    }
    return bytes.length;
  }

  /** Engine-side append of a buffer the caller hands over (no copy). */
  writeOwned(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** Reads up to n bytes; with n negative or omitted, everything buffered. */
  read(n = -1): Uint8Array {
    const want = n < 0 || n > this.size ? this.size : Math.floor(n);
    if (want === 0) return EMPTY.slice();
    const first = this.chunks[0]!;
    // Fast path: the whole first chunk, untouched.
    if (this.head === 0 && first.length === want) {
      this.chunks.shift();
      this.size -= want;
      return first;
    }
    const out = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length - this.head, want - filled);
      out.set(chunk.subarray(this.head, this.head + take), filled);
      filled += take;
      this.head += take;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= want;
    return out;
  }

  /** Marks the end of the stream: no more writes; {@link eof} turns true once drained. */
  writeEof(): void {
    this.eofWritten = true;
  }
}
