import {
  CHANGE_CIPHER_SPEC_FRAGMENT,
  CodecAlert,
  ContentType,
  DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
  decodeInnerPlaintext,
  encodeAlert,
  encodeHandshake,
  encodeInnerPlaintext,
  encodeRecord,
  HandshakeDefragmenter,
  innerPlaintextLength,
  isValidChangeCipherSpec,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  parseAlert,
  parseRecordHeader,
  writeInnerPlaintext,
  writeRecordHeader,
} from '@sanstls/core/codec';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, expectAlert, hex, u8, u16 } from './codec-arbitraries.js';

describe('record header (RFC 8446 §5.1, §5.2)', () => {
  it('limits are those of the RFCs', () => {
    expect(MAX_PLAINTEXT_LENGTH).toBe(16384);
    expect(MAX_INNER_PLAINTEXT_LENGTH).toBe(16385);
    expect(MAX_TLS13_CIPHERTEXT_LENGTH).toBe(16384 + 256);
    expect(MAX_TLS12_CIPHERTEXT_LENGTH).toBe(16384 + 2048);
  });

  it('encodes and parses headers at any offset (property)', () => {
    fc.assert(
      fc.property(u8, u16, bytes(0, 64), fc.nat(8), (type, version, fragment, offset) => {
        const record = encodeRecord(type, version, fragment);
        const buf = new Uint8Array(offset + record.length);
        buf.set(record, offset);
        expect(parseRecordHeader(buf, offset, MAX_PLAINTEXT_LENGTH)).toEqual({
          type,
          version,
          length: fragment.length,
        });
        const out = new Uint8Array(5);
        expect(writeRecordHeader(out, 0, type, version, fragment.length)).toBe(5);
        expect(hex(out)).toBe(hex(record.subarray(0, 5)));
        // Fewer than 5 bytes: not yet a header.
        for (let k = 0; k < 5; k++) expect(parseRecordHeader(record.subarray(0, k))).toBeUndefined();
      }),
    );
  });

  it('a length above the limit is record_overflow; the limit itself is accepted', () => {
    const header = (len: number): Uint8Array => {
      const b = new Uint8Array(5);
      writeRecordHeader(b, 0, ContentType.application_data, 0x0303, len);
      return b;
    };
    expect(parseRecordHeader(header(MAX_TLS13_CIPHERTEXT_LENGTH), 0, MAX_TLS13_CIPHERTEXT_LENGTH)!.length).toBe(16640);
    expectAlert(
      () => parseRecordHeader(header(MAX_TLS13_CIPHERTEXT_LENGTH + 1), 0, MAX_TLS13_CIPHERTEXT_LENGTH),
      CodecAlert.record_overflow,
      'PACKET_LENGTH_TOO_LONG',
    );
    expectAlert(() => parseRecordHeader(header(MAX_PLAINTEXT_LENGTH + 1), 0, MAX_PLAINTEXT_LENGTH), 22);
    expectAlert(() => parseRecordHeader(header(0xffff)), 22); // default: the TLS 1.2 ciphertext limit
  });
});

describe('TLSInnerPlaintext (RFC 8446 §5.4)', () => {
  it('round-trips content, type and padding (property)', () => {
    fc.assert(
      fc.property(bytes(0, 100), fc.integer({ min: 1, max: 255 }), fc.nat(40), (content, type, padding) => {
        const inner = encodeInnerPlaintext(content, type, padding);
        expect(inner.length).toBe(innerPlaintextLength(content.length, padding));
        const out = new Uint8Array(inner.length + 3).fill(0xee);
        expect(writeInnerPlaintext(out, 3, content, type, padding)).toBe(out.length);
        expect(hex(out.subarray(3))).toBe(hex(inner));
        const decoded = decodeInnerPlaintext(inner);
        expect(decoded.type).toBe(type);
        expect(decoded.content).toEqual(content);
        expect(decoded.content.buffer).toBe(inner.buffer); // a view, not a copy
      }),
    );
  });

  it('all zeros is unexpected_message; more than 2^14 + 1 bytes is record_overflow', () => {
    expectAlert(() => decodeInnerPlaintext(new Uint8Array(10)), CodecAlert.unexpected_message, 'BAD_RECORD_TYPE');
    expectAlert(() => decodeInnerPlaintext(new Uint8Array(0)), CodecAlert.unexpected_message);
    const max = encodeInnerPlaintext(new Uint8Array(MAX_PLAINTEXT_LENGTH), ContentType.application_data);
    expect(decodeInnerPlaintext(max).content.length).toBe(MAX_PLAINTEXT_LENGTH);
    const over = encodeInnerPlaintext(new Uint8Array(MAX_PLAINTEXT_LENGTH), ContentType.application_data, 1);
    expectAlert(() => decodeInnerPlaintext(over), CodecAlert.record_overflow, 'DATA_LENGTH_TOO_LONG');
  });
});

