/**
 * CPU profiles (`node --cpu-prof`) of a handshake loop and of bulk loops over the built dist, summarized
 * as the top self-time functions and the self time per module/package.
 *
 *   node --cpu-prof scripts/bench/profile.mjs <pki.json> <handshake|bulk-<AEAD suite>> <seconds>
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

if (process.argv[1] === self) {
  let [, , pkiPath, what, secondsArg, warmupArg = '0'] = process.argv;
  // Handshake loops warm up for this many iterations (at most 25 s) before sampling: engine functions run
  // once per handshake, and V8 optimises them only after thousands (--trace-opt: until about 3,000 pairs),
  // so a profile taken earlier shows engine code running unoptimised (see handshakes.mjs warmUp).
  const warmupPairs = Number(warmupArg);
  const warm = (fn) => {
    const stop = performance.now() + 25_000;
    for (let i = 0; i < warmupPairs && performance.now() < stop; i++) fn();
  };
  const pki = JSON.parse(readFileSync(pkiPath, 'utf8'));
  const { connectPair, makeContexts: makeContextsFor, makePair, handshake } = await import('./pair.mjs');
  // `<target>@node`: the same loop on the node:crypto provider (the Node adapter's), where the primitives
  // are cheap and the engine's own work stands out.
  let provider;
  if (what.endsWith('@node')) {
    const { dist } = await import('./dist.mjs');
    provider = (await import(dist('node-adapter', 'index.js'))).nodeCryptoProvider;
    if (provider === undefined) throw new Error('Error: no node:crypto provider exported by @sanstls/node-adapter');
    what = what.slice(0, -'@node'.length);
  }
  const makeContexts = (pkiEntry, options) => makeContextsFor(pkiEntry, { ...options, provider });
  let n = 0;
  // Set-up (module loading, the first handshake) is excluded from the summary: only samples taken after
  // `loopStartUs` (the profiler's monotonic clock, as process.hrtime) are counted.
  let loopStartUs = 0;
  let end = 0;
  const startLoop = () => {
    loopStartUs = Number(process.hrtime.bigint() / 1000n);
    end = performance.now() + Number(secondsArg) * 1000;
  };
  if (what === 'handshake') {
    const contexts = makeContexts(pki['ecdsa-p256'], { group: 'x25519' });
    for (let i = 0; i < 5; i++) connectPair(contexts);
    warm(() => connectPair(contexts));
    startLoop();
    while (performance.now() < end) {
      connectPair(contexts);
      n++;
    }
  } else if (what === 'resumed-tls12' || what === 'resumed-tls13') {
    const version = what === 'resumed-tls12' ? 'TLSv1.2' : 'TLSv1.3';
    const contexts = makeContexts(pki['ecdsa-p256'], { group: 'x25519', version });
    let session = connectPair(contexts).client.session;
    const resume = () => {
      const pair = handshake(makePair(contexts, { session }));
      if (!pair.client.sessionReused) throw new Error(`Error: ${version} session not resumed (not implemented yet)`);
      session = pair.client.session;
    };
    for (let i = 0; i < 20; i++) resume();
    warm(resume);
    startLoop();
    while (performance.now() < end) {
      resume();
      n++;
    }
  } else {
    const { transfer, RECORD } = await import('./bulk.mjs');
    const suite = what.slice('bulk-'.length);
    const pair = connectPair(makeContexts(pki['ecdsa-p256'], { group: 'x25519', suite }));
    const payload = new Uint8Array(RECORD).fill(7);
    transfer(pair, payload, 64);
    startLoop();
    while (performance.now() < end) {
      transfer(pair, payload, 8);
      n += 8;
    }
  }
  process.stdout.write(`${JSON.stringify({ iterations: n, loopStartUs })}\n`);
  process.exit(0);
}

/** Self time per function and per module from a .cpuprofile. */
export function summarizeProfile(profile, top = 15, fromUs = 0) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs) continue;
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const mod = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const url = callFrame.url.replace(/^file:\/\//, '').replace(repoRoot, '');
    const shortUrl = url.replace(/^.*node_modules\/(?!.*node_modules\/)/, '');
    const name = callFrame.functionName || (url === '' ? `(${callFrame.functionName || 'native/vm'})` : '(anonymous)');
    const key = url === '' ? name : `${name} ${shortUrl}:${callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const module =
      url === ''
        ? name.startsWith('(')
          ? name
          : '(native)'
        : (url.match(/node_modules\/(?!.*node_modules\/)(@[^/]+\/[^/]+)/)?.[1] ??
          url.match(/packages\/([^/]+\/dist\/[^/]+(?:\/[^/]+)?)/)?.[1]?.replace(/\.js$/, '') ??
          (url.startsWith('node:') ? 'node internals' : shortUrl));
    mod.set(module, (mod.get(module) ?? 0) + us);
  }
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: rank(fn), modules: rank(mod) };
}

/** Profiles each target in a child process; returns `{ target: summary }`. */
export function profileRows(pki, { seconds = 3, withNode = false, warmupPairs = 3000 } = {}, log = console.log) {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-prof-'));
  const pkiPath = join(dir, 'pki.json');
  writeFileSync(pkiPath, JSON.stringify(pki));
  const out = {};
  for (const target of [
    'handshake',
    'resumed-tls13',
    'resumed-tls12',
    'bulk-TLS_CHACHA20_POLY1305_SHA256',
    'bulk-TLS_AES_128_GCM_SHA256',
    ...(withNode ? ['handshake@node', 'bulk-TLS_AES_128_GCM_SHA256@node'] : []),
  ]) {
    const profDir = join(dir, target);
    try {
      const stdout = execFileSync(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${profDir}`, self, pkiPath, target, String(seconds), String(warmupPairs)],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      const result = JSON.parse(stdout.trim().split('\n').pop());
      const summary = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')), 15, result.loopStartUs);
      out[target] = { status: 'ok', iterations: result.iterations, seconds, warmupPairs, ...summary };
      log(
        `  ${target}: top ${summary.functions
          .slice(0, 3)
          .map((f) => `${f.name.split(' ')[0]} ${(f.share * 100).toFixed(0)}%`)
          .join(', ')}`,
      );
    } catch (e) {
      const stderr = e?.stderr?.toString().trim().split('\n') ?? [];
      out[target] = {
        status: 'failed',
        reason: stderr.find((l) => /Error/.test(l)) ?? (e instanceof Error ? e.message.split('\n')[0] : String(e)),
      };
      log(`  ${target}: ${out[target].reason}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}
