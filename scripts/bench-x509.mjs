#!/usr/bin/env node
// Benchmarks of @sanstls/x509 on its built output:
//   npx tsc -b packages/x509 && node scripts/bench-x509.mjs
// Reports the median time per operation after a warm-up (`--quick` shortens the runs): certificate parsing, the getpeercert()
// dict, verification of 3-certificate ECDSA P-256 and RSA-2048 chains, and loading the system CA
// bundle into a TrustStore. Key generation is timed once (it is not on any hot path).
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const dist = new URL('../packages/x509/dist/', import.meta.url);
if (!existsSync(new URL('index.js', dist)) || !existsSync(new URL('generate/index.js', dist))) {
  console.error('packages/x509/dist is missing: run `npx tsc -b packages/x509` first');
  process.exit(1);
}
const x509 = await import(new URL('index.js', dist).href);
const { createChain, generateKey } = await import(new URL('generate/index.js', dist).href);

const quick = process.argv.includes('--quick');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Median milliseconds per call of `fn`, after `warmup` calls; runs for at least `minMs` or `minRuns`. */
function bench(fn, { warmup = 20, minRuns = 30, minMs = quick ? 100 : 1000 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], runs: samples.length };
}

function once(fn) {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

const rows = [];
const add = (name, result, note = '') => rows.push({ name, median: result.median, runs: result.runs, note });

// Fixed instant and a chain valid around it.
const now = new Date();

const ecKeys = once(() => ({
  root: generateKey('ecdsa-p256').privateKey,
  intermediate: generateKey('ecdsa-p256').privateKey,
  leaf: generateKey('ecdsa-p256').privateKey,
}));
const rsaKeyTimes = [];
const rsaKeys = {};
for (const level of ['root', 'intermediate', 'leaf']) {
  const k = once(() => generateKey('rsa-2048').privateKey);
  rsaKeyTimes.push(k.ms);
  rsaKeys[level] = k.value;
}

const ecChain = createChain({ keyType: 'ecdsa-p256', keys: ecKeys.value, leafSubjectAltNames: ['bench.example'], now });
const rsaChain = createChain({ keyType: 'rsa-2048', keys: rsaKeys, leafSubjectAltNames: ['bench.example'], now });

add(
  'parseCertificate, ECDSA P-256 leaf',
  bench(() => x509.parseCertificate(ecChain.leaf.der)),
  `${ecChain.leaf.der.length} B`,
);
add(
  'parseCertificate, RSA-2048 leaf',
  bench(() => x509.parseCertificate(rsaChain.leaf.der)),
  `${rsaChain.leaf.der.length} B`,
);
add(
  'decodeCertificate (getpeercert dict), ECDSA leaf',
  bench(() => x509.decodeCertificate(ecChain.leaf.der)),
);

function chainVerifier(chain, label) {
  const opts = {
    leaf: chain.leaf.der,
    intermediates: [chain.intermediate.der],
    trustAnchors: [chain.root.der],
    at: now,
    hostname: 'bench.example',
  };
  // A fresh call each time: nothing is cached between runs unless verifyChain itself caches.
  const result = x509.verifyChain(opts);
  if (result.chain.length !== 3) throw new Error(`${label}: expected a 3-certificate path`);
  return () => x509.verifyChain(opts);
}

add('verifyChain, 3-cert ECDSA P-256 chain (+ hostname)', bench(chainVerifier(ecChain, 'ECDSA')));
add('verifyChain, 3-cert RSA-2048 chain (+ hostname)', bench(chainVerifier(rsaChain, 'RSA')));

// The raw signature checks behind those chains, to separate crypto from path logic.
function signatureCheck(chain) {
  const leaf = x509.parseCertificate(chain.leaf.der);
  const inter = x509.parseCertificate(chain.intermediate.der);
  const alg = x509.signatureAlgorithmFromX509(leaf.signatureAlgorithm);
  const key = x509.parsePublicKey(inter.spki.der);
  return () => {
    if (!x509.nobleSignatureProvider.verify(alg, key, leaf.tbs, leaf.signatureValue)) throw new Error('bad signature');
  };
}
add('  one signature verify, ECDSA P-256 / SHA-256', bench(signatureCheck(ecChain)));
add('  one signature verify, RSA-2048 PKCS#1 / SHA-256', bench(signatureCheck(rsaChain)));

/** verifyChain with the test root inside a store that also holds every system root. */
function verifyAgainstStore(pem) {
  const store = x509.TrustStore.fromPem(pem);
  store.add(ecChain.root.der);
  const opts = { leaf: ecChain.leaf.der, intermediates: [ecChain.intermediate.der], trustAnchors: store, at: now };
  if (x509.verifyChain(opts).chain.length !== 3) throw new Error('store verification failed');
  return () => x509.verifyChain(opts);
}

if (existsSync(SYSTEM_BUNDLE)) {
  const pem = readFileSync(SYSTEM_BUNDLE, 'utf8');
  const store = x509.TrustStore.fromPem(pem);
  const lazy = { warmup: 3, minRuns: 10 };
  add(
    `TrustStore.fromPem(${SYSTEM_BUNDLE})`,
    bench(() => x509.TrustStore.fromPem(pem), lazy),
    `${store.size} roots, parsed lazily`,
  );
  // The first subject lookup indexes subjects only; the first key-identifier lookup parses every root.
  const someName = x509.parseCertificate(store.certificates()[0]).subject;
  add(
    '  + first findBySubject (subject index)',
    bench(() => x509.TrustStore.fromPem(pem).findBySubject(someName), lazy),
  );
  add(
    '  + first findByKeyIdentifier (parses all)',
    bench(() => x509.TrustStore.fromPem(pem).findByKeyIdentifier(new Uint8Array(20)), lazy),
  );
  add('verifyChain, ECDSA chain, anchor among system roots', bench(verifyAgainstStore(pem)));
} else {
  console.log(`(skipped the TrustStore row: ${SYSTEM_BUNDLE} is absent)`);
}

const fmt = (ms) =>
  ms >= 10 ? `${ms.toFixed(1)} ms` : ms >= 0.1 ? `${ms.toFixed(3)} ms` : `${(ms * 1000).toFixed(1)} µs`;
const nameWidth = Math.max(...rows.map((r) => r.name.length));
console.log(`@sanstls/x509 benchmark — Node ${process.version}, median after warm-up\n`);
console.log(`${'operation'.padEnd(nameWidth)}  ${'median'.padStart(10)}  ${'runs'.padStart(6)}  note`);
console.log(`${'-'.repeat(nameWidth)}  ${'-'.repeat(10)}  ${'-'.repeat(6)}  ----`);
for (const r of rows)
  console.log(`${r.name.padEnd(nameWidth)}  ${fmt(r.median).padStart(10)}  ${String(r.runs).padStart(6)}  ${r.note}`);
console.log('\nkey generation (one run each):');
console.log(`  3 × ECDSA P-256: ${fmt(ecKeys.ms)} total`);
console.log(`  3 × RSA-2048:    ${rsaKeyTimes.map(fmt).join(', ')}`);
