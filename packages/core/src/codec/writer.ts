/**
 * Writer for the TLS presentation language (RFC 8446 §3). One growable buffer, preallocated and doubled
 * on demand; length-prefixed vectors reserve their length field and back-patch it when the body is done,
 * so nested structures are written in one pass without intermediate arrays.
 *
 * A Writer is single-use: {@link Writer.finish} returns a view of the internal buffer (no copy).
 * @module
 */
import { EncodeError } from './errors.js';

/** A vector body: bytes to copy, or a callback writing the body into the same Writer. */
export type VectorBody = Uint8Array | ((w: Writer) => void);

export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity > 0 ? initialCapacity : 16);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): number {
    const at = this.pos;
    const need = at + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
    }
    this.pos = need;
    return at;
  }

  u8(v: number): this {
    if ((v & 0xff) !== v) throw outOfRange(v, 'uint8');
    const at = this.ensure(1);
    this.buf[at] = v;
    return this;
  }

  u16(v: number): this {
    if ((v & 0xffff) !== v) throw outOfRange(v, 'uint16');
    const at = this.ensure(2);
    const b = this.buf;
    b[at] = v >>> 8;
    b[at + 1] = v;
    return this;
  }

  u24(v: number): this {
    if ((v & 0xffffff) !== v) throw outOfRange(v, 'uint24');
    const at = this.ensure(3);
    const b = this.buf;
    b[at] = v >>> 16;
    b[at + 1] = v >>> 8;
    b[at + 2] = v;
    return this;
  }

  u32(v: number): this {
    if (v >>> 0 !== v) throw outOfRange(v, 'uint32');
    const at = this.ensure(4);
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.ensure(data.length);
    this.buf.set(data, at);
    return this;
  }

  /** `opaque x<0..2^8-1>` (or a struct list) with a 1-byte length. */
  vec8(body: VectorBody): this {
    return this.vec(1, 0xff, body);
  }

  /** `opaque x<0..2^16-1>` with a 2-byte length. */
  vec16(body: VectorBody): this {
    return this.vec(2, 0xffff, body);
  }

  /** `opaque x<0..2^24-1>` with a 3-byte length. */
  vec24(body: VectorBody): this {
    return this.vec(3, 0xffffff, body);
  }

  /** A 2-byte-length list of uint16 values (cipher suites, groups, signature schemes, versions). */
  u16List(values: readonly number[]): this {
    const len = values.length * 2;
    if (len > 0xffff) throw new EncodeError(`uint16 list of ${values.length} items is too long`);
    this.u16(len);
    const at = this.ensure(len);
    const b = this.buf;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if ((v & 0xffff) !== v) throw outOfRange(v, 'uint16');
      b[at + 2 * i] = v >>> 8;
      b[at + 2 * i + 1] = v;
    }
    return this;
  }

  /** A 1-byte-length list of uint8 values. */
  u8List(values: readonly number[] | Uint8Array): this {
    if (values.length > 0xff) throw new EncodeError(`uint8 list of ${values.length} items is too long`);
    for (const v of values) if ((v & 0xff) !== v) throw outOfRange(v, 'uint8');
    this.u8(values.length);
    const at = this.ensure(values.length);
    this.buf.set(values, at);
    return this;
  }

  private vec(width: 1 | 2 | 3, max: number, body: VectorBody): this {
    if (typeof body !== 'function') {
      if (body.length > max) throw new EncodeError(`vector of ${body.length} bytes exceeds ${max}`);
      const at = this.ensure(width + body.length);
      writeLength(this.buf, at, width, body.length);
      this.buf.set(body, at + width);
      return this;
    }
    const lengthAt = this.ensure(width);
    body(this);
    const len = this.pos - lengthAt - width;
    if (len > max) throw new EncodeError(`vector of ${len} bytes exceeds ${max}`);
    writeLength(this.buf, lengthAt, width, len);
    return this;
  }

  /** The bytes written, as a view of the internal buffer (no copy). The Writer must not be used afterwards. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function outOfRange(v: number, type: string): EncodeError {
  return new EncodeError(`${v} is not a ${type}`, 'BAD_VALUE');
}

function writeLength(b: Uint8Array, at: number, width: 1 | 2 | 3, len: number): void {
  if (width === 1) {
    b[at] = len;
  } else if (width === 2) {
    b[at] = len >>> 8;
    b[at + 1] = len;
  } else {
    b[at] = len >>> 16;
    b[at + 1] = len >>> 8;
    b[at + 2] = len;
  }
}
