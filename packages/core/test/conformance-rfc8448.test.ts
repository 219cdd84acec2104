/**
 * The RFC 8448 vector runner of @sanstls/core/conformance (what `sanstls vectors` runs): every
 * runnable side of §3, §5, §6 and §7 replays with every message equal to the RFC's; §4 and §6's server
 * side are reported as skipped with a reason; a trace with one byte changed fails at that byte.
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

  it('runs 8 sides, skips the 2 of §4 with a reason, and every message of the runnable ones equals the RFC', () => {
    const results = files.flatMap((f) => runRfc8448(load(f)));
    const run = results.filter((r) => r.result !== undefined);
    const skipped = results.filter((r) => r.skip !== undefined);
    expect(run.map((r) => r.name).sort()).toHaveLength(8);
    expect(run.map((r) => r.name)).toContain('RFC 8448 §6 Client Authentication, server');
    expect(skipped.map((r) => r.name).sort()).toEqual([
      'RFC 8448 §4 Resumed 0-RTT Handshake, client',
      'RFC 8448 §4 Resumed 0-RTT Handshake, server',
    ]);
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
