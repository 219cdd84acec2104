/**
 * RFC 8448 traces through the codec: every handshake message the RFC prints must parse, its known
 * extensions must decode, and re-encoding must give back the exact bytes; records, alerts and
 * reassembly of the multi-message flights are checked too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ContentType,
  decodeHandshake,
  decodeInnerPlaintext,
  type Extension,
  type ExtensionContext,
  ExtensionType,
  encodeCertificateRequestTls13,
  encodeCertificateTls13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeDecodedHandshake,
  encodeEmptyMessage,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeNewSessionTicketTls13,
  encodeServerHello,
  extensionAllowed,
  extensionCodec,
  findExtension,
  HandshakeDefragmenter,
  HandshakeType,
  isValidChangeCipherSpec,
  NamedGroup,
  ProtocolVersion,
  parseAlert,
  parseCertificateRequestTls13,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseCookie,
  parseEmptyMessage,
  parseEncryptedExtensions,
  parseExtensionBlock,
  parseFinished,
  parseKeyShareClientHello,
  parseKeyShareHelloRetryRequest,
  parseKeyShareServerHello,
  parseNewSessionTicketTls13,
  parsePreSharedKeyClientHello,
  parseRecordHeader,
  parseServerHello,
  parseServerName,
  parseSupportedVersionsServerHello,
  SignatureScheme,
  serverNameHost,
  splitHandshake,
} from '@sanstls/core/codec';
import { describe, expect, it } from 'vitest';

interface Item {
  side: 'client' | 'server';
  step: string;
  label: string;
  hex: string;
}
interface Trace {
  section: number;
  title: string;
  items: Item[];
}

const vectorsDir = fileURLToPath(new URL('../../../test-vectors/rfc8448/', import.meta.url));
const rfcText = fileURLToPath(new URL('../../../../shared/reference/rfc/rfc8448.txt', import.meta.url));
const extractor = fileURLToPath(new URL('../../../scripts/extract-rfc8448.mjs', import.meta.url));

/** The committed JSON vectors, else the extraction script run on the RFC text, else nothing. */
async function loadTraces(): Promise<Map<string, Trace>> {
  const traces = new Map<string, Trace>();
  if (existsSync(vectorsDir) && readdirSync(vectorsDir).some((f) => f === 'simple-1rtt.json')) {
    for (const f of readdirSync(vectorsDir).filter((f) => f.endsWith('.json') && f !== 'private-keys.json')) {
      traces.set(f.replace(/\.json$/, ''), JSON.parse(readFileSync(vectorsDir + f, 'utf8')) as Trace);
    }
  } else if (existsSync(rfcText) && existsSync(extractor)) {
    const { extractRfc8448 } = (await import(extractor)) as { extractRfc8448(text: string): Map<number, Trace> };
    const names: Record<number, string> = {
      3: 'simple-1rtt',
      4: 'resumed-0rtt',
      5: 'hello-retry-request',
      6: 'client-authentication',
      7: 'compatibility-mode',
    };
    for (const [n, t] of extractRfc8448(readFileSync(rfcText, 'utf8'))) if (names[n]) traces.set(names[n], t);
  }
  return traces;
}

const traces = await loadTraces();
if (traces.size === 0) console.log('RFC 8448 vectors and text not found: skipping the RFC 8448 codec tests');

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function constructed(trace: Trace): Item[] {
  return trace.items.filter((i) => /^construct a \w+ handshake message$/.test(i.step));
}

/** Every extension with a codec decodes, re-encodes to the same bytes, and is allowed in `context`. */
function checkExtensions(context: ExtensionContext, extensions: readonly Extension[]): number {
  parseExtensionBlock(context, extensions);
  let typed = 0;
  for (const e of extensions) {
    expect(extensionAllowed(context, e.type), `${ExtensionType.nameOf(e.type)} in ${context}`).toBe(true);
    const codec = extensionCodec(context, e.type);
    if (codec === undefined) continue;
    expect(toHex(codec.encode(codec.parse(e.body))), ExtensionType.nameOf(e.type)).toBe(toHex(e.body));
    typed++;
  }
  return typed;
}

