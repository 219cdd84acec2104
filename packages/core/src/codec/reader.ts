/**
 * Strict reader for the TLS presentation language (RFC 8446 §3): fixed-width big-endian integers and
 * length-prefixed vectors. Every read is bounds-checked against the reader's window and raises a
 * {@link DecodeError} (decode_error, RFC 8446 §6.2) on overrun; {@link Reader.expectEnd} rejects
 * trailing bytes, so parsers consume their input exactly.
 *
 * Vectors are returned as `subarray` views of the input (no copies): callers that keep data beyond the
 * lifetime of the input buffer must copy it.
 * @module
 */
import { type DeviationCollector, deviate } from './deviations.js';
import { DecodeError } from './errors.js';

export class Reader {
  /** Position of the next byte, as an index into {@link Reader.bytesView}. */
  private pos: number;
  /** End of this reader's window (exclusive). */
  private readonly end: number;
  private readonly buf: Uint8Array;
  /**
   * Lenient mode (deviations.ts): vector lengths outside their RFC bounds are reported here instead of
   * thrown, as long as the bytes are there. Sub-readers inherit it.
   */
  readonly deviations: DeviationCollector | undefined;

  constructor(buf: Uint8Array, start = 0, end = buf.length, deviations?: DeviationCollector) {
    if (!(start >= 0 && start <= end && end <= buf.length)) {
      throw new DecodeError(`reader window [${start}, ${end}) outside a buffer of ${buf.length} bytes`, 'BAD_LENGTH');
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.deviations = deviations;
  }

  /** Bytes left in this reader's window. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when the window is fully consumed. */
  get done(): boolean {
    return this.pos === this.end;
  }

  /** Offset of the next byte within the underlying buffer (for callers computing absolute offsets). */
  get offset(): number {
    return this.pos;
  }

  /** The underlying buffer this reader (and its sub-readers) index into. */
  get bytesView(): Uint8Array {
    return this.buf;
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n > this.end - at || n < 0) {
      throw new DecodeError(`${what}: need ${n} bytes, ${this.end - at} left`, 'LENGTH_TOO_SHORT');
    }
    this.pos = at + n;
    return at;
  }

  u8(what = 'uint8'): number {
    const at = this.need(1, what);
    return this.buf[at]!;
  }

  u16(what = 'uint16'): number {
    const at = this.need(2, what);
    const b = this.buf;
    return (b[at]! << 8) | b[at + 1]!;
  }

  u24(what = 'uint24'): number {
    const at = this.need(3, what);
    const b = this.buf;
    return (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
  }

  u32(what = 'uint32'): number {
    const at = this.need(4, what);
    const b = this.buf;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  /** `n` bytes as a view. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }

  /** The rest of the window as a view. */
  rest(): Uint8Array {
    const at = this.pos;
    this.pos = this.end;
    return this.buf.subarray(at, this.end);
  }

  /**
   * `opaque x<min..max>` with a 1-byte length: returns the body. `min`/`max` are the RFC's vector bounds
   * (RFC 8446 §3.4); a length outside them is a decode_error.
   */
  vec8(what: string, min = 0, max = 0xff): Uint8Array {
    return this.bytes(checkBounds(this.u8(what), min, max, what, this.deviations), what);
  }

  /** `opaque x<min..max>` with a 2-byte length. */
  vec16(what: string, min = 0, max = 0xffff): Uint8Array {
    return this.bytes(checkBounds(this.u16(what), min, max, what, this.deviations), what);
  }

  /** `opaque x<min..max>` with a 3-byte length. */
  vec24(what: string, min = 0, max = 0xffffff): Uint8Array {
    return this.bytes(checkBounds(this.u24(what), min, max, what, this.deviations), what);
  }

  /** A sub-reader over a 1-byte-length-prefixed block (same buffer, narrower window). */
  block8(what: string, min = 0, max = 0xff): Reader {
    const len = checkBounds(this.u8(what), min, max, what, this.deviations);
    const at = this.need(len, what);
    return new Reader(this.buf, at, at + len, this.deviations);
  }

  /** A sub-reader over a 2-byte-length-prefixed block. */
  block16(what: string, min = 0, max = 0xffff): Reader {
    const len = checkBounds(this.u16(what), min, max, what, this.deviations);
    const at = this.need(len, what);
    return new Reader(this.buf, at, at + len, this.deviations);
  }

  /** A sub-reader over a 3-byte-length-prefixed block. */
  block24(what: string, min = 0, max = 0xffffff): Reader {
    const len = checkBounds(this.u24(what), min, max, what, this.deviations);
    const at = this.need(len, what);
    return new Reader(this.buf, at, at + len, this.deviations);
  }

  /** Rejects trailing bytes: every structure must be consumed exactly. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new DecodeError(`${what}: ${this.end - this.pos} trailing bytes`, 'LENGTH_MISMATCH');
    }
  }

  /** A list of fixed-width `uint16` items in a 2-byte-length block, e.g. `CipherSuite cipher_suites<2..2^16-2>`. */
  u16List(what: string, min: number, max: number): number[] {
    const len = checkBounds(this.u16(what), min, max, what, this.deviations);
    if (len & 1) throw new DecodeError(`${what}: odd length ${len}`, 'BAD_LENGTH');
    const at = this.need(len, what);
    const b = this.buf;
    const out = new Array<number>(len >> 1);
    for (let i = 0; i < len; i += 2) out[i >> 1] = (b[at + i]! << 8) | b[at + i + 1]!;
    return out;
  }

  /** A list of `uint8` items in a 1-byte-length block, e.g. `ECPointFormat ec_point_format_list<1..2^8-1>`. */
  u8List(what: string, min: number, max: number): number[] {
    return Array.from(this.vec8(what, min, max));
  }
}

function checkBounds(
  len: number,
  min: number,
  max: number,
  what: string,
  deviations: DeviationCollector | undefined,
): number {
  if (len < min || len > max) {
    // RFC 8446 §3.4: the length of a vector with a <floor..ceiling> range must lie in it. In lenient mode
    // parsing continues with the bytes the length names (a structural overrun still throws in `need`).
    deviate(
      deviations,
      'RFC 8446 §3.4',
      new DecodeError(`${what}: length ${len} outside <${min}..${max}>`, 'BAD_LENGTH'),
    );
  }
  return len;
}
