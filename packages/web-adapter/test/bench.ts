/**
 * WebCrypto vs noble, measured the same way in Node (vitest) and in Chromium (bundled by the browser test):
 * per-operation medians after warm-up, for the operations the WebCrypto-assisted path replaces (chain
 * signature checks: import + verify per certificate, as a handshake does) and the ones it cannot replace
 * synchronously (key exchange), plus whole in-memory handshakes with and without WebCrypto verification.
 * Web APIs only.
 */
import { defaultProvider } from '@sanstls/core';
import {
  acceptTls,
  connectTls,
  ecdsaP1363ToDer,
  memoryStreamPair,
  verifyChainWithWebCrypto,
  webCryptoProvider,
} from '@sanstls/web-adapter';
import { nobleSignatureProvider, type PublicKey, type SignatureAlgorithm, verifyChain } from '@sanstls/x509';

export interface BenchRow {
  readonly name: string;
  /** Milliseconds per operation (median). */
  readonly noble: number;
  readonly webCrypto: number | null;
}

/**
 * Median milliseconds per call over `runs` samples of `batch` calls each: browsers coarsen
 * performance.now() (100 µs without cross-origin isolation), so fast operations are timed in batches.
 */
async function median(runs: number, fn: () => unknown, batch = 10): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up (JIT, noble precomputation tables)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    for (let j = 0; j < batch; j++) await fn();
    times.push((performance.now() - t) / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function b64urlToBigInt(s: string): bigint {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  let hex = '';
  for (const c of bin) hex += c.charCodeAt(0).toString(16).padStart(2, '0');
  return BigInt(`0x${hex}`);
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const message = new TextEncoder().encode(
  'sanstls benchmark message: a TBSCertificate stand-in of some length '.repeat(8),
);

async function ecdsaRow(curve: 'P-256' | 'P-384', hash: 'SHA-256' | 'SHA-384', runs: number): Promise<BenchRow> {
  const pair = await subtle().generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const p1363 = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, pair.privateKey, message));
  const der = ecdsaP1363ToDer(p1363);
  const key: PublicKey = { kind: 'ec', curve, point: raw };
  const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: hash === 'SHA-256' ? 'sha256' : 'sha384' };
  if (!nobleSignatureProvider.verify(alg, key, message, der)) throw new Error('noble rejected a WebCrypto signature');
  const noble = await median(runs, () => nobleSignatureProvider.verify(alg, key, message, der));
  const webCrypto = await median(runs, async () => {
    const k = await subtle().importKey('raw', raw, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
    return subtle().verify({ name: 'ECDSA', hash }, k, p1363, message);
  });
  return { name: `ECDSA ${curve} verify (import + verify)`, noble, webCrypto };
}

