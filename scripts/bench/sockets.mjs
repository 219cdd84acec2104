/**
 * Over 127.0.0.1 TCP: handshakes per second and bulk MB/s through the Node adapter's node:tls-shaped
 * sockets, next to Node's native tls (OpenSSL) with the same certificates, group and suite, in the same
 * process and run. Client and server live in this one process, so both sides' CPU is counted.
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { RECORD, SUITES } from './bulk.mjs';
import { dist, hasDist } from './dist.mjs';
import { budget, cpuMsSince, measureAsync, summarize, toRate } from './stats.mjs';

const NODE_GROUP = { x25519: 'X25519', secp256r1: 'P-256' };

/**
 * The implementations behind one interface: `contexts({ pki, group, suite, version })` →
 * `{ createServer(onSecure), connect(port, onSecure, session?) }`. With no argument: the Node adapter on
 * the default (noble) provider, then node:tls; `{ cryptoProvider }` measures the adapter on that provider;
 * `{ native: false }` leaves node:tls out (measured once per run).
 */
export async function implementations(providerOptions = {}) {
  const impls = [];
  if (hasDist('node-adapter')) {
    const na = await import(dist('node-adapter', 'index.js'));
    impls.push({
      name: 'sanstls (node-adapter)',
      provider: providerOptions.cryptoProvider?.name ?? 'noble',
      contexts({ pki, group, suite, version = 'TLSv1.3' }) {
        const options =
          providerOptions.cryptoProvider === undefined ? {} : { cryptoProvider: providerOptions.cryptoProvider };
        const server = new na.SSLContext(na.PROTOCOL_TLS_SERVER, options);
        server.loadCertChain(pki.certChainPem, pki.keyPem);
        const client = new na.SSLContext(na.PROTOCOL_TLS_CLIENT, options);
        // As the adapter's connect() does: Node's model verifies after the handshake.
        client.checkHostname = false;
        client.verifyMode = na.CERT_NONE;
        client.loadVerifyLocations({ cadata: pki.rootPem });
        for (const c of [client, server]) {
          c.setGroups([group]);
          if (version === 'TLSv1.3') c.minimumVersion = na.TLSVersion.TLSv1_3;
          else c.maximumVersion = na.TLSVersion.TLSv1_2;
          if (suite !== undefined) c.setCiphersuites(suite);
        }
        return {
          createServer: (onSecure) => na.createServer({ context: server }, onSecure),
          connect: (port, onSecure, session) =>
            na.connect(
              { host: '127.0.0.1', port, servername: 'localhost', context: client, ...(session ? { session } : {}) },
              onSecure,
            ),
        };
      },
    });
  }
  if (providerOptions.native !== false) {
    impls.push({
      name: 'node:tls (OpenSSL)',
      provider: `OpenSSL ${process.versions.openssl}`,
      contexts({ pki, group, suite, version = 'TLSv1.3' }) {
        const common = {
          // TLS 1.2: OpenSSL also requires the ECDSA certificate's curve among the client's supported
          // groups (RFC 8422 §5.1.1), so P-256 is listed after the key-exchange group there.
          ecdhCurve: version === 'TLSv1.2' && group !== 'secp256r1' ? `${NODE_GROUP[group]}:P-256` : NODE_GROUP[group],
          minVersion: version,
          maxVersion: version,
          // Node takes TLS 1.3 suites in `ciphers` (names starting with TLS_).
          ...(suite === undefined ? {} : { ciphers: suite }),
        };
        // tls.Server builds its one shared SecureContext from these options.
        const serverOptions = { ...common, cert: pki.certChainPem, key: pki.keyPem };
        const client = tls.createSecureContext({ ...common, ca: pki.rootPem });
        return {
          createServer: (onSecure) => tls.createServer(serverOptions, onSecure),
          connect: (port, onSecure, session) =>
            tls.connect(
              {
                host: '127.0.0.1',
                port,
                servername: 'localhost',
                secureContext: client,
                ...common,
                ...(session ? { session } : {}),
              },
              onSecure,
            ),
        };
      },
    });
  }
  return impls;
}

/**
 * The adapter on each of `providers` ([{ name, provider }]), then node:tls when `native` (measured once per
 * run: the bench gives it to the last provider's child process).
 */
