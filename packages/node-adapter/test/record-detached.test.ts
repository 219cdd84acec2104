// Large records under the node:crypto provider are queued as header, body and trailer + tag chunks
// (AeadKey.sealDetached, issue #9): the bytes must be exactly those of the one-buffer record sealed in place
// for the same key and sequence number — TLS 1.3 (RFC 8446 §5.2, §5.4: header as AAD, content type and
// padding inside) and TLS 1.2 (RFC 5246 §6.2.3.3, RFC 5288 §3's explicit nonce, RFC 7905) — through the
// record layer with padding and a record_size_limit, and a tampered tag must still fail.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { TLSVersion } from '@sanstls/core';
import { SSLError } from '@sanstls/x509';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import { tls12SuiteByName } from '../../core/src/cipher-string.js';
import { defaultProvider } from '../../core/src/crypto/index.js';
import type { AeadName, CryptoProvider } from '../../core/src/crypto/provider.js';
import { DETACHED_MIN_CONTENT, HalfConnection, ScratchBlock } from '../../core/src/record/protection.js';
import { Tls12RecordProtection } from '../../core/src/record/protection12.js';
import { RecordLayer } from '../../core/src/record/record-layer.js';
import { clientContext, handshake, makePair, readAll, serverContext } from '../../core/test/helpers/tls-pair.js';
import { connect, createServer, nodeCryptoProvider } from '../src/index.js';
import { within } from './helpers/processes.js';

