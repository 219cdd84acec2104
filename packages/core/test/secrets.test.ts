/**
 * Secrets stay secret (issue #10): with the key log off, no traffic secret, master secret or exporter
 * secret of a connection appears in an error's message, `String(err)`, stack, `JSON.stringify` or
 * `util.inspect` (hex, base64, or the decimal bytes util.inspect prints for a Uint8Array), nor in the
 * `util.inspect`/`JSON.stringify` of the public objects (SSLObject, TlsConnection, SSLContext, SSLSession).
 * The secrets to look for come from an identical, seeded run with the key log on. Key material is wiped
 * when the connection fails or both close_notify alerts were exchanged (best effort: see SECURITY.md).
 * Side channels: Finished, binders and ticket key names are compared by the one constant-time helper.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { inspect } from 'node:util';
import { SSLError, type SSLObject, SSLWantReadError, TLSVersion } from '@sanstls/core';
import {
  constantTimeEqual,
  loadPrivateKey,
  nobleSignatureProvider,
  publicKeyFromPrivate,
  signatureAlgorithmFromTlsScheme,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import {
  connected,
  inject,
  makePair,
  type Pair,
  type PairOptions,
  readError,
  run,
  transfer,
} from './helpers/limit-pair.js';
import { allZero, hexOf, liveSecrets as liveIn, reachableArrays } from './helpers/secrets.js';
import {
  clientContext,
  connectPair,
  handshake,
  makePair as makeTlsPair,
  readAll,
  serverContext,
} from './helpers/tls-pair.js';

/** Secrets (by value) still present in Uint8Arrays reachable from `obj`'s connection internals. */
const liveSecrets = (obj: SSLObject, secrets: readonly Uint8Array[]): string[] => liveIn(obj.connection, secrets);

function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      out[i] = x >>> 24;
    }
    return out;
  };
}

/** The secrets of a seeded connection, learned from its key log (NSS format: label, client random, secret). */
function secretsOf(options: PairOptions): Uint8Array[] {
  const lines: string[] = [];
  connected({ ...options, keylog: (line) => lines.push(line) });
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((l) => Uint8Array.from(Buffer.from(l.split(' ')[2]!, 'hex')));
}

function forms(secret: Uint8Array): string[] {
  const hex = Buffer.from(secret).toString('hex');
  return [
    hex,
    hex.toUpperCase(),
    Buffer.from(secret).toString('base64').slice(0, 24),
    Buffer.from(secret).toString('base64url').slice(0, 24),
    // util.inspect prints a Uint8Array as decimal bytes: `[ 12, 250, ... ]` (whitespace removed below).
    Array.from(secret.subarray(0, 8)).join(','),
  ];
}

function renderings(value: unknown): string[] {
  const out: string[] = [];
  const add = (f: () => string | undefined) => {
    try {
      const s = f();
      if (s !== undefined) out.push(s.replace(/\s+/g, ''));
    } catch {
      // Circular structures cannot be serialised: nothing leaks through that path.
    }
  };
  add(() =>
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, maxArrayLength: Number.POSITIVE_INFINITY }),
  );
  add(() => JSON.stringify(value));
  add(() => String(value));
  if (value instanceof Error) {
    add(() => value.message);
    add(() => value.stack);
    add(() => JSON.stringify({ ...value }));
  }
  return out;
}

function expectNoSecret(what: string, value: unknown, secrets: readonly Uint8Array[]): void {
  const texts = renderings(value);
  for (const secret of secrets) {
    for (const form of forms(secret)) {
      for (const text of texts) {
        if (text.includes(form)) throw new Error(`${what} reveals a secret (${form.slice(0, 12)}…)`);
      }
    }
  }
}

function publicObjects(p: Pair): Record<string, unknown> {
  return {
    'client SSLObject': p.client,
    'server SSLObject': p.server,
    'client TlsConnection': p.client.connection,
    'server TlsConnection': p.server.connection,
    'client SSLContext': p.client.context,
    'server SSLContext': p.server.context,
    'client SSLSession': p.client.session,
  };
}