async function adapterImplementations(providers, native) {
  const impls = [];
  for (const [i, p] of providers.entries()) {
    const options = p === undefined || p.name === 'noble' ? {} : { cryptoProvider: p.provider };
    impls.push(...(await implementations({ ...options, native: native && i === providers.length - 1 })));
  }
  return impls;
}

/** A listening server whose accepted sockets are handed to `onConnection`. */
async function listen(c, onSecure) {
  const server = c.createServer(onSecure);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/**
 * One handshake, resolved when both the client and the server side completed it. With `session`, the
 * client offers it and the handshake must resume it (else it rejects: resumption not available).
 */
function handshakeOnce(c, port, serverSide, session) {
  return new Promise((resolve, reject) => {
    let clientDone = false;
    let serverSocket = null;
    let client = null;
    const finish = () => {
      if (!clientDone || serverSocket === null) return;
      client.destroy();
      serverSocket.destroy();
      resolve();
    };
    serverSide.next = (s) => {
      serverSocket = s;
      finish();
    };
    client = c.connect(
      port,
      () => {
        if (session !== undefined && !client.isSessionReused()) {
          client.destroy();
          reject(new Error('session offered but not resumed (resumption not available over sockets yet)'));
          return;
        }
        clientDone = true;
        finish();
      },
      session,
    );
    client.on('error', reject);
  });
}

/** Is `s` a session worth offering: node:tls gives a Buffer; ours an SSLSession (TLS 1.3: with a ticket). */
const resumable = (s) =>
  s !== undefined && s !== null && (s instanceof Uint8Array || s.hasTicket === true || s.tls12 !== undefined);

/**
 * A full handshake whose client stays open until it holds a resumable session (TLS 1.3 tickets arrive
 * after the handshake, RFC 8446 §4.6.1): node:tls reports it with the 'session' event, the Node adapter
 * through getSession() once its engine read the NewSessionTicket. Rejects after `ms` without one.
 */
function sessionFrom(c, port, serverSide, ms = 2000) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let server = null;
    const done = (err, session) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      client.destroy();
      server?.destroy();
      if (err) reject(err);
      else resolve(session);
    };
    serverSide.next = (s) => {
      server = s;
    };
    const client = c.connect(port, () => {});
    client.on('session', (s) => done(null, s));
    client.on('error', (e) => done(e));
    client.on('data', () => {});
    const poll = setInterval(() => {
      // node:tls: only its 'session' event (its getSession() may predate the ticket); ours: SSLSession.
      const s = client.getSession?.();
      if (!(s instanceof Uint8Array) && resumable(s)) done(null, s);
    }, 2);
    const timer = setTimeout(
      () => done(new Error(`no resumable session within ${ms} ms (no session ticket: resumption not available)`)),
      ms,
    );
  });
}

/** What the socket rows measure: TLS 1.3 full per certificate, TLS 1.2 full, and both resumptions. */
export const SOCKET_KINDS = [
  { kind: 'full', version: 'TLSv1.3', cert: 'ecdsa-p256' },
  { kind: 'full', version: 'TLSv1.3', cert: 'rsa-2048' },
  { kind: 'full', version: 'TLSv1.3', cert: 'ed25519' },
  { kind: 'resumed', version: 'TLSv1.3', cert: 'ecdsa-p256' },
  { kind: 'full', version: 'TLSv1.2', cert: 'ecdsa-p256' },
  { kind: 'resumed', version: 'TLSv1.2', cert: 'ecdsa-p256' },
];

/**
 * One kind's contexts and listening server, and for a resumed kind the session to offer:
 * `{ c, port, serverSide, server, session }`. The server is closed again when the session cannot be had.
 */
async function kindServer(impl, pki, k) {
  const c = impl.contexts({ pki: pki[k.cert], group: 'x25519', version: k.version });
  const serverSide = { next: null };
  const server = await listen(c, (s) => {
    s.on('error', () => {});
    serverSide.next?.(s);
  });
  const port = server.address().port;
  try {
    const session = k.kind === 'resumed' ? await sessionFrom(c, port, serverSide) : undefined;
    return { c, port, serverSide, server, session };
  } catch (e) {
    server.close();
    throw e;
  }
}