describe('Alert and ChangeCipherSpec', () => {
  it('alerts are exactly two bytes', () => {
    expect(parseAlert(encodeAlert(2, 40))).toEqual({ level: 2, description: 40 });
    expectAlert(() => parseAlert(Uint8Array.of(2)), CodecAlert.decode_error);
    expectAlert(() => parseAlert(Uint8Array.of(2, 40, 0)), CodecAlert.decode_error);
  });

  it('ChangeCipherSpec is the single byte 1', () => {
    expect(isValidChangeCipherSpec(CHANGE_CIPHER_SPEC_FRAGMENT)).toBe(true);
    expect(isValidChangeCipherSpec(Uint8Array.of(2))).toBe(false);
    expect(isValidChangeCipherSpec(Uint8Array.of(1, 1))).toBe(false);
    expect(isValidChangeCipherSpec(Uint8Array.of())).toBe(false);
  });
});

describe('HandshakeDefragmenter (RFC 8446 §5.1)', () => {
  const message = fc.record({ type: u8, body: bytes(0, 300) });

  it('yields the same messages however the stream is cut into records (property)', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (msgs, cuts) => {
          const stream = Uint8Array.from(msgs.flatMap((m) => [...encodeHandshake(m.type, m.body)]));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const hs = new HandshakeDefragmenter();
          const got: { type: number; body: string; raw: string }[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            hs.push(stream.subarray(from, to));
            from = to;
            for (let m = hs.next(); m; m = hs.next()) {
              expect(m.raw.subarray(4)).toEqual(m.body);
              got.push({ type: m.type, body: hex(m.body), raw: hex(m.raw) });
            }
            // Partial exactly when the bytes so far end inside a message.
            expect(hs.hasPartialMessage).toBe(hs.bufferedLength > 0);
          }
          expect(got).toEqual(
            msgs.map((m) => ({ type: m.type, body: hex(m.body), raw: hex(encodeHandshake(m.type, m.body)) })),
          );
          expect(hs.hasPartialMessage).toBe(false);
        },
      ),
    );
  });

  it('returns views of the record when a message lies in one fragment', () => {
    const record = Uint8Array.from([
      ...encodeHandshake(20, new Uint8Array(32)),
      ...encodeHandshake(4, Uint8Array.of(9)),
    ]);
    const hs = new HandshakeDefragmenter();
    hs.push(record);
    const first = hs.next()!;
    expect(first.raw.buffer).toBe(record.buffer);
    expect(hs.next()!.type).toBe(4);
    expect(hs.next()).toBeUndefined();
  });

  it('reports a partial message (a key change must not split one, §5.1)', () => {
    const hs = new HandshakeDefragmenter();
    const msg = encodeHandshake(8, new Uint8Array(10));
    hs.push(msg.subarray(0, 2));
    expect(hs.next()).toBeUndefined();
    expect(hs.hasPartialMessage).toBe(true);
    hs.push(msg.subarray(2, 9));
    expect(hs.next()).toBeUndefined();
    expect(hs.hasPartialMessage).toBe(true);
    hs.push(msg.subarray(9));
    expect(hs.next()!.body.length).toBe(10);
    expect(hs.hasPartialMessage).toBe(false);
  });

  it('rejects an oversized message from its header alone, before buffering the body', () => {
    const hs = new HandshakeDefragmenter();
    hs.push(Uint8Array.of(1, 0x01, 0x00, 0x01)); // ClientHello of 65537 bytes
    expectAlert(() => hs.next(), CodecAlert.illegal_parameter, 'EXCESSIVE_MESSAGE_SIZE');
    expect(DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE).toBe(65536);

    const exact = new HandshakeDefragmenter();
    exact.push(encodeHandshake(1, new Uint8Array(65536)));
    expect(exact.next()!.body.length).toBe(65536);

    // Certificates may be allowed to grow beyond the general limit.
    const big = encodeHandshake(11, new Uint8Array(100_000));
    const strict = new HandshakeDefragmenter();
    strict.push(big);
    expectAlert(() => strict.next(), CodecAlert.illegal_parameter);
    const lenient = new HandshakeDefragmenter({ maxCertificateMessageSize: 200_000, maxMessageSize: 1000 });
    lenient.push(big);
    expect(lenient.next()!.body.length).toBe(100_000);
    lenient.push(encodeHandshake(8, new Uint8Array(1001)));
    expectAlert(() => lenient.next(), CodecAlert.illegal_parameter);
  });

  it('clear() drops buffered bytes', () => {
    const hs = new HandshakeDefragmenter();
    hs.push(Uint8Array.of(1, 0, 0));
    hs.clear();
    expect(hs.hasPartialMessage).toBe(false);
    hs.push(encodeHandshake(14, new Uint8Array(0)));
    expect(hs.next()).toEqual({ type: 14, body: new Uint8Array(0), raw: Uint8Array.of(14, 0, 0, 0) });
  });
});