function failures(p: Pair): { name: string; error: unknown }[] {
  const out: { name: string; error: unknown }[] = [];
  for (const side of ['client', 'server'] as const) {
    const e = p[side].connection.error;
    if (e !== null) out.push({ name: `${side} error`, error: e });
  }
  return out;
}

describe.each(['1.3', '1.2'] as const)('TLS %s', (version) => {
  const options = (seed: number): PairOptions => ({ version, randomBytes: seededRandom(seed) });

  it('the seeded runs are identical, so the key-logged run names the secrets of the silent one', () => {
    expect(secretsOf(options(5))).toEqual(secretsOf(options(5)));
    expect(secretsOf(options(5))).not.toEqual(secretsOf(options(6)));
  });

  it('a failure after the handshake (tampered record: bad_record_mac) reveals no secret', () => {
    const secrets = secretsOf(options(11));
    const p = connected(options(11));
    p.client.write('hello');
    const wire = p.clientOut.read();
    wire[wire.length - 1]! ^= 1;
    p.serverIn.write(wire);
    const e = readError(p.server);
    expect(e).toBeInstanceOf(SSLError);
    transfer(p);
    const received = readError(p.client);
    expect(received?.alertReceived).toBe(true);
    for (const [name, value] of Object.entries(publicObjects(p))) expectNoSecret(name, value, secrets);
    for (const { name, error } of [...failures(p), { name: 'received alert', error: received }]) {
      expectNoSecret(name, error, secrets);
    }
  });

  it('a protocol violation after the handshake (unexpected message) reveals no secret', () => {
    const secrets = secretsOf(options(12));
    const p = connected(options(12));
    inject(p, 'server', 22, Uint8Array.of(2, 0, 0, 0)); // an empty ServerHello after the handshake
    const e = readError(p.client);
    expect(e).toBeInstanceOf(SSLError);
    expectNoSecret('client error', e, secrets);
    for (const [name, value] of Object.entries(publicObjects(p))) expectNoSecret(name, value, secrets);
  });

  it('a healthy open connection and its session reveal no secret through inspect or JSON', () => {
    const secrets = secretsOf(options(13));
    const p = connected(options(13));
    p.client.write('ping');
    transfer(p);
    expect(new TextDecoder().decode(p.server.read(10))).toBe('ping');
    for (const [name, value] of Object.entries(publicObjects(p))) expectNoSecret(name, value, secrets);
  });

  it('traffic secrets are wiped when the connection fails, after both close_notify alerts, and on dispose()', () => {
    const secrets = secretsOf(options(14));
    const p = connected(options(14));
    const held = (obj: SSLObject) => liveSecrets(obj, secrets);
    expect(held(p.client).length).toBeGreaterThan(0);
    p.client.connection.close();
    p.serverIn.write(p.client.connection.takeOutgoing()!);
    expect(readError(p.server)?.constructor.name).toBe('SSLZeroReturnError');
    p.server.connection.close();
    p.clientIn.write(p.server.connection.takeOutgoing()!);
    expect(readError(p.client)?.constructor.name).toBe('SSLZeroReturnError');
    expect(held(p.client)).toEqual([]);
    expect(held(p.server)).toEqual([]);
    // And a failed connection.
    const q = connected(options(14));
    inject(q, 'server', 22, Uint8Array.of(2, 0, 0, 0));
    expect(readError(q.client)).toBeInstanceOf(SSLError);
    expect(held(q.client)).toEqual([]);
    const qError = q.client.connection.error;
    expect(qError).toBeInstanceOf(SSLError);
    q.client.connection.dispose(); // an earlier failure stays the connection's error
    expect(q.client.connection.error).toBe(qError);
    // And one whose transport an adapter released: dispose() wipes too, and the connection is over.
    const r = connected(options(14));
    expect(held(r.client).length).toBeGreaterThan(0);
    r.client.connection.dispose();
    expect(held(r.client)).toEqual([]);
    expect(r.client.connection.error?.reason).toBe('PROTOCOL_IS_SHUTDOWN');
    // Built on first use (not by dispose()), then the one sticky error: the same object every time.
    expect(r.client.connection.error).toBe(r.client.connection.error);
    const state = r.client.connection.process();
    expect(state.kind === 'Failed' ? state.error : null).toBe(r.client.connection.error);
    expect(r.client.connection.writeApplicationData(Uint8Array.of(1))).toBe(false);
    expect(r.client.connection.takeOutgoing()).toBeNull(); // nothing on the wire
  });
});

