/**
 * RFC 8448 traces, replayed through our key schedule, transcript hash, groups, AEAD and record nonces.
 * The vectors are test-vectors/rfc8448/*.json, produced from the RFC text by scripts/extract-rfc8448.mjs
 * (a test below re-runs it and compares).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  type ApplicationTrafficSecret,
  type BinderKey,
  defaultProvider,
  encodeHkdfLabel,
  type HandshakeTrafficSecret,
  type ResumptionMasterSecret,
  Tls13KeySchedule,
  type TrafficSecret,
  TranscriptHash,
  writeRecordNonce,
} from '../src/crypto/index.js';

interface Item {
  side: 'client' | 'server';
  step: string;
  label: string;
  hex: string;
  note?: string;
}
interface Trace {
  source: string;
  section: number;
  title: string;
  items: Item[];
}

const vectorDir = fileURLToPath(new URL('../../../test-vectors/rfc8448/', import.meta.url));
const rfcPath = fileURLToPath(new URL('../../../../shared/reference/rfc/rfc8448.txt', import.meta.url));
const haveRfc = (() => {
  try {
    readFileSync(rfcPath);
    return true;
  } catch {
    return false;
  }
})();
if (!haveRfc) console.log(`skipping RFC 8448 re-extraction: ${rfcPath} is absent`);

const load = (stem: string): Trace => JSON.parse(readFileSync(join(vectorDir, `${stem}.json`), 'utf8')) as Trace;
const TRACE_STEMS = [
  'simple-1rtt',
  'resumed-0rtt',
  'hello-retry-request',
  'client-authentication',
  'compatibility-mode',
];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const sha256 = defaultProvider.hash('sha256');
const ks = new Tls13KeySchedule(sha256);
const EMPTY = new Uint8Array(0);

/** Items of the first step matching `side` and `step` (prefix match: "(same as server)" suffixes vary). */
function stepItems(trace: Trace, side: 'client' | 'server', step: string, occurrence?: number): Map<string, string>;
function stepItems(
  trace: Trace,
  side: 'client' | 'server',
  step: string,
  occurrence: number,
  optional: true,
): Map<string, string> | undefined;
function stepItems(
  trace: Trace,
  side: 'client' | 'server',
  step: string,
  occurrence = 0,
  optional = false,
): Map<string, string> | undefined {
  const matching: Item[][] = [];
  let current: Item[] | null = null;
  let previous: Item | null = null;
  for (const item of trace.items) {
    const sameStep = previous !== null && previous.side === item.side && previous.step === item.step;
    // A repeated label inside the same step (e.g. two records) starts a new group.
    if (!sameStep || current?.some((other) => other.label === item.label)) {
      current = [];
      if (item.side === side && item.step.startsWith(step)) matching.push(current);
    }
    current?.push(item);
    previous = item;
  }
  const found = matching[occurrence];
  if (found === undefined && optional) return undefined;
  if (found === undefined) throw new Error(`${trace.source}: no step ${side} "${step}" #${occurrence}`);
  return new Map(found.map((i) => [i.label, i.hex]));
}

function value(trace: Trace, side: 'client' | 'server', step: string, label: string, occurrence = 0): string {
  const v = stepItems(trace, side, step, occurrence).get(label);
  if (v === undefined) throw new Error(`${trace.source}: ${side} "${step}" has no "${label}"`);
  return v;
}

/** Handshake messages in document order (each constructed message appears once). */
function messages(trace: Trace): { side: string; label: string; bytes: Uint8Array }[] {
  return trace.items
    .filter((i) => i.step.startsWith('construct a '))
    .map((i) => ({ side: i.side, label: i.label, bytes: bytes(i.hex) }));
}

