/**
 * The pure helpers behind `pnpm bench` (scripts/bench/): the recording provider must wrap the real
 * provider without changing any result, its log must replay to the same call sequence, a recorded
 * TLS 1.3 handshake must show the primitive operations RFC 8446 prescribes, and the statistics and SVG
 * writers must keep their invariants.
 */
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: plain .mjs helpers without type declarations (tests are not type-checked by tsc -b)
import {
  countByCategory,
  record,
  recordingProvider,
  replayer,
  timingProvider,
} from '../../../scripts/bench/recording-provider.mjs';
// @ts-expect-error: as above
import { summarize, toRate } from '../../../scripts/bench/stats.mjs';
// @ts-expect-error: as above
import { barChart } from '../../../scripts/bench/svg.mjs';
import {
  defaultProvider,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLObject,
  SSLWantReadError,
  TLSVersion,
} from '../src/index.js';

type Entry = { cat: string; op: string };

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('recording provider', () => {
  test('passes every call through unchanged and logs it only while recording', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const h = defaultProvider.hash('sha256');
    const data = bytes(100, 1);
    const key = bytes(32, 2);
    const nonce = bytes(12, 3);
    const aad = bytes(5, 4);
    const log: Entry[] = record(recorder, () => {
      const state = provider.hash('sha256').create();
      state.update(data);
      expect(state.digest()).toEqual(h.digest(data));
      expect(provider.hash('sha256').hmac(key, data)).toEqual(h.hmac(key, data));
      const prk = provider.hash('sha256').hkdfExtract(key, data);
      expect(prk).toEqual(h.hkdfExtract(key, data));
      expect(provider.hash('sha256').hkdfExpand(prk, data, 42)).toEqual(h.hkdfExpand(prk, data, 42));
      const sealed = provider.aead('AES-128-GCM').create(key.subarray(0, 16)).seal(nonce, data, aad);
      expect(sealed).toEqual(defaultProvider.aead('AES-128-GCM').create(key.subarray(0, 16)).seal(nonce, data, aad));
      expect(provider.aead('AES-128-GCM').create(key.subarray(0, 16)).open(nonce, sealed, aad)).toEqual(data);
      const offer = provider.group('x25519')!.generate((n: number) => defaultProvider.randomBytes(n));
      const answer = defaultProvider.group('x25519')!.respond(offer.publicKey, (n) => defaultProvider.randomBytes(n));
      expect(offer.complete(answer.share)).toEqual(answer.sharedSecret);
      expect(provider.randomBytes(7)).toHaveLength(7);
    });
    expect(log.map((e) => e.op)).toEqual([
      'create',
      'update',
      'digest',
      'hmac',
      'extract',
      'expand',
      'create',
      'seal',
      'create',
      'open',
      'generate',
      'complete',
      'random',
    ]);
    // Off again: nothing more is logged.
    provider.hash('sha256').digest(data);
    expect(recorder.log).toHaveLength(log.length);
    expect(provider.group('no-such-group' as never)).toBeUndefined();
  });

  test('a replay performs the same sequence of primitive calls', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const log: Entry[] = record(recorder, () => {
      const t = provider.hash('sha384').create();
      t.update(bytes(10, 5));
      const fork = t.clone();
      fork.update(bytes(3, 6));
      fork.digest();
      t.digest();
      provider
        .group('secp256r1')!
        .respond(
          defaultProvider.group('secp256r1')!.generate((n) => defaultProvider.randomBytes(n)).publicKey,
          (n: number) => defaultProvider.randomBytes(n),
        );
      const k = provider.aead('CHACHA20-POLY1305').create(bytes(32, 7));
      k.open(bytes(12, 8), k.seal(bytes(12, 8), bytes(50, 9), bytes(5, 1)), bytes(5, 1));
    });
    const second = recordingProvider(defaultProvider);
    // The replay draws its own RNG pool once, when it is built: that draw is set-up, not part of the
    // replayed sequence, so the replay is built before recording starts (as handshakes.mjs does).
    const run = replayer(second.provider, log);
    const again: Entry[] = record(second.recorder, () => run());
    expect(again.map((e) => `${e.cat}/${e.op}`)).toEqual(log.map((e) => `${e.cat}/${e.op}`));
  });
});

function handshake(client: SSLObject, server: SSLObject, pipes: MemoryBIO[]) {
  const [cIn, cOut, sIn, sOut] = pipes as [MemoryBIO, MemoryBIO, MemoryBIO, MemoryBIO];
  const step = (o: SSLObject) => {
    try {
      o.doHandshake();
      return true;
    } catch (e) {
      if (e instanceof SSLWantReadError) return false;
      throw e;
    }
  };
  let done = false;
  for (let i = 0; i < 10 && !done; i++) {
    const c = step(client);
    if (cOut.pending) sIn.write(cOut.read());
    const s = step(server);
    if (sOut.pending) cIn.write(sOut.read());
    done = c && s;
  }
  expect(done).toBe(true);
}