/**
 * Every kind's handshake round-robin for about `budget.socketHandshakeWarmupMs` before an implementation's first
 * row: each row is measured in a child process of its own provider, so without it the first row alone paid for V8
 * compiling the adapter and engine code all kinds share (TLS 1.3 full ECDSA read 156 handshakes/s in one run, the
 * RSA and Ed25519 rows after it 206 and 272). A kind that fails here is left to its row to report.
 */
async function warmUpHandshakes(impl, pki, kinds) {
  const ready = [];
  for (const k of kinds) {
    try {
      ready.push(await kindServer(impl, pki, k));
    } catch {
      // Left to the kind's row to report.
    }
  }
  const end = performance.now() + budget.socketHandshakeWarmupMs;
  try {
    while (ready.length > 0 && performance.now() < end) {
      for (const w of ready) await handshakeOnce(w.c, w.port, w.serverSide, w.session);
    }
  } catch {
    // The rows measure and report.
  } finally {
    for (const w of ready) w.server.close();
  }
}

/**
 * Handshakes/s for the Node adapter on each provider (`providers`: [{ name, provider }]) and for node:tls,
 * each kind of SOCKET_KINDS, X25519. Resumed rows reuse one session (tickets are reusable without early data).
 */
export async function socketHandshakeRows(
  pki,
  providers = [undefined],
  log = console.log,
  kinds = SOCKET_KINDS,
  { native = true } = {},
) {
  const rows = [];
  const impls = await adapterImplementations(providers, native);
  for (const impl of impls) {
    await warmUpHandshakes(impl, pki, kinds);
    for (const k of kinds) {
      const row = {
        id: `sock-hs-${impl.name}-${impl.provider}-${k.version}-${k.kind}-${k.cert}`,
        impl: impl.name,
        provider: impl.provider,
        version: k.version,
        kind: k.kind,
        cert: k.cert,
        group: 'x25519',
      };
      const label = `${impl.name}${impl.name.startsWith('sanstls') ? ` [${impl.provider}]` : ''}, ${k.version.replace('TLSv', 'TLS ')} ${k.kind}, ${pki[k.cert].label}`;
      let server;
      try {
        const setup = await kindServer(impl, pki, k);
        server = setup.server;
        const { c, port, serverSide, session } = setup;
        await handshakeOnce(c, port, serverSide, session);
        const t = await measureAsync(() => handshakeOnce(c, port, serverSide, session), { batches: 5 });
        row.status = 'ok';
        row.handshakeMs = t;
        row.handshakesPerSecond = toRate(t);
      } catch (e) {
        row.status = 'not available';
        row.reason = e instanceof Error ? e.message : String(e);
      } finally {
        server?.close();
      }
      rows.push(row);
      log(
        `  ${label.padEnd(70)} ${row.status === 'ok' ? `${row.handshakesPerSecond.median.toFixed(1)} handshakes/s` : row.reason}`,
      );
    }
  }
  return rows;
}

/**
 * Sends `total` bytes from `sender` in 16 KiB writes (respecting backpressure); resolves when `sink` (the
 * receiving side's byte counter) got them all.
 */
function bulkOnce(sender, sink, total, chunk) {
  return new Promise((resolve, reject) => {
    sink.fail = reject;
    let received = 0;
    sink.onData = (n) => {
      received += n;
      if (received >= total) resolve();
    };
    let sent = 0;
    const pumpWrites = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!sender.write(chunk)) {
          sender.once('drain', pumpWrites);
          return;
        }
      }
    };
    pumpWrites();
  });
}

/**
 * measureAsync for several async functions in alternating batches (f0, f1, f0, f1, …), so that all see the
 * same machine state: each is warmed up (for its share of `warmupMs`) and calibrated to batches of about
 * `batchMs` as measureAsync does, then `batches` rounds time one batch of each. Returns each one's summary of CPU ms per call (whole
 * process) with `wall` beside it.
 */
