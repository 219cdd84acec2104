#!/usr/bin/env node
/**
 * `pnpm bench`: one run, on the built packages, of everything issue #9 asks to measure — handshakes/s in
 * memory and over 127.0.0.1 (next to node:tls), the primitive lower bound of each handshake and the
 * ratio, bulk MB/s next to raw AEAD and node:tls, memory per connection, bundle sizes and CPU profiles —
 * written to BENCHMARKS.md (tables, the targets, docs/bench-chart.svg) and BENCHMARKS.json.
 *
 *   pnpm bench                     (build, then this script)
 *   node scripts/bench.mjs [--quick] [--only=handshakes,bulk,sockets,memory,primitives,bundle,profile]
 *                          [--out=<dir>]   (default: the repository root)
 *                          [--rows=<regex>] (in-memory handshake rows whose id matches, e.g. tls12; for investigation)
 *   SANSTLS_BENCH_COMMIT=<sha> node scripts/bench.mjs   (in a `git archive` export: the commit to report)
 *
 * Every section degrades to a row saying what is missing; the script exits 0 unless it is itself broken.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasDist } from './bench/dist.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const outDir =
  args.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? fileURLToPath(new URL('../', import.meta.url));
const rowsArg = args.find((a) => a.startsWith('--rows='))?.slice('--rows='.length);
/** `--provider=NAME`: measure only that crypto provider (e.g. `noble`, `node:crypto`). */
const providerArg = args.find((a) => a.startsWith('--provider='))?.slice('--provider='.length);
// Internal: the socket section's child process writes its results here and exits (see below).
const socketsJson = args.find((a) => a.startsWith('--sockets-json='))?.slice('--sockets-json='.length);
const wants = (section) => only === undefined || only.includes(section);

for (const pkg of ['x509', 'core']) {
  if (!hasDist(pkg)) {
    console.error(
      `packages/${pkg}/dist is missing: run \`pnpm run build\` (or npx tsc -b packages/x509 packages/core) first`,
    );
    process.exit(1);
  }
}

const { setQuick } = await import('./bench/stats.mjs');
setQuick(quick);
const { makePki } = await import('./bench/pki.mjs');
const { findProviders } = await import('./bench/providers.mjs');
const { writeReport } = await import('./bench/report.mjs');

const started = Date.now();
const section = (title) => console.log(`\n== ${title} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
/** Runs one section; a crash there becomes `{ status: 'failed', reason }` and the run goes on. */
async function guarded(name, fn) {
  try {
    return await fn();
  } catch (e) {
    console.log(`  ${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return { status: 'failed', reason: e instanceof Error ? e.message : String(e) };
  }
}

