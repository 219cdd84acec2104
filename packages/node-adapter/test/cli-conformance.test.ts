/**
 * The conformance commands as executables (issue #11): `sanstls vectors` passes on the RFC 8448 files
 * and fails (exit status 1) on a corrupted one or on a file that is not a trace; `sanstls record`
 * writes a connection to openssl s_server and to `sanstls s_server` as a transcript that `sanstls
 * vectors` replays byte for byte, and a changed byte in it fails at that byte; `sanstls probe` against
 * `sanstls s_server` prints the table with RFC sections and exits 0.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutateTranscript, parseTranscript } from '@sanstls/core/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliHarness } from './helpers/cli.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';
import {
  peerAvailability,
  type ServerPeer,
  skipUnless,
  startOpenSslClient,
  startOpenSslServer,
} from './helpers/peers.js';
import type { Child } from './helpers/processes.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
let cli: CliHarness;
let fx: Fixtures;
const children: Child[] = [];
beforeAll(async () => {
  cli = await buildCli();
  fx = makeFixtures(['ecdsa']);
});
afterAll(async () => {
  for (const child of children) await child.stop();
  cli?.cleanup();
  fx?.cleanup();
});

/** The harness reads output as latin1 (binary-safe); these commands print UTF-8 (§). */
async function sanstls(args: string[], options: { cwd?: string } = {}) {
  const r = await cli.run(args, options);
  return {
    status: r.status,
    stdout: Buffer.from(r.stdout, 'latin1').toString('utf8'),
    stderr: Buffer.from(r.stderr, 'latin1').toString('utf8'),
  };
}

async function sanstlsServer(): Promise<number> {
  const chain = fx.chains.ecdsa;
  const child = cli.start([
    's_server',
    '-accept',
    '127.0.0.1:0',
    '-cert',
    chain.serverCert,
    '-key',
    chain.serverKey,
    '-www',
  ]);
  children.push(child);
  const match = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 15_000, 'stdout');
  return Number(match[1]);
}

