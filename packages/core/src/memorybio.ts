/**
 * Python's `ssl.MemoryBIO`: a byte queue between the transport and an {@link SSLObject}. The incoming
 * BIO carries bytes from the network into the TLS engine, the outgoing BIO carries records out.
 *
 * Ownership: bytes given to {@link MemoryBIO.write} are copied (Python semantics: the caller may reuse
 * its buffer), and every buffer {@link MemoryBIO.read} returns belongs to the caller — it never aliases
 * memory the BIO writes again. Within those rules the record path avoids allocations, which cost more
 * than copies at 16 KiB (a fresh ArrayBuffer each, and the garbage collector's work for it):
 *
 * - `write` copies into an arena borrowed from a small module-wide pool and returned to it when the BIO
 *   empties, instead of allocating a buffer per write. The engine consumes arena bytes through
 *   {@link MemoryBIO.drainTo} (views valid during the call only, copied by the record layer); a user
 *   `read` of arena bytes gets a fresh copy.
 * - `writeOwned` (the engine's records, an adapter's fresh socket chunks) queues the buffer itself, and
 *   `read` hands a whole queued buffer back without copying.
 * @module
 */
import { SSLError } from '@sanstls/x509';

const EMPTY = new Uint8Array(0);

/** Arena size: four full TLS records (16 KiB + 256 of ciphertext expansion + 5 of header each). */
const ARENA_SIZE = 4 * (16384 + 256 + 5);
/**
 * At most this many arenas are borrowed at once (≈ 264 KiB); BIOs writing while all are borrowed (many
 * connections holding unread bytes) copy into a buffer per write instead, so a queue never pins more than
 * its own bytes plus one shared arena. One thread, synchronous use: a drained BIO's arena is free for any
 * other.
 */
const ARENA_LIMIT = 4;
const arenaPool: Uint8Array[] = [];
/** Arenas currently held by BIOs (each queued, or being queued, bytes): at most ARENA_LIMIT. */
let borrowed = 0;
/**
 * A BIO dropped while it still holds bytes never releases its arena: its slot comes back once the BIO is
 * collected. A FinalizationRegistry rather than WeakRefs to the borrowers: creating or dereferencing a
 * WeakRef adds its target to the engine's kept-alive list until the current job ends (ECMA-262
 * AddToKeptObjects / ClearKeptObjects), so a synchronous loop of connections (a benchmark, a caller
 * driving SSLObjects in a loop) kept every BIO, with its queue, alive until the loop yielded — survivors
 * promoted to the old space (issue #9). Registration keeps nothing alive; a BIO is registered only while
 * it borrows and unregistered when it gives the arena back, so the callback runs for dropped borrowers only.
 */
const reclaim =
  // Runtimes without FinalizationRegistry (workerd: Cloudflare Workers leave it out) still pool arenas:
  // a borrower dropped with unread bytes then keeps its slot, and once all ARENA_LIMIT slots are held so,
  // writes copy into a buffer each, as when the pool is busy. Correct either way, only less pooling.
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<undefined>(() => {
        borrowed--;
      })
    : null;

/** @internal Arenas currently borrowed (tests check the count stays balanced as BIOs are dropped). */
export function borrowedArenas(): number {
  return borrowed;
}

export class MemoryBIO {
  private chunks: Uint8Array[] = [];
  /** Offset into chunks[0] already consumed. */
  private head = 0;
  private size = 0;
  private eofWritten = false;
  /** The borrowed arena (its queued views are `write` copies), or null; returned when the BIO empties. */
  private arena: Uint8Array | null = null;
  private arenaUsed = 0;

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
    const bytes =
      typeof buf === 'string'
        ? new TextEncoder().encode(buf)
        : buf instanceof Uint8Array
          ? buf
          : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const length = bytes.length;
    if (length === 0) return 0;
    if (typeof buf === 'string') {
      this.append(bytes); // already a fresh buffer
      return length;
    }
    if (this.arena === null && length <= ARENA_SIZE && borrowed < ARENA_LIMIT) {
      this.arena = arenaPool.pop() ?? new Uint8Array(ARENA_SIZE);
      this.arenaUsed = 0;
      borrowed++;
      reclaim?.register(this, undefined, this);
    }
    const arena = this.arena;
    if (arena !== null && this.arenaUsed + length <= arena.length) {
      const at = this.arenaUsed;
      arena.set(bytes, at);
      this.arenaUsed = at + length;
      this.append(arena.subarray(at, at + length));
    } else {
      this.append(bytes.slice());
    }
    return length;
  }

  /** Engine-side append of a buffer the caller hands over (no copy). */
  writeOwned(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.append(bytes);
  }

  private append(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  /** True when `chunk` is a view of the borrowed arena (it must not leave the BIO without a copy). */
  private inArena(chunk: Uint8Array): boolean {
    return this.arena !== null && chunk.buffer === this.arena.buffer;
  }

  /** Called once the queue is empty: the arena goes back to the pool for any BIO's next write. */
  private releaseArena(): void {
    const arena = this.arena;
    if (arena === null) return;
    this.arena = null;
    this.arenaUsed = 0;
    borrowed--;
    reclaim?.unregister(this);
    if (arenaPool.length < ARENA_LIMIT) arenaPool.push(arena);
  }

  /** Reads up to n bytes; with n negative or omitted, everything buffered. */
  read(n = -1): Uint8Array {
    const want = n < 0 || n > this.size ? this.size : Math.floor(n);
    if (want === 0) return EMPTY.slice();
    const first = this.chunks[0]!;
    // Fast path: the whole first chunk, untouched, when it is the caller's to keep.
    if (this.head === 0 && first.length === want && !this.inArena(first)) {
      this.chunks.shift();
      this.size -= want;
      if (this.size === 0) this.releaseArena();
      return first;
    }
    const out = new Uint8Array(want);
    let filled = 0;
    this.consume(want, (view) => {
      out.set(view, filled);
      filled += view.length;
    });
    return out;
  }

  /**
   * Everything buffered, as the queued buffers rather than joined into one (a socket adapter hands them
   * to one vectored write). Each returned buffer is the caller's, as with {@link read}: `writeOwned`
   * buffers as they are, bytes from the arena copied.
   */
  readChunks(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = i === 0 && this.head > 0 ? this.chunks[0]!.subarray(this.head) : this.chunks[i]!;
      out.push(this.inArena(chunk) ? chunk.slice() : chunk);
    }
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    this.releaseArena();
    return out;
  }

  /**
   * Engine side: consumes up to `n` buffered bytes (all with n negative), passing them to `sink` as views
   * in order, and returns the count. The views are valid during the call only — the sink must copy what
   * it keeps (the record layer does) — so no bytes are allocated or copied on the way.
   */
  drainTo(n: number, sink: (view: Uint8Array) => void): number {
    const want = n < 0 || n > this.size ? this.size : Math.floor(n);
    if (want > 0) this.consume(want, sink);
    return want;
  }

  private consume(want: number, sink: (view: Uint8Array) => void): void {
    let left = want;
    while (left > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length - this.head, left);
      sink(chunk.subarray(this.head, this.head + take));
      left -= take;
      this.head += take;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.size -= want;
    if (this.size === 0) this.releaseArena();
  }

  /** Marks the end of the stream: no more writes; {@link eof} turns true once drained. */
  writeEof(): void {
    this.eofWritten = true;
  }
}
