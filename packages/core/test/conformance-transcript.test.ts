/**
 * Transcripts (issue #11): a connection recorded on one side replays exactly (every byte, both TLS 1.3
 * and TLS 1.2, application data and close_notify included); a recording with one byte changed is
 * reported at that byte; a changed peer byte shows where its effect first appears; the JSON holds the
 * records, the decrypted messages and NSS key-log lines; deterministic inputs reproduce a connection.
 */
import {
  defaultProvider,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLEOFError,
  type SSLObject,
  SSLWantReadError,
  SSLZeroReturnError,
  TLSVersion,
} from '@sanstls/core';
import {
  fixedClock,
  formatTranscript,
  mutateTranscript,
  parseTranscript,
  replayTranscript,
  scriptedRandom,
  seededRandom,
  type Transcript,
  TranscriptRecorder,
  type TranscriptSettings,
  transcriptContext,
  wrapMemory,
} from '@sanstls/core/conformance';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 5, 1);
const chain = createChain({
  keyType: 'ecdsa-p256',
  depth: 1,
  now: new Date(NOW),
  randomBytes: seededRandom('pki'),
});

/** `extra` applies to the server only: a TLS 1.3 + 1.2 client meets a server limited by `extra`. */
function settings(serverSide: boolean, extra: Partial<TranscriptSettings> = {}): TranscriptSettings {
  return serverSide
    ? { serverSide, certChain: chain.certChainPem, privateKey: chain.leaf.keyPem, ...extra }
    : { serverSide, serverHostname: 'localhost', cadata: chain.root.pem };
}

function step(obj: SSLObject): void {
  try {
    obj.doHandshake();
  } catch (e) {
    if (!(e instanceof SSLWantReadError)) throw e;
  }
}

/** A client and a server over memory; `record` sits on one side. Returns the transcript. */
function recordConnection(
  recordedSide: 'client' | 'server',
  extra: Partial<TranscriptSettings> = {},
  seed = 'conn',
): { transcript: Transcript; clientGot: string; serverGot: string } {
  const recorder = new TranscriptRecorder({
    side: recordedSide,
    description: `test connection (${recordedSide})`,
    settings: settings(recordedSide === 'server', extra),
    randomBytes: seededRandom(`${seed}-${recordedSide}`),
    now: fixedClock(NOW, 1000),
    provider: defaultProvider,
  });
  const make = (serverSide: boolean) => {
    const mine = (recordedSide === 'server') === serverSide;
    const s = settings(serverSide, extra);
    const ctx = transcriptContext(
      s,
      mine ? recorder.contextOptions() : { randomBytes: seededRandom(`${seed}-peer`), now: fixedClock(NOW) },
    );
    if (mine) ctx.keylogCallback = recorder.keylog;
    const conn = wrapMemory(ctx, s);
    if (mine) recorder.tap(conn.incoming, conn.outgoing);
    return conn;
  };
  const client = make(false);
  const server = make(true);
  const move = (from: typeof client, to: typeof client) => {
    const bytes = from.outgoing.read();
    if (bytes.length > 0) to.incoming.write(bytes);
    return bytes.length;
  };
  for (let i = 0; i < 10; i++) {
    step(client.obj);
    move(client, server);
    step(server.obj);
    move(server, client);
  }
  client.obj.write('GET / HTTP/1.0\r\n\r\n');
  move(client, server);
  const serverGot = new TextDecoder().decode(server.obj.read(1000));
  server.obj.write('HTTP/1.0 200 OK\r\n\r\nhello');
  move(server, client);
  const clientGot = new TextDecoder().decode(client.obj.read(1000));
  expect(() => client.obj.unwrap()).toThrow(SSLWantReadError);
  move(client, server);
  expect(() => server.obj.read()).toThrow(SSLZeroReturnError);
  server.obj.unwrap();
  move(server, client);
  client.obj.unwrap();
  return { transcript: recorder.transcript(), clientGot, serverGot };
}

