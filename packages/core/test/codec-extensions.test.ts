import {
  CodecAlert,
  ExtensionType as ET,
  type ExtensionContext,
  encodeKeyShareClientHello,
  encodePreSharedKeyClientHello,
  encodeServerName,
  extensionAllowed,
  extensionCodec,
  knownExtensionTypes,
  parseAlpn,
  parseAlpnServer,
  parseCertificateAuthorities,
  parseCompressCertificate,
  parseCookie,
  parseEcPointFormats,
  parseEmptyExtension,
  parseExtensionBlock,
  parseKeyShareClientHello,
  parseKeyShareServerHello,
  parseMaxFragmentLength,
  parsePadding,
  parsePreSharedKeyClientHello,
  parsePskKeyExchangeModes,
  parseRecordSizeLimit,
  parseServerName,
  parseSignatureAlgorithms,
  parseStatusRequest,
  parseSupportedGroups,
  parseSupportedVersionsClientHello,
  parseSupportedVersionsServerHello,
  Reader,
  readExtensions,
  serverNameHost,
  unsolicitedExtension,
  Writer,
  writeExtensions,
} from '@sanstls/core/codec';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytes,
  codecFailure,
  expectAlert,
  expectNoProperPrefixParses,
  extensionList,
  hex,
  u8,
  u16,
  u32,
} from './codec-arbitraries.js';

const { decode_error: DECODE, illegal_parameter: ILLEGAL } = CodecAlert;

const ocspRequest = fc.record({
  statusType: fc.constant(1),
  responderIdList: fc.array(bytes(1, 10), { maxLength: 3 }),
  requestExtensions: bytes(0, 10),
});
const alpnNames = fc.array(bytes(1, 12), { minLength: 1, maxLength: 4 });
const u16s = (max = 12): fc.Arbitrary<number[]> => fc.array(u16, { minLength: 1, maxLength: max });
const psks = fc
  .array(fc.record({ identity: bytes(1, 20), obfuscatedTicketAge: u32, binder: bytes(32, 48) }), {
    minLength: 1,
    maxLength: 3,
  })
  .map((list) => ({
    identities: list.map(({ identity, obfuscatedTicketAge }) => ({ identity, obfuscatedTicketAge })),
    binders: list.map((p) => p.binder),
  }));
const keyShares = fc.uniqueArray(fc.record({ group: u16, keyExchange: bytes(1, 40) }), {
  selector: (s) => s.group,
  maxLength: 4,
});

/**
 * A value arbitrary for every typed codec, keyed `context:type`; `raw` marks codecs whose proper
 * prefixes are legitimately valid (opaque bodies, padding).
 */
const VALUES: Record<string, { arb: fc.Arbitrary<unknown>; raw?: true }> = {
  [`CH:${ET.server_name}`]: {
    arb: fc.uniqueArray(fc.record({ nameType: u8, name: bytes(1, 20) }), {
      selector: (n) => n.nameType,
      minLength: 1,
      maxLength: 3,
    }),
  },
  [`CH:${ET.max_fragment_length}`]: { arb: fc.integer({ min: 1, max: 4 }) },
  [`CH:${ET.status_request}`]: { arb: ocspRequest },
  [`CR:${ET.status_request}`]: { arb: ocspRequest },
  [`CT:${ET.status_request}`]: { arb: fc.record({ statusType: fc.constantFrom(1, 2), response: bytes(1, 30) }) },
  [`CH:${ET.supported_groups}`]: { arb: u16s() },
  [`CH:${ET.ec_point_formats}`]: { arb: fc.array(u8, { minLength: 1, maxLength: 5 }) },
  [`CH:${ET.signature_algorithms}`]: { arb: u16s() },
  [`CH:${ET.signature_algorithms_cert}`]: { arb: u16s() },
  [`CH:${ET.application_layer_protocol_negotiation}`]: { arb: alpnNames },
  [`SH:${ET.application_layer_protocol_negotiation}`]: { arb: bytes(1, 12) },
  [`SH:${ET.signed_certificate_timestamp}`]: { arb: bytes(0, 30), raw: true },
  [`CH:${ET.padding}`]: { arb: fc.integer({ min: 0, max: 64 }), raw: true },
  [`CH:${ET.record_size_limit}`]: { arb: fc.integer({ min: 64, max: 0xffff }) },
  [`CH:${ET.compress_certificate}`]: { arb: u16s(8) },
  [`CH:${ET.session_ticket}`]: { arb: bytes(0, 30), raw: true },
  [`CH:${ET.pre_shared_key}`]: { arb: psks },
  [`SH:${ET.pre_shared_key}`]: { arb: u16 },
  [`NST:${ET.early_data}`]: { arb: u32 },
  [`CH:${ET.supported_versions}`]: { arb: u16s(10) },
  [`SH:${ET.supported_versions}`]: { arb: u16 },
  [`CH:${ET.cookie}`]: { arb: bytes(1, 40) },
  [`CH:${ET.psk_key_exchange_modes}`]: { arb: fc.array(u8, { minLength: 1, maxLength: 5 }) },
  [`CH:${ET.certificate_authorities}`]: { arb: fc.array(bytes(1, 20), { minLength: 1, maxLength: 4 }) },
  [`CR:${ET.oid_filters}`]: {
    arb: fc.array(fc.record({ oid: bytes(1, 10), values: bytes(0, 10) }), { maxLength: 3 }),
  },
  [`CH:${ET.key_share}`]: { arb: keyShares },
  [`SH:${ET.key_share}`]: { arb: fc.record({ group: u16, keyExchange: bytes(1, 40) }) },
  [`HRR:${ET.key_share}`]: { arb: u16 },
  [`CH:${ET.renegotiation_info}`]: { arb: bytes(0, 40) },
};

