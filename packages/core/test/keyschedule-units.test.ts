/**
 * Key schedule helpers, transcript hash, TLS 1.2 PRF. Oracles: the OpenSSL CLI (TLS1-PRF KDF, and a real
 * s_server/s_client session for the TLS 1.3 and TLS 1.2 exporters with its key log).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSLError } from '@sanstls/x509';
import { describe, expect, test } from 'vitest';
import {
  defaultProvider,
  type ExporterSecret,
  encodeHkdfLabel,
  formatKeyLogLine,
  messageHashMessage,
  Tls13KeySchedule,
  TranscriptHash,
  writeRecordNonce,
} from '../src/crypto/index.js';
import {
  pHash,
  tls12Exporter,
  tls12ExtendedMasterSecret,
  tls12FinishedVerifyData,
  tls12KeyBlock,
  tls12MasterSecret,
  tls12Prf,
  writeTls12GcmNonce,
} from '../src/crypto/prf12.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const sha256 = defaultProvider.hash('sha256');
const sha384 = defaultProvider.hash('sha384');
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl) console.log('skipping OpenSSL oracle tests: no openssl CLI');

describe('record nonce (RFC 8446 §5.3)', () => {
  test('iv XOR left-padded big-endian sequence number, for 0, small, 2^32 boundaries and 2^53-1', () => {
    const iv = bytes('5d313eb2671276ee13000b30');
    const out = new Uint8Array(12);
    for (const seq of [0, 1, 255, 256, 0xffffffff, 0x100000000, 0x123456789abc, Number.MAX_SAFE_INTEGER]) {
      const expected = BigInt(`0x${hex(iv)}`) ^ BigInt(seq);
      expect(hex(writeRecordNonce(out, iv, seq)), `seq ${seq}`).toBe(expected.toString(16).padStart(24, '0'));
    }
    // Writes in place and returns the same buffer (no allocation per record).
    expect(writeRecordNonce(out, iv, 1)).toBe(out);
  });

  test('TLS 1.2 GCM nonce: salt || 64-bit sequence number (RFC 5288 §3)', () => {
    const out = new Uint8Array(12);
    expect(hex(writeTls12GcmNonce(out, bytes('01020304'), 0x0102030405))).toBe('010203040000000102030405');
    expect(hex(writeTls12GcmNonce(out, bytes('ffffffff'), Number.MAX_SAFE_INTEGER))).toBe('ffffffff001fffffffffffff');
    expect(() => writeTls12GcmNonce(out, new Uint8Array(12), 0)).toThrow(SSLError);
  });
});

describe('HkdfLabel and key log', () => {
  test('HkdfLabel encoding and limits (RFC 8446 §7.1)', () => {
    expect(hex(encodeHkdfLabel(16, 'key', new Uint8Array(0)))).toBe('001009746c733133206b657900');
    expect(() => encodeHkdfLabel(16, 'x'.repeat(250), new Uint8Array(0))).toThrow(SSLError);
    expect(() => encodeHkdfLabel(16, 'key', new Uint8Array(256))).toThrow(SSLError);
    expect(() => encodeHkdfLabel(0x10000, 'key', new Uint8Array(0))).toThrow(SSLError);
  });

  test('NSS key log lines', () => {
    const random = new Uint8Array(32).fill(0xab);
    expect(formatKeyLogLine('CLIENT_HANDSHAKE_TRAFFIC_SECRET', random, Uint8Array.of(1, 2))).toBe(
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${'ab'.repeat(32)} 0102`,
    );
    expect(() => formatKeyLogLine('CLIENT_RANDOM', new Uint8Array(31), new Uint8Array(48))).toThrow(SSLError);
  });
});

describe('TranscriptHash', () => {
  const m1 = Uint8Array.of(1, 0, 0, 1, 0xaa);
  const m2 = Uint8Array.of(2, 0, 0, 2, 0xbb, 0xcc);

  test('buffers until the hash is chosen, then replays; digests are snapshots', () => {
    const t = new TranscriptHash();
    expect(t.hash).toBeNull();
    const buffer = new Uint8Array([...m1]);
    t.update(buffer);
    buffer.fill(0); // the transcript copied the message
    expect(() => t.digest()).toThrow(SSLError);
    t.selectHash(sha384);
    t.selectHash(sha384); // idempotent
    expect(() => t.selectHash(sha256)).toThrow(SSLError);
    t.update(m2);
    expect(hex(t.digest())).toBe(hex(sha384.digest(new Uint8Array([...m1, ...m2]))));
    expect(hex(t.digestWith(m1))).toBe(hex(sha384.digest(new Uint8Array([...m1, ...m2, ...m1]))));
    expect(hex(t.digest())).toBe(hex(sha384.digest(new Uint8Array([...m1, ...m2])))); // digestWith left it alone
    const fork = t.clone();
    fork.update(m1);
    expect(hex(t.digest())).toBe(hex(sha384.digest(new Uint8Array([...m1, ...m2]))));
    const pendingFork = new TranscriptHash();
    pendingFork.update(m1);
    const pendingClone = pendingFork.clone();
    pendingClone.update(m2);
    pendingFork.selectHash(sha256);
    pendingClone.selectHash(sha256);
    expect(hex(pendingFork.digest())).toBe(hex(sha256.digest(m1)));
    expect(hex(pendingClone.digest())).toBe(hex(sha256.digest(new Uint8Array([...m1, ...m2]))));
  });

  test('message_hash replacement (RFC 8446 §4.4.1)', () => {
    const t = new TranscriptHash(sha256);
    expect(() => new TranscriptHash().replaceWithMessageHash()).toThrow(SSLError);
    t.update(m1);
    t.replaceWithMessageHash();
    const synthetic = new Uint8Array([254, 0, 0, 32, ...sha256.digest(m1)]);
    expect(hex(messageHashMessage(sha256.digest(m1)))).toBe(hex(synthetic));
    expect(hex(t.digest())).toBe(hex(sha256.digest(synthetic)));
    expect(() => t.replaceWithMessageHash(new Uint8Array(48))).toThrow(SSLError);
  });

  test('an unbounded pre-selection transcript is refused', () => {
    const t = new TranscriptHash();
    const big = new Uint8Array(1 << 19);
    t.update(big);
    t.update(big);
    expect(() => t.update(Uint8Array.of(1))).toThrow(SSLError);
  });
});

describe('Tls13KeySchedule (SHA-384 suite)', () => {
  test('the chain works for Hash.length 48 and secrets have the hash length', () => {
    const ks = new Tls13KeySchedule(sha384);
    const early = ks.earlySecret();
    expect(early.length).toBe(48);
    const hs = ks.handshakeSecret(early, new Uint8Array(32).fill(1));
    const ms = ks.masterSecret(hs);
    const cAp = ks.clientApplicationTrafficSecret(ms, new Uint8Array(48));
    expect(cAp.length).toBe(48);
    const keys = ks.trafficKeys(cAp, 32);
    expect(keys.key.length).toBe(32);
    expect(keys.iv.length).toBe(12);
    expect(hex(ks.emptyTranscriptHash)).toBe(hex(sha384.digest(new Uint8Array(0))));
    // A different PSK changes everything downstream.
    expect(hex(ks.earlySecret(new Uint8Array(48).fill(1)))).not.toBe(hex(early));
  });
});

function opensslPrf(digest: string, secret: Uint8Array, seed: Uint8Array, length: number): string {
  const out = execFileSync(
    'openssl',
    [
      'kdf',
      '-keylen',
      String(length),
      '-kdfopt',
      `digest:${digest}`,
      '-kdfopt',
      `hexsecret:${hex(secret)}`,
      '-kdfopt',
      `hexseed:${hex(seed)}`,
      'TLS1-PRF',
    ],
    { encoding: 'utf8' },
  );
  return out.replace(/[:\s]/g, '').toLowerCase();
}

describe.skipIf(!haveOpenssl)('TLS 1.2 PRF against openssl kdf TLS1-PRF', () => {
  test('P_SHA256 / P_SHA384 for lengths around the block size, and the derived values', () => {
    const enc = new TextEncoder();
    for (const [hash, digest] of [
      [sha256, 'SHA256'],
      [sha384, 'SHA384'],
    ] as const) {
      const secret = defaultProvider.randomBytes(48);
      const clientRandom = defaultProvider.randomBytes(32);
      const serverRandom = defaultProvider.randomBytes(32);
      for (const length of [1, 12, 32, 48, 104, 136]) {
        const seed = defaultProvider.randomBytes(20);
        expect(hex(pHash(hash, secret, seed, length)), `${digest} ${length}`).toBe(
          opensslPrf(digest, secret, seed, length),
        );
      }
      const cs = new Uint8Array([...clientRandom, ...serverRandom]);
      const sc = new Uint8Array([...serverRandom, ...clientRandom]);
      const ms = tls12MasterSecret(hash, secret, clientRandom, serverRandom);
      expect(hex(ms)).toBe(opensslPrf(digest, secret, new Uint8Array([...enc.encode('master secret'), ...cs]), 48));
      const sessionHash = hash.digest(Uint8Array.of(1, 2, 3));
      expect(hex(tls12ExtendedMasterSecret(hash, secret, sessionHash))).toBe(
        opensslPrf(digest, secret, new Uint8Array([...enc.encode('extended master secret'), ...sessionHash]), 48),
      );
      const block = tls12KeyBlock(hash, ms, clientRandom, serverRandom, {
        macKeyLength: 0,
        keyLength: 16,
        ivLength: 4,
      });
      const expectedBlock = opensslPrf(digest, ms, new Uint8Array([...enc.encode('key expansion'), ...sc]), 40);
      expect(
        hex(block.clientWriteKey) + hex(block.serverWriteKey) + hex(block.clientWriteIv) + hex(block.serverWriteIv),
      ).toBe(expectedBlock);
      expect(block.clientWriteMacKey.length).toBe(0);
      expect(hex(tls12FinishedVerifyData(hash, ms, 'client', sessionHash))).toBe(
        opensslPrf(digest, ms, new Uint8Array([...enc.encode('client finished'), ...sessionHash]), 12),
      );
      expect(hex(tls12Prf(hash, ms, 'server finished', sessionHash, 12))).toBe(
        hex(tls12FinishedVerifyData(hash, ms, 'server', sessionHash)),
      );
      // RFC 5705: an empty context is encoded (length 0) and so differs from an absent one.
      const noContext = tls12Exporter(hash, ms, 'EXPERIMENTAL x', clientRandom, serverRandom, undefined, 20);
      const emptyContext = tls12Exporter(hash, ms, 'EXPERIMENTAL x', clientRandom, serverRandom, new Uint8Array(0), 20);
      expect(hex(noContext)).toBe(opensslPrf(digest, ms, new Uint8Array([...enc.encode('EXPERIMENTAL x'), ...cs]), 20));
      expect(hex(emptyContext)).toBe(
        opensslPrf(digest, ms, new Uint8Array([...enc.encode('EXPERIMENTAL x'), ...cs, 0, 0]), 20),
      );
    }
  });

  test('bad inputs', () => {
    const r = new Uint8Array(32);
    expect(() => tls12MasterSecret(sha256, new Uint8Array(48), new Uint8Array(31), r)).toThrow(SSLError);
    expect(() => tls12Exporter(sha256, new Uint8Array(48), 'key expansion', r, r, undefined, 16)).toThrow(SSLError);
    expect(() => pHash(sha256, new Uint8Array(1), new Uint8Array(1), -1)).toThrow(SSLError);
  });
});

function opensslTls13Kdf(
  digest: string,
  mode: 'EXTRACT_ONLY' | 'EXPAND_ONLY',
  length: number,
  opts: Record<string, string>,
): string {
  const args = [
    'kdf',
    '-keylen',
    String(length),
    '-kdfopt',
    `digest:${digest}`,
    '-kdfopt',
    `mode:${mode}`,
    '-kdfopt',
    'prefix:tls13 ',
  ];
  for (const [k, v] of Object.entries(opts)) args.push('-kdfopt', `${k}:${v}`);
  return execFileSync('openssl', [...args, 'TLS13-KDF'], { encoding: 'utf8' })
    .replace(/[:\s]/g, '')
    .toLowerCase();
}

describe.skipIf(!haveOpenssl)('TLS 1.3 key schedule against openssl kdf TLS13-KDF (SHA-384, SHA-256)', () => {
  test('Extract chain (early, handshake, master) and Expand-Label for each traffic label', () => {
    for (const [hash, digest] of [
      [sha384, 'SHA384'],
      [sha256, 'SHA256'],
    ] as const) {
      const ks = new Tls13KeySchedule(hash);
      const n = hash.outputLength;
      const psk = defaultProvider.randomBytes(n);
      const ecdhe = defaultProvider.randomBytes(32);
      const transcript = defaultProvider.randomBytes(n);
      const early = ks.earlySecret(psk);
      expect(hex(early), digest).toBe(opensslTls13Kdf(digest, 'EXTRACT_ONLY', n, { hexkey: hex(psk) }));
      expect(hex(ks.earlySecret())).toBe(
        opensslTls13Kdf(digest, 'EXTRACT_ONLY', n, { hexkey: hex(new Uint8Array(n)) }),
      );
      // Given a salt, OpenSSL first applies Derive-Secret(salt, label, "") with label "derived", as §7.1 does.
      const handshake = ks.handshakeSecret(early, ecdhe);
      expect(hex(handshake)).toBe(
        opensslTls13Kdf(digest, 'EXTRACT_ONLY', n, { hexkey: hex(ecdhe), hexsalt: hex(early), label: 'derived' }),
      );
      const master = ks.masterSecret(handshake);
      expect(hex(master)).toBe(
        opensslTls13Kdf(digest, 'EXTRACT_ONLY', n, {
          hexkey: hex(new Uint8Array(n)),
          hexsalt: hex(handshake),
          label: 'derived',
        }),
      );
      const expand = (secret: Uint8Array, label: string, data: Uint8Array, length: number) =>
        opensslTls13Kdf(digest, 'EXPAND_ONLY', length, {
          hexkey: hex(secret),
          label,
          ...(data.length > 0 ? { hexdata: hex(data) } : {}),
        });
      expect(hex(ks.clientHandshakeTrafficSecret(handshake, transcript))).toBe(
        expand(handshake, 'c hs traffic', transcript, n),
      );
      expect(hex(ks.serverHandshakeTrafficSecret(handshake, transcript))).toBe(
        expand(handshake, 's hs traffic', transcript, n),
      );
      const cAp = ks.clientApplicationTrafficSecret(master, transcript);
      expect(hex(cAp)).toBe(expand(master, 'c ap traffic', transcript, n));
      expect(hex(ks.serverApplicationTrafficSecret(master, transcript))).toBe(
        expand(master, 's ap traffic', transcript, n),
      );
      expect(hex(ks.exporterMasterSecret(master, transcript))).toBe(expand(master, 'exp master', transcript, n));
      const resumption = ks.resumptionMasterSecret(master, transcript);
      expect(hex(resumption)).toBe(expand(master, 'res master', transcript, n));
      expect(hex(ks.resumptionPsk(resumption, Uint8Array.of(0, 1)))).toBe(
        expand(resumption, 'resumption', Uint8Array.of(0, 1), n),
      );
      expect(hex(ks.binderKey(early, 'external'))).toBe(expand(early, 'ext binder', hash.digest(new Uint8Array(0)), n));
      expect(hex(ks.binderKey(early, 'resumption'))).toBe(
        expand(early, 'res binder', hash.digest(new Uint8Array(0)), n),
      );
      expect(hex(ks.clientEarlyTrafficSecret(early, transcript))).toBe(expand(early, 'c e traffic', transcript, n));
      expect(hex(ks.earlyExporterMasterSecret(early, transcript))).toBe(expand(early, 'e exp master', transcript, n));
      expect(hex(ks.nextApplicationTrafficSecret(cAp))).toBe(expand(cAp, 'traffic upd', new Uint8Array(0), n));
      const keys = ks.trafficKeys(cAp, 32);
      expect(hex(keys.key)).toBe(expand(cAp, 'key', new Uint8Array(0), 32));
      expect(hex(keys.iv)).toBe(expand(cAp, 'iv', new Uint8Array(0), 12));
      expect(hex(ks.finishedKey(cAp))).toBe(expand(cAp, 'finished', new Uint8Array(0), n));
    }
  });
});

/** Runs openssl s_server + s_client once; returns the client's key log and its output. */
async function opensslSession(
  version: '-tls1_3' | '-tls1_2',
  label: string,
): Promise<{ keylog: string; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-exporter-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    const port = 20000 + Math.floor(Math.random() * 30000);
    const server = spawn(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-cert',
        join(dir, 'cert.pem'),
        '-key',
        join(dir, 'key.pem'),
        version,
        '-naccept',
        '1',
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    try {
      // s_server prints ACCEPT once it listens.
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`s_server did not start: ${seen}`)), 10_000);
        server.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('ACCEPT')) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.on('exit', () => reject(new Error(`s_server exited: ${seen}`)));
      });
      const client = spawnSync(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          version,
          ...(version === '-tls1_3'
            ? ['-ciphersuites', 'TLS_AES_128_GCM_SHA256']
            : ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']),
          '-keylogfile',
          join(dir, 'keylog'),
          '-keymatexport',
          label,
          '-keymatexportlen',
          '32',
          '-msg',
        ],
        { input: '', encoding: 'utf8', timeout: 10_000 },
      );
      return { keylog: readFileSync(join(dir, 'keylog'), 'utf8'), output: client.stdout };
    } finally {
      server.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!haveOpenssl)('exporters against an OpenSSL session', () => {
  test('TLS 1.3 TLS-Exporter (RFC 8446 §7.5) from the key log EXPORTER_SECRET', async () => {
    const { keylog, output } = await opensslSession('-tls1_3', 'EXPERIMENTAL-sanstls');
    const secret = /^EXPORTER_SECRET \S+ (\S+)$/m.exec(keylog)![1]!;
    const material = /Keying material: ([0-9A-F]+)/.exec(output)![1]!.toLowerCase();
    const ks = new Tls13KeySchedule(sha256);
    // OpenSSL passes no context; TLS 1.3 hashes an absent context as the empty string.
    expect(hex(ks.exporter(bytes(secret) as ExporterSecret, 'EXPERIMENTAL-sanstls', undefined, 32))).toBe(material);
    expect(hex(ks.exporter(bytes(secret) as ExporterSecret, 'EXPERIMENTAL-sanstls', new Uint8Array(0), 32))).toBe(
      material,
    );
    expect(hex(ks.exporter(bytes(secret) as ExporterSecret, 'EXPERIMENTAL-other', undefined, 32))).not.toBe(material);
  }, 30_000);

  test('TLS 1.2 RFC 5705 exporter from the key log CLIENT_RANDOM master secret', async () => {
    const { keylog, output } = await opensslSession('-tls1_2', 'EXPERIMENTAL-sanstls');
    const [, clientRandom, masterSecret] = /^CLIENT_RANDOM (\S+) (\S+)$/m.exec(keylog)!;
    // -msg prints the ServerHello body: 02 <len:3> 03 03 <random:32>.
    const serverHello = /<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\s*\n((?:\s+(?:[0-9a-f]{2} ?)+\n)+)/
      .exec(output)![1]!
      .replace(/\s+/g, '');
    const serverRandom = serverHello.slice(12, 76);
    const material = /Keying material: ([0-9A-F]+)/.exec(output)![1]!.toLowerCase();
    expect(
      hex(
        tls12Exporter(
          sha256,
          bytes(masterSecret!),
          'EXPERIMENTAL-sanstls',
          bytes(clientRandom!),
          bytes(serverRandom),
          undefined,
          32,
        ),
      ),
    ).toBe(material);
  }, 30_000);
});

