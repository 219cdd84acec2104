/**
 * The prober's battery against our own server, in process (MemoryBIO, no sockets), and the answer
 * reader / judge on hand-built server flights. Real servers (openssl s_server, gnutls-serv, our CLI
 * s_server) are probed over TCP in packages/node-adapter/test/probe-servers.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { defaultProvider, MemoryBIO, PROTOCOL_TLS_SERVER, SSLContext, SSLError, SSLWantReadError } from '@sanstls/core';
import {
  AlertDescription,
  ContentType,
  ExtensionType,
  encodeAlert,
  encodeKeyShareHelloRetryRequest,
  encodeKeyShareServerHello,
  encodeRecord,
  encodeServerHello,
  encodeSupportedVersionsServerHello,
  NamedGroup,
  parseClientHello,
  splitHandshake,
} from '@sanstls/core/codec';
import {
  classifyServerHello,
  describeResponse,
  helloRecords,
  judgeProbe,
  PROBES,
  type Probe,
  type ProbeContext,
  type ProbeResponse,
  ProbeResponseReader,
  probeClientHello,
} from '@sanstls/core/conformance';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';

const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });
const probeContext: ProbeContext = {
  serverName: 'localhost',
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  provider: defaultProvider,
};

function serverContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
  return ctx;
}

/** Feeds a probe's records to our server, one record at a time, and reads its first answer. */
function probeOurServer(probe: Probe, ctx = serverContext()): ProbeResponse {
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const server = ctx.wrapBio(incoming, outgoing, { serverSide: true });
  const reader = new ProbeResponseReader();
  for (const record of probe.build(probeContext)) {
    incoming.write(record);
    try {
      server.doHandshake();
    } catch (e) {
      if (!(e instanceof SSLWantReadError) && !(e instanceof SSLError)) throw e;
    }
    const answer = reader.push(outgoing.read());
    if (answer !== undefined) return answer;
  }
  return reader.end('eof');
}