const CONTEXTS: readonly ExtensionContext[] = ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'];

/** The arbitrary for a codec: an exact key, or the same extension's codec in another context. */
function valuesFor(context: ExtensionContext, type: number): { arb: fc.Arbitrary<unknown>; raw?: true } | undefined {
  const exact = VALUES[`${context}:${type}`];
  if (exact) return exact;
  const codec = extensionCodec(context, type)!;
  for (const other of CONTEXTS) {
    if (extensionCodec(other, type) === codec && VALUES[`${other}:${type}`]) return VALUES[`${other}:${type}`];
  }
  return undefined;
}

describe('typed extension codecs', () => {
  const cases: { context: ExtensionContext; type: number }[] = [];
  for (const type of knownExtensionTypes()) {
    for (const context of CONTEXTS) if (extensionCodec(context, type)) cases.push({ context, type });
  }

  it('cover every extension the brief names', () => {
    const names = [
      'server_name',
      'supported_groups',
      'signature_algorithms',
      'signature_algorithms_cert',
      'supported_versions',
      'key_share',
      'psk_key_exchange_modes',
      'pre_shared_key',
      'early_data',
      'cookie',
      'application_layer_protocol_negotiation',
      'status_request',
      'ec_point_formats',
      'extended_master_secret',
      'renegotiation_info',
      'session_ticket',
      'record_size_limit',
      'max_fragment_length',
      'padding',
      'post_handshake_auth',
      'certificate_authorities',
    ] as const;
    for (const n of names) expect(knownExtensionTypes(), n).toContain(ET[n]);
  });

  for (const { context, type } of cases) {
    const codec = extensionCodec(context, type)!;
    it(`${ET.nameOf(type)} in ${context}: round trip${codec.kind === 'typed' ? ' and no proper prefix parses' : ''}`, () => {
      if (codec.kind === 'empty') {
        expect(codec.parse(new Uint8Array(0))).toBeUndefined();
        expect(codec.encode(undefined).length).toBe(0);
        expectAlert(() => codec.parse(Uint8Array.of(0)), DECODE);
        return;
      }
      const spec = valuesFor(context, type);
      expect(spec, `no arbitrary for ${context}:${ET.nameOf(type)}`).toBeDefined();
      fc.assert(
        fc.property(spec!.arb, (value) => {
          const body = codec.encode(value);
          const parsed = codec.parse(body);
          if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
            expect(parsed).toMatchObject(value);
          } else {
            expect(parsed).toEqual(value);
          }
          expect(hex(codec.encode(parsed))).toBe(hex(body));
          if (!spec!.raw) expectNoProperPrefixParses(body, (b) => codec.parse(b));
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('extension blocks', () => {
  it('round-trip in order, unknown and GREASE types included (property)', () => {
    fc.assert(
      fc.property(extensionList([], 10), (list) => {
        const w = new Writer();
        writeExtensions(w, list);
        const encoded = w.finish();
        const r = new Reader(encoded);
        expect(readExtensions(r, 'test')).toEqual(list);
        r.expectEnd('test');
      }),
    );
  });

  it('reject a duplicate extension type with illegal_parameter (RFC 8446 §4.2)', () => {
    const w = new Writer();
    writeExtensions(w, [
      { type: 0x0a0a, body: new Uint8Array(0) },
      { type: ET.key_share, body: Uint8Array.of(1) },
      { type: ET.key_share, body: Uint8Array.of(2) },
    ]);
    expectAlert(() => readExtensions(new Reader(w.finish()), 'ClientHello'), ILLEGAL, 'BAD_EXTENSION');
  });

  it('reject an extension body overrunning the block', () => {
    expectAlert(() => readExtensions(new Reader(Uint8Array.of(0, 4, 0, 1, 0, 5)), 'x'), DECODE);
  });

  it('follow the RFC 8446 §4.2 table', () => {
    expect(extensionAllowed('CH', ET.key_share)).toBe(true);
    expect(extensionAllowed('EE', ET.key_share)).toBe(false);
    expect(extensionAllowed('HRR', ET.cookie)).toBe(true);
    expect(extensionAllowed('SH', ET.cookie)).toBe(false);
    expect(extensionAllowed('NST', ET.early_data)).toBe(true);
    expect(extensionAllowed('CR', ET.oid_filters)).toBe(true);
    expect(extensionAllowed('CH', ET.oid_filters)).toBe(false);
    expect(extensionAllowed('CT', ET.status_request)).toBe(true);
    expect(extensionAllowed('EE', ET.status_request)).toBe(false);
    expect(extensionAllowed('EE', ET.extended_master_secret)).toBe(false);
    expect(extensionAllowed('CH', ET.extended_master_secret)).toBe(true);
    expect(extensionAllowed('EE', 0x1234)).toBeUndefined();
    expectAlert(
      () => parseExtensionBlock('EE', [{ type: ET.key_share, body: Uint8Array.of(0, 0x1d) }]),
      ILLEGAL,
      'BAD_EXTENSION',
    );
    // Unknown types pass; known bodies are parsed.
    const parsed = parseExtensionBlock('EE', [
      { type: 0x1234, body: Uint8Array.of(9) },
      { type: ET.supported_groups, body: Uint8Array.of(0, 2, 0, 0x1d) },
    ]);
    expect(parsed.get(ET.supported_groups)).toEqual([0x1d]);
    expect(unsolicitedExtension('EE', ET.early_data).alert).toBe(CodecAlert.unsupported_extension);
  });
});

describe('extension rules (negative cases with their alerts)', () => {
  const b = (...v: number[]): Uint8Array => Uint8Array.from(v);

  it('server_name (RFC 6066 §3)', () => {
    expectAlert(() => parseServerName(b(0, 0)), DECODE); // empty list
    expectAlert(() => parseServerName(b(0, 3, 0, 0, 0)), DECODE); // empty HostName
    const twice = encodeServerName([
      { nameType: 0, name: b(0x61) },
      { nameType: 0, name: b(0x62) },
    ]);
    expectAlert(() => parseServerName(twice), ILLEGAL);
    const host = (s: string | Uint8Array): string | undefined =>
      serverNameHost([{ nameType: 0, name: typeof s === 'string' ? new TextEncoder().encode(s) : s }]);
    expect(host('example.com')).toBe('example.com');
    expectAlert(() => host('example.com.'), DECODE);
    expectAlert(() => host(b(0x61, 0, 0x62)), DECODE);
    expectAlert(() => host('é.example'), DECODE);
    expectAlert(() => host('a'.repeat(256)), DECODE);
    expect(serverNameHost([{ nameType: 7, name: b(1) }])).toBeUndefined();
  });

  it('lists of codes: bounds and odd lengths', () => {
    expectAlert(() => parseSupportedGroups(b(0, 0)), DECODE);
    expectAlert(() => parseSupportedGroups(b(0, 3, 0, 0x1d, 0)), DECODE);
    expectAlert(() => parseSignatureAlgorithms(b(0, 0)), DECODE);
    expectAlert(() => parseSupportedVersionsClientHello(b(0)), DECODE);
    expectAlert(() => parseSupportedVersionsClientHello(b(3, 3, 4, 3)), DECODE);
    expectAlert(() => parseSupportedVersionsServerHello(b(3, 4, 0)), DECODE);
    expectAlert(() => parsePskKeyExchangeModes(b(0)), DECODE);
    expectAlert(() => parseEcPointFormats(b(0)), DECODE);
    expectAlert(() => parseCompressCertificate(b(1, 2)), DECODE);
    expectAlert(() => parseCertificateAuthorities(b(0, 0)), DECODE);
  });

  it('key_share: one share per group (§4.2.8), non-empty key_exchange', () => {
    const dup = encodeKeyShareClientHello([
      { group: 0x1d, keyExchange: b(1) },
      { group: 0x1d, keyExchange: b(2) },
    ]);
    expectAlert(() => parseKeyShareClientHello(dup), ILLEGAL, 'BAD_KEY_SHARE');
    expect(parseKeyShareClientHello(b(0, 0))).toEqual([]); // empty client_shares is legal (HRR path)
    expectAlert(() => parseKeyShareClientHello(b(0, 4, 0, 0x1d, 0, 0)), DECODE);
    expectAlert(() => parseKeyShareServerHello(b(0, 0x1d, 0, 0)), DECODE);
  });

  it('pre_shared_key: identities, binder sizes and counts (§4.2.11)', () => {
    const one = { identity: b(1, 2, 3), obfuscatedTicketAge: 7 };
    const binder = new Uint8Array(32);
    const mismatch = encodePreSharedKeyClientHello({ identities: [one, one], binders: [binder] });
    expectAlert(() => parsePreSharedKeyClientHello(mismatch), ILLEGAL, 'BAD_PSK');
    const shortBinder = encodePreSharedKeyClientHello({ identities: [one], binders: [new Uint8Array(31)] });
    expectAlert(() => parsePreSharedKeyClientHello(shortBinder), DECODE);
    const noIds = encodePreSharedKeyClientHello({ identities: [], binders: [binder] });
    expectAlert(() => parsePreSharedKeyClientHello(noIds), DECODE);
    const good = encodePreSharedKeyClientHello({ identities: [one], binders: [binder] });
    expect(parsePreSharedKeyClientHello(good).bindersOffset).toBe(2 + 2 + 3 + 4);
  });

  it('ALPN (RFC 7301 §3.1)', () => {
    expectAlert(() => parseAlpn(b(0, 0)), DECODE);
    expectAlert(() => parseAlpn(b(0, 1, 0)), DECODE); // empty ProtocolName
    expectAlert(() => parseAlpnServer(b(0, 4, 1, 0x61, 1, 0x62)), DECODE); // two protocols from a server
    expect(parseAlpnServer(b(0, 3, 2, 0x68, 0x32))).toEqual(b(0x68, 0x32));
  });

  it('record_size_limit ≥ 64 (RFC 8449 §4), max_fragment_length 1..4 (RFC 6066 §4)', () => {
    expectAlert(() => parseRecordSizeLimit(b(0, 63)), ILLEGAL);
    expect(parseRecordSizeLimit(b(0, 64))).toBe(64);
    expectAlert(() => parseRecordSizeLimit(b(0)), DECODE);
    expectAlert(() => parseMaxFragmentLength(b(0)), ILLEGAL);
    expectAlert(() => parseMaxFragmentLength(b(5)), ILLEGAL);
    expectAlert(() => parseMaxFragmentLength(b(1, 1)), DECODE);
  });

  it('padding must be zeros; empty extensions must be empty', () => {
    expect(parsePadding(new Uint8Array(10))).toBe(10);
    expectAlert(() => parsePadding(b(0, 1)), DECODE);
    expectAlert(() => parseEmptyExtension(b(0), 'extended_master_secret'), DECODE);
    expectAlert(() => extensionCodec('CH', ET.post_handshake_auth)!.parse(b(1)), DECODE);
  });

  it('status_request: unknown status types are kept raw; cookie non-empty', () => {
    const other = parseStatusRequest(b(9, 1, 2, 3));
    expect(other.statusType).toBe(9);
    expect(other.other).toEqual(b(1, 2, 3));
    expectAlert(() => parseStatusRequest(b(1, 0, 0)), DECODE);
    expectAlert(() => parseCookie(b(0, 0)), DECODE);
  });

  it('never throw outside the SSLError family on random bodies (fuzz)', () => {
    const all = CONTEXTS.flatMap((ctx) => knownExtensionTypes().map((t) => extensionCodec(ctx, t))).filter(
      (c) => c !== undefined,
    );
    fc.assert(
      fc.property(bytes(0, 40), (body) => {
        for (const codec of all) {
          try {
            codec.parse(body);
          } catch (e) {
            codecFailure(() => {
              throw e;
            });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