describe('transcript recorder → replayer', () => {
  for (const side of ['client', 'server'] as const) {
    it(`TLS 1.3, recorded on the ${side}: the replay is byte-exact, messages and secrets are in the JSON`, () => {
      const { transcript, clientGot, serverGot } = recordConnection(side);
      expect(serverGot).toBe('GET / HTTP/1.0\r\n\r\n');
      expect(clientGot).toBe('HTTP/1.0 200 OK\r\n\r\nhello');
      // Readable JSON: the handshake by message name, protected records opened with the key log.
      const parsed = parseTranscript(formatTranscript(transcript));
      const names = parsed.flights.flatMap((f) => f.records.flatMap((r) => (r.messages ?? []).map((m) => m.type)));
      expect(names.slice(0, 2)).toEqual(['client_hello', 'server_hello']);
      expect(names).toContain('encrypted_extensions');
      expect(names).toContain('certificate_verify');
      expect(names.filter((n) => n === 'finished')).toHaveLength(2);
      const texts = parsed.flights.flatMap((f) => f.records.map((r) => r.decrypted?.text).filter(Boolean));
      expect(texts).toEqual(['GET / HTTP/1.0\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\nhello']);
      const alerts = parsed.flights.flatMap((f) => f.records.map((r) => r.alert?.description).filter(Boolean));
      expect(alerts).toEqual(['close_notify', 'close_notify']);
      expect(parsed.keylog.map((l) => l.split(' ')[0])).toEqual(
        expect.arrayContaining([
          'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
          'SERVER_HANDSHAKE_TRAFFIC_SECRET',
          'CLIENT_TRAFFIC_SECRET_0',
          'SERVER_TRAFFIC_SECRET_0',
        ]),
      );
      expect(parsed.random.length).toBeGreaterThan(1);

      const result = replayTranscript(parsed);
      expect(result.difference).toBeUndefined();
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.notes).toEqual([]);
      expect(result.messages.length).toBeGreaterThan(2);
      expect(result.messages.filter((m) => m.status !== 'pass')).toEqual([]);
      // The replay's own transcript is the recording again.
      expect(result.actual.flights.map((f) => f.records.map((r) => r.hex))).toEqual(
        transcript.flights.map((f) => f.records.map((r) => r.hex)),
      );
    });
  }

  it('TLS 1.2 (ECDHE-ECDSA), recorded on the server: replay is byte-exact; records after ChangeCipherSpec are opened', () => {
    const { transcript } = recordConnection('server', { maximumVersion: TLSVersion.TLSv1_2 });
    const names = transcript.flights.flatMap((f) => f.records.flatMap((r) => (r.messages ?? []).map((m) => m.type)));
    expect(names).toContain('server_key_exchange');
    expect(names).toContain('client_key_exchange');
    expect(names.filter((n) => n === 'finished')).toHaveLength(2);
    expect(transcript.keylog[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    const texts = transcript.flights.flatMap((f) => f.records.map((r) => r.decrypted?.text).filter(Boolean));
    expect(texts).toEqual(['GET / HTTP/1.0\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\nhello']);
    const result = replayTranscript(transcript);
    expect(result.difference).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('a changed byte of the recorded side is reported at exactly that byte', () => {
    const { transcript } = recordConnection('server');
    // Flight 2 is the server's first flight: ServerHello record then the protected records.
    const flight = transcript.flights[1]!;
    expect(flight.from).toBe('server');
    const shLength = flight.records[0]!.hex.length / 2;
    for (const offset of [11, shLength + 20]) {
      const result = replayTranscript(mutateTranscript(transcript, 2, offset));
      expect(result.ok).toBe(false);
      expect(result.difference).toMatchObject({ flight: 2, offset });
      const d = result.difference!;
      expect(d.expected).toBe(d.actual! ^ 0x01);
      if (offset === 11) {
        expect(d.record).toBe(1);
        expect(d.recordOffset).toBe(11);
        expect(d.where).toContain('server_hello');
      } else {
        expect(d.record).toBeGreaterThan(1);
      }
    }
    const sh = replayTranscript(mutateTranscript(transcript, 2, 11));
    expect(sh.messages.find((m) => m.name === 'server_hello')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('byte 6'),
    });
  });

  it("a changed peer byte is reported where it first changes the replayed side's output", () => {
    const { transcript } = recordConnection('server');
    // ClientHello.random (record header 5 + handshake header 4 + version 2 = offset 11) feeds the
    // transcript hash, not the ServerHello: the ServerHello stays equal, the first protected record
    // (under keys derived from the transcript) differs from its first ciphertext byte.
    const result = replayTranscript(mutateTranscript(transcript, 1, 11));
    const flight = transcript.flights[1]!;
    const shLength = flight.records[0]!.hex.length / 2;
    const next = flight.records[1]!;
    const firstProtected = shLength + (next.type === 'change_cipher_spec' ? next.hex.length / 2 : 0);
    expect(result.difference).toMatchObject({ flight: 2, offset: firstProtected + 5 });
  });

  it('a recording cut short, or extended, is reported at its end', () => {
    const { transcript } = recordConnection('client');
    const cut = structuredClone(transcript);
    cut.flights[0]!.records[0]!.hex = cut.flights[0]!.records[0]!.hex.slice(0, -2);
    const shorter = replayTranscript(cut);
    expect(shorter.difference).toMatchObject({ flight: 1, expected: undefined });
    expect(shorter.difference!.offset).toBe(cut.flights[0]!.records[0]!.hex.length / 2);
  });

  it('the same seed and clock give the same bytes; another seed does not', () => {
    const a = recordConnection('client', {}, 'seed-a').transcript;
    const b = recordConnection('client', {}, 'seed-a').transcript;
    const c = recordConnection('client', {}, 'seed-b').transcript;
    expect(formatTranscript(a)).toBe(formatTranscript(b));
    expect(a.flights[0]!.records[0]!.hex).not.toBe(c.flights[0]!.records[0]!.hex);
  });

  it('ticket keys come from the injected RNG: same seed, same TLS 1.2 NewSessionTicket; another seed, another', () => {
    const ticket = (seed: string) => {
      const { transcript } = recordConnection('server', { maximumVersion: TLSVersion.TLSv1_2 }, seed);
      const messages = transcript.flights.flatMap((f) => f.records.flatMap((r) => r.messages ?? []));
      const nst = messages.find((m) => m.type === 'new_session_ticket');
      expect(nst).toBeDefined();
      expect(replayTranscript(transcript).ok).toBe(true);
      return nst!.hex;
    };
    const a = ticket('tickets-a');
    expect(ticket('tickets-a')).toBe(a);
    expect(ticket('tickets-b')).not.toBe(a);
  });

  it('a peer closing without close_notify is recorded (eof) and replays as the same SSLEOFError', () => {
    const recorder = new TranscriptRecorder({
      side: 'client',
      settings: settings(false),
      randomBytes: seededRandom('eof-client'),
      now: fixedClock(NOW),
      provider: defaultProvider,
    });
    const ctx = transcriptContext(settings(false), recorder.contextOptions());
    ctx.keylogCallback = recorder.keylog;
    const client = wrapMemory(ctx, settings(false));
    recorder.tap(client.incoming, client.outgoing);
    const server = wrapMemory(
      transcriptContext(settings(true), { randomBytes: seededRandom('eof-server'), now: fixedClock(NOW) }),
      settings(true),
    );
    for (let i = 0; i < 4; i++) {
      step(client.obj);
      server.incoming.write(client.outgoing.read());
      step(server.obj);
      client.incoming.write(server.outgoing.read());
    }
    client.incoming.writeEof(); // TCP FIN, no close_notify
    expect(() => client.obj.read()).toThrow(SSLEOFError);
    const transcript = recorder.transcript();
    expect(transcript.flights[transcript.flights.length - 1]).toMatchObject({ from: 'server', eof: true });
    const result = replayTranscript(parseTranscript(formatTranscript(transcript)));
    expect(result.ok).toBe(true);
    expect(result.error).toBeInstanceOf(SSLEOFError);
  });

  it('a scripted RNG injects exact randoms; a wrong request is an SSLError, not a TypeError', () => {
    const rng = scriptedRandom(['00'.repeat(32)]);
    expect(rng(32)).toEqual(new Uint8Array(32));
    expect(() => rng(32)).toThrow(/no more values/);
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, { randomBytes: scriptedRandom([]), now: fixedClock(NOW) });
    ctx.checkHostname = false;
    ctx.verifyMode = 0;
    const obj = ctx.wrapBio(new MemoryBIO(), new MemoryBIO());
    expect(() => obj.doHandshake()).toThrow(expect.objectContaining({ name: expect.stringMatching(/SSL/) }));
  });

  it('a malformed transcript file is an SSLError', () => {
    expect(() => parseTranscript('{')).toThrow(/not JSON/);
    expect(() => parseTranscript('{"format":"x"}')).toThrow(/format/);
    const t = recordConnection('client').transcript;
    const bad = structuredClone(t);
    bad.flights[0]!.records[0]!.hex = 'zz';
    expect(() => replayTranscript(bad)).toThrow(/not hex/);
    const server = new SSLContext(PROTOCOL_TLS_SERVER);
    expect(server).toBeDefined();
  });
});