/** A client and a server context on `provider` for `chain`, x25519 only, pinned to one TLS version. */
function benchContexts(
  chain: ReturnType<typeof createChain>,
  provider: typeof defaultProvider,
  version: 'TLSv1.2' | 'TLSv1.3',
): { client: SSLContext; server: SSLContext } {
  const server = new SSLContext(PROTOCOL_TLS_SERVER, { cryptoProvider: provider });
  server.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
  const client = new SSLContext(PROTOCOL_TLS_CLIENT, { cryptoProvider: provider });
  client.loadVerifyLocations({ cadata: chain.root.pem });
  for (const ctx of [client, server]) {
    ctx.setGroups(['x25519']);
    if (version === 'TLSv1.2') ctx.maximumVersion = TLSVersion.TLSv1_2;
    else ctx.minimumVersion = TLSVersion.TLSv1_3;
  }
  return { client, server };
}

describe('recorded TLS 1.3 handshake (what the floor counts)', () => {
  const chain = createChain({ keyType: 'ecdsa-p256', leafSubjectAltNames: ['localhost'] });
  const { provider, recorder } = recordingProvider(defaultProvider);
  const { client, server } = benchContexts(chain, provider, 'TLSv1.3');
  const connect = () => {
    const pipes = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
    const c = client.wrapBio(pipes[0]!, pipes[1]!, { serverHostname: 'localhost' });
    const s = server.wrapBio(pipes[2]!, pipes[3]!, { serverSide: true });
    handshake(c, s, pipes);
  };
  const counts = (log: Entry[]) =>
    Object.fromEntries([...countByCategory(log)].map(([cat, c]) => [cat, (c as { count: number }).count]));

  test('cold chain cache: one ECDHE, one CertificateVerify signature, three verifications (RFC 8446 §4.4.3)', () => {
    client.signatureCache.clear();
    const c = counts(record(recorder, connect));
    expect(c['key share: generate']).toBe(1);
    expect(c['key share: complete']).toBe(1);
    expect(c['key share: respond']).toBe(1);
    expect(c.sign).toBe(1);
    // CertificateVerify, the leaf's and the intermediate's certificate signatures (never the anchor's).
    expect(c.verify).toBe(3);
  });

  test('warm chain cache: only the CertificateVerify signature is verified', () => {
    connect();
    const c = counts(record(recorder, connect));
    expect(c.sign).toBe(1);
    expect(c.verify).toBe(1);
  });
});

