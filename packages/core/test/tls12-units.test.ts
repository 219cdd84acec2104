/**
 * TLS 1.2 building blocks against published vectors and oracles: the PRF (the P_SHA256 vector from the
 * IETF TLS WG list, msg03416; P_SHA384 from `openssl kdf TLS1-PRF`), OpenSSL's cipher-string grammar
 * (`openssl ciphers -s -tls1_2`), Python's get_ciphers() dicts, RFC 5288/7905 record protection (checked
 * with node:crypto), and the session-ticket store (rotation on an injected clock, tampering, expiry).
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { defaultProvider, evaluateCipherString, PROTOCOL_TLS_CLIENT, SSLContext, tls12Prf } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { TLS12_SUITES, tls12SuiteByName } from '../src/cipher-string.js';
import { Tls12RecordProtection } from '../src/record/protection12.js';
import { Tls12ContextState, type Tls12SessionState } from '../src/session12.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function tool(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}
const haveOpenssl = tool('openssl', ['version']) !== undefined;
const havePython = tool('python3', ['-c', 'import ssl']) !== undefined;
if (!haveOpenssl) console.log('tls12-units: openssl oracle tests skipped (no openssl CLI)');
if (!havePython) console.log('tls12-units: python oracle tests skipped (no python3)');

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  it('matches the published P_SHA256 vector (IETF TLS WG, msg03416)', () => {
    const out = tls12Prf(
      defaultProvider.hash('sha256'),
      hex('9bbe436ba940f017b17652849a71db35'),
      'test label',
      hex('a0ba9f936cda311827a6f796ffd5198c'),
      100,
    );
    expect(toHex(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it.skipIf(!haveOpenssl)('matches openssl kdf TLS1-PRF for P_SHA384 at several lengths', () => {
    for (const length of [1, 48, 148, 200]) {
      const secret = 'b80b733d6ceefcdc71566ea48e5567df';
      const seed = 'cd665cf6a8447dd6ff8b27555edb7465';
      const oracle = tool('openssl', [
        'kdf',
        '-keylen',
        String(length),
        '-kdfopt',
        'digest:SHA2-384',
        '-kdfopt',
        `hexsecret:${secret}`,
        '-kdfopt',
        'seed:test label',
        '-kdfopt',
        `hexseed:${seed}`,
        'TLS1-PRF',
      ])!
        .trim()
        .replace(/:/g, '')
        .toLowerCase();
      expect(toHex(tls12Prf(defaultProvider.hash('sha384'), hex(secret), 'test label', hex(seed), length))).toBe(
        oracle,
      );
    }
  });
});

describe('OpenSSL cipher strings over the TLS 1.2 suites', () => {
  const ours = new Set(TLS12_SUITES.map((s) => s.name));
  const strings = [
    'DEFAULT',
    'ALL',
    'HIGH',
    'HIGH:!aNULL:!eNULL',
    'ECDHE+AESGCM',
    'ECDHE+AESGCM:!ECDSA',
    'ECDH+AESGCM:ECDH+CHACHA20:DHE+AES:!aNULL',
    '@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM',
    'ECDHE:+AES256',
    'DHE:ECDHE',
    'AES128:-ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256:ALL',
    'CHACHA20:@STRENGTH',
    'ALL:!DHE:@STRENGTH',
    'kECDHE+aRSA',
    'EECDH+ECDSA+AESGCM:EDH+aRSA',
    'aECDSA:!AES128',
    'RSA',
    'AES256:!kDHE:+CHACHA20',
    'ALL,-CHACHA20 ECDSA',
    'ALL:!ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384',
  ];
  for (const spec of strings) {
    it.skipIf(!haveOpenssl)(`'${spec}' selects what openssl ciphers -s -tls1_2 selects`, () => {
      const oracle = (tool('openssl', ['ciphers', '-s', '-tls1_2', spec]) ?? '')
        .trim()
        .split(':')
        .filter((n) => ours.has(n));
      expect(evaluateCipherString(spec)).toEqual(oracle);
    });
  }

  it('setCiphers refuses strings that select nothing', () => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    expect(() => ctx.setCiphers('RSA')).toThrow('No cipher can be selected.');
    expect(() => ctx.setCiphers('!ALL:ECDHE')).toThrow('No cipher can be selected.');
  });

  it.skipIf(!havePython)('get_ciphers() dicts equal Python for every TLS 1.2 suite', () => {
    const spec = TLS12_SUITES.map((s) => s.name).join(':');
    const py = JSON.parse(
      tool('python3', [
        '-c',
        `import ssl,json; c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.set_ciphers(${JSON.stringify(spec)}); print(json.dumps([x for x in c.get_ciphers() if x["protocol"]=="TLSv1.2"]))`,
      ])!,
    );
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.setCiphers(spec);
    expect(ctx.getCiphers().filter((c) => c.protocol === 'TLSv1.2')).toEqual(py);
  });

  it.skipIf(!havePython)('after setCiphers(spec), getCiphers() lists what Python lists after set_ciphers(spec)', () => {
    // The OpenSSL cipher-string forms of the issue: keyword combinations, exclusions, HIGH, explicit names,
    // moves to the end, @STRENGTH, and a Mozilla "intermediate" style list.
    const specs = [
      'ECDHE+AESGCM',
      'ECDHE+AESGCM:!aNULL',
      'HIGH',
      'HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4',
      'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE:+AES256:!DHE',
      'CHACHA20:AES128:@STRENGTH',
      'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
    ];
    const script = [
      'import ssl, json, sys',
      'out = []',
      'for spec in json.loads(sys.argv[1]):',
      '    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)',
      '    c.set_ciphers(spec)',
      '    out.append([x for x in c.get_ciphers() if x["protocol"] == "TLSv1.2"])',
      'print(json.dumps(out))',
    ].join('\n');
    const py = JSON.parse(tool('python3', ['-c', script, JSON.stringify(specs)])!) as { name: string }[][];
    specs.forEach((spec, i) => {
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
      ctx.setCiphers(spec);
      // Python's OpenSSL also has suites we do not implement (CBC, CCM, PSK…): compare over ours, in order.
      const theirs = py[i]!.filter((c) => ours.has(c.name));
      expect({ spec, ciphers: ctx.getCiphers().filter((c) => c.protocol === 'TLSv1.2') }).toEqual({
        spec,
        ciphers: theirs,
      });
    });
  });

  it.skipIf(!havePython)('the default TLS 1.2 list is Python’s default, in order', () => {
    const ours = new Set(TLS12_SUITES.map((s) => s.name));
    const py = JSON.parse(
      tool('python3', [
        '-c',
        'import ssl,json; print(json.dumps([x["name"] for x in ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers()]))',
      ])!,
    ) as string[];
    const names = new SSLContext(PROTOCOL_TLS_CLIENT)
      .getCiphers()
      .filter((c) => c.protocol === 'TLSv1.2')
      .map((c) => c.name);
    expect(names).toEqual(py.filter((n) => ours.has(n)));
  });
});

describe('TLS 1.2 record protection (RFC 5246 §6.2.3.3)', () => {
  const key16 = hex('000102030405060708090a0b0c0d0e0f');
  const salt = hex('a0a1a2a3');
  const gcm = tls12SuiteByName('ECDHE-RSA-AES128-GCM-SHA256')!;
  const chacha = tls12SuiteByName('ECDHE-RSA-CHACHA20-POLY1305')!;

  it('AES-GCM: explicit nonce = sequence number, nonce = salt || explicit, AAD = seq || type || version || length (node:crypto oracle)', () => {
    const writer = new Tls12RecordProtection(defaultProvider.aead('AES-128-GCM'), gcm, key16, salt);
    writer.sealRecord(23, new Uint8Array(3)); // sequence 0
    const record = writer.sealRecord(23, new TextEncoder().encode('hello')); // sequence 1
    const [header, body] = [record.subarray(0, 5), record.subarray(5)];
    expect(toHex(header)).toBe(`170303${(5 + 8 + 16).toString(16).padStart(4, '0')}`);
    expect(toHex(body.subarray(0, 8))).toBe('0000000000000001');
    const decipher = createDecipheriv('aes-128-gcm', key16, Buffer.concat([salt, body.subarray(0, 8)]));
    decipher.setAAD(hex('0000000000000001' + '17' + '0303' + '0005'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    expect(Buffer.concat([decipher.update(body.subarray(8, body.length - 16)), decipher.final()]).toString()).toBe(
      'hello',
    );
  });

  it('AES-GCM: opens a record sealed by node:crypto with an arbitrary explicit nonce; a changed explicit nonce is bad_record_mac', () => {
    const explicit = hex('1122334455667788');
    const cipher = createCipheriv('aes-128-gcm', key16, Buffer.concat([salt, explicit]));
    cipher.setAAD(hex('0000000000000000' + '17' + '0303' + '0004'));
    const ct = Buffer.concat([cipher.update(Buffer.from('ping')), cipher.final(), cipher.getAuthTag()]);
    const body = Uint8Array.from(Buffer.concat([explicit, ct]));
    const header = hex(`170303${body.length.toString(16).padStart(4, '0')}`);
    const reader = () => new Tls12RecordProtection(defaultProvider.aead('AES-128-GCM'), gcm, key16, salt);
    expect(new TextDecoder().decode(reader().open(header, body))).toBe('ping');
    const tampered = body.slice();
    tampered[7]! ^= 1;
    expect(() => reader().open(header, tampered)).toThrow(
      expect.objectContaining({ reason: 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC', alert: 20 }),
    );
    // The sequence number is in the AAD: the same record read as the second one fails too.
    const second = reader();
    second.sequence = 1;
    expect(() => second.open(header, body)).toThrow(expect.objectContaining({ alert: 20 }));
    // Type and version are in the AAD as well.
    expect(() => reader().open(hex(`160303${body.length.toString(16).padStart(4, '0')}`), body)).toThrow(
      expect.objectContaining({ alert: 20 }),
    );
    // Too short for explicit nonce and tag.
    expect(() => reader().open(header, body.subarray(0, 20))).toThrow(expect.objectContaining({ alert: 20 }));
  });

  it('ChaCha20-Poly1305 (RFC 7905 §2): no explicit nonce, nonce = IV xor sequence (node:crypto oracle)', () => {
    const key = hex('00'.repeat(31) + '01');
    const iv = hex('0102030405060708090a0b0c');
    const writer = new Tls12RecordProtection(defaultProvider.aead('CHACHA20-POLY1305'), chacha, key, iv);
    writer.sequence = 0x0102;
    const record = writer.sealRecord(22, Uint8Array.of(1, 2, 3));
    const [header, body] = [record.subarray(0, 5), record.subarray(5)];
    expect(toHex(header)).toBe(`160303${(3 + 16).toString(16).padStart(4, '0')}`);
    const nonce = Uint8Array.from(iv);
    nonce[10]! ^= 0x01;
    nonce[11]! ^= 0x02;
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    decipher.setAAD(hex('0000000000000102' + '16' + '0303' + '0003'));
    decipher.setAuthTag(body.subarray(3));
    expect(toHex(Buffer.concat([decipher.update(body.subarray(0, 3)), decipher.final()]))).toBe('010203');
  });

  it('refuses an IV of the wrong size', () => {
    expect(
      () => new Tls12RecordProtection(defaultProvider.aead('AES-128-GCM'), gcm, key16, new Uint8Array(12)),
    ).toThrow(/IV/);
  });
});

describe('session tickets (RFC 5077 §4) with an injected clock', () => {
  const state = (time: number): Tls12SessionState => ({
    suiteCode: 0xc02f,
    masterSecret: new Uint8Array(48).fill(7),
    extendedMasterSecret: true,
    time,
    timeout: 7200,
    serverName: 'localhost',
    alpn: 'h2',
    peerChain: [Uint8Array.of(0x30, 0x00)],
    peerVerified: true,
  });
  let counter = 0;
  const rng = (n: number) => new Uint8Array(n).map(() => ++counter & 0xff);

  it('round-trips the session state and rotates keys on schedule (previous key still accepted, renewed)', () => {
    const store = new Tls12ContextState();
    store.ticketKeyRotation = 100;
    const t0 = 1_000_000;
    const ticket = store.sealTicket(state(t0), defaultProvider, t0, rng);
    expect(store.openTicket(ticket, defaultProvider, t0 + 10)).toEqual({ state: state(t0), renew: false });
    // After one rotation the old key is the previous one: accepted, and the client gets a new ticket.
    store.sealTicket(state(t0 + 150), defaultProvider, t0 + 150, rng);
    expect(store.ticketKeyNames.length).toBe(2);
    expect(store.openTicket(ticket, defaultProvider, t0 + 150)?.renew).toBe(true);
    // After two rotations it is gone: full handshake (RFC 5077 §3.3).
    store.sealTicket(state(t0 + 300), defaultProvider, t0 + 300, rng);
    expect(store.openTicket(ticket, defaultProvider, t0 + 300)).toBeUndefined();
  });

  it('rejects tampered, truncated and expired tickets and counts misses and timeouts', () => {
    const store = new Tls12ContextState();
    store.ticketKeyRotation = 100_000; // the key outlives the session: expiry is the session's
    const t0 = 2_000_000;
    const ticket = store.sealTicket(state(t0), defaultProvider, t0, rng);
    for (const i of [0, 20, ticket.length - 1]) {
      const bad = ticket.slice();
      bad[i]! ^= 0x80;
      expect(store.openTicket(bad, defaultProvider, t0)).toBeUndefined();
    }
    expect(store.openTicket(ticket.subarray(0, 40), defaultProvider, t0)).toBeUndefined();
    expect(store.openTicket(ticket, defaultProvider, t0 + 7200)).toBeUndefined();
    expect(store.stats.timeouts).toBe(1);
    expect(store.stats.misses).toBe(5);
  });

  it('expires cached session IDs and evicts when full', () => {
    const store = new Tls12ContextState();
    store.cacheSession(Uint8Array.of(1), state(100));
    expect(store.lookupSession(Uint8Array.of(1), 200)).toEqual(state(100));
    expect(store.lookupSession(Uint8Array.of(1), 100 + 7200)).toBeUndefined();
    expect(store.stats.timeouts).toBe(1);
    for (let i = 0; i < 1030; i++) store.cacheSession(Uint8Array.of(i >> 8, i & 0xff), state(100));
    expect(store.cachedSessions).toBe(1024);
    expect(store.stats.cache_full).toBe(6);
  });
});