describe('no-PSK key schedule constants and transcript digests (issue #9 memos)', () => {
  test('the remembered Early Secret and "derived" salt give what HKDF computes, and copies are handed out', () => {
    for (const hash of [sha256, sha384]) {
      const schedule = new Tls13KeySchedule(hash);
      const zeros = new Uint8Array(hash.outputLength);
      const early = schedule.earlySecret();
      expect(hex(early)).toBe(hex(hash.hkdfExtract(zeros, zeros)));
      early.fill(0); // a caller wiping its copy (as deriveHandshakeKeys does) leaves the constant intact
      const again = new Tls13KeySchedule(hash).earlySecret();
      expect(hex(again)).toBe(hex(hash.hkdfExtract(zeros, zeros)));
      // The handshake secret from the remembered salt equals the generic derivation; an Early Secret from a
      // PSK (RFC 8446 §7.1: the PSK is the IKM; here any bytes other than zeros) still takes the generic path.
      // `shared` is RFC 8448 §3's (EC)DHE shared secret.
      const shared = bytes('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d');
      const generic = (e: Uint8Array) =>
        hash.hkdfExtract(schedule.deriveSecret(e, 'derived', hash.digest(new Uint8Array(0))), shared);
      expect(hex(schedule.handshakeSecret(again, shared))).toBe(hex(generic(hash.hkdfExtract(zeros, zeros))));
      const pskEarly = schedule.earlySecret(new Uint8Array(hash.outputLength).fill(7));
      expect(hex(schedule.handshakeSecret(pskEarly, shared))).toBe(hex(generic(pskEarly)));
    }
  });

  test('a transcript digest asked twice without an update is the same, and an update changes it', () => {
    const t = new TranscriptHash(sha256);
    t.update(bytes('0100000400000000'));
    const a = t.digest();
    a.fill(0); // the caller's copy: the remembered digest is not touched
    const b = t.digest();
    expect(hex(b)).toBe(hex(sha256.digest(bytes('0100000400000000'))));
    t.update(bytes('02000000'));
    expect(hex(t.digest())).toBe(hex(sha256.digest(bytes('010000040000000002000000'))));
    expect(hex(t.digestWith(bytes('0b000000')))).toBe(hex(sha256.digest(bytes('0100000400000000020000000b000000'))));
  });
});