/** Parses one printed handshake message by its label, checks its extensions, and re-encodes it. */
function roundTrip(item: Item, trace: Trace): { type: number; typedExtensions: number } {
  const raw = hex(item.hex);
  const { type, body } = splitHandshake(raw);
  let encoded: Uint8Array;
  let typedExtensions = 0;
  switch (item.label) {
    case 'ClientHello': {
      const ch = parseClientHello(body, raw);
      typedExtensions = checkExtensions('CH', ch.extensions);
      encoded = encodeClientHello(ch);
      break;
    }
    case 'ServerHello': {
      const sh = parseServerHello(body);
      typedExtensions = checkExtensions(sh.kind === 'hello_retry_request' ? 'HRR' : 'SH', sh.extensions);
      encoded = encodeServerHello(sh);
      break;
    }
    case 'EncryptedExtensions': {
      const ee = parseEncryptedExtensions(body);
      typedExtensions = checkExtensions('EE', ee.extensions);
      encoded = encodeEncryptedExtensions(ee);
      break;
    }
    case 'Certificate': {
      const ct = parseCertificateTls13(body);
      for (const entry of ct.certificateList) typedExtensions += checkExtensions('CT', entry.extensions);
      expect(ct.certificateList.length).toBeGreaterThan(0);
      for (const entry of ct.certificateList) expect(entry.certData[0]).toBe(0x30); // DER SEQUENCE
      encoded = encodeCertificateTls13(ct);
      break;
    }
    case 'CertificateRequest': {
      const cr = parseCertificateRequestTls13(body);
      typedExtensions = checkExtensions('CR', cr.extensions);
      encoded = encodeCertificateRequestTls13(cr);
      break;
    }
    case 'CertificateVerify': {
      const cv = parseCertificateVerify(body);
      expect(['rsa_pss_rsae_sha256', 'ecdsa_secp256r1_sha256']).toContain(SignatureScheme.nameOf(cv.algorithm));
      encoded = encodeCertificateVerify(cv);
      break;
    }
    case 'Finished':
      encoded = encodeFinished(parseFinished(body, 32));
      break;
    case 'NewSessionTicket': {
      const nst = parseNewSessionTicketTls13(body);
      typedExtensions = checkExtensions('NST', nst.extensions);
      encoded = encodeNewSessionTicketTls13(nst);
      break;
    }
    case 'EndOfEarlyData':
      parseEmptyMessage(body, type);
      encoded = encodeEmptyMessage(type);
      break;
    default:
      throw new Error(`${trace.title}: unexpected message ${item.label}`);
  }
  expect(HandshakeType.nameOf(type).replaceAll('_', '')).toBe(item.label.toLowerCase());
  expect(toHex(encoded)).toBe(item.hex);
  const decoded = decodeHandshake({ type, body, raw }, { version: 'TLSv1.3', finishedLength: 32 });
  expect(decoded.kind).not.toBe('opaque');
  expect(toHex(encodeDecodedHandshake(decoded))).toBe(item.hex);
  return { type, typedExtensions };
}