it('the key log is opt-in: without a callback nothing is logged and no console output appears', () => {
  const writes: unknown[] = [];
  const original = {
    log: console.log,
    error: console.error,
    warn: console.warn,
    info: console.info,
    debug: console.debug,
  };
  for (const k of Object.keys(original) as (keyof typeof original)[]) console[k] = (...a: unknown[]) => writes.push(a);
  try {
    const p = makePair({ version: '1.3' });
    expect(p.client.context.keylogCallback).toBeNull();
    expect(run(p)).toEqual({});
  } finally {
    Object.assign(console, original);
  }
  expect(writes).toEqual([]);
});

describe('TLS 1.3 KeyUpdate (RFC 8446 §4.6.3, §7.2)', () => {
  type RecordKeys = { record: { readKey: object | null; writeKey: object | null } };
  const recordKeys = (obj: SSLObject) => {
    const { record } = obj.connection as unknown as RecordKeys;
    return [record.readKey, record.writeKey];
  };

  it('zeroes the previous application traffic secret and its key and IV in both directions; traffic goes on both ways', () => {
    const options = (): PairOptions => ({ version: '1.3', randomBytes: seededRandom(15) });
    const lines: string[] = [];
    connected({ ...options(), keylog: (line) => lines.push(line) });
    const logged = (label: string) => lines.find((l) => l.startsWith(`${label} `))!.split(' ')[2]!;
    const generation0 = new Set([logged('CLIENT_TRAFFIC_SECRET_0'), logged('SERVER_TRAFFIC_SECRET_0')]);
    const p = connected(options());
    // The very arrays that hold application_traffic_secret_0 (both directions, both sides), and the
    // record protection (key, IV, AEAD state) built from them.
    const held = [p.client, p.server].flatMap((o) =>
      reachableArrays(o.connection).filter((v) => generation0.has(hexOf(v))),
    );
    expect(held.length).toBeGreaterThanOrEqual(4);
    const retired = [...recordKeys(p.client), ...recordKeys(p.server)];
    expect(retired.every((k) => k !== null && reachableArrays(k).some((v) => !allZero(v)))).toBe(true);

    p.client.keyUpdate(true); // update_requested: the server answers with its own KeyUpdate
    transfer(p);
    expect(readError(p.server)).toBeUndefined();
    transfer(p);
    expect(readError(p.client)).toBeUndefined();
    for (const obj of [p.client, p.server]) {
      expect([obj.connection.keyUpdatesSent, obj.connection.keyUpdatesReceived]).toEqual([1, 1]);
    }

    expect(held.filter((v) => !allZero(v))).toEqual([]);
    for (const k of retired) expect(reachableArrays(k!).filter((v) => !allZero(v))).toEqual([]);
    const current = [...recordKeys(p.client), ...recordKeys(p.server)];
    expect(current.some((k) => retired.includes(k))).toBe(false);
    expect(current.every((k) => k !== null && reachableArrays(k).some((v) => !allZero(v)))).toBe(true);

    p.client.write('after the update');
    transfer(p);
    expect(new TextDecoder().decode(p.server.read(100))).toBe('after the update');
    p.server.write('both ways');
    transfer(p);
    expect(new TextDecoder().decode(p.client.read(100))).toBe('both ways');
  });
});