function probe(id: string): Probe {
  const found = PROBES.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no probe ${id}`);
  return found;
}

const serverHelloRecord = (fields: { version?: number; group?: number; hrr?: boolean; suite?: number }) =>
  encodeRecord(
    ContentType.handshake,
    0x0303,
    encodeServerHello({
      ...(fields.hrr
        ? { kind: 'hello_retry_request' as const }
        : { kind: 'server_hello' as const, random: new Uint8Array(32).fill(7) }),
      legacyVersion: 0x0303,
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: fields.suite ?? 0x1301,
      legacyCompressionMethod: 0,
      extensions: [
        { type: ExtensionType.supported_versions, body: encodeSupportedVersionsServerHello(fields.version ?? 0x0304) },
        {
          type: ExtensionType.key_share,
          body: fields.hrr
            ? encodeKeyShareHelloRetryRequest(fields.group ?? NamedGroup.x25519)
            : encodeKeyShareServerHello({ group: fields.group ?? NamedGroup.x25519, keyExchange: new Uint8Array(32) }),
        },
      ],
    }),
  );

describe('probe battery against our server (in process)', () => {
  it('has unique ids, an RFC section and an expectation per probe', () => {
    expect(new Set(PROBES.map((p) => p.id)).size).toBe(PROBES.length);
    for (const p of PROBES) expect(p.section).toMatch(/^RFC \d+/);
    expect(PROBES.length).toBeGreaterThanOrEqual(20);
  });

  it('every probe builds parseable records (except the deliberately malformed ones)', () => {
    const malformed = new Set(['odd-suites-length', 'trailing-bytes']);
    for (const p of PROBES) {
      const records = p.build(probeContext).filter((r) => r[0] === ContentType.handshake);
      const message = new Uint8Array(records.reduce((n, r) => n + r.length - 5, 0));
      let at = 0;
      for (const r of records) {
        message.set(r.subarray(5), at);
        at += r.length - 5;
      }
      const parse = () => {
        const m = splitHandshake(message);
        return parseClientHello(m.body, m.raw, () => {});
      };
      if (malformed.has(p.id)) expect(parse, p.id).toThrow(SSLError);
      else expect(parse, p.id).not.toThrow();
    }
  });

  const answers = new Map<string, ProbeResponse>();
  for (const p of PROBES) {
    it(`${p.id}: ${p.title} → ${p.expect.text}`, () => {
      const answer = probeOurServer(p);
      answers.set(p.id, answer);
      expect(judgeProbe(p, answer), JSON.stringify(describeResponse(answer))).not.toBe('FAIL');
    });
  }

  it('answers the key RFC 8446 cases exactly', () => {
    const of = (id: string) => answers.get(id) ?? probeOurServer(probe(id));
    expect(of('hrr-unknown-share')).toMatchObject({ kind: 'hello_retry_request', group: NamedGroup.x25519 });
    expect(of('no-key-share')).toMatchObject({ kind: 'alert', description: AlertDescription.missing_extension });
    expect(of('early-ccs')).toMatchObject({ kind: 'alert', description: AlertDescription.unexpected_message });
    expect(of('oversized-record')).toMatchObject({ kind: 'alert', description: AlertDescription.record_overflow });
    expect(of('tls12-only')).toMatchObject({ kind: 'server_hello', version: 0x0303, downgrade: 'tls12' });
  });

  it('a TLS 1.3-only server answers the TLS 1.2 probes with protocol_version', () => {
    const ctx = serverContext();
    ctx.minimumVersion = 0x0304;
    expect(probeOurServer(probe('tls12-only'), ctx)).toMatchObject({
      kind: 'alert',
      description: AlertDescription.protocol_version,
    });
  });
});

describe('ProbeResponseReader', () => {
  it('reads a ServerHello split over records and chunks', () => {
    const record = serverHelloRecord({ group: NamedGroup.secp256r1 });
    const body = record.subarray(5);
    const split = [
      encodeRecord(ContentType.handshake, 0x0303, body.subarray(0, 10)),
      encodeRecord(ContentType.handshake, 0x0303, body.subarray(10)),
    ];
    const bytes = new Uint8Array([...split[0]!, ...split[1]!]);
    const reader = new ProbeResponseReader();
    for (let i = 0; i < bytes.length - 1; i++) expect(reader.push(bytes.subarray(i, i + 1))).toBeUndefined();
    expect(reader.push(bytes.subarray(bytes.length - 1))).toMatchObject({
      kind: 'server_hello',
      version: 0x0304,
      group: NamedGroup.secp256r1,
      suite: 0x1301,
      deviations: [],
    });
  });

  it('reads a HelloRetryRequest and an alert', () => {
    expect(new ProbeResponseReader().push(serverHelloRecord({ hrr: true, group: NamedGroup.secp384r1 }))).toMatchObject(
      {
        kind: 'hello_retry_request',
        group: NamedGroup.secp384r1,
      },
    );
    expect(new ProbeResponseReader().push(encodeRecord(ContentType.alert, 0x0303, encodeAlert(2, 40)))).toEqual({
      kind: 'alert',
      level: 2,
      description: 40,
    });
  });

  it('reports HTTP, short reads, resets and timeouts', () => {
    const http = new ProbeResponseReader().push(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(http).toMatchObject({ kind: 'garbage' });
    expect((http as { detail: string }).detail).toContain('HTTP/1.1');
    const short = new ProbeResponseReader();
    expect(short.push(Uint8Array.of(0x16, 3))).toBeUndefined();
    expect(short.end('eof')).toMatchObject({ kind: 'garbage' });
    expect(new ProbeResponseReader().end('reset', 'ECONNRESET')).toEqual({ kind: 'closed', detail: 'ECONNRESET' });
    expect(new ProbeResponseReader().end('timeout')).toEqual({ kind: 'timeout' });
    expect(
      new ProbeResponseReader().push(encodeRecord(ContentType.application_data, 0x0303, new Uint8Array(4))),
    ).toMatchObject({ kind: 'garbage' });
  });

  it('collects deviations in the server hello (duplicate extension) instead of failing', () => {
    const record = serverHelloRecord({});
    const body = splitHandshake(record.subarray(5)).body;
    // Append a second supported_versions extension to the block.
    const extra = Uint8Array.of(0x00, 0x2b, 0x00, 0x02, 0x03, 0x04);
    const grown = new Uint8Array([...body, ...extra]);
    const extStart = 2 + 32 + 1 + 2 + 1;
    const blockLength = ((grown[extStart]! << 8) | grown[extStart + 1]!) + extra.length;
    grown[extStart] = blockLength >> 8;
    grown[extStart + 1] = blockLength & 0xff;
    const answer = classifyServerHello(grown);
    expect(answer.kind).toBe('server_hello');
    expect((answer as { deviations: { section: string }[] }).deviations).toEqual([
      expect.objectContaining({ section: 'RFC 8446 §4.2', alert: AlertDescription.illegal_parameter }),
    ]);
  });
});

describe('judgeProbe', () => {
  const hello: ProbeResponse = {
    kind: 'server_hello',
    version: 0x0304,
    suite: 0x1301,
    group: NamedGroup.x25519,
    downgrade: undefined,
    deviations: [],
  };
  it('fails a server that accepts what the RFC says to reject', () => {
    expect(judgeProbe(probe('early-ccs'), hello)).toBe('FAIL');
    expect(judgeProbe(probe('compression-deflate'), hello)).toBe('FAIL');
    expect(judgeProbe(probe('oversized-record'), hello)).toBe('FAIL');
    expect(judgeProbe(probe('unknown-versions-only'), hello)).toBe('FAIL');
  });
  it('fails a server that rejects what the RFC says to accept, or negotiates GREASE', () => {
    const alert: ProbeResponse = { kind: 'alert', level: 2, description: 40 };
    expect(judgeProbe(probe('unknown-extensions'), alert)).toBe('FAIL');
    expect(judgeProbe(probe('fragmented-hello'), alert)).toBe('FAIL');
    expect(judgeProbe(probe('grease'), { ...hello, suite: 0x0a0a })).toBe('FAIL');
    expect(judgeProbe(probe('grease'), hello)).toBe('pass');
    expect(judgeProbe(probe('legacy-version-0304'), hello)).toBe('FAIL');
    expect(judgeProbe(probe('tls12-only'), { ...hello, version: 0x0303 })).toBe('ok');
    expect(judgeProbe(probe('baseline'), { kind: 'timeout' })).toBe('n/a');
  });
  it('builds hellos whose shares match the shape asked for', () => {
    const h = probeClientHello(probeContext, { shares: [NamedGroup.secp256r1], groups: [NamedGroup.x25519] });
    const records = helloRecords(h, 100);
    expect(records.length).toBeGreaterThan(1);
    expect(records.every((r) => r.length <= 105)).toBe(true);
  });
});