async function rsaRow(runs: number): Promise<BenchRow> {
  const params = {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
  const pair = await subtle().generateKey(params, true, ['sign', 'verify']);
  const jwk = await subtle().exportKey('jwk', pair.publicKey);
  const sig = new Uint8Array(await subtle().sign('RSASSA-PKCS1-v1_5', pair.privateKey, message));
  const key: PublicKey = { kind: 'rsa', n: b64urlToBigInt(jwk.n!), e: b64urlToBigInt(jwk.e!), bits: 2048 };
  const alg: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
  if (!nobleSignatureProvider.verify(alg, key, message, sig)) throw new Error('noble rejected an RSA signature');
  const noble = await median(runs, () => nobleSignatureProvider.verify(alg, key, message, sig));
  const webCrypto = await median(runs, async () => {
    const k = await subtle().importKey(
      'jwk',
      { kty: 'RSA', n: jwk.n, e: jwk.e },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    return subtle().verify('RSASSA-PKCS1-v1_5', k, sig, message);
  });
  return { name: 'RSA-2048 PKCS#1 verify (import + verify)', noble, webCrypto };
}

async function ed25519Row(runs: number): Promise<BenchRow> {
  let pair: CryptoKeyPair;
  try {
    pair = (await subtle().generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  } catch {
    return { name: 'Ed25519 verify', noble: Number.NaN, webCrypto: null };
  }
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const sig = new Uint8Array(await subtle().sign('Ed25519', pair.privateKey, message));
  const key: PublicKey = { kind: 'ed25519', key: raw };
  const alg: SignatureAlgorithm = { kind: 'ed25519' } as SignatureAlgorithm;
  const noble = await median(runs, () => nobleSignatureProvider.verify(alg, key, message, sig));
  const webCrypto = await median(runs, async () => {
    const k = await subtle().importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    return subtle().verify('Ed25519', k, sig, message);
  });
  return { name: 'Ed25519 verify (import + verify)', noble, webCrypto };
}

/** Client key exchange: generate a share and complete it with the peer's (what a handshake does). */
async function keyExchangeRow(group: 'x25519' | 'secp256r1', runs: number): Promise<BenchRow> {
  const g = defaultProvider.group(group)!;
  const rnd = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  const peer = g.generate(rnd).publicKey;
  const noble = await median(runs, () => g.generate(rnd).complete(peer));
  const algorithm = group === 'x25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: 'P-256' };
  let webCrypto: number | null = null;
  try {
    const peerKey = await subtle().importKey('raw', new Uint8Array(peer), algorithm, false, []);
    webCrypto = await median(runs, async () => {
      const mine = (await subtle().generateKey(algorithm, false, ['deriveBits'])) as CryptoKeyPair;
      await subtle().exportKey('raw', mine.publicKey);
      return subtle().deriveBits(
        { name: algorithm.name, public: peerKey } as EcdhKeyDeriveParams,
        mine.privateKey,
        256,
      );
    });
  } catch {
    webCrypto = null;
  }
  return { name: `${group} key exchange (generate + derive)`, noble, webCrypto };
}

/** Chain validation of a real chain: verifyChain on noble vs the WebCrypto-assisted verifyChain. */
async function chainRow(leaf: Uint8Array, intermediates: Uint8Array[], anchors: Uint8Array[], at: Date, runs: number) {
  const options = { leaf, intermediates, trustAnchors: anchors, at, hostname: 'localhost' };
  const noble = await median(runs, () => verifyChain(options));
  const webCrypto = await median(runs, () => verifyChainWithWebCrypto(subtle(), nobleSignatureProvider, options));
  return { name: `verifyChain, ${intermediates.length + 1} signature(s)`, noble, webCrypto };
}

/** Whole in-memory handshakes (client and server in the same thread), WebCrypto verification on and off. */
async function handshakeRow(pki: BenchPki, runs: number): Promise<BenchRow> {
  const once = async (webCrypto: boolean) => {
    const [a, b] = memoryStreamPair();
    const server = acceptTls(b, { certChain: { cert: pki.serverChainPem, key: pki.serverKeyPem } });
    const client = await connectTls(a, { serverHostname: 'localhost', trustAnchors: pki.caPem, webCrypto });
    await server;
    if (client.info.webCryptoVerified !== webCrypto) throw new Error('unexpected verification path');
    await client.close();
  };
  return { name: 'full handshake, client + server in one thread', ...(await alternated(once, runs)) };
}

/**
 * Median ms of `once(false)` (noble) and `once(true)` (WebCrypto) over `runs` samples each, taken alternately
 * after one warm-up of each, so warm-up and garbage collection fall on both sides alike.
 */
async function alternated(
  once: (webCrypto: boolean) => Promise<void>,
  runs: number,
): Promise<{ noble: number; webCrypto: number }> {
  const samples: { noble: number[]; webCrypto: number[] } = { noble: [], webCrypto: [] };
  for (let i = 0; i < 2; i++) await once(i % 2 === 0);
  for (let i = 0; i < 2 * runs; i++) {
    const t = performance.now();
    await once(i % 2 === 1);
    (i % 2 === 1 ? samples.webCrypto : samples.noble).push(performance.now() - t);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { noble: mid(samples.noble), webCrypto: mid(samples.webCrypto) };
}

/**
 * Whole in-memory handshakes over X25519 with the client on the noble provider vs on the WebCrypto provider
 * (key exchange and every signature check on WebCrypto, issue #9); the server is the same noble one.
 */
async function providerHandshakeRow(pki: BenchPki, runs: number): Promise<BenchRow> {
  const provider = webCryptoProvider();
  const once = async (webCrypto: boolean) => {
    const [a, b] = memoryStreamPair();
    const server = acceptTls(b, { certChain: { cert: pki.serverChainPem, key: pki.serverKeyPem } });
    const client = await connectTls(a, {
      serverHostname: 'localhost',
      trustAnchors: pki.caPem,
      groups: ['x25519'],
      ...(webCrypto ? { cryptoProvider: provider, webCrypto: true } : { webCrypto: false }),
    });
    await server;
    if (client.sslObject.context.provider.name !== (webCrypto ? 'webcrypto' : 'noble')) {
      throw new Error('unexpected provider');
    }
    await client.close();
  };
  return {
    name: 'full handshake, x25519: client on WebCrypto provider',
    ...(await alternated(once, runs)),
  };
}

export interface BenchPki {
  caPem: string;
  serverChainPem: string;
  serverKeyPem: string;
  leafDer: Uint8Array;
  caDer: Uint8Array;
}

export async function runBenchmarks(pki: BenchPki, runs = 15): Promise<BenchRow[]> {
  return [
    await ecdsaRow('P-256', 'SHA-256', runs),
    await ecdsaRow('P-384', 'SHA-384', runs),
    await rsaRow(runs),
    await ed25519Row(runs),
    await keyExchangeRow('x25519', runs),
    await keyExchangeRow('secp256r1', runs),
    await chainRow(pki.leafDer, [], [pki.caDer], new Date(), runs),
    await handshakeRow(pki, Math.max(5, Math.floor(runs / 2))),
    await providerHandshakeRow(pki, Math.max(5, Math.floor(runs / 2))),
  ];
}

export function formatRows(rows: readonly BenchRow[]): string {
  const f = (v: number | null) => (v === null || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} ms`);
  return rows
    .map((r) => `${r.name.padEnd(48)} noble ${f(r.noble).padStart(10)}   WebCrypto ${f(r.webCrypto).padStart(10)}`)
    .join('\n');
}