describe.skipIf(traces.size === 0)('RFC 8448 traces through the codec', () => {
  for (const [name, trace] of traces) {
    it(`${name}: every constructed handshake message parses and re-encodes byte for byte`, () => {
      const items = constructed(trace).filter(
        // §4 prints the truncated ClientHello the binder covers; the full one is the record payload.
        (i) => !(name === 'resumed-0rtt' && i.label === 'ClientHello'),
      );
      expect(items.length).toBeGreaterThanOrEqual(4);
      let typed = 0;
      for (const item of items) typed += roundTrip(item, trace).typedExtensions;
      expect(typed).toBeGreaterThan(5);
    });

    it(`${name}: handshake record payloads reassemble into the constructed messages, whatever the split`, () => {
      const messages = constructed(trace).map((i) => i.hex);
      const payloads = trace.items.filter((i) => i.step === 'send handshake record' && i.label === 'payload');
      const all = hex(payloads.map((p) => p.hex).join(''));
      const expected: string[] = [];
      // Each payload is a concatenation of whole messages; reassemble with 1..7-byte fragments.
      for (const fragmentSize of [1, 3, 7, 1000]) {
        const hs = new HandshakeDefragmenter();
        const got: string[] = [];
        for (let at = 0; at < all.length; at += fragmentSize) {
          hs.push(all.subarray(at, at + fragmentSize));
          for (let m = hs.next(); m; m = hs.next()) got.push(toHex(m.raw));
        }
        expect(hs.hasPartialMessage).toBe(false);
        if (expected.length === 0) expected.push(...got);
        expect(got).toEqual(expected);
      }
      // Constructed messages appear in the reassembled stream in order (§4's truncated ClientHello is a prefix).
      let from = 0;
      for (const m of messages) {
        const idx = expected.findIndex((e, i) => i >= from && e.startsWith(m));
        expect(idx, `message ${m.slice(0, 8)}`).toBeGreaterThanOrEqual(from);
        from = idx + 1;
      }
    });

    it(`${name}: complete records have consistent headers; alerts decode`, () => {
      const records = trace.items.filter((i) => i.label === 'complete record');
      expect(records.length).toBeGreaterThan(4);
      let ccs = 0;
      for (const rec of records) {
        const bytes = hex(rec.hex);
        const header = parseRecordHeader(bytes, 0)!;
        expect(header.length).toBe(bytes.length - 5);
        expect([
          ContentType.handshake,
          ContentType.application_data,
          ContentType.alert,
          ContentType.change_cipher_spec,
        ]).toContain(header.type);
        if (header.type === ContentType.change_cipher_spec) {
          // §7 middlebox compatibility mode: the CCS record is the single byte 0x01 (RFC 8446 §D.4).
          expect(isValidChangeCipherSpec(bytes.subarray(5))).toBe(true);
          ccs++;
          continue;
        }
        const payload = trace.items[trace.items.indexOf(rec) - 1]!;
        expect(payload.label).toBe('payload');
        if (header.type === ContentType.application_data) {
          // Protected: payload + content type + 16-byte tag (no padding in the traces).
          expect(header.version).toBe(ProtocolVersion.TLSv1_2);
          expect(header.length).toBe(payload.hex.length / 2 + 1 + 16);
        } else {
          expect(toHex(bytes.subarray(5))).toBe(payload.hex);
        }
      }
      for (const a of trace.items.filter((i) => i.step === 'send alert record' && i.label === 'payload')) {
        expect(parseAlert(hex(a.hex))).toEqual({ level: 1, description: 0 }); // warning close_notify
      }
      expect(ccs > 0).toBe(name === 'compatibility-mode');
    });
  }

  it('simple 1-RTT: ClientHello and ServerHello extensions carry the traced values', () => {
    const trace = traces.get('simple-1rtt')!;
    const clientPub = trace.items.find((i) => i.side === 'client' && i.label === 'public key')!.hex;
    const serverPub = trace.items.find((i) => i.side === 'server' && i.label === 'public key')!.hex;
    const chItem = constructed(trace).find((i) => i.label === 'ClientHello')!;
    const ch = parseClientHello(splitHandshake(hex(chItem.hex)).body);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    expect(serverNameHost(parseServerName(findExtension(ch.extensions, ExtensionType.server_name)!.body))).toBe(
      'server',
    );
    const shares = parseKeyShareClientHello(findExtension(ch.extensions, ExtensionType.key_share)!.body);
    expect(shares.map((s) => [s.group, toHex(s.keyExchange)])).toEqual([[NamedGroup.x25519, clientPub]]);
    expect(ch.pskBindersOffset).toBeUndefined();

    const shItem = constructed(trace).find((i) => i.label === 'ServerHello')!;
    const sh = parseServerHello(splitHandshake(hex(shItem.hex)).body);
    expect(sh.kind).toBe('server_hello');
    const share = parseKeyShareServerHello(findExtension(sh.extensions, ExtensionType.key_share)!.body);
    expect([share.group, toHex(share.keyExchange)]).toEqual([NamedGroup.x25519, serverPub]);
    expect(
      parseSupportedVersionsServerHello(findExtension(sh.extensions, ExtensionType.supported_versions)!.body),
    ).toBe(ProtocolVersion.TLSv1_3);
  });

  it('HelloRetryRequest: recognised by its random, selects secp256r1 and carries a cookie', () => {
    const trace = traces.get('hello-retry-request')!;
    const [hrrItem, sh2Item] = constructed(trace).filter((i) => i.label === 'ServerHello');
    const hrr = parseServerHello(splitHandshake(hex(hrrItem!.hex)).body);
    expect(hrr.kind).toBe('hello_retry_request');
    expect(parseKeyShareHelloRetryRequest(findExtension(hrr.extensions, ExtensionType.key_share)!.body)).toBe(
      NamedGroup.secp256r1,
    );
    expect(parseCookie(findExtension(hrr.extensions, ExtensionType.cookie)!.body).length).toBeGreaterThan(0);
    expect(parseServerHello(splitHandshake(hex(sh2Item!.hex)).body).kind).toBe('server_hello');
  });

  it('resumed 0-RTT: the binders offset cuts the ClientHello exactly where the RFC computes the binder', () => {
    const trace = traces.get('resumed-0rtt')!;
    const truncated = constructed(trace).find((i) => i.label === 'ClientHello')!.hex;
    const full = hex(trace.items.find((i) => i.side === 'client' && i.step === 'send handshake record')!.hex);
    const { body, raw } = splitHandshake(full);
    const ch = parseClientHello(body, raw);
    expect(ch.pskBindersOffset).toBe(truncated.length / 2);
    expect(toHex(raw.subarray(0, ch.pskBindersOffset))).toBe(truncated);
    const offer = parsePreSharedKeyClientHello(findExtension(ch.extensions, ExtensionType.pre_shared_key)!.body);
    expect(offer.identities.length).toBe(1);
    expect(offer.binders.map((b) => b.length)).toEqual([32]);
    expect(toHex(encodeClientHello(ch))).toBe(toHex(full));
    // The inner plaintext of the 0-RTT application data record: "payload" plus its type byte.
    const early = trace.items.find((i) => i.step === 'send application_data record' && i.label === 'payload')!;
    const inner = decodeInnerPlaintext(Uint8Array.from([...hex(early.hex), ContentType.application_data]));
    expect(toHex(inner.content)).toBe(early.hex);
  });
});