const git = (cmd) => {
  try {
    return execFileSync('git', cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};
const cpus = os.cpus();
const results = {
  meta: {
    date: new Date().toISOString(),
    quick,
    // SANSTLS_BENCH_COMMIT: the commit of a clean export (git archive) that has no .git of its own.
    commit: process.env.SANSTLS_BENCH_COMMIT ?? git(['rev-parse', '--short', 'HEAD']),
    dirty:
      process.env.SANSTLS_BENCH_COMMIT === undefined &&
      git(['status', '--porcelain', '--untracked-files=no', 'packages']) !== '',
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageStart: os.loadavg(),
  },
};

section('PKI (root → intermediate → leaf; ECDSA P-256, RSA-2048, Ed25519)');
const pki = makePki();
const providers = (await findProviders()).filter((p) => providerArg === undefined || p.name === providerArg);
if (providers.length === 0) {
  console.error(
    `--provider=${providerArg}: no such provider (built: ${(await findProviders()).map((p) => p.name).join(', ')})`,
  );
  process.exit(1);
}
results.providers = providers.map((p) => ({ name: p.name, source: p.source }));
results.missingProviders = providers.some((p) => p.name !== 'noble')
  ? []
  : [{ name: 'node:crypto', reason: 'not available yet: no package exports a node:crypto CryptoProvider' }];
console.log(`  providers: ${providers.map((p) => `${p.name} (${p.source})`).join(', ')}`);

if (wants('handshakes')) {
  const { handshakeRows } = await import('./bench/handshakes.mjs');
  results.handshakes = {};
  for (const p of providers) {
    section(`handshakes in memory, provider ${p.name} (CPU time of both sides)`);
    results.handshakes[p.name] = await guarded('handshakes', () =>
      handshakeRows(pki, p.provider, console.log, { rows: rowsArg === undefined ? undefined : new RegExp(rowsArg) }),
    );
  }
}
if (wants('bulk')) {
  const { bulkRows } = await import('./bench/bulk.mjs');
  results.bulk = {};
  for (const p of providers) {
    section(`bulk through SSLObject, provider ${p.name} (16 KiB records, client → server)`);
    results.bulk[p.name] = await guarded('bulk', () => bulkRows(pki, p.provider));
  }
}
if (wants('sockets') && socketsJson === undefined) {
  // The socket rows run in a child process of their own: measured after the in-memory sections in this
  // process, they inherited its heap (thousands of handshakes' promoted objects), which slowed the adapter's
  // allocation-heavy bulk path and not node:tls's (AES-128-GCM 40% of node:tls in a full run vs 74% in a
  // sockets-only run minutes later). The adapter and node:tls rows of one part share their child.
  section('over 127.0.0.1: node-adapter vs node:tls (child processes: one per provider and part)');
  results.sockets = await guarded('sockets', () => {
    // A child per provider: in one process the engine's record-path call sites (AeadKey.open/sealInPlace, the
    // providers' key objects) see both providers' classes and V8 compiles them polymorphic, which no deployment
    // with one provider sees: node:crypto's AES-128-GCM socket bulk read 210 MB/s after the noble rows vs 308 MB/s
    // without them, in back-to-back runs. A child per part too: the handshake rows' thousands of connections
    // leave a heap behind that the bulk rows' allocations then pay for in collections. node:tls is measured once,
    // in the last provider's children.
    const merged = { handshakes: [], bulk: [] };
    for (const [i, p] of providers.entries()) {
      for (const part of ['handshakes', 'bulk']) {
        const tmp = join(os.tmpdir(), `sanstls-bench-sockets-${process.pid}-${i}-${part}.json`);
        execFileSync(
          process.execPath,
          [
            fileURLToPath(import.meta.url),
            '--only=sockets',
            `--sockets-json=${tmp}`,
            `--sockets-part=${part}`,
            `--provider=${p.name}`,
            ...(i === providers.length - 1 ? [] : ['--sockets-no-native']),
            ...(quick ? ['--quick'] : []),
          ],
          { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 },
        );
        const rows = JSON.parse(readFileSync(tmp, 'utf8'));
        if (Array.isArray(rows) && Array.isArray(merged[part])) merged[part].push(...rows);
        else merged[part] = rows;
      }
    }
    return merged;
  });
} else if (socketsJson !== undefined) {
  const { socketHandshakeRows, socketBulkRows } = await import('./bench/sockets.mjs');
  const part = args.find((a) => a.startsWith('--sockets-part='))?.slice('--sockets-part='.length);
  const native = !args.includes('--sockets-no-native');
  const who = `node-adapter [${providers.map((p) => p.name).join(', ')}]${native ? ' vs node:tls' : ''}`;
  let rows;
  if (part === 'handshakes') {
    section(`handshakes over 127.0.0.1: ${who}`);
    rows = await guarded('socket handshakes', () =>
      socketHandshakeRows(pki, providers, console.log, undefined, { native }),
    );
  } else {
    section(`bulk over 127.0.0.1: ${who}`);
    rows = await guarded('socket bulk', () => socketBulkRows(pki, providers, console.log, { native }));
  }
  writeFileSync(socketsJson, JSON.stringify(rows));
  process.exit(0);
}
if (wants('memory')) {
  const { memoryRows } = await import('./bench/memory.mjs');
  section('memory per connection (child processes with --expose-gc)');
  results.memory = await guarded('memory', () =>
    memoryRows(pki, quick ? { count: 200, socketCount: 50 } : { count: 1000, socketCount: 1000 }),
  );
}
if (wants('primitives')) {
  section('primitive costs, noble vs node:crypto (scripts/bench-crypto.mjs)');
  results.primitives = await guarded('primitives', () => {
    const tmp = join(os.tmpdir(), `sanstls-bench-crypto-${process.pid}.json`);
    execFileSync(
      process.execPath,
      [fileURLToPath(new URL('./bench-crypto.mjs', import.meta.url)), '--quick', '--json', tmp],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 180_000,
      },
    );
    return { status: 'ok', ...JSON.parse(readFileSync(tmp, 'utf8')) };
  });
}
if (wants('bundle')) {
  const { bundleRows } = await import('./bench/bundle.mjs');
  section('bundle sizes (esbuild, minified, gzip -9)');
  results.bundle = await guarded('bundle', () => bundleRows());
}
if (wants('profile')) {
  const { profileRows } = await import('./bench/profile.mjs');
  section('CPU profiles (node --cpu-prof): handshake loop, bulk loops');
  results.profile = await guarded('profile', () =>
    profileRows(pki, {
      seconds: quick ? 1.5 : 3,
      withNode: providers.some((p) => p.name === 'node:crypto'),
      warmupPairs: quick ? 300 : 3000,
    }),
  );
}

results.meta.loadAverageEnd = os.loadavg();
results.meta.durationSeconds = (Date.now() - started) / 1000;
section('report');
mkdirSync(join(outDir, 'docs'), { recursive: true });
const written = writeReport(results, outDir);
for (const f of written) console.log(`  wrote ${f}`);
console.log(`done in ${results.meta.durationSeconds.toFixed(0)} s`);