describe('TLS 1.3 handshake and early secrets retire (RFC 8446 §7.1, §7.2)', () => {
  /** The arrays reachable from `obj`'s connection that hold one of `hexes`. */
  const holding = (obj: SSLObject, hexes: ReadonlySet<string>) =>
    reachableArrays(obj.connection).filter((v) => hexes.has(hexOf(v)));
  const logged = (lines: readonly string[], label: string): string => {
    const line = lines.find((l) => l.startsWith(`${label} `));
    expect(line, label).toBeDefined();
    return line!.split(' ')[2]!;
  };
  type WriteKey = { record: { writeKey: object | null } };
  const writeKeyOf = (obj: SSLObject) => (obj.connection as unknown as WriteKey).record.writeKey;
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it('the handshake traffic secrets are zeroed on both sides once both Finished are processed; the key log has them, data flows', () => {
    const lines: string[] = [];
    const p = makePair({ version: '1.3', randomBytes: seededRandom(16), keylog: (line) => lines.push(line) });
    expect(() => p.client.doHandshake()).toThrow(SSLWantReadError); // ClientHello
    p.serverIn.write(p.clientOut.read());
    expect(() => p.server.doHandshake()).toThrow(SSLWantReadError); // ServerHello … Finished; awaits the client's
    // Only the ServerHello record to the client: it derives the handshake secrets and waits for the rest.
    const flight = p.serverOut.read();
    const first = 5 + ((flight[3]! << 8) | flight[4]!);
    p.clientIn.write(flight.subarray(0, first));
    expect(() => p.client.doHandshake()).toThrow(SSLWantReadError);
    // Logged before any wiping: the real values, not zeros.
    const secrets = new Set([
      logged(lines, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'),
      logged(lines, 'SERVER_HANDSHAKE_TRAFFIC_SECRET'),
    ]);
    expect([...secrets].some((hex) => /^(00)*$/.test(hex))).toBe(false);
    // The very arrays that hold them while the handshake runs: the server keeps the client's secret to
    // check the client's Finished; the client keeps both.
    const clientHeld = holding(p.client, secrets);
    const serverHeld = holding(p.server, secrets);
    expect(clientHeld.length).toBeGreaterThanOrEqual(2);
    expect(serverHeld.length).toBeGreaterThanOrEqual(1);

    p.clientIn.write(flight.subarray(first));
    p.client.doHandshake(); // the server's flight, then the client's Finished
    transfer(p);
    p.server.doHandshake();
    expect(p.client.connection.handshakeComplete && p.server.connection.handshakeComplete).toBe(true);
    expect([...clientHeld, ...serverHeld].filter((v) => !allZero(v))).toEqual([]);
    expect(holding(p.client, secrets)).toEqual([]);
    expect(holding(p.server, secrets)).toEqual([]);
    // The application keys, the exporter and tickets are separate: they still work.
    transfer(p);
    expect(readError(p.client)).toBeUndefined(); // the NewSessionTickets
    p.client.write('client data');
    transfer(p);
    expect(text(p.server.read(100))).toBe('client data');
    p.server.write('server data');
    transfer(p);
    expect(text(p.client.read(100))).toBe('server data');
    const exported = p.client.exportKeyingMaterial('EXPORTER-test', 16);
    expect(allZero(exported)).toBe(false);
    expect(exported).toEqual(p.server.exportKeyingMaterial('EXPORTER-test', 16));
    expect(p.client.session?.tls13).toBeDefined();
  });

  it('a handshake that fails part-way zeroes the secrets its state held (server past its Finished, client mid-flight)', () => {
    const lines: string[] = [];
    const p = makePair({ version: '1.3', randomBytes: seededRandom(17), keylog: (line) => lines.push(line) });
    expect(() => p.client.doHandshake()).toThrow(SSLWantReadError);
    p.serverIn.write(p.clientOut.read());
    expect(() => p.server.doHandshake()).toThrow(SSLWantReadError);
    const flight = p.serverOut.read();
    // A second client on the same seed gets the same flight: one completes (for the server's test), the
    // other receives it with its last byte flipped (the server Finished's record) and fails mid-flight.
    const q = makePair({ version: '1.3', randomBytes: seededRandom(17) });
    expect(() => q.client.doHandshake()).toThrow(SSLWantReadError);
    const first = 5 + ((flight[3]! << 8) | flight[4]!);
    q.clientIn.write(flight.subarray(0, first));
    expect(() => q.client.doHandshake()).toThrow(SSLWantReadError);
    p.clientIn.write(flight);
    p.client.doHandshake();
    const secrets = new Set(
      [
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'SERVER_HANDSHAKE_TRAFFIC_SECRET',
        'CLIENT_TRAFFIC_SECRET_0',
        'SERVER_TRAFFIC_SECRET_0',
        'EXPORTER_SECRET',
      ].map((l) => logged(lines, l)),
    );
    const clientHeld = holding(q.client, secrets); // handshake secrets, waiting for EncryptedExtensions
    const serverHeld = holding(p.server, secrets); // handshake and application secrets, waiting for the client Finished
    expect(clientHeld.length).toBeGreaterThanOrEqual(2);
    expect(serverHeld.length).toBeGreaterThanOrEqual(4);

    const rest = flight.slice(first);
    rest[rest.length - 1]! ^= 1;
    q.clientIn.write(rest);
    expect(readError(q.client)).toBeInstanceOf(SSLError);
    const finished = p.clientOut.read();
    finished[finished.length - 1]! ^= 1;
    p.serverIn.write(finished);
    expect(readError(p.server)).toBeInstanceOf(SSLError);
    expect([...clientHeld, ...serverHeld].filter((v) => !allZero(v))).toEqual([]);
    expect(holding(q.client, secrets)).toEqual([]);
    expect(holding(p.server, secrets)).toEqual([]);
  });

  const earlyContexts = () => {
    const clientCtx = clientContext();
    clientCtx.minimumVersion = TLSVersion.TLSv1_3;
    const serverCtx = serverContext(['ec256']);
    serverCtx.maxEarlyData = 1024;
    const first = makeTlsPair(clientCtx, serverCtx);
    connectPair(first);
    return { clientCtx, serverCtx, session: first.client.session! };
  };
  const step = (obj: SSLObject) => {
    try {
      obj.doHandshake();
    } catch (e) {
      if (!(e instanceof SSLWantReadError)) throw e;
    }
  };

  it('accepted 0-RTT: the early write key and the handshake secrets are zeroed; early and later data arrive', () => {
    const { clientCtx, serverCtx, session } = earlyContexts();
    const lines: string[] = [];
    clientCtx.keylogCallback = (line) => lines.push(line);
    const serverLines: string[] = [];
    serverCtx.keylogCallback = (line) => serverLines.push(line);
    const pair = makeTlsPair(clientCtx, serverCtx, 'localhost', session);
    pair.client.writeEarlyData('early');
    step(pair.client);
    const earlyKey = writeKeyOf(pair.client);
    expect(earlyKey !== null && reachableArrays(earlyKey).some((v) => !allZero(v))).toBe(true);
    expect(/^(00)*$/.test(logged(lines, 'CLIENT_EARLY_TRAFFIC_SECRET'))).toBe(false);
    transfer(pair);
    step(pair.server); // accepts the early data; keeps the client's handshake secret for after EndOfEarlyData
    const serverHeld = holding(
      pair.server,
      new Set(
        ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'].map((l) => logged(serverLines, l)),
      ),
    );
    expect(serverHeld.length).toBeGreaterThanOrEqual(1);
    handshake(pair);
    expect(pair.client.earlyDataStatus).toBe('accepted');
    expect(reachableArrays(earlyKey!).filter((v) => !allZero(v))).toEqual([]);
    expect(serverHeld.filter((v) => !allZero(v))).toEqual([]);
    const secrets = new Set(
      ['CLIENT_EARLY_TRAFFIC_SECRET', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'].map((l) =>
        logged(lines, l),
      ),
    );
    expect(holding(pair.client, secrets)).toEqual([]);
    expect(holding(pair.server, secrets)).toEqual([]);
    pair.client.write(' then more');
    transfer(pair);
    expect(text(readAll(pair.server))).toBe('early then more');
  });

  it('0-RTT rejected by a HelloRetryRequest: the early write key is zeroed when it is dropped', () => {
    const { clientCtx, serverCtx, session } = earlyContexts();
    clientCtx.setGroups(['x25519', 'secp256r1']);
    serverCtx.setGroups(['secp256r1']);
    const pair = makeTlsPair(clientCtx, serverCtx, 'localhost', session);
    pair.client.writeEarlyData('hrr');
    step(pair.client);
    const earlyKey = writeKeyOf(pair.client);
    expect(earlyKey !== null && reachableArrays(earlyKey).some((v) => !allZero(v))).toBe(true);
    transfer(pair);
    step(pair.server); // HelloRetryRequest
    transfer(pair);
    step(pair.client); // ClientHello 2, in plaintext
    expect(writeKeyOf(pair.client)).toBeNull();
    expect(reachableArrays(earlyKey!).filter((v) => !allZero(v))).toEqual([]);
    handshake(pair);
    expect(pair.server.connection.negotiated.helloRetried).toBe(true);
    expect(pair.client.earlyDataStatus).toBe('rejected');
    pair.client.write('after the retry');
    transfer(pair);
    expect(text(pair.server.read(100))).toBe('after the retry');
  });
});

describe('side channels', () => {
  it('constantTimeEqual: equal, a difference at either end, different lengths', () => {
    const a = Uint8Array.from({ length: 48 }, (_, i) => i);
    expect(constantTimeEqual(a, a.slice())).toBe(true);
    for (const at of [0, 47]) {
      const b = a.slice();
      b[at]! ^= 0x80;
      expect(constantTimeEqual(a, b)).toBe(false);
    }
    expect(constantTimeEqual(a, a.subarray(0, 47))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('RSA private operations are blinded: the RNG supplies the blinding factor, the result is unchanged', () => {
    // The key comes from OpenSSL (node:crypto) so the test does not depend on our own key generation.
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const key = loadPrivateKey(pem as string);
    const alg = signatureAlgorithmFromTlsScheme(0x0401)!; // rsa_pkcs1_sha256: deterministic without blinding
    const message = new TextEncoder().encode('blinded');
    let drawn = 0;
    const counting = (seed: number) => (n: number) => {
      drawn += n;
      return seededRandom(seed)(n);
    };
    const a = nobleSignatureProvider.sign(alg, key, message, counting(1));
    expect(drawn).toBeGreaterThanOrEqual(256); // a modulus-sized random r per operation
    const b = nobleSignatureProvider.sign(alg, key, message, counting(2));
    expect(b).toEqual(a); // r·r⁻¹ cancels: PKCS#1 v1.5 stays deterministic
    expect(nobleSignatureProvider.verify(alg, publicKeyFromPrivate(key), message, a)).toBe(true);
    // An RNG that yields no usable factor stops the operation rather than running it unblinded.
    expect(() => nobleSignatureProvider.sign(alg, key, message, (n) => new Uint8Array(n))).toThrow(/blinding/);
  });

  it('secret-dependent comparisons in our sources go through constantTimeEqual, never an early-exit compare', () => {
    const root = resolve(__dirname, '../../..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) files.push(path);
      }
    };
    for (const pkg of ['core', 'x509', 'node-adapter', 'web-adapter']) walk(join(root, 'packages', pkg, 'src'));
    const offences: string[] = [];
    // A hand-rolled XOR-accumulate loop is allowed only in the helper itself and in the GCM tag check
    // (the AEAD hot path, checked in place so the unauthenticated plaintext can be wiped).
    const loopAllowed = ['packages/x509/src/keys/hash.ts', 'packages/core/src/crypto/gcm.ts'];
    const secretish = /finished|verify_?data|binder|mac\b|tag\b|secret|psk|master/i;
    for (const file of files) {
      const name = relative(root, file);
      const text = readFileSync(file, 'utf8');
      if (/diff \|=/.test(text) && !loopAllowed.includes(name)) offences.push(`${name}: own constant-time loop`);
      for (const m of text.matchAll(/\b(?:bytesEqual|equalBytes)\(([^;\n]*)/g)) {
        if (secretish.test(m[1]!)) offences.push(`${name}: early-exit comparison of ${m[1]!.slice(0, 60)}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
