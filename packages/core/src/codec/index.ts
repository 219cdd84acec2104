/**
 * `@sanstls/core/codec`: the TLS 1.2/1.3 wire codec — records, handshake messages and extensions —
 * with strict, exact-consumption parsing and lossless round trips.
 *
 * ## Layers
 * - **Primitives** — {@link Reader} (bounds-checked `u8/u16/u24/u32`, `bytes`, `vec8/vec16/vec24` with
 *   RFC 8446 §3.4 `<min..max>` bounds, `block8/16/24` sub-readers, `expectEnd`) and {@link Writer}
 *   (growable buffer, `vec8/16/24` taking bytes or a body callback, lengths back-patched, `finish()`
 *   returns a view).
 * - **Errors** — every failure is an `SSLError` (library `SSL`) subclass carrying the alert to send:
 *   {@link DecodeError} (decode_error 50), {@link IllegalParameterError} (illegal_parameter 47),
 *   {@link CodecError} for the others (record_overflow 22, unexpected_message 10, missing_extension 109,
 *   unsupported_extension 110), {@link EncodeError} (internal_error 80) for values the wire cannot carry.
 *   Catch `CodecError` and send `err.alert`.
 * - **Enums** — {@link defineEnum} tables with `nameOf`/`codeOf`/`isKnown`: `ContentType`, `AlertLevel`,
 *   `AlertDescription`, `HandshakeType`, `ExtensionType`, `NamedGroup`, `SignatureScheme`,
 *   `CipherSuite` (+ {@link cipherSuiteOpenSSLName}), `ProtocolVersion`, `PskKeyExchangeMode`,
 *   `CertificateStatusType`, `KeyUpdateRequest`, `ECPointFormat`, … and {@link isGrease} (RFC 8701).
 *   Parsed values stay plain numbers: unknown codes are preserved.
 * - **Records** (record.ts) — `parseRecordHeader(buf, offset, maxLength)` (record_overflow above the
 *   limit: `MAX_PLAINTEXT_LENGTH`, `MAX_TLS13_CIPHERTEXT_LENGTH`, `MAX_TLS12_CIPHERTEXT_LENGTH`),
 *   `writeRecordHeader`, `encodeRecord`, TLS 1.3 inner plaintext (`writeInnerPlaintext`,
 *   `encodeInnerPlaintext`, `decodeInnerPlaintext`), `parseAlert`/`encodeAlert`,
 *   `isValidChangeCipherSpec`.
 * - **Handshake reassembly** — {@link HandshakeDefragmenter}: `push(fragment)`, `next()` →
 *   `{ type, body, raw }`, `hasPartialMessage` (RFC 8446 §5.1 key-change alignment), size limits.
 * - **Messages** (messages.ts) — `parseX(body)` / `encodeX(msg)` (full message with its header) for
 *   ClientHello (`raw`, `pskBindersOffset`, `replacePskBinders`), ServerHello / HelloRetryRequest
 *   (discriminated by `kind`; `downgradeSentinel`), EncryptedExtensions, Certificate (`…Tls13`,
 *   `…Tls12`), CertificateRequest (`…Tls13`, `…Tls12`), CertificateVerify, Finished, NewSessionTicket
 *   (`…Tls13`, `…Tls12`), KeyUpdate, EndOfEarlyData / ServerHelloDone / HelloRequest
 *   (`parseEmptyMessage`), ServerKeyExchange (ECDHE / DHE, with the signed `params`),
 *   ClientKeyExchange, CertificateStatus, `encodeMessageHash`, `encodeHandshake`, `splitHandshake`;
 *   generically, `decodeHandshake(msg, { version, keyExchange, finishedLength })` →
 *   {@link DecodedHandshake} and `encodeDecodedHandshake`.
 * - **Extensions** (extensions.ts) — blocks as ordered `{ type, body }` lists (`readExtensions` rejects
 *   duplicates with illegal_parameter, `writeExtensions`, `findExtension`); typed `parseX`/`encodeX`
 *   pairs per extension and per message where the body differs (`parseKeyShareClientHello`,
 *   `parseKeyShareServerHello`, `parseKeyShareHelloRetryRequest`, …); {@link extensionAllowed} (RFC 8446
 *   §4.2 table), `checkExtensionsAllowed`, `unsolicitedExtension`; `extensionCodec(context, type)` and
 *   `parseExtensionBlock(context, extensions)` give generic, table-driven access to every typed codec.
 *
 * ## Example
 * ```ts
 * import { HandshakeDefragmenter, parseClientHello, findExtension, ExtensionType,
 *   parseKeyShareClientHello, CodecError } from '@sanstls/core/codec';
 * const hs = new HandshakeDefragmenter();
 * hs.push(recordFragment);
 * for (let m = hs.next(); m; m = hs.next()) {
 *   const hello = parseClientHello(m.body, m.raw);
 *   const ks = findExtension(hello.extensions, ExtensionType.key_share);
 *   const shares = ks ? parseKeyShareClientHello(ks.body) : [];
 * }
 * ```
 *
 * Parsed byte fields are views of the input: copy what you keep beyond the input buffer's lifetime.
 *
 * ## Strictness
 * Strict mode is the default: the first violation throws. Violations come in two classes:
 * *structural* ones raised by {@link Reader} (overrun, trailing bytes — parsing cannot go on) and *rule*
 * checks raised at named sites in the parse functions (vector `<min..max>` bounds that the data still
 * satisfies, duplicate extensions, pre_shared_key not last, duplicate key shares or server names, an
 * extension not allowed in its message, a record above the length limit). Lenient mode (issue #11,
 * deviations.ts): pass a {@link DeviationCollector} as the trailing optional parameter
 * (`parseClientHello(body, raw, collect)`, `parseServerHello(body, collect)`, `new Reader(buf, 0, n,
 * collect)`, `parseRecordHeader(buf, 0, max, collect)`, `decodeHandshake(msg, { …, deviations })`,
 * `parseExtensionBlock(ctx, exts, { deviations })`) and rule violations are reported to it with their
 * RFC section while parsing continues; structural failures still throw.
 *
 * Encoders do not validate semantics: they write what they are given (useful to build malformed test
 * input), refusing only what the wire cannot represent ({@link EncodeError}: a vector longer than its
 * length field, an integer outside its width, a Random that is not 32 bytes).
 * @module
 */
export * from './deviations.js';
export * from './enums.js';
export * from './errors.js';
export * from './extension-codecs.js';
export * from './extensions.js';
export * from './handshake-buffer.js';
export * from './handshake-codecs.js';
export * from './messages.js';
export * from './reader.js';
export * from './record.js';
export * from './writer.js';
