/**
 * Memory per connection, measured in a child process started with --expose-gc (so every figure is
 * taken after full collections): JS heap and RSS per established idle connection for 1,000 in-memory
 * pairs (server and client side separated by dropping the clients), per connection while a 16 KiB record
 * is in flight and after bulk transfer, and per idle socket pair through the Node adapter and node:tls.
 *
 *   node --expose-gc scripts/bench/memory.mjs <pki.json> <inmemory|sockets:<impl index>> [count]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external + m.arrayBuffers * 0, rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}
const KiB = 1024;
const per = (after, before, n) => ({
  heapKiB: (after.heapUsed - before.heapUsed) / n / KiB,
  externalKiB: (after.external - before.external) / n / KiB,
  rssKiB: (after.rss - before.rss) / n / KiB,
});

async function inMemory(pki, count) {
  const { makeContexts, makePair, handshake } = await import('./pair.mjs');
  const { transfer, RECORD } = await import('./bulk.mjs');
  const contexts = makeContexts(pki['ecdsa-p256'], { group: 'x25519' });
  handshake(makePair(contexts));
  const base = settle();
  let pairs = [];
  for (let i = 0; i < count; i++) pairs.push(handshake(makePair(contexts)));
  const both = settle();
  // Drop the client halves: what is left is the servers' share.
  for (const p of pairs) {
    p.client = null;
    p.clientIn = null;
    p.serverOut = null; // written by the server, read by the client
  }
  const serversOnly = settle();
  pairs = null;
  settle();
  // During bulk: a fresh set of pairs, each with one sealed 16 KiB record waiting in the server's BIO.
  const bulkCount = Math.min(count, 200);
  const payload = new Uint8Array(RECORD).fill(1);
  const base2 = settle();
  const bulkPairs = [];
  for (let i = 0; i < bulkCount; i++) bulkPairs.push(handshake(makePair(contexts)));
  const idle2 = settle();
  for (const p of bulkPairs) {
    p.client.write(payload);
    p.serverIn.write(p.clientOut.read());
  }
  const inFlight = settle();
  for (const p of bulkPairs) {
    p.server.read(65536);
    transfer(p, payload, 16);
  }
  const afterBulk = settle();
  return {
    count,
    perPairIdle: per(both, base, count),
    perServerIdle: per(serversOnly, base, count),
    perClientIdle: per(both, serversOnly, count),
    bulkCount,
    perPairIdleAgain: per(idle2, base2, bulkCount),
    perPairRecordInFlight: per(inFlight, base2, bulkCount),
    perPairAfterBulk: per(afterBulk, base2, bulkCount),
    retained: bulkPairs.length,
  };
}

async function sockets(pki, implIndex, count) {
  const { implementations } = await import('./sockets.mjs');
  const impl = (await implementations())[implIndex];
  const c = impl.contexts({ pki: pki['ecdsa-p256'], group: 'x25519' });
  const accepted = [];
  let onAccept = null;
  const server = c.createServer((s) => {
    s.on('error', () => {});
    accepted.push(s);
    onAccept?.();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  const connectOne = () =>
    new Promise((resolve, reject) => {
      const before = accepted.length;
      let clientDone = false;
      const check = () => {
        if (clientDone && accepted.length > before) resolve(client);
      };
      onAccept = check;
      const client = c.connect(port, () => {
        clientDone = true;
        check();
      });
      client.on('error', reject);
    });
  const warm = await connectOne();
  warm.destroy();
  await new Promise((r) => setTimeout(r, 50));
  const base = settle();
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(await connectOne());
  await new Promise((r) => setTimeout(r, 100));
  const after = settle();
  for (const cl of clients) cl.destroy();
  server.close();
  return { impl: impl.name, count, perPairIdle: per(after, base, count) };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const [, , pkiPath, mode, countArg] = process.argv;
  const { readFileSync } = await import('node:fs');
  const pki = JSON.parse(readFileSync(pkiPath, 'utf8'));
  const count = Number(countArg ?? 1000);
  const result =
    mode === 'inmemory' ? await inMemory(pki, count) : await sockets(pki, Number(mode.split(':')[1]), count);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Runs the measurements in child processes; each result or `{ status: 'failed', reason }`. */
export function memoryRows(pki, { count = 1000, socketCount = 300, implCount = 2 } = {}, log = console.log) {
  const pkiPath = join(tmpdir(), `sanstls-bench-pki-${process.pid}.json`);
  writeFileSync(pkiPath, JSON.stringify(pki));
  const run = (mode, n) => {
    try {
      const out = execFileSync(process.execPath, ['--expose-gc', self, pkiPath, mode, String(n)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 240_000,
      });
      return { status: 'ok', ...JSON.parse(out.trim().split('\n').pop()) };
    } catch (e) {
      return {
        status: 'failed',
        reason: (e.stderr || e.message || String(e)).toString().trim().split('\n').slice(-3).join(' '),
      };
    }
  };
  const inmem = run('inmemory', count);
  if (inmem.status === 'ok') {
    log(
      `  in memory, ${count} idle pairs: server ${inmem.perServerIdle.heapKiB.toFixed(1)} KiB heap, client ${inmem.perClientIdle.heapKiB.toFixed(1)} KiB heap, pair RSS ${inmem.perPairIdle.rssKiB.toFixed(1)} KiB`,
    );
  } else log(`  in memory: ${inmem.reason}`);
  const socketRows = [];
  for (let i = 0; i < implCount; i++) {
    const r = run(`sockets:${i}`, socketCount);
    socketRows.push(r);
    if (r.status === 'ok')
      log(
        `  sockets, ${r.impl}, ${socketCount} idle pairs: ${r.perPairIdle.heapKiB.toFixed(1)} KiB heap, ${r.perPairIdle.rssKiB.toFixed(1)} KiB RSS per pair`,
      );
    else log(`  sockets ${i}: ${r.reason}`);
  }
  return { inMemory: inmem, sockets: socketRows };
}