describe('RFC 8448 extraction', () => {
  test('every trace file is present with its section', () => {
    const files = readdirSync(vectorDir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual([...TRACE_STEMS, 'private-keys'].map((s) => `${s}.json`).sort());
    for (const stem of TRACE_STEMS) expect(load(stem).items.length).toBeGreaterThan(90);
  });

  test.skipIf(!haveRfc)('re-running the extractor reproduces the committed JSON', async () => {
    const { writeRfc8448Vectors } = (await import('../../../scripts/extract-rfc8448.mjs')) as {
      writeRfc8448Vectors: (rfc: string, out: string) => { file: string }[];
    };
    const out = mkdtempSync(join(tmpdir(), 'rfc8448-'));
    try {
      const written = writeRfc8448Vectors(rfcPath, out);
      expect(written.length).toBe(6);
      for (const { file } of written) {
        const name = file.slice(out.length + 1);
        expect(readFileSync(file, 'utf8'), name).toBe(readFileSync(join(vectorDir, name), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe.each(TRACE_STEMS)('RFC 8448 %s: every HKDF step recomputed', (stem) => {
  const trace = load(stem);
  // Group the flat list into steps (a step ends where side/step changes).
  const steps: Item[][] = [];
  for (const item of trace.items) {
    const last = steps.at(-1);
    if (
      last !== undefined &&
      last[0]!.side === item.side &&
      last[0]!.step === item.step &&
      !last.some((o) => o.label === item.label)
    ) {
      last.push(item);
    } else {
      steps.push([item]);
    }
  }
  const get = (step: Item[], label: string): Uint8Array => {
    const item = step.find((i) => i.label === label);
    if (item === undefined) throw new Error(`${stem}: ${step[0]!.step} lacks ${label}`);
    return bytes(item.hex);
  };

  test('extract steps: HKDF-Extract(salt, IKM)', () => {
    const extracts = steps.filter((s) => s[0]!.step.startsWith('extract secret'));
    expect(extracts.length).toBeGreaterThan(0);
    for (const s of extracts) {
      const saltItem = s.find((i) => i.label === 'salt')!;
      const salt = saltItem.note !== undefined ? new Uint8Array(32) : bytes(saltItem.hex);
      expect(hex(sha256.hkdfExtract(salt, get(s, 'IKM'))), s[0]!.step).toBe(hex(get(s, 'secret')));
    }
  });

  test('Derive-Secret steps: HkdfLabel and HKDF-Expand-Label', () => {
    const derives = steps.filter((s) => /^(derive secret|generate resumption secret)/.test(s[0]!.step));
    expect(derives.length).toBeGreaterThan(8);
    for (const s of derives) {
      const label = /"tls13 ([^"]+)"/.exec(s[0]!.step)![1]!;
      const context = get(s, 'hash');
      const expanded = get(s, 'expanded');
      expect(hex(encodeHkdfLabel(expanded.length, label, context)), s[0]!.step).toBe(hex(get(s, 'info')));
      expect(hex(ks.expandLabel(get(s, 'PRK'), label, context, expanded.length)), s[0]!.step).toBe(hex(expanded));
    }
  });

  test('traffic key steps: key and iv (RFC 8446 §7.3)', () => {
    const keySteps = steps.filter((s) => /traffic keys/.test(s[0]!.step) && s.some((i) => i.label === 'PRK'));
    expect(keySteps.length).toBeGreaterThan(3);
    for (const s of keySteps) {
      const keys = ks.trafficKeys(get(s, 'PRK') as HandshakeTrafficSecret, 16, 12);
      expect(hex(keys.key), s[0]!.step).toBe(hex(get(s, 'key expanded')));
      expect(hex(keys.iv), s[0]!.step).toBe(hex(get(s, 'iv expanded')));
      expect(hex(encodeHkdfLabel(16, 'key', EMPTY))).toBe(hex(get(s, 'key info')));
      expect(hex(encodeHkdfLabel(12, 'iv', EMPTY))).toBe(hex(get(s, 'iv info')));
    }
  });

  test('finished steps: finished_key and verify_data (RFC 8446 §4.4.4)', () => {
    const finishedSteps = steps.filter(
      (s) => s[0]!.step.startsWith('calculate finished') || s[0]!.step === 'calculate PSK binder',
    );
    expect(finishedSteps.length).toBeGreaterThan(1);
    for (const s of finishedSteps) {
      const finishedKey = ks.finishedKey(get(s, 'PRK') as HandshakeTrafficSecret);
      // The step's "hash" is the empty HkdfLabel context; the transcript hash behind "finished" is only
      // printed for binders ("binder hash"); Finished verify_data is checked in the full replays below.
      expect(hex(get(s, 'hash'))).toBe('');
      expect(hex(encodeHkdfLabel(32, 'finished', EMPTY))).toBe(hex(get(s, 'info')));
      expect(hex(finishedKey), s[0]!.step).toBe(hex(get(s, 'expanded')));
      if (s[0]!.step === 'calculate PSK binder') {
        const binderHash = get(s, 'binder hash');
        expect(hex(ks.finishedVerifyData(finishedKey, binderHash))).toBe(hex(get(s, 'finished')));
        expect(ks.verifyFinished(finishedKey, binderHash, get(s, 'finished'))).toBe(true);
        const wrong = get(s, 'finished');
        wrong[0]! ^= 1;
        expect(ks.verifyFinished(finishedKey, binderHash, wrong)).toBe(false);
        expect(ks.verifyFinished(finishedKey, binderHash, get(s, 'finished').subarray(1))).toBe(false);
      }
    }
  });
});

/**
 * Replays a whole trace through the typed chain: key shares from the private keys, the transcript from
 * the messages, every secret compared with the RFC's, then every encrypted record opened with the
 * derived keys and record nonces.
 */
function replay(stem: string, options: { psk?: Uint8Array } = {}) {
  const trace = load(stem);
  const msgs = messages(trace);
  const x25519 = defaultProvider.group('x25519')!;
  const isHrr = stem === 'hello-retry-request';
  const keyGroup = isHrr ? defaultProvider.group('secp256r1')! : x25519;
  const keyStep = isHrr ? 'create an ephemeral P-256 key pair' : 'create an ephemeral x25519 key pair';

  // Key exchange through our group API with the RFC's private keys injected as the RNG output.
  const clientPriv = bytes(value(trace, 'client', keyStep, 'private key'));
  const serverPriv = bytes(value(trace, 'server', keyStep, 'private key'));
  const clientOffer = keyGroup.generate(() => clientPriv.slice());
  expect(hex(clientOffer.publicKey)).toBe(value(trace, 'client', keyStep, 'public key'));
  const server = keyGroup.respond(clientOffer.publicKey, () => serverPriv.slice());
  expect(hex(server.share)).toBe(value(trace, 'server', keyStep, 'public key'));
  const clientShared = clientOffer.complete(server.share);
  expect(hex(clientShared)).toBe(hex(server.sharedSecret));
  expect(hex(clientShared)).toBe(value(trace, 'server', 'extract secret "handshake"', 'IKM'));

  const transcript = new TranscriptHash();
  const results: Record<string, Uint8Array> = {};
  let i = 0;
  const take = (label: string, side?: string) => {
    const m = msgs[i++];
    if (m === undefined || m.label !== label || (side !== undefined && m.side !== side)) {
      throw new Error(`${stem}: expected ${side ?? ''} ${label}, got ${m?.side} ${m?.label}`);
    }
    transcript.update(m.bytes);
    return m.bytes;
  };

  // ClientHello (and, for HRR, the message_hash rewrite, HelloRetryRequest and the second ClientHello).
  transcript.update(msgs[i++]!.bytes);
  // The suite (TLS_AES_128_GCM_SHA256) is known from ServerHello; buffered messages replay on selection.
  transcript.selectHash(sha256);
  const early = ks.earlySecret(options.psk);
  const earlySide = stepItems(trace, 'server', 'extract secret "early"', 0, true) ? 'server' : 'client';
  expect(hex(early)).toBe(value(trace, earlySide, 'extract secret "early"', 'secret'));
  if (options.psk !== undefined) {
    // The PSK binder (RFC 8446 §4.2.11.2) over the truncated ClientHello, and the early-data secrets.
    const prefix = bytes(value(trace, 'client', 'calculate PSK binder', 'ClientHello prefix'));
    const binderKey: BinderKey = ks.binderKey(early, 'resumption');
    expect(hex(binderKey)).toBe(value(trace, 'client', 'calculate PSK binder', 'PRK'));
    const binderHash = new TranscriptHash(sha256);
    expect(hex(binderHash.digestWith(prefix))).toBe(value(trace, 'client', 'calculate PSK binder', 'binder hash'));
    const binder = ks.finishedVerifyData(ks.finishedKey(binderKey), binderHash.digestWith(prefix));
    expect(hex(binder)).toBe(value(trace, 'client', 'calculate PSK binder', 'finished'));
    // The trace's "ClientHello" is the truncated one; the record carries it followed by the binders list
    // holding that binder, and that complete message is what the transcript holds.
    expect(hex(msgs[0]!.bytes)).toBe(hex(prefix));
    const sentClientHello = value(trace, 'client', 'send handshake record', 'payload');
    expect(sentClientHello).toBe(`${hex(prefix)}002120${hex(binder)}`);
    const chHash = sha256.digest(bytes(sentClientHello));
    expect(hex(transcript.digest())).toBe(hex(sha256.digest(prefix)));
    transcript.update(bytes('002120'));
    transcript.update(binder);
    expect(hex(transcript.digest())).toBe(hex(chHash));
    results.cEarly = ks.clientEarlyTrafficSecret(early, chHash);
    expect(hex(results.cEarly)).toBe(value(trace, 'client', 'derive secret "tls13 c e traffic"', 'expanded'));
    expect(hex(ks.earlyExporterMasterSecret(early, chHash))).toBe(
      value(trace, 'client', 'derive secret "tls13 e exp master"', 'expanded'),
    );
  }
  if (isHrr) {
    // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash before the HelloRetryRequest is added;
    // a stateless server rebuilding it from Hash(ClientHello1) in its cookie gets the same transcript.
    const viaCookie = new TranscriptHash(sha256);
    viaCookie.replaceWithMessageHash(sha256.digest(msgs[0]!.bytes));
    transcript.replaceWithMessageHash();
    expect(hex(transcript.digest())).toBe(hex(viaCookie.digest()));
    take('ServerHello', 'server'); // the HelloRetryRequest
    take('ClientHello', 'client');
  }
  take('ServerHello', 'server');
  const helloHash = transcript.digest();
  expect(hex(helloHash)).toBe(value(trace, 'server', 'derive secret "tls13 c hs traffic"', 'hash'));
  const handshake = ks.handshakeSecret(early, clientShared);
  expect(hex(handshake)).toBe(value(trace, 'server', 'extract secret "handshake"', 'secret'));
  const cHs = ks.clientHandshakeTrafficSecret(handshake, helloHash);
  const sHs = ks.serverHandshakeTrafficSecret(handshake, helloHash);
  expect(hex(cHs)).toBe(value(trace, 'server', 'derive secret "tls13 c hs traffic"', 'expanded'));
  expect(hex(sHs)).toBe(value(trace, 'server', 'derive secret "tls13 s hs traffic"', 'expanded'));
  expect(hex(sHs)).toBe(value(trace, 'server', 'derive write traffic keys for handshake data', 'PRK'));

  take('EncryptedExtensions', 'server');
  const clientAuth = stem === 'client-authentication';
  if (clientAuth) take('CertificateRequest', 'server');
  if (options.psk === undefined) {
    take('Certificate', 'server');
    take('CertificateVerify', 'server');
  }
  const sFinishedKey = ks.finishedKey(sHs);
  const sVerify = ks.finishedVerifyData(sFinishedKey, transcript.digest());
  expect(hex(sVerify)).toBe(value(trace, 'server', 'calculate finished "tls13 finished"', 'finished'));
  const sFinished = take('Finished', 'server');
  expect(hex(sFinished.subarray(4))).toBe(hex(sVerify));

  const master = ks.masterSecret(handshake);
  expect(hex(master)).toBe(value(trace, 'server', 'extract secret "master"', 'secret'));
  const finishedHash = transcript.digest();
  const cAp = ks.clientApplicationTrafficSecret(master, finishedHash);
  const sAp = ks.serverApplicationTrafficSecret(master, finishedHash);
  expect(hex(cAp)).toBe(value(trace, 'server', 'derive secret "tls13 c ap traffic"', 'expanded'));
  expect(hex(sAp)).toBe(value(trace, 'server', 'derive secret "tls13 s ap traffic"', 'expanded'));
  expect(hex(ks.exporterMasterSecret(master, finishedHash))).toBe(
    value(trace, 'server', 'derive secret "tls13 exp master"', 'expanded'),
  );

  if (options.psk !== undefined) take('EndOfEarlyData', 'client');
  if (clientAuth) {
    take('Certificate', 'client');
    take('CertificateVerify', 'client');
  }
  const cVerify = ks.finishedVerifyData(ks.finishedKey(cHs), transcript.digest());
  expect(hex(cVerify)).toBe(value(trace, 'client', 'calculate finished "tls13 finished"', 'finished'));
  take('Finished', 'client');
  const resumption: ResumptionMasterSecret = ks.resumptionMasterSecret(master, transcript.digest());
  expect(hex(resumption)).toBe(value(trace, 'client', 'derive secret "tls13 res master"', 'expanded'));

  // Every encrypted record opens under exactly one of the sender's keys at that key's next sequence number.
  const aead = defaultProvider.aead('AES-128-GCM');
  const senders: Record<'client' | 'server', { name: string; secret: TrafficSecret; seq: number }[]> = {
    client: [
      { name: 'c hs', secret: cHs, seq: 0 },
      { name: 'c ap', secret: cAp, seq: 0 },
    ],
    server: [
      { name: 's hs', secret: sHs, seq: 0 },
      { name: 's ap', secret: sAp, seq: 0 },
    ],
  };
  if (results.cEarly !== undefined)
    senders.client.unshift({ name: 'c e', secret: results.cEarly as TrafficSecret, seq: 0 });
  let opened = 0;
  const nonce = new Uint8Array(12);
  for (const item of trace.items) {
    if (item.label !== 'complete record' || !item.hex.startsWith('17')) continue;
    const record = bytes(item.hex);
    // The trace's payload is the TLSInnerPlaintext content without its type octet (RFC 8446 §5.2); no padding.
    const innerType = item.step.includes('handshake') ? '16' : item.step.includes('alert') ? '15' : '17';
    const payloadHex = `${trace.items[trace.items.indexOf(item) - 1]!.hex}${innerType}`;
    const candidates = senders[item.side].filter((k) => {
      const keys = ks.trafficKeys(k.secret, 16);
      const plain = aead
        .create(keys.key)
        .open(writeRecordNonce(nonce, keys.iv, k.seq), record.subarray(5), record.subarray(0, 5));
      return plain !== null && hex(plain) === payloadHex;
    });
    expect(candidates.length, `${stem} record ${item.hex.slice(0, 16)}`).toBe(1);
    const k = candidates[0]!;
    const keys = ks.trafficKeys(k.secret, 16);
    // Sealing the same payload under the same nonce reproduces the RFC's record byte for byte.
    expect(
      hex(
        aead.create(keys.key).seal(writeRecordNonce(nonce, keys.iv, k.seq), bytes(payloadHex), record.subarray(0, 5)),
      ),
    ).toBe(hex(record.subarray(5)));
    k.seq += 1;
    opened += 1;
  }
  const encryptedRecords = trace.items.filter((r) => r.label === 'complete record' && r.hex.startsWith('17')).length;
  expect(encryptedRecords).toBeGreaterThan(3);
  expect(opened).toBe(encryptedRecords);
  return { trace, opened, resumption, cAp: cAp as ApplicationTrafficSecret };
}

describe('RFC 8448 full replays through the typed key schedule', () => {
  test('§3 simple 1-RTT: secrets, finished, records, ticket PSK', () => {
    const { trace, resumption } = replay('simple-1rtt');
    // NewSessionTicket: the PSK from resumption_master_secret and the ticket nonce (RFC 8446 §4.6.1).
    const ticket = bytes(value(trace, 'server', 'construct a NewSessionTicket', 'NewSessionTicket'));
    const nonceLength = ticket[12]!;
    const ticketNonce = ticket.subarray(13, 13 + nonceLength);
    expect(hex(ticketNonce)).toBe(value(trace, 'server', 'generate resumption secret', 'hash'));
    expect(hex(ks.resumptionPsk(resumption, ticketNonce))).toBe(
      value(trace, 'server', 'generate resumption secret', 'expanded'),
    );
  });

  test('§4 resumed 0-RTT: PSK from §3, binder, early secrets, EndOfEarlyData', () => {
    const first = replay('simple-1rtt');
    const ticket = bytes(value(first.trace, 'server', 'construct a NewSessionTicket', 'NewSessionTicket'));
    const psk = ks.resumptionPsk(first.resumption, ticket.subarray(13, 13 + ticket[12]!));
    replay('resumed-0rtt', { psk });
  });

  test('§5 HelloRetryRequest: P-256 shares with injected scalars, message_hash transcript', () => {
    replay('hello-retry-request');
  });

  test('§6 client authentication', () => {
    replay('client-authentication');
  });

  test('§7 compatibility mode', () => {
    replay('compatibility-mode');
  });

  test('KeyUpdate secret chain and exporter are deterministic functions of the trace', () => {
    const { cAp } = replay('simple-1rtt');
    const next = ks.nextApplicationTrafficSecret(cAp);
    // RFC 8446 §7.2 by definition: HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
    expect(hex(next)).toBe(hex(sha256.hkdfExpand(cAp, encodeHkdfLabel(32, 'traffic upd', EMPTY), 32)));
    expect(hex(next)).not.toBe(hex(cAp));
  });
});