async function measureAsyncAlternating(
  fns,
  { batches = budget.batches, batchMs = budget.batchMs * 2, warmupMs = budget.warmupMs } = {},
) {
  const perBatch = [];
  for (const fn of fns) {
    let n = 1;
    // The warm-up is shared out: the connection and the code common to all functions warm up only once.
    const warmEnd = performance.now() + warmupMs / fns.length;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await fn();
      const dt = performance.now() - t0;
      if (performance.now() >= warmEnd && (dt > batchMs / 4 || n >= 1 << 16)) {
        perBatch.push(Math.max(1, Math.round((n * batchMs) / Math.max(dt, 0.001))));
        break;
      }
      if (dt < batchMs / 4) n *= 2;
    }
  }
  const samples = fns.map(() => []);
  const wall = fns.map(() => []);
  for (let b = 0; b < batches; b++) {
    for (const [k, fn] of fns.entries()) {
      const n = perBatch[k];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await fn();
      wall[k].push((performance.now() - t0) / n);
      samples[k].push(cpuMsSince(c0) / n);
    }
  }
  return fns.map((_, k) => ({ ...summarize(samples[k]), wall: summarize(wall[k]), perBatch: perBatch[k] }));
}

/**
 * MB/s through one established socket pair per suite, for the adapter on each provider and node:tls, in
 * both directions: client → server (`MBps`) and server → client (`serverToClientMBps`), alternated batch
 * by batch on the same connection. The adapter's two ends read differently (a client socket through
 * Node's onread into a shared buffer, an accepted server socket through the stream), so each direction
 * exercises a different receive path.
 */
export async function socketBulkRows(pki, providers = [undefined], log = console.log, { native = true } = {}) {
  const rows = [];
  const chunk = new Uint8Array(RECORD).fill(0x61);
  const impls = await adapterImplementations(providers, native);
  for (const impl of impls) {
    for (const s of SUITES) {
      const row = {
        id: `sock-bulk-${impl.name}-${impl.provider}-${s.aead}`,
        impl: impl.name,
        provider: impl.provider,
        suite: s.suite,
        aead: s.aead,
      };
      let server;
      let client;
      try {
        const c = impl.contexts({ pki: pki['ecdsa-p256'], group: 'x25519', suite: s.suite });
        // The receiving end's byte counter of each direction (bulkOnce sets onData and fail).
        const atServer = { onData: null, fail: null };
        const atClient = { onData: null, fail: null };
        const fail = (e) => {
          atServer.fail?.(e);
          atClient.fail?.(e);
        };
        let serverSocket;
        const accepted = new Promise((resolve) => {
          atServer.accept = resolve;
        });
        server = await listen(c, (sock) => {
          sock.on('error', fail);
          sock.on('data', (d) => atServer.onData?.(d.length));
          serverSocket = sock;
          atServer.accept(sock);
        });
        const port = server.address().port;
        client = c.connect(port);
        client.on('error', fail);
        client.on('data', (d) => atClient.onData?.(d.length));
        await Promise.all([once(client, 'secureConnect'), accepted]);
        const negotiated = client.getCipher()?.standardName ?? client.getCipher()?.name;
        if (negotiated !== s.suite) throw new Error(`negotiated ${negotiated}, not ${s.suite}`);
        const directions = [
          { sender: client, sink: atServer },
          { sender: serverSocket, sink: atClient },
        ];
        // About 50 ms per transfer at the measured speed of each direction (calibrated by a first transfer).
        const probeBytes = RECORD * 64;
        for (const d of directions) {
          const t0 = performance.now();
          await bulkOnce(d.sender, d.sink, probeBytes, chunk);
          const mbpsGuess = probeBytes / 1000 / Math.max(performance.now() - t0, 0.1);
          d.total = Math.max(RECORD * 16, Math.round((mbpsGuess * 1000 * 50) / RECORD) * RECORD);
        }
        const [up, down] = await measureAsyncAlternating(
          directions.map((d) => () => bulkOnce(d.sender, d.sink, d.total, chunk)),
          { batches: 5, warmupMs: budget.socketBulkWarmupMs },
        );
        row.status = 'ok';
        row.MBps = toRate(up, directions[0].total / 1000);
        row.serverToClientMBps = toRate(down, directions[1].total / 1000);
      } catch (e) {
        row.status = 'failed';
        row.reason = e instanceof Error ? e.message : String(e);
      } finally {
        client?.destroy();
        server?.close();
      }
      rows.push(row);
      log(
        `  ${`${impl.name}${impl.name.startsWith('sanstls') ? ` [${impl.provider}]` : ''}, ${s.suite}`.padEnd(70)} ${row.status === 'ok' ? `c→s ${row.MBps.median.toFixed(1)} MB/s, s→c ${row.serverToClientMBps.median.toFixed(1)} MB/s` : row.reason}`,
      );
    }
  }
  return rows;
}