const node = nodeCryptoProvider;
const noble = defaultProvider;
const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'];
const TLS12_SUITES: Record<AeadName, string> = {
  'AES-128-GCM': 'ECDHE-ECDSA-AES128-GCM-SHA256',
  'AES-256-GCM': 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'CHACHA20-POLY1305': 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const join = (chunks: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(chunks));
const badMac = expect.objectContaining({ reason: 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC', alert: 20 });
const SIZES = [DETACHED_MIN_CONTENT - 1, DETACHED_MIN_CONTENT, 5000, 16_384];

describe('AeadKey.sealDetached (node:crypto): seal()’s bytes, split', () => {
  for (const name of AEADS) {
    it(`${name}: body || sealed trailer || tag equals noble's seal of the whole plaintext`, () => {
      const alg = node.aead(name);
      const key = rnd(alg.keyLength);
      const k = alg.create(key);
      const reference = noble.aead(name).create(key);
      for (const [size, trailer, offset] of [
        [0, 0, 5],
        [1, 1, 5],
        [16_384, 1, 5],
        [5000, 300, 13],
        [17, 0, 13],
      ] as const) {
        const nonce = rnd(12);
        const plaintext = rnd(size);
        const buffer = new Uint8Array(offset + trailer + 16);
        buffer.set(rnd(offset + trailer));
        const before = buffer.slice();
        const aad = buffer.subarray(0, offset); // the header, a view into the same buffer
        const body = k.sealDetached!(nonce, aad, plaintext, buffer, offset, trailer);
        expect(body.length).toBe(size);
        expect(hex(buffer.subarray(0, offset))).toBe(hex(before.subarray(0, offset))); // AAD untouched
        const whole = join([plaintext, before.subarray(offset, offset + trailer)]);
        const sealed = reference.seal(nonce, whole, before.subarray(0, offset));
        expect(hex(join([body, buffer.subarray(offset)]))).toBe(hex(sealed));
        expect(hex(k.open(nonce, sealed, before.subarray(0, offset)) ?? Uint8Array.of(0xee))).toBe(hex(whole));
      }
      // The trailer and tag must fit: an SSLError, never a short tag.
      expect(() => k.sealDetached!(rnd(12), rnd(5), rnd(10), new Uint8Array(20), 5, 1)).toThrow(SSLError);
      expect(() => k.sealDetached!(rnd(8), rnd(5), rnd(10), new Uint8Array(40), 5, 1)).toThrow(SSLError);
    });
  }
});

/** Both record paths of one writer class, fed the same key: chunks (sealRecordTo) and one buffer (sealRecord). */
function tls13Writers(name: AeadName, provider: CryptoProvider) {
  const alg = provider.aead(name);
  const key = rnd(alg.keyLength);
  const iv = rnd(12);
  const make = (p: CryptoProvider) => new HalfConnection(p.aead(name), key.slice(), iv.slice());
  return { chunked: make(provider), whole: make(provider), reference: make(noble), reader: make(noble) };
}

describe('TLS 1.3 records in chunks: the bytes of the in-place record (RFC 8446 §5.2, §5.4)', () => {
  for (const name of AEADS) {
    it(`${name}: sizes around the threshold, padding, content types; the noble reader opens them, a tampered tag fails`, () => {
      const w = tls13Writers(name, node);
      const scratch = new ScratchBlock();
      const sent: { chunks: Uint8Array[]; bytes: string }[] = [];
      for (const size of SIZES) {
        for (const padding of [0, 7, 300]) {
          for (const type of [23, 22]) {
            const content = rnd(size);
            const out: Uint8Array[] = [];
            const length = w.chunked.sealRecordTo(out, scratch, content, type, padding);
            // Large content takes the detached path: header, body, content type + padding + tag.
            expect(out.length).toBe(size >= DETACHED_MIN_CONTENT ? 3 : 1);
            const record = join(out);
            sent.push({ chunks: out, bytes: hex(record) });
            expect(length).toBe(record.length);
            expect(hex(record)).toBe(hex(w.whole.sealRecord(content, type, padding)));
            expect(hex(record)).toBe(hex(w.reference.sealRecord(content, type, padding)));
            const header = record.subarray(0, 5);
            expect(hex(header)).toBe(`170303${(size + 1 + padding + 16).toString(16).padStart(4, '0')}`);
            const tampered = record.slice(5);
            tampered[tampered.length - 1]! ^= 1;
            expect(() => w.reader.open(header, tampered)).toThrow(badMac);
            w.reader.sequence--; // the failed open consumed this record's sequence number
            const inner = w.reader.open(header, record.subarray(5));
            expect(hex(inner)).toBe(hex(join([content, Uint8Array.of(type), new Uint8Array(padding)])));
          }
        }
      }
      // Header and trailer bytes come from shared scratch blocks: no later record rewrote an earlier one's.
      for (const { chunks, bytes } of sent) expect(hex(join(chunks))).toBe(bytes);
    });
  }
});

describe('TLS 1.2 records in chunks: the bytes of the in-place record (RFC 5246 §6.2.3.3, RFC 5288 §3)', () => {
  for (const name of AEADS) {
    it(`${name}: explicit nonce (GCM) or none (ChaCha20-Poly1305); the noble reader opens them, a tampered tag fails`, () => {
      const suite = tls12SuiteByName(TLS12_SUITES[name])!;
      const alg = node.aead(name);
      const key = rnd(alg.keyLength);
      const iv = rnd(suite.fixedIvLength);
      const make = (p: CryptoProvider) => new Tls12RecordProtection(p.aead(name), suite, key.slice(), iv.slice());
      const [chunked, whole, reference, reader] = [make(node), make(node), make(noble), make(noble)];
      const scratch = new ScratchBlock();
      for (const size of SIZES) {
        for (const type of [23, 22]) {
          const fragment = rnd(size);
          const out: Uint8Array[] = [];
          const length = chunked.sealRecordTo(out, scratch, type, fragment);
          expect(out.length).toBe(size >= DETACHED_MIN_CONTENT ? 3 : 1);
          const record = join(out);
          expect(length).toBe(record.length);
          expect(hex(record)).toBe(hex(whole.sealRecord(type, fragment)));
          expect(hex(record)).toBe(hex(reference.sealRecord(type, fragment)));
          expect(record.length).toBe(5 + suite.explicitNonceLength + size + 16);
          const header = record.subarray(0, 5);
          const tampered = record.slice(5);
          tampered[tampered.length - 1]! ^= 1;
          expect(() => reader.open(header, tampered)).toThrow(badMac);
          reader.sequence--;
          expect(hex(reader.open(header, record.subarray(5)))).toBe(hex(fragment));
        }
      }
    });
  }
});

describe('the record layer: chunked records are the same byte stream', () => {
  for (const name of AEADS) {
    it(`${name}: TLS 1.3 with padding and a record_size_limit, TLS 1.2; the byte stream equals noble's`, () => {
      const content = rnd(40_000);
      // TLS 1.3 (RFC 8449 §4: the limit covers content, type and padding).
      const key = rnd(node.aead(name).keyLength);
      const iv = rnd(12);
      for (const [paddingBlock, limit] of [
        [0, 0],
        [256, 0],
        [0, 4096],
        [1000, 3000],
      ] as const) {
        const streams = [node, noble].map((p) => {
          const layer = new RecordLayer();
          layer.chunkedRecords = true;
          layer.writeKey = new HalfConnection(p.aead(name), key.slice(), iv.slice());
          layer.paddingBlock = paddingBlock;
          layer.sendRecordSizeLimit = limit;
          layer.send(23, content);
          layer.send(23, content.subarray(0, 100));
          const pending = layer.pendingOutput;
          const bytes = layer.takeOutgoing()!;
          expect(bytes.length).toBe(pending);
          return bytes;
        });
        expect(hex(streams[0]!)).toBe(hex(streams[1]!));
      }
      // TLS 1.2, through takeOutgoingChunks as a socket adapter takes them.
      const suite = tls12SuiteByName(TLS12_SUITES[name])!;
      const iv12 = rnd(suite.fixedIvLength);
      const streams = [node, noble].map((p) => {
        const layer = new RecordLayer();
        layer.chunkedRecords = true;
        layer.writeKey12 = new Tls12RecordProtection(p.aead(name), suite, key.slice(), iv12.slice());
        layer.sendRecordSizeLimit = 5000;
        layer.send(23, content);
        return join(layer.takeOutgoingChunks());
      });
      expect(hex(streams[0]!)).toBe(hex(streams[1]!));
    });
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: node:crypto SSLObjects, one side's records in chunks (readChunks), the other's whole (read)`, () => {
      const client = clientContext({ cryptoProvider: node });
      const server = serverContext(['ec256'], { cryptoProvider: node });
      if (version === 'TLSv1.2') client.maximumVersion = TLSVersion.TLSv1_2;
      const pair = makePair(client, server);
      handshake(pair);
      expect(pair.client.version()).toBe(version);
      // The client's consumer sends buffers as they are (a socket adapter); the server's is a Python-style read().
      pair.client.connection.chunkedRecords = true;
      const data = rnd(100_000);
      pair.client.write(data);
      const chunks = pair.clientOut.readChunks();
      const prefix = version === 'TLSv1.3' ? 5 : 13; // TLS 1.2 AES-GCM: header + explicit nonce (RFC 5288 §3)
      const tail = version === 'TLSv1.3' ? 17 : 16; // TLS 1.3: content type + tag (RFC 8446 §5.4)
      expect(chunks.slice(0, 3).map((c) => c.length)).toEqual([prefix, 16_384, tail]);
      for (const chunk of chunks) pair.serverIn.write(chunk);
      expect(hex(readAll(pair.server))).toBe(hex(data));
      pair.server.write(data);
      const records = pair.serverOut.readChunks();
      expect(records.length).toBe(Math.ceil(data.length / 16_384)); // whole records
      for (const record of records) pair.clientIn.write(record);
      pair.server.write(data);
      // Part by part: a reader of the outgoing BIO sees the same stream however it slices it.
      while (pair.serverOut.pending > 0) pair.clientIn.write(pair.serverOut.read(7000));
      expect(hex(readAll(pair.client))).toBe(hex(join([data, data])));
    });
  }
});

describe('chunked records over many scratch blocks, and a provider that breaks the sealDetached contract', () => {
  it('300 records cross many scratch blocks: every chunk keeps its bytes, no two chunks share bytes', () => {
    const w = tls13Writers('AES-128-GCM', node);
    const scratch = new ScratchBlock();
    const sent: { chunks: Uint8Array[]; bytes: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const out: Uint8Array[] = [];
      w.chunked.sealRecordTo(out, scratch, rnd(DETACHED_MIN_CONTENT), 23, i % 5);
      expect(out.length).toBe(3);
      sent.push({ chunks: out, bytes: hex(join(out)) });
    }
    for (const { chunks, bytes } of sent) expect(hex(join(chunks))).toBe(bytes);
    // Header and trailer views: sorted by their place in their ArrayBuffer, none overlaps the next.
    const views = sent.flatMap((s) => [s.chunks[0]!, s.chunks[2]!]);
    const buffers = new Set(views.map((v) => v.buffer));
    expect(buffers.size).toBeGreaterThan(1);
    for (const buffer of buffers) {
      const ranges = views
        .filter((v) => v.buffer === buffer)
        .map((v) => [v.byteOffset, v.byteOffset + v.byteLength] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    }
  });

  for (const delta of [-1, 1]) {
    it(`a body ${delta < 0 ? 'shorter' : 'longer'} than the content is an INTERNAL_ERROR SSLError, not a broken stream`, () => {
      const alg = node.aead('AES-128-GCM');
      const broken: typeof alg = {
        ...alg,
        create(key) {
          const inner = alg.create(key);
          return {
            seal: (n, p, a) => inner.seal(n, p, a),
            open: (n, c, a) => inner.open(n, c, a),
            sealDetached: (n, a, p, b, o, l) => {
              const body = inner.sealDetached!(n, a, p, b, o, l);
              return delta < 0 ? body.subarray(1) : join([body, Uint8Array.of(0)]);
            },
          };
        },
      };
      const half = new HalfConnection(broken, rnd(16), rnd(12));
      expect(() => half.sealRecordTo([], new ScratchBlock(), rnd(DETACHED_MIN_CONTENT), 23, 0)).toThrow(
        expect.objectContaining({ reason: 'INTERNAL_ERROR' }),
      );
      expect(() => half.sealRecordTo([], new ScratchBlock(), rnd(DETACHED_MIN_CONTENT), 23, 0)).toThrow(SSLError);
    });
  }
});

describe('the socket adapter chunks records only over a net.Socket', () => {
  it('a Duplex that is not a net.Socket (a WebSocket stream, an outer TLS socket) is written whole records', async () => {
    const chain = createChain({ keyType: 'ecdsa-p256', depth: 1 });
    const received: Buffer[] = [];
    const server = createServer({ cert: chain.certChainPem, key: chain.leaf.keyPem, cryptoProvider: node }, (s) => {
      s.on('data', (d: Buffer) => received.push(d));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const raw = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(raw, 'connect');
    const writes: number[] = [];
    const transport = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.length);
        raw.write(chunk, callback);
      },
    });
    raw.on('data', (chunk: Buffer) => transport.push(chunk));
    try {
      const socket = connect({ socket: transport, servername: 'localhost', ca: chain.root.pem, cryptoProvider: node });
      await within(10_000, 'secureConnect', once(socket, 'secureConnect'));
      writes.length = 0;
      const data = rnd(3 * 16_384);
      socket.write(data);
      await within(
        10_000,
        'all data',
        new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (received.reduce((n, d) => n + d.length, 0) >= data.length) {
              clearInterval(poll);
              resolve();
            }
          }, 5);
        }),
      );
      expect(hex(join(received))).toBe(hex(data));
      // Three TLS 1.3 records of 16,384 content bytes: 5 + 16,384 + 1 + 16 each, one write per record.
      expect(writes.filter((n) => n >= DETACHED_MIN_CONTENT)).toEqual([16_406, 16_406, 16_406]);
      expect(writes).not.toContain(16_384); // no record body written apart from its header and tag
      socket.destroy();
    } finally {
      raw.destroy();
      server.close();
    }
  });
});
