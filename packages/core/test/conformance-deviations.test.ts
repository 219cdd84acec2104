/**
 * The codec's lenient, deviation-reporting mode (issue #11): one ClientHello breaking six rules yields six
 * deviations with their RFC sections, where strict mode (the default) throws at the first; structural
 * damage still throws in both modes; valid input parses identically with and without a collector.
 */
import {
  AlertDescription,
  CodecError,
  DecodeError,
  type Deviation,
  decodeHandshake,
  deviationList,
  type Extension,
  ExtensionType,
  encodeClientHello,
  encodeKeyShareClientHello,
  encodeRecord,
  encodeServerName,
  encodeServerNameHost,
  encodeSupportedGroups,
  IllegalParameterError,
  MAX_PLAINTEXT_LENGTH,
  NamedGroup,
  parseClientHello,
  parseExtensionBlock,
  parseRecordHeader,
  parseServerHello,
  Reader,
  splitHandshake,
} from '@sanstls/core/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionList } from './codec-arbitraries.js';

const share = (group: number) => ({ group, keyExchange: new Uint8Array(32).fill(group & 0xff) });

/** A ClientHello message breaking one rule per listed deviation (built with the non-validating encoders). */
function badHello(): Uint8Array {
  const extensions: Extension[] = [
    {
      type: ExtensionType.server_name,
      body: encodeServerName([
        { nameType: 0, name: new TextEncoder().encode('a.example') },
        { nameType: 0, name: new TextEncoder().encode('b.example') },
      ]),
    },
    { type: ExtensionType.supported_groups, body: encodeSupportedGroups([NamedGroup.x25519]) },
    {
      type: ExtensionType.key_share,
      body: encodeKeyShareClientHello([share(NamedGroup.x25519), share(NamedGroup.x25519)]),
    },
    // pre_shared_key, then another extension: not last (RFC 8446 §4.2.11).
    { type: ExtensionType.pre_shared_key, body: Uint8Array.of(0, 0, 0, 0) },
    { type: ExtensionType.supported_groups, body: encodeSupportedGroups([NamedGroup.secp256r1]) },
  ];
  return encodeClientHello({
    legacyVersion: 0x0303,
    random: new Uint8Array(32),
    legacySessionId: new Uint8Array(33), // opaque legacy_session_id<0..32>
    cipherSuites: [0x1301],
    legacyCompressionMethods: [0],
    extensions,
  });
}

