/**
 * The RFC 8448 vector runner of @sanstls/core/conformance (what `sanstls vectors` runs): both sides of
 * §3, §4, §5, §6 and §7 replay with every message equal to the RFC's — §4 (resumption, 0-RTT) from §3's
 * NewSessionTicket: the client's session through sessionFromNewSessionTicket, the server's ticket through
 * ticketLookupCallback; without §3 beside it §4 is skipped with the reason; a trace with one byte changed
 * fails at that byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRfc8448Trace, type Rfc8448Trace, rfc8448Cases, runRfc8448 } from '@sanstls/core/conformance';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../../test-vectors/rfc8448/', import.meta.url));
const available = existsSync(dir);
if (!available) console.log('conformance-rfc8448: skipped, test-vectors/rfc8448 is missing');

function load(name: string): Rfc8448Trace {
  return parseRfc8448Trace(readFileSync(`${dir}/${name}`, 'utf8'));
}

describe.skipIf(!available)('RFC 8448 runner', () => {
  const files = available ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'private-keys.json') : [];

  it('runs all 10 sides (§4 with §3 beside it), and every message equals the RFC', () => {
    const traces = files.map(load);
    const results = traces.flatMap((t) => runRfc8448(t, undefined, traces));
    const run = results.filter((r) => r.result !== undefined);
    expect(results.filter((r) => r.skip !== undefined)).toEqual([]);
    expect(run.map((r) => r.name).sort()).toHaveLength(10);
    expect(run.map((r) => r.name)).toContain('RFC 8448 §6 Client Authentication, server');
    expect(run.map((r) => r.name)).toContain('RFC 8448 §4 Resumed 0-RTT Handshake, server');
    for (const r of run) {
      expect({ name: r.name, difference: r.result!.difference, error: r.result!.error }).toEqual({
        name: r.name,
        difference: undefined,
        error: undefined,
      });
      expect(r.result!.messages.filter((m) => m.status !== 'pass')).toEqual([]);
    }
    // Every message kind of the traces was checked on its own.
    const names = new Set(run.flatMap((r) => r.result!.messages.map((m) => m.name)));
    for (const n of [
      'client_hello',
      'server_hello',
      'encrypted_extensions',
      'certificate',
      'certificate_verify',
      'finished',
      'application_data',
      'alert close_notify',
      'change_cipher_spec',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('§4: the client sends 0-RTT data and EndOfEarlyData; the server accepts and reads it; without §3, skipped', () => {
    const first = load('simple-1rtt.json');
    const resumed = load('resumed-0rtt.json');
    const [client, server] = runRfc8448(resumed, undefined, [first]);
    expect(client!.result!.ok).toBe(true);
    expect(client!.result!.messages.map((m) => m.name)).toEqual([
      'client_hello',
      'application_data', // 0-RTT, under client_early_traffic_secret
      'end_of_early_data', // under the early key as well (RFC 8446 §4.5)
      'finished',
      'application_data',
      'alert close_notify',
    ]);
    expect(server!.result!.ok).toBe(true);
    expect(server!.result!.messages.map((m) => m.name)).toEqual([
      'server_hello', // no certificate: PSK authentication
      'encrypted_extensions',
      'finished',
      'application_data',
      'alert close_notify',
    ]);
    // The server read the RFC's 6 bytes of early data first, then the client's 50 bytes.
    const early = resumed.items.find(
      (i) => i.side === 'client' && i.label === 'payload' && i.step.includes('application_data'),
    )!;
    expect(Buffer.from(server!.result!.received.subarray(0, 6)).toString('hex')).toBe(early.hex);
    expect(server!.result!.received.length).toBe(6 + 50);
    // The transcript decoder opens the 0-RTT record with the logged early secret, before any ServerHello.
    const [clientCase] = rfc8448Cases(resumed, undefined, [first]);
    expect(clientCase!.transcript!.flights[0]!.records[1]!.decrypted).toMatchObject({
      type: 'application_data',
      hex: early.hex,
    });
    // A changed identity is not the §3 ticket: the lookup passes it over, a full handshake starts
    // (no certificate message to match), and the first difference is in the ServerHello.
    const items = resumed.items.map((i) => ({ ...i }));
    const record = items.find((i) => i.side === 'client' && i.label === 'complete record')!;
    const payload = items.find((i) => i.side === 'client' && i.label === 'payload')!;
    // The identity starts after the pre_shared_key header; flip a byte near the end of the record's ticket.
    const at = record.hex.indexOf(payload.hex.slice(-400, -380));
    const flip = (h: string, i: number) =>
      h.slice(0, i) + (Number.parseInt(h.slice(i, i + 2), 16) ^ 1).toString(16).padStart(2, '0') + h.slice(i + 2);
    expect(at).toBeGreaterThan(0);
    record.hex = flip(record.hex, at); // the bytes the server reads; the lookup still knows the RFC's identity
    const changed = runRfc8448({ ...resumed, items }, undefined, [first]).find((r) => r.side === 'server')!.result!;
    expect(changed.ok).toBe(false);
    // A full handshake got as far as signing: the RFC's §3 signature does not cover this transcript.
    expect(changed.error?.reason).toBe('RFC8448_SIGNATURE_MISMATCH');
    expect(changed.messages.find((m) => m.name === 'server_hello')!.status).toBe('FAIL');
    // Alone, §4 cannot run: skipped with the reason.
    expect(runRfc8448(resumed).map((r) => r.skip)).toEqual([
      expect.stringContaining('run it with RFC 8448 §3'),
      expect.stringContaining('run it with RFC 8448 §3'),
    ]);
  });

  it('a trace with one byte changed in the ServerHello fails at that byte, on the server side only', () => {
    const trace = load('simple-1rtt.json');
    const items = trace.items.map((i) => ({ ...i }));
    const record = items.find((i) => i.side === 'server' && i.label === 'complete record')!;
    // Byte 50 of the record: inside ServerHello.random (record header 5 + handshake header 4 + version 2 = 11).
    const b = Number.parseInt(record.hex.slice(100, 102), 16) ^ 0x80;
    record.hex = record.hex.slice(0, 100) + b.toString(16).padStart(2, '0') + record.hex.slice(102);
    const results = runRfc8448({ ...trace, items });
    const server = results.find((r) => r.side === 'server')!.result!;
    expect(server.ok).toBe(false);
    expect(server.difference).toMatchObject({ flight: 2, offset: 50, record: 1, recordOffset: 50 });
    expect(server.messages.find((m) => m.name === 'server_hello')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('byte 45'),
    });
    // The client reads the changed random as the server's: its Finished (over a different transcript) differs.
    const client = results.find((r) => r.side === 'client')!.result!;
    expect(client.ok).toBe(false);
    expect(client.messages.find((m) => m.name === 'client_hello')!.status).toBe('pass');
  });

  it('the cases carry transcripts whose records are decoded with the RFC secrets', () => {
    const [client] = rfc8448Cases(load('simple-1rtt.json'));
    const server = client!.transcript!.flights[1]!;
    expect(server.records[1]!.decrypted?.type).toBe('handshake');
    expect(server.records[1]!.messages?.map((m) => m.type)).toEqual([
      'encrypted_extensions',
      'certificate',
      'certificate_verify',
      'finished',
    ]);
  });

  it('a file that is not a trace is an SSLError', () => {
    expect(() => parseRfc8448Trace('[]')).toThrow(/needs "section" and "items"/);
    expect(() => parseRfc8448Trace('nope')).toThrow(/not JSON/);
  });
});
