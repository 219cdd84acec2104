/**
 * Bulk throughput in memory: application data client → server through SSLObject/MemoryBIO in 16 KiB
 * writes (one full TLS record each, RFC 8446 §5.1), next to the provider's raw AEAD seal+open of the
 * same record size. Both figures count each payload byte once, sealed by one side and opened by the other.
 */
import { connectPair, core, makeContexts } from './pair.mjs';
import { budget, measureInterleaved, toRate } from './stats.mjs';

export const RECORD = 16384;
export const SUITES = [
  { suite: 'TLS_AES_128_GCM_SHA256', aead: 'AES-128-GCM', keyLength: 16, node: 'aes-128-gcm' },
  { suite: 'TLS_AES_256_GCM_SHA384', aead: 'AES-256-GCM', keyLength: 32, node: 'aes-256-gcm' },
  { suite: 'TLS_CHACHA20_POLY1305_SHA256', aead: 'CHACHA20-POLY1305', keyLength: 32, node: 'chacha20-poly1305' },
];

/** TLS 1.2 AEAD suites (RFC 5288, RFC 7905) over the same record path; ECDHE-ECDSA for the P-256 leaf. */
export const SUITES12 = [
  { suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', aead: 'AES-128-GCM', keyLength: 16 },
  { suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', aead: 'AES-256-GCM', keyLength: 32 },
  { suite: 'ECDHE-ECDSA-CHACHA20-POLY1305', aead: 'CHACHA20-POLY1305', keyLength: 32 },
];

const { SSLWantReadError } = core;

/** Moves `total` bytes client → server in RECORD-sized writes; returns the bytes the server read. */
export function transfer(pair, payload, records) {
  let received = 0;
  for (let i = 0; i < records; i++) {
    pair.client.write(payload);
    pair.serverIn.write(pair.clientOut.read());
    for (;;) {
      try {
        received += pair.server.read(65536).length;
      } catch (e) {
        if (e instanceof SSLWantReadError) break;
        throw e;
      }
    }
  }
  if (received !== records * payload.length) throw new Error(`transfer: got ${received} bytes`);
  return received;
}

/** MB/s (10^6 bytes) from a summary of ms per `bytes`. */
const mbps = (summary, bytes) => toRate(summary, bytes / 1000);

export function bulkRows(pki, provider, log = console.log) {
  const rows = [];
  const payload = provider.randomBytes(RECORD);
  const aad = Uint8Array.of(23, 3, 3, 0x40, 0x11);
  const all = [
    ...SUITES.map((s) => ({ ...s, version: 'TLSv1.3' })),
    ...SUITES12.map((s) => ({ ...s, version: 'TLSv1.2' })),
  ];
  for (const s of all) {
    const key = provider.aead(s.aead).create(provider.randomBytes(s.keyLength));
    const nonce = provider.randomBytes(12);
    const RECORDS = 8;
    const rawRecords = () => {
      for (let i = 0; i < RECORDS; i++) {
        const sealed = key.seal(nonce, payload, aad);
        if (key.open(nonce, sealed, aad) === null) throw new Error('raw AEAD: open failed');
      }
    };
    const row = {
      id: `bulk-${s.version === 'TLSv1.2' ? 'tls12-' : ''}${s.aead}`,
      version: s.version,
      suite: s.suite,
      aead: s.aead,
      provider: provider.name,
    };
    try {
      const contexts =
        s.version === 'TLSv1.3'
          ? makeContexts(pki['ecdsa-p256'], { suite: s.suite, provider, group: 'x25519' })
          : makeContexts(pki['ecdsa-p256'], { version: 'TLSv1.2', tls12Cipher: s.suite, provider, group: 'x25519' });
      const pair = connectPair(contexts);
      const negotiated = pair.client.cipher()?.[0];
      if (negotiated !== s.suite) throw new Error(`negotiated ${negotiated}, not ${s.suite}`);
      // SSLObject and raw AEAD in alternating batches: the ratio is taken round by round.
      const m = measureInterleaved(() => transfer(pair, payload, RECORDS), rawRecords, {
        batches: budget.batches + 2,
        batchMs: budget.batchMs * 1.5,
      });
      row.status = 'ok';
      row.rawMBps = mbps(m.b, RECORD * RECORDS);
      row.sslobjectMBps = mbps(m.a, RECORD * RECORDS);
      // a/b is time(SSLObject)/time(raw); throughput ratio is its inverse.
      row.ratioToRaw = 1 / m.ratio.median;
      row.ratioSpread = { min: 1 / m.ratio.max, max: 1 / m.ratio.min };
      row.ratioToRawBest = 1 / m.ratioBest;
    } catch (e) {
      row.status = 'failed';
      row.reason = e instanceof Error ? e.message : String(e);
      row.rawMBps ??= mbps(measureInterleaved(rawRecords, rawRecords).a, RECORD * RECORDS);
    }
    rows.push(row);
    log(
      `  ${s.suite.padEnd(30)} raw AEAD ${row.rawMBps.median.toFixed(1)} MB/s, SSLObject ${
        row.status === 'ok'
          ? `${row.sslobjectMBps.median.toFixed(1)} MB/s (${(row.ratioToRaw * 100).toFixed(0)}%)`
          : row.reason
      }`,
    );
  }
  return rows;
}