describe('lenient ClientHello parsing', () => {
  it('strict mode throws at the first violation (the session id bound), exactly as before', () => {
    const m = splitHandshake(badHello());
    expect(() => parseClientHello(m.body, m.raw)).toThrow(DecodeError);
    expect(() => parseClientHello(m.body, m.raw)).toThrow(/legacy_session_id: length 33 outside <0\.\.32>/);
  });

  it('lenient mode reports every deviation with its RFC section and returns the parsed hello', () => {
    const m = splitHandshake(badHello());
    const { list, collect } = deviationList();
    const hello = parseClientHello(m.body, m.raw, collect);
    expect(hello.legacySessionId.length).toBe(33);
    expect(hello.extensions.map((e) => e.type)).toEqual([
      ExtensionType.server_name,
      ExtensionType.supported_groups,
      ExtensionType.key_share,
      ExtensionType.pre_shared_key,
      ExtensionType.supported_groups,
    ]);
    const values = parseExtensionBlock('CH', hello.extensions, { deviations: collect });
    expect(values.get(ExtensionType.key_share)).toHaveLength(2);
    const summary = list.map((d: Deviation) => [d.section, d.alert]);
    expect(summary).toEqual([
      ['RFC 8446 §3.4', AlertDescription.decode_error], // legacy_session_id of 33 bytes
      ['RFC 8446 §4.2', AlertDescription.illegal_parameter], // supported_groups twice
      ['RFC 8446 §4.2.11', AlertDescription.illegal_parameter], // pre_shared_key not last
      ['RFC 6066 §3', AlertDescription.illegal_parameter], // two host_names
      ['RFC 8446 §4.2.8', AlertDescription.illegal_parameter], // two x25519 shares
      ['RFC 8446 §4.2', AlertDescription.decode_error], // pre_shared_key body does not parse
    ]);
    for (const d of list) expect(d.message.length).toBeGreaterThan(10);
  });

  it('structural damage still throws in lenient mode', () => {
    const raw = badHello();
    const truncated = raw.subarray(0, raw.length - 3);
    const body = truncated.subarray(4);
    const { list, collect } = deviationList();
    expect(() => parseClientHello(body, undefined, collect)).toThrow(CodecError);
    expect(list.length).toBeGreaterThan(0); // the deviations seen before the overrun were reported
    const reader = new Reader(Uint8Array.of(5, 1, 2), 0, 3, collect);
    expect(() => reader.vec8('v', 0, 4)).toThrow(/need 5 bytes/);
  });

  it('decodeHandshake passes the collector through; a lenient ServerHello keeps both copies', () => {
    const { list, collect } = deviationList();
    const decoded = decodeHandshake(splitHandshake(badHello()), { version: 'TLSv1.3', deviations: collect });
    expect(decoded.kind).toBe('client_hello');
    expect(list.map((d) => d.section)).toEqual(['RFC 8446 §3.4', 'RFC 8446 §4.2', 'RFC 8446 §4.2.11']);
    const sh = Uint8Array.of(
      3,
      3,
      ...new Uint8Array(32).fill(1),
      0,
      0x13,
      0x01,
      0,
      0,
      12,
      0,
      0x2b,
      0,
      2,
      3,
      4,
      0,
      0x2b,
      0,
      2,
      3,
      4,
    );
    expect(() => parseServerHello(sh)).toThrow(IllegalParameterError);
    const second = deviationList();
    expect(parseServerHello(sh, second.collect).extensions).toHaveLength(2);
    expect(second.list).toHaveLength(1);
  });

  it('an extension not allowed in its message is a deviation (RFC 8446 §4.2 table)', () => {
    const { list, collect } = deviationList();
    const exts = [{ type: ExtensionType.server_name, body: encodeServerNameHost('x.example') }];
    expect(() => parseExtensionBlock('CR', exts)).toThrow(IllegalParameterError);
    parseExtensionBlock('CR', exts, { deviations: collect });
    expect(list).toEqual([expect.objectContaining({ section: 'RFC 8446 §4.2', reason: 'BAD_EXTENSION' })]);
  });

  it('a record above 2^14 is record_overflow in strict mode, a deviation in lenient mode', () => {
    const record = encodeRecord(22, 0x0303, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1));
    expect(() => parseRecordHeader(record, 0, MAX_PLAINTEXT_LENGTH)).toThrow(/exceeds/);
    const { list, collect } = deviationList();
    expect(parseRecordHeader(record, 0, MAX_PLAINTEXT_LENGTH, collect)?.length).toBe(MAX_PLAINTEXT_LENGTH + 1);
    expect(list).toEqual([
      expect.objectContaining({ section: 'RFC 8446 §5.1', alert: AlertDescription.record_overflow }),
    ]);
  });

  it('valid hellos parse identically with and without a collector, with no deviation', () => {
    const noPsk = [ExtensionType.pre_shared_key, ExtensionType.key_share, ExtensionType.server_name];
    fc.assert(
      fc.property(extensionList(noPsk), fc.uint8Array({ minLength: 0, maxLength: 32 }), (extensions, sid) => {
        const raw = encodeClientHello({
          legacyVersion: 0x0303,
          random: new Uint8Array(32).fill(9),
          legacySessionId: sid,
          cipherSuites: [0x1301, 0x1302],
          legacyCompressionMethods: [0],
          extensions,
        });
        const m = splitHandshake(raw);
        const { list, collect } = deviationList();
        expect(parseClientHello(m.body, m.raw, collect)).toEqual(parseClientHello(m.body, m.raw));
        expect(list).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
