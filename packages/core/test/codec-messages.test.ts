import {
  type CertificateRequestTls13,
  type ClientHello,
  CodecAlert,
  DOWNGRADE_TLS11_SENTINEL,
  DOWNGRADE_TLS12_SENTINEL,
  decodeHandshake,
  downgradeSentinel,
  EncodeError,
  ExtensionType as ET,
  encodeCertificateRequestTls12,
  encodeCertificateRequestTls13,
  encodeCertificateStatus,
  encodeCertificateTls12,
  encodeCertificateTls13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeDecodedHandshake,
  encodeEmptyMessage,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeHandshake,
  encodeKeyUpdate,
  encodeMessageHash,
  encodeNewSessionTicketTls12,
  encodeNewSessionTicketTls13,
  encodePreSharedKeyClientHello,
  encodeServerHello,
  encodeServerKeyExchange,
  encodeServerKeyExchangeParams,
  encodeSignatureAlgorithms,
  type HandshakeDecodeContext,
  HELLO_RETRY_REQUEST_RANDOM,
  type HelloRetryRequest,
  HandshakeType as HT,
  parseCertificateRequestTls12,
  parseCertificateRequestTls13,
  parseCertificateStatus,
  parseCertificateTls12,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseClientKeyExchange,
  parseEmptyMessage,
  parseEncryptedExtensions,
  parseFinished,
  parseKeyUpdate,
  parseNewSessionTicketTls12,
  parseNewSessionTicketTls13,
  parsePreSharedKeyClientHello,
  parseServerHello,
  parseServerKeyExchange,
  pskBindersOffset,
  replacePskBinders,
  type ServerHello,
  type ServerKeyExchange,
  splitHandshake,
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
const random32 = bytes(32, 32);
const TLS12: HandshakeDecodeContext = { version: 'TLSv1.2' };

const clientHello: fc.Arbitrary<ClientHello> = fc
  .record({
    legacyVersion: u16,
    random: random32,
    legacySessionId: bytes(0, 32),
    cipherSuites: fc.array(u16, { minLength: 1, maxLength: 20 }),
    legacyCompressionMethods: fc.array(u8, { minLength: 1, maxLength: 4 }),
    extensions: extensionList([ET.pre_shared_key], 6),
    noExtensionsBlock: fc.boolean(),
  })
  .map(({ noExtensionsBlock, ...ch }) => (noExtensionsBlock ? { ...ch, extensions: [], noExtensionsBlock } : ch));

/** Offset in a ClientHello body where its extensions block starts (a legal end without one, RFC 5246). */
const clientHelloExtensionsAt = (ch: ClientHello): number =>
  2 + 32 + 1 + ch.legacySessionId.length + 2 + 2 * ch.cipherSuites.length + 1 + ch.legacyCompressionMethods.length;

const serverHello: fc.Arbitrary<ServerHello> = fc
  .record({
    legacyVersion: u16,
    random: random32,
    legacySessionIdEcho: bytes(0, 32),
    cipherSuite: u16,
    legacyCompressionMethod: u8,
    extensions: extensionList(),
    noExtensionsBlock: fc.boolean(),
  })
  .map(({ noExtensionsBlock, ...sh }) =>
    noExtensionsBlock
      ? { kind: 'server_hello' as const, ...sh, extensions: [], noExtensionsBlock }
      : { kind: 'server_hello' as const, ...sh },
  );

const helloRetryRequest: fc.Arbitrary<HelloRetryRequest> = fc.record({
  kind: fc.constant('hello_retry_request' as const),
  legacyVersion: u16,
  legacySessionIdEcho: bytes(0, 32),
  cipherSuite: u16,
  legacyCompressionMethod: u8,
  extensions: extensionList(),
});

const certificateRequest13: fc.Arbitrary<CertificateRequestTls13> = fc
  .record({
    certificateRequestContext: bytes(0, 8),
    extensions: extensionList([ET.signature_algorithms], 4),
    sigalgs: fc.array(u16, { minLength: 1, maxLength: 6 }),
    at: fc.nat(),
  })
  .map(({ certificateRequestContext, extensions, sigalgs, at }) => {
    const list = [...extensions];
    list.splice(at % (list.length + 1), 0, { type: ET.signature_algorithms, body: encodeSignatureAlgorithms(sigalgs) });
    return { certificateRequestContext, extensions: list };
  });

const digitallySigned = fc.record({ algorithm: u16, signature: bytes(0, 80) });

const serverKeyExchange: fc.Arbitrary<ServerKeyExchange> = fc.oneof(
  fc.record({
    kind: fc.constant('ecdhe' as const),
    namedCurve: u16,
    publicPoint: bytes(1, 97),
    signature: digitallySigned,
  }),
  fc.record({
    kind: fc.constant('dhe' as const),
    p: bytes(1, 64),
    g: bytes(1, 4),
    ys: bytes(1, 64),
    signature: digitallySigned,
  }),
);

interface MessageCase<V> {
  name: string;
  type: number;
  arb: fc.Arbitrary<V>;
  encode(v: V): Uint8Array;
  parse(body: Uint8Array): unknown;
  /** Body prefix lengths that form a legal shorter message. */
  prefixOk?(v: V): number[];
  /** What a receiver knows to decode it generically (decodeHandshake). */
  context?(v: V): HandshakeDecodeContext;
}
const cases: MessageCase<never>[] = [];
function add<V>(c: MessageCase<V>): void {
  cases.push(c as unknown as MessageCase<never>);
}

add({
  name: 'ClientHello',
  type: HT.client_hello,
  arb: clientHello,
  encode: encodeClientHello,
  parse: (b) => parseClientHello(b),
  prefixOk: (ch) => [clientHelloExtensionsAt(ch)],
});
add({
  name: 'ServerHello',
  type: HT.server_hello,
  arb: serverHello,
  encode: encodeServerHello,
  parse: parseServerHello,
  prefixOk: (sh) => [2 + 32 + 1 + sh.legacySessionIdEcho.length + 3],
});
add({
  name: 'HelloRetryRequest',
  type: HT.server_hello,
  arb: helloRetryRequest,
  encode: encodeServerHello,
  parse: parseServerHello,
});
add({
  name: 'EncryptedExtensions',
  type: HT.encrypted_extensions,
  arb: fc.record({ extensions: extensionList() }),
  encode: encodeEncryptedExtensions,
  parse: parseEncryptedExtensions,
});
add({
  name: 'Certificate (TLS 1.3)',
  type: HT.certificate,
  arb: fc.record({
    certificateRequestContext: bytes(0, 8),
    certificateList: fc.array(fc.record({ certData: bytes(1, 40), extensions: extensionList([], 2) }), {
      maxLength: 3,
    }),
  }),
  encode: encodeCertificateTls13,
  parse: parseCertificateTls13,
});
add({
  name: 'Certificate (TLS 1.2)',
  type: HT.certificate,
  arb: fc.record({ certificateList: fc.array(bytes(1, 40), { maxLength: 3 }) }),
  encode: encodeCertificateTls12,
  parse: parseCertificateTls12,
  context: () => TLS12,
});
add({
  name: 'CertificateRequest (TLS 1.3)',
  type: HT.certificate_request,
  arb: certificateRequest13,
  encode: encodeCertificateRequestTls13,
  parse: parseCertificateRequestTls13,
});
add({
  name: 'CertificateRequest (TLS 1.2)',
  type: HT.certificate_request,
  arb: fc.record({
    certificateTypes: fc.array(u8, { minLength: 1, maxLength: 4 }),
    supportedSignatureAlgorithms: fc.array(u16, { minLength: 1, maxLength: 8 }),
    certificateAuthorities: fc.array(bytes(1, 20), { maxLength: 3 }),
  }),
  encode: encodeCertificateRequestTls12,
  parse: parseCertificateRequestTls12,
  context: () => TLS12,
});
add({
  name: 'CertificateVerify',
  type: HT.certificate_verify,
  arb: digitallySigned,
  encode: encodeCertificateVerify,
  parse: parseCertificateVerify,
});
add({
  name: 'Finished',
  type: HT.finished,
  arb: fc.constantFrom(12, 32, 48).chain((n) => fc.record({ verifyData: bytes(n, n) })),
  encode: encodeFinished,
  parse: (b) => {
    // A receiver knows the length from the cipher suite; here the three possible ones.
    if (![12, 32, 48].includes(b.length)) return parseFinished(b, 32);
    return parseFinished(b, b.length);
  },
  prefixOk: () => [12, 32],
  context: (v) => ({ version: 'TLSv1.3', finishedLength: v.verifyData.length }),
});
add({
  name: 'NewSessionTicket (TLS 1.3)',
  type: HT.new_session_ticket,
  arb: fc.record({
    ticketLifetime: u32,
    ticketAgeAdd: u32,
    ticketNonce: bytes(0, 8),
    ticket: bytes(1, 40),
    extensions: extensionList([], 2),
  }),
  encode: encodeNewSessionTicketTls13,
  parse: parseNewSessionTicketTls13,
});
add({
  name: 'NewSessionTicket (TLS 1.2)',
  type: HT.new_session_ticket,
  arb: fc.record({ ticketLifetimeHint: u32, ticket: bytes(0, 40) }),
  encode: encodeNewSessionTicketTls12,
  parse: parseNewSessionTicketTls12,
  context: () => TLS12,
});
add({
  name: 'KeyUpdate',
  type: HT.key_update,
  arb: fc.record({ requestUpdate: fc.constantFrom(0, 1) }),
  encode: encodeKeyUpdate,
  parse: parseKeyUpdate,
});
add({
  name: 'ServerKeyExchange',
  type: HT.server_key_exchange,
  arb: serverKeyExchange,
  encode: encodeServerKeyExchange,
  // The receiver knows the key exchange from the cipher suite; try the one the value has first.
  parse: (b) => {
    try {
      return parseServerKeyExchange(b, 'ecdhe');
    } catch {
      return parseServerKeyExchange(b, 'dhe');
    }
  },
  context: (v) => ({ version: 'TLSv1.2', keyExchange: v.kind }),
});
add({
  name: 'ClientKeyExchange (ECDHE)',
  type: HT.client_key_exchange,
  arb: bytes(1, 97),
  encode: (v) => encodeClientKeyExchange('ecdhe', v),
  parse: (b) => parseClientKeyExchange(b, 'ecdhe'),
  context: () => ({ version: 'TLSv1.2', keyExchange: 'ecdhe' }),
});
add({
  name: 'ClientKeyExchange (DHE)',
  type: HT.client_key_exchange,
  arb: bytes(1, 300),
  encode: (v) => encodeClientKeyExchange('dhe', v),
  parse: (b) => parseClientKeyExchange(b, 'dhe'),
  context: () => ({ version: 'TLSv1.2', keyExchange: 'dhe' }),
});
add({
  name: 'CertificateStatus',
  type: HT.certificate_status,
  arb: fc.record({ statusType: fc.constantFrom(1, 2), response: bytes(1, 60) }),
  encode: encodeCertificateStatus,
  parse: parseCertificateStatus,
});

describe('handshake messages: round trips and truncation (properties)', () => {
  for (const c of cases) {
    it(`${c.name}: parse(encode(m)) reproduces m and its bytes; no proper prefix parses`, () => {
      fc.assert(
        fc.property(c.arb, (value) => {
          const encoded = c.encode(value);
          const { type, body } = splitHandshake(encoded);
          expect(type).toBe(c.type);
          const parsed = c.parse(body);
          if (value instanceof Uint8Array) expect(parsed).toEqual(value);
          else expect(parsed).toMatchObject(value as object);
          expect(hex(c.encode(parsed as never))).toBe(hex(encoded));
          expectNoProperPrefixParses(body, c.parse, c.prefixOk?.(value));
          // The framed message: every proper prefix fails splitHandshake.
          expectNoProperPrefixParses(encoded, splitHandshake);
          // And the generic decoder agrees with the typed one.
          const decoded = decodeHandshake({ type, body }, c.context?.(value) ?? { version: 'TLSv1.3' });
          expect(decoded.kind).not.toBe('opaque');
          expect(hex(encodeDecodedHandshake(decoded))).toBe(hex(encoded));
        }),
        { numRuns: 80 },
      );
    });
  }

  it('never throw outside the SSLError family on random bodies (fuzz)', () => {
    const parsers = [
      ...cases.map((c) => c.parse),
      (b: Uint8Array) => parseServerKeyExchange(b, 'dhe'),
      (b: Uint8Array) => parseFinished(b),
      (b: Uint8Array) => parseEmptyMessage(b, HT.server_hello_done),
      splitHandshake,
    ];
    fc.assert(
      fc.property(bytes(0, 120), (body) => {
        for (const parse of parsers) {
          try {
            parse(body);
          } catch (e) {
            codecFailure(() => {
              throw e;
            });
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('handshake message rules (negative cases with their alerts)', () => {
  const ch: ClientHello = {
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(32),
    cipherSuites: [0x1301],
    legacyCompressionMethods: [0],
    extensions: [{ type: ET.supported_versions, body: Uint8Array.of(2, 3, 4) }],
  };
  const body = (m: Uint8Array): Uint8Array => m.subarray(4);
  const chBody = (over: Partial<ClientHello>): Uint8Array => body(encodeClientHello({ ...ch, ...over }));

  it('ClientHello: session id ≤ 32, cipher suites even and non-empty, compression non-empty, exact length', () => {
    expect(parseClientHello(chBody({})).legacySessionId.length).toBe(32);
    expectAlert(() => parseClientHello(chBody({ legacySessionId: new Uint8Array(33) })), DECODE);
    expectAlert(() => parseClientHello(chBody({ cipherSuites: [] })), DECODE);
    expectAlert(() => parseClientHello(chBody({ legacyCompressionMethods: [] })), DECODE);
    const odd = chBody({});
    const patched = Uint8Array.from(odd);
    // cipher_suites length field sits after version(2) + random(32) + session id (1 + 32).
    patched[2 + 32 + 33 + 1] = 3;
    expectAlert(() => parseClientHello(patched), DECODE, 'BAD_LENGTH');
    expectAlert(() => parseClientHello(Uint8Array.from([...chBody({}), 0])), DECODE);
  });

  it('ClientHello: pre_shared_key must be last (§4.2.11), and the binders can be patched in place', () => {
    const psk = {
      type: ET.pre_shared_key,
      body: encodePreSharedKeyClientHello({
        identities: [{ identity: Uint8Array.of(1, 2, 3, 4), obfuscatedTicketAge: 99 }],
        binders: [new Uint8Array(32)],
      }),
    };
    expectAlert(() => parseClientHello(chBody({ extensions: [psk, ...ch.extensions] })), ILLEGAL, 'BAD_EXTENSION');
    const message = encodeClientHello({ ...ch, extensions: [...ch.extensions, psk] });
    const offset = pskBindersOffset(message)!;
    expect(offset).toBe(message.length - 2 - 33);
    const binder = new Uint8Array(32).fill(0xab);
    replacePskBinders(message, offset, [binder]);
    const parsed = parseClientHello(splitHandshake(message).body);
    const ext = parsed.extensions[parsed.extensions.length - 1]!;
    expect(parsePreSharedKeyClientHello(ext.body).binders).toEqual([binder]);
    expect(() => replacePskBinders(message, offset, [new Uint8Array(48)])).toThrow(EncodeError);
    expect(pskBindersOffset(encodeClientHello(ch))).toBeUndefined();
  });

  it('ServerHello: HelloRetryRequest by its random (§4.1.3), downgrade sentinels, session id ≤ 32', () => {
    const sh: ServerHello = {
      kind: 'server_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32),
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [],
    };
    const asHrr = encodeServerHello({ ...sh, random: HELLO_RETRY_REQUEST_RANDOM });
    expect(parseServerHello(body(asHrr)).kind).toBe('hello_retry_request');
    expect(parseServerHello(body(encodeServerHello(sh))).kind).toBe('server_hello');
    expectAlert(
      () => parseServerHello(body(encodeServerHello({ ...sh, legacySessionIdEcho: new Uint8Array(33) }))),
      DECODE,
    );

    const withTail = (tail: Uint8Array): Uint8Array => Uint8Array.from([...new Uint8Array(24).fill(9), ...tail]);
    expect(downgradeSentinel(withTail(DOWNGRADE_TLS12_SENTINEL))).toBe('tls12');
    expect(downgradeSentinel(withTail(DOWNGRADE_TLS11_SENTINEL))).toBe('tls11');
    expect(downgradeSentinel(withTail(Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x02)))).toBeUndefined();
    expect(downgradeSentinel(new Uint8Array(32))).toBeUndefined();
  });

  it('CertificateRequest (TLS 1.3) without signature_algorithms is missing_extension (§4.3.2)', () => {
    const cr = encodeCertificateRequestTls13({
      certificateRequestContext: new Uint8Array(0),
      extensions: [{ type: ET.certificate_authorities, body: Uint8Array.of(0, 3, 0, 1, 0x30) }],
    });
    expectAlert(() => parseCertificateRequestTls13(body(cr)), CodecAlert.missing_extension);
    expectAlert(() => parseCertificateRequestTls13(Uint8Array.of(0, 0, 0)), DECODE); // extensions<2..>
  });

  it('Certificate: empty cert_data is decode_error', () => {
    expectAlert(() => parseCertificateTls13(Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 0, 0)), DECODE);
    expectAlert(() => parseCertificateTls12(Uint8Array.of(0, 0, 3, 0, 0, 0)), DECODE);
  });

  it('KeyUpdate: request_update 0 or 1, else illegal_parameter (§4.6.3)', () => {
    expect(parseKeyUpdate(Uint8Array.of(1)).requestUpdate).toBe(1);
    expectAlert(() => parseKeyUpdate(Uint8Array.of(2)), ILLEGAL);
    expectAlert(() => parseKeyUpdate(Uint8Array.of()), DECODE);
    expectAlert(() => parseKeyUpdate(Uint8Array.of(0, 0)), DECODE);
  });

  it('Finished of the wrong length; non-empty EndOfEarlyData / ServerHelloDone; empty ticket', () => {
    expectAlert(() => parseFinished(new Uint8Array(31), 32), DECODE);
    expectAlert(() => parseEmptyMessage(Uint8Array.of(0), HT.end_of_early_data), DECODE);
    expect(hex(encodeEmptyMessage(HT.server_hello_done))).toBe('0e000000');
    expectAlert(() => parseNewSessionTicketTls13(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0)), DECODE);
  });

  it('ServerKeyExchange: only named curves (RFC 8422 §5.4); params are the signed prefix', () => {
    expectAlert(
      () => parseServerKeyExchange(Uint8Array.of(1, 0, 0x17, 1, 4, 4, 3, 0, 0), 'ecdhe'),
      ILLEGAL,
      'WRONG_CURVE',
    );
    const ske: ServerKeyExchange = {
      kind: 'ecdhe',
      namedCurve: 0x1d,
      publicPoint: new Uint8Array(32).fill(5),
      signature: { algorithm: 0x0403, signature: Uint8Array.of(1, 2) },
    };
    const parsed = parseServerKeyExchange(body(encodeServerKeyExchange(ske)), 'ecdhe');
    expect(hex(parsed.params)).toBe(hex(encodeServerKeyExchangeParams(ske)));
    expect(hex(parsed.params)).toBe('03001d20' + '05'.repeat(32));
    expectAlert(() => parseClientKeyExchange(Uint8Array.of(0), 'ecdhe'), DECODE);
  });

  it('message_hash is Handshake(254, Hash(ClientHello1)) (§4.4.1)', () => {
    const h = new Uint8Array(32).fill(0x11);
    expect(hex(encodeMessageHash(h))).toBe('fe000020' + '11'.repeat(32));
    expect(hex(encodeHandshake(HT.finished, Uint8Array.of(1, 2)))).toBe('14000002' + '0102');
  });

  it('decodeHandshake: empty messages, unknown types and missing context stay opaque or decode', () => {
    expect(decodeHandshake({ type: HT.server_hello_done, body: new Uint8Array(0) }, TLS12)).toEqual({
      kind: 'server_hello_done',
    });
    expectAlert(() => decodeHandshake({ type: HT.end_of_early_data, body: Uint8Array.of(0) }, TLS12), DECODE);
    const unknown = decodeHandshake({ type: 99, body: Uint8Array.of(1, 2) }, TLS12);
    expect(unknown).toEqual({ kind: 'opaque', type: 99, body: Uint8Array.of(1, 2) });
    expect(hex(encodeDecodedHandshake(unknown))).toBe('630000020102');
    // Without the key exchange a ServerKeyExchange cannot be decoded: it stays opaque.
    expect(decodeHandshake({ type: HT.server_key_exchange, body: Uint8Array.of(3) }, TLS12).kind).toBe('opaque');
  });

  it('NewSessionTicket (TLS 1.3) extensions are bounded <0..2^16-2> (§4.6.1); encoders refuse impossible values', () => {
    const nst = Uint8Array.from([...new Uint8Array(8), 0, 0, 1, 0xaa, 0xff, 0xff, ...new Uint8Array(0xffff)]);
    expectAlert(() => parseNewSessionTicketTls13(nst), DECODE, 'BAD_LENGTH');
    expect(() => encodeClientHello({ ...ch, noExtensionsBlock: true })).toThrow(EncodeError);
    expect(() => encodeClientHello({ ...ch, random: new Uint8Array(31) })).toThrow(EncodeError);
    expect(() => encodeClientHello({ ...ch, legacySessionId: new Uint8Array(256) })).toThrow(EncodeError);
    expect(() => encodeClientKeyExchange('ecdhe', new Uint8Array(0))).toThrow(EncodeError);
  });

  it('splitHandshake rejects a length that disagrees with the data', () => {
    expectAlert(() => splitHandshake(Uint8Array.of(20, 0, 0, 2, 1)), DECODE);
    expectAlert(() => splitHandshake(Uint8Array.of(20, 0, 0, 1, 1, 2)), DECODE, 'LENGTH_MISMATCH');
  });
});