describe("the wrappers take the bare provider's paths", () => {
  const chain = createChain({ keyType: 'ecdsa-p256', leafSubjectAltNames: ['localhost'] });
  const contexts = (provider: typeof defaultProvider, version: 'TLSv1.2' | 'TLSv1.3') => {
    const { client, server } = benchContexts(chain, provider, version);
    return () => {
      const pipes = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
      const c = client.wrapBio(pipes[0]!, pipes[1]!, { serverHostname: 'localhost' });
      const s = server.wrapBio(pipes[2]!, pipes[3]!, { serverSide: true });
      handshake(c, s, pipes);
    };
  };

  test('optional provider methods are offered exactly when the inner provider offers them', () => {
    const { provider } = recordingProvider(defaultProvider);
    const inner = defaultProvider.hash('sha256');
    expect(typeof provider.hash('sha256').hmacKeyed).toBe(typeof inner.hmacKeyed);
    const key = provider.aead('CHACHA20-POLY1305').create(bytes(32, 1));
    const bare = defaultProvider.aead('CHACHA20-POLY1305').create(bytes(32, 1));
    expect(typeof key.sealInPlace).toBe(typeof bare.sealInPlace);
    expect(typeof key.wipe).toBe(typeof bare.wipe);
    // A provider without them: the wrapper must not invent them (the engine would take another path).
    const plain = {
      ...defaultProvider,
      hash: (name: 'sha256' | 'sha384') => {
        const { hmacKeyed: _drop, ...rest } = defaultProvider.hash(name);
        return rest;
      },
    };
    expect(recordingProvider(plain).provider.hash('sha256').hmacKeyed).toBeUndefined();
  });

  test('TLS 1.2: the log has the keyed HMACs and in-place seals the bare handshake makes, and replays', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const connect = contexts(provider, 'TLSv1.2');
    connect();
    const log: (Entry & { data?: Uint8Array })[] = record(recorder, connect);
    const ops = new Set(log.map((e) => e.op));
    expect(ops.has('keyed') && ops.has('mac') && ops.has('sealInPlace')).toBe(true);
    expect(ops.has('hmac')).toBe(false);
    // The replay checks that every open authenticates and every verification succeeds: the log holds
    // copies, not views of buffers the engine reused after the call.
    expect(() => replayer(defaultProvider, log)()).not.toThrow();
  });

  test('a replay whose recorded ciphertext changed fails instead of timing a cheaper failed open', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const connect = contexts(provider, 'TLSv1.3');
    connect();
    const log: (Entry & { data?: Uint8Array })[] = record(recorder, connect);
    const open = log.find((e) => e.op === 'open')!;
    open.data![0]! ^= 1;
    expect(() => replayer(defaultProvider, log)()).toThrow(/did not authenticate/);
  });

  test('a key parsed anew in each handshake is a new object in each replay run, a kept key the same one', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const server = new SSLContext(PROTOCOL_TLS_SERVER, { cryptoProvider: provider });
    server.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
    const client = new SSLContext(PROTOCOL_TLS_CLIENT, { cryptoProvider: provider });
    client.loadVerifyLocations({ cadata: chain.root.pem });
    client.minimumVersion = TLSVersion.TLSv1_3;
    const connect = () => {
      // A first contact each time: the chain is parsed anew (node:crypto would build new KeyObjects).
      client.signatureCache.clear();
      client.verifiedChainCache?.clear();
      const pipes = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
      handshake(
        client.wrapBio(pipes[0]!, pipes[1]!, { serverHostname: 'localhost' }),
        server.wrapBio(pipes[2]!, pipes[3]!, { serverSide: true }),
        pipes,
      );
    };
    connect();
    const log: (Entry & { freshKey?: boolean })[] = record(recorder, connect);
    const fresh = log.filter((e) => e.freshKey !== undefined).map((e) => e.freshKey);
    // The anchor's key (trust store) and the server's own key are kept; the leaf's and intermediate's are new.
    expect(fresh.filter((f) => f === true)).toHaveLength(2);
    expect(fresh.filter((f) => f === false).length).toBeGreaterThanOrEqual(2);
    const keysPerRun: unknown[][] = [];
    const spy = {
      ...defaultProvider,
      verify: (...args: Parameters<typeof defaultProvider.verify>) => {
        keysPerRun.at(-1)!.push(args[1]);
        return defaultProvider.verify(...args);
      },
    };
    const run = replayer(spy, log);
    for (let i = 0; i < 2; i++) {
      keysPerRun.push([]);
      run();
    }
    const verifies = log.filter((e) => e.op === 'verify');
    verifies.forEach((e, i) => {
      expect(keysPerRun[0]![i] === keysPerRun[1]![i]).toBe(e.freshKey === false);
    });
  });

  test('the timing wrapper times the same calls in the same order, nested calls exclusive', () => {
    const { provider, recorder } = recordingProvider(defaultProvider);
    const connectRecorded = contexts(provider, 'TLSv1.3');
    connectRecorded();
    const log: Entry[] = record(recorder, connectRecorded);
    const { provider: timed, clock } = timingProvider(defaultProvider);
    const connect = contexts(timed, 'TLSv1.3');
    connect();
    clock.on = true;
    clock.shape = [];
    clock.reset();
    const t0 = performance.now();
    connect();
    const wall = performance.now() - t0;
    expect(clock.k).toBe(log.length);
    expect((clock.shape as Entry[]).map((e) => `${e.cat}/${e.op}`)).toEqual(log.map((e) => `${e.cat}/${e.op}`));
    const times = Array.from(clock.times.subarray(0, clock.k) as Float64Array);
    expect(times.every((t) => t >= 0)).toBe(true);
    // Exclusive times of calls that do not overlap sum to less than the handshake's wall time.
    expect(times.reduce((a, b) => a + b, 0)).toBeLessThan(wall);
    expect(clock.nspans).toBeGreaterThan(0);
    expect(clock.nspans).toBeLessThanOrEqual(log.length);
  });
});

describe('statistics', () => {
  test('summaries do not depend on sample order and bracket the median', () => {
    const samples = [5, 1, 4, 2, 3, 9, 7];
    const a = summarize(samples);
    const b = summarize([...samples].reverse());
    expect(a).toEqual(b);
    expect(a.min).toBe(Math.min(...samples));
    expect(a.max).toBe(Math.max(...samples));
    expect(a.min <= a.p25 && a.p25 <= a.median && a.median <= a.p75 && a.p75 <= a.max).toBe(true);
    expect(() => summarize([])).toThrow();
  });

  test('rates invert times and swap the extremes', () => {
    const s = summarize([2, 4, 8]);
    const r = toRate(s);
    expect(r.median).toBeCloseTo(1000 / s.median);
    expect(r.min).toBeCloseTo(1000 / s.max);
    expect(r.max).toBeCloseTo(1000 / s.min);
  });
});

describe('SVG chart', () => {
  test('escapes text and marks missing values instead of drawing them', () => {
    const svg: string = barChart({
      title: 'a <b> & "c"',
      panels: [
        {
          title: 'p',
          unit: '/s',
          rows: [
            {
              label: 'x<y',
              bars: [
                { series: 's1', value: 10 },
                { series: 's2', value: Number.NaN, note: 'not implemented yet' },
              ],
            },
          ],
        },
      ],
      series: ['s1', 's2'],
    });
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('x&lt;y');
    expect(svg).not.toContain('x<y');
    expect(svg).toContain('not implemented yet');
    // One bar for the value, none for the missing one (plus the background and two legend swatches).
    expect(svg.match(/<rect /g)).toHaveLength(4);
  });
});