describe('sanstls vectors', () => {
  it('passes on test-vectors/rfc8448: pass per message, all 10 sides (§4 resumes §3’s ticket), exit 0', async () => {
    const r = await sanstls(['vectors'], { cwd: repo });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('simple-1rtt.json: RFC 8448 §3 Simple 1-RTT Handshake, server');
    expect(r.stdout).toMatch(/pass {2}flight 2 record 2 {2}certificate_verify/);
    expect(r.stdout).toContain('resumed-0rtt.json: RFC 8448 §4 Resumed 0-RTT Handshake, server');
    expect(r.stdout).not.toMatch(/FAIL|MISS| {2}skip {2}/);
    expect(r.stdout).toMatch(/10 passed, 0 failed, 0 skipped \(54 messages checked\)\n$/);
  });

  it('§4 alone finds §3 beside it; copied elsewhere without §3 it is skipped with the reason', async () => {
    const file = join(repo, 'test-vectors/rfc8448/resumed-0rtt.json');
    const beside = await sanstls(['vectors', file]);
    expect(beside.stdout).toMatch(/Resumed 0-RTT Handshake, client\n {2}pass {2}flight 1 record 1 {2}client_hello/);
    expect(beside.stdout).toMatch(/pass {2}flight 1 record 2 {2}application_data/); // the 0-RTT data
    expect(beside.stdout).toMatch(/2 passed, 0 failed, 0 skipped \(11 messages checked\)\n$/);
    expect(beside.status).toBe(0);
    const alone = join(fx.dir, 'alone');
    mkdirSync(alone, { recursive: true });
    copyFileSync(file, join(alone, 'resumed-0rtt.json'));
    const skipped = await sanstls(['vectors', alone]);
    expect(skipped.stdout).toMatch(
      /skip {2}resumes the §3 ticket: run it with RFC 8448 §3 \(simple-1rtt\.json\) beside it/,
    );
    expect(skipped.stdout).toMatch(/0 passed, 0 failed, 2 skipped/);
    expect(skipped.status).toBe(0);
  });

  it('fails (exit 1) on a trace with one byte changed, naming the message and the byte', async () => {
    const trace = JSON.parse(readFileSync(join(repo, 'test-vectors/rfc8448/simple-1rtt.json'), 'utf8'));
    const fin = trace.items.find(
      (i: { side: string; label: string; step: string }) =>
        i.side === 'client' &&
        i.step === 'send handshake record' &&
        i.label === 'complete record' &&
        i.hex.length === 116,
    );
    // The client's protected Finished record: flip a ciphertext byte (offset 20).
    fin.hex =
      fin.hex.slice(0, 40) +
      (Number.parseInt(fin.hex.slice(40, 42), 16) ^ 0xff).toString(16).padStart(2, '0') +
      fin.hex.slice(42);
    const file = join(fx.dir, 'corrupted-1rtt.json');
    writeFileSync(file, JSON.stringify(trace));
    const r = await sanstls(['vectors', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Simple 1-RTT Handshake, client\n[\s\S]*FAIL {2}flight 3 record 1 {2}/);
    expect(r.stdout).toContain('first difference: flight 3 (client) byte 20: record 1 (application_data');
    expect(r.stdout).toContain('FAIL  flight 3 record 1  application_data (encrypted)  (replayed finished instead)');
    // Records after the corrupted one are still read (its sequence number counted): the client's data.
    expect(r.stdout).toContain('MISS  flight 5 record 1  application_data');
    // The server side takes the changed record as a forgery: bad_record_mac, an alert the RFC never sent.
    expect(r.stdout).toContain('engine error: [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]');
    expect(r.stdout).toContain('first difference: after the last flight: the engine sent 24 more bytes than recorded');
    expect(r.stdout).toMatch(/0 passed, 2 failed, 0 skipped/);
  });

  it('a file that is neither a trace nor a transcript is an error, exit 1', async () => {
    const file = join(fx.dir, 'not-json.json');
    writeFileSync(file, 'hello');
    const r = await sanstls(['vectors', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/not-json\.json: ERROR/);
  });
});

async function recordAndReplay(port: number, name: string): Promise<string> {
  const out = join(fx.dir, `${name}.json`);
  const rec = await sanstls([
    'record',
    '-connect',
    `127.0.0.1:${port}`,
    '-servername',
    'localhost',
    '-CAfile',
    fx.chains.ecdsa.caCert,
    '-send',
    'GET / HTTP/1.0\\r\\n\\r\\n',
    '-out',
    out,
  ]);
  expect(rec.stderr).toMatch(/^recorded \d+ flights, \d+ records, 5 key-log lines, TLSv1\.3 /);
  expect(rec.status).toBe(0);
  const transcript = parseTranscript(readFileSync(out, 'utf8'));
  const plain = transcript.flights.flatMap((f) => f.records.map((r) => r.decrypted?.text ?? ''));
  expect(plain).toContain('GET / HTTP/1.0\r\n\r\n');
  expect(plain.join('')).toContain('HTTP/1.0 200 ok');

  const replay = await sanstls(['vectors', out]);
  expect(replay.stdout).toMatch(/pass {2}flight 1 record 1 {2}client_hello/);
  expect(replay.stdout).toMatch(/pass {2}flight \d+ record \d+ {2}application_data/);
  expect(replay.stdout).toMatch(/1 passed, 0 failed/);
  expect(replay.status).toBe(0);

  // One byte of our ClientHello's random changed in the file: reported at exactly that byte.
  const mutated = join(fx.dir, `${name}-mutated.json`);
  writeFileSync(mutated, JSON.stringify(mutateTranscript(transcript, 1, 20)));
  const bad = await sanstls(['vectors', mutated]);
  expect(bad.status).toBe(1);
  expect(bad.stdout).toContain(
    'first difference: flight 1 (client) byte 20: record 1 (handshake: client_hello) byte 20',
  );
  expect(bad.stdout).toMatch(/FAIL {2}flight 1 record 1 {2}client_hello {2}\(byte 15: /);
  return out;
}

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('sanstls record ↔ openssl s_server', () => {
  let server: ServerPeer;
  beforeAll(async () => {
    const chain = fx.chains.ecdsa;
    server = await startOpenSslServer(['-cert', chain.serverCert, '-key', chain.serverKey, '-www']);
  });
  afterAll(() => server?.stop());

  it('records a connection that replays byte for byte; a changed byte fails at that byte', async () => {
    await recordAndReplay(server.port, 'openssl');
  });
});

describe('sanstls probe and record ↔ sanstls s_server', () => {
  let port: number;
  beforeAll(async () => {
    port = await sanstlsServer();
  });

  it('probe: the table with RFC sections, 24 pass, exit 0', async () => {
    const r = await sanstls(['probe', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost']);
    expect(r.stdout).toContain(`Probing 127.0.0.1:${port} (SNI localhost)`);
    expect(r.stdout).toMatch(/^probe\s+answer\s+version\s+group\s+suite\s+verdict\s+expected\s+RFC$/m);
    expect(r.stdout).toMatch(/early-ccs\s+alert unexpected_message\(10\).*pass.*RFC 8446 §5$/m);
    expect(r.stdout).toMatch(
      /hrr-unknown-share\s+HelloRetryRequest\s+TLSv1\.3\s+x25519.*RFC 8446 §4\.1\.1, §4\.1\.4$/m,
    );
    expect(r.stdout).toMatch(/fallback-scsv\s+alert protocol_version\(70\).*pass.*RFC 7507 §3$/m);
    expect(r.stdout).toContain('24 pass, 0 ok, 0 FAIL, 0 n/a');
    expect(r.status).toBe(0);
    const json = await sanstls(['probe', '-connect', `127.0.0.1:${port}`, '-only', 'grease', '-json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ probe: 'grease', section: 'RFC 8701 §3', verdict: 'pass' });
  });

  it('probe: a closed port is exit 1; an unknown probe id is a usage error', async () => {
    const closed = await sanstls(['probe', '-connect', '127.0.0.1:1', '-only', 'baseline']);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain('cannot connect');
    const unknown = await sanstls(['probe', '-only', 'nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown probe "nope"');
  });

  it('record: our own server, replayed byte for byte', async () => {
    await recordAndReplay(port, 'sanstls');
  });
});

/** `sanstls record -accept` on a kernel-chosen port: the child and its port. */
async function recordServer(out: string, extra: string[] = []): Promise<{ child: Child; port: number }> {
  const chain = fx.chains.ecdsa;
  const child = cli.start([
    'record',
    '-accept',
    '127.0.0.1:0',
    '-cert',
    chain.serverCert,
    '-key',
    chain.serverKey,
    '-send',
    'HTTP/1.0 200 ok\\r\\n\\r\\nrecorded\\r\\n',
    '-out',
    out,
    ...extra,
  ]);
  children.push(child);
  const match = await child.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 15_000, 'stderr');
  return { child, port: Number(match[1]) };
}

/** The server transcript replays as the server, byte for byte; a changed byte fails at that byte. */
async function replayServer(out: string, name: string, mutate = true): Promise<void> {
  const transcript = parseTranscript(readFileSync(out, 'utf8'));
  expect(transcript.side).toBe('server');
  const plain = transcript.flights.flatMap((f) => f.records.map((r) => r.decrypted?.text ?? ''));
  expect(plain).toContain('GET / HTTP/1.0\r\n\r\n');
  expect(plain).toContain('HTTP/1.0 200 ok\r\n\r\nrecorded\r\n');
  const replay = await sanstls(['vectors', out]);
  expect(replay.stdout).toMatch(/pass {2}flight 2 record 1 {2}server_hello/);
  expect(replay.stdout).toMatch(/pass {2}flight \d+ record \d+ {2}certificate\n/);
  expect(replay.stdout).toMatch(/pass {2}flight \d+ record \d+ {2}application_data/);
  expect(replay.stdout).not.toMatch(/FAIL|MISS/);
  expect(replay.stdout).toMatch(/1 passed, 0 failed/);
  expect(replay.status).toBe(0);
  if (!mutate) return;
  // One byte of the ServerHello's random changed in the file: reported at exactly that byte.
  const mutated = join(fx.dir, `${name}-mutated.json`);
  writeFileSync(mutated, JSON.stringify(mutateTranscript(transcript, 2, 20)));
  const bad = await sanstls(['vectors', mutated]);
  expect(bad.status).toBe(1);
  // (TLS 1.2 sends its whole first flight in one record: server_hello, certificate, … .)
  expect(bad.stdout).toMatch(
    /first difference: flight 2 \(server\) byte 20: record 1 \(handshake: server_hello[^)]*\) byte 20/,
  );
}

describe('sanstls record -accept (the server side)', () => {
  it.each(['-tls1_3', '-tls1_2'])(
    '%s: ↔ sanstls record -connect: the server side recorded, replayed byte for byte',
    async (version) => {
      const serverOut = join(fx.dir, `server${version}.json`);
      const server = await recordServer(serverOut, [version]);
      const clientOut = join(fx.dir, `client${version}.json`);
      const client = await sanstls([
        'record',
        '-connect',
        `127.0.0.1:${server.port}`,
        '-servername',
        'localhost',
        '-CAfile',
        fx.chains.ecdsa.caCert,
        '-send',
        'GET / HTTP/1.0\\r\\n\\r\\n',
        '-idle',
        '500',
        '-out',
        clientOut,
      ]);
      expect(client.status).toBe(0);
      expect(await server.child.exited(15_000)).toBe(0);
      // The server transcript replays as the server; the client's (replayed like any client transcript above).
      await replayServer(serverOut, `server${version}`, version === '-tls1_3');
      expect(parseTranscript(readFileSync(clientOut, 'utf8')).side).toBe('client');
    },
  );

  it.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))(
    '↔ openssl s_client: the transcript replays byte for byte',
    async () => {
      const out = join(fx.dir, 'server-openssl.json');
      const server = await recordServer(out);
      const client = startOpenSslClient(server.port, ['-servername', 'localhost', '-CAfile', fx.chains.ecdsa.caCert]);
      children.push(client);
      await client.waitFor(/Verify return code: 0/, 15_000, 'stdout');
      client.write('GET / HTTP/1.0\r\n\r\n');
      await client.waitFor(/recorded/, 15_000, 'stdout');
      client.endInput(); // s_client sends close_notify; the recorder answers with its own and writes the file
      expect(await server.child.exited(15_000)).toBe(0);
      await replayServer(out, 'server-openssl');
    },
  );

  it('usage: -accept needs -cert; client options are refused with -accept', async () => {
    const noCert = await sanstls(['record', '-accept', '0']);
    expect(noCert.status).toBe(1);
    expect(noCert.stderr).toContain('-accept needs -cert FILE');
    const mixed = await sanstls(['record', '-accept', '0', '-cert', fx.chains.ecdsa.serverCert, '-CAfile', 'x']);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toContain('-CAfile is a client option');
  });
});
