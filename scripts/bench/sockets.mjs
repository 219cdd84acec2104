/**
 * Over 127.0.0.1 TCP: handshakes per second and bulk MB/s through the Node adapter's node:tls-shaped
 * sockets, next to Node's native tls (OpenSSL) with the same certificates, group and suite, in the same
 * process and run. Client and server live in this one process, so both sides' CPU is counted.
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { RECORD, SUITES } from './bulk.mjs';
import { dist, hasDist } from './dist.mjs';
import { measureAsync, toRate } from './stats.mjs';

const NODE_GROUP = { x25519: 'X25519', secp256r1: 'P-256' };

/** The two implementations behind one interface: `server(opts)` → {port, close, onSecure}, `connect(opts)`. */
export async function implementations(providerOptions = {}) {
  const impls = [];
  if (hasDist('node-adapter')) {
    const na = await import(dist('node-adapter', 'index.js'));
    impls.push({
      name: 'sanstls (node-adapter)',
      provider: providerOptions.cryptoProvider?.name ?? 'noble',
      contexts({ pki, group, suite }) {
        const options = providerOptions.cryptoProvider === undefined ? {} : providerOptions;
        const server = new na.SSLContext(na.PROTOCOL_TLS_SERVER, options);
        server.loadCertChain(pki.certChainPem, pki.keyPem);
        const client = new na.SSLContext(na.PROTOCOL_TLS_CLIENT, options);
        // As the adapter's connect() does: Node's model verifies after the handshake.
        client.checkHostname = false;
        client.verifyMode = na.CERT_NONE;
        client.loadVerifyLocations({ cadata: pki.rootPem });
        for (const c of [client, server]) {
          c.setGroups([group]);
          c.minimumVersion = na.TLSVersion.TLSv1_3;
          if (suite !== undefined) c.setCiphersuites(suite);
        }
        return {
          createServer: (onSecure) => na.createServer({ context: server }, onSecure),
          connect: (port, onSecure) =>
            na.connect({ host: '127.0.0.1', port, servername: 'localhost', context: client }, onSecure),
        };
      },
    });
  }
  impls.push({
    name: 'node:tls (OpenSSL)',
    provider: `OpenSSL ${process.versions.openssl}`,
    contexts({ pki, group, suite }) {
      const common = {
        ecdhCurve: NODE_GROUP[group],
        minVersion: 'TLSv1.3',
        // Node takes TLS 1.3 suites in `ciphers` (names starting with TLS_).
        ...(suite === undefined ? {} : { ciphers: suite }),
      };
      // tls.Server builds its one shared SecureContext from these options.
      const serverOptions = { ...common, cert: pki.certChainPem, key: pki.keyPem };
      const client = tls.createSecureContext({ ...common, ca: pki.rootPem });
      return {
        createServer: (onSecure) => tls.createServer(serverOptions, onSecure),
        connect: (port, onSecure) =>
          tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: client, ...common }, onSecure),
      };
    },
  });
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

/** One handshake, resolved when both the client and the server side completed it. */
function handshakeOnce(c, port, serverSide) {
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
    client = c.connect(port, () => {
      clientDone = true;
      finish();
    });
    client.on('error', reject);
  });
}

/** Handshakes/s for each implementation. */
export async function socketHandshakeRows(pki, certs = ['ecdsa-p256', 'rsa-2048'], log = console.log, providerOptions) {
  const rows = [];
  for (const impl of await implementations(providerOptions)) {
    for (const cert of certs) {
      const row = {
        id: `sock-hs-${impl.name}-${cert}`,
        impl: impl.name,
        provider: impl.provider,
        cert,
        group: 'x25519',
      };
      let server;
      try {
        const c = impl.contexts({ pki: pki[cert], group: 'x25519' });
        const serverSide = { next: null };
        server = await listen(c, (s) => {
          s.on('error', () => {});
          serverSide.next?.(s);
        });
        const port = server.address().port;
        await handshakeOnce(c, port, serverSide);
        const t = await measureAsync(() => handshakeOnce(c, port, serverSide));
        row.status = 'ok';
        row.handshakeMs = t;
        row.handshakesPerSecond = toRate(t);
      } catch (e) {
        row.status = 'failed';
        row.reason = e instanceof Error ? e.message : String(e);
      } finally {
        server?.close();
      }
      rows.push(row);
      log(
        `  ${`${impl.name}, ${pki[cert].label}`.padEnd(44)} ${
          row.status === 'ok' ? `${row.handshakesPerSecond.median.toFixed(1)} handshakes/s` : row.reason
        }`,
      );
    }
  }
  return rows;
}

/** Sends `total` bytes client → server in 16 KiB writes (respecting backpressure); resolves on full receipt. */
function bulkOnce(client, serverSide, total, chunk) {
  return new Promise((resolve, reject) => {
    serverSide.fail = reject;
    let received = 0;
    serverSide.onData = (n) => {
      received += n;
      if (received >= total) resolve();
    };
    let sent = 0;
    const pumpWrites = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!client.write(chunk)) {
          client.once('drain', pumpWrites);
          return;
        }
      }
    };
    pumpWrites();
  });
}

/** MB/s through one established socket pair per suite, for each implementation. */
export async function socketBulkRows(pki, log = console.log, providerOptions) {
  const rows = [];
  const chunk = new Uint8Array(RECORD).fill(0x61);
  for (const impl of await implementations(providerOptions)) {
    for (const s of SUITES) {
      const row = {
        id: `sock-bulk-${impl.name}-${s.aead}`,
        impl: impl.name,
        provider: impl.provider,
        suite: s.suite,
        aead: s.aead,
      };
      let server;
      let client;
      try {
        const c = impl.contexts({ pki: pki['ecdsa-p256'], group: 'x25519', suite: s.suite });
        const serverSide = { onData: null };
        const accepted = new Promise((resolve) => {
          serverSide.accept = resolve;
        });
        server = await listen(c, (sock) => {
          sock.on('error', () => {});
          sock.on('data', (d) => serverSide.onData?.(d.length));
          serverSide.accept(sock);
        });
        const port = server.address().port;
        client = c.connect(port);
        client.on('error', (e) => serverSide.fail?.(e));
        await Promise.all([once(client, 'secureConnect'), accepted]);
        const negotiated = client.getCipher()?.standardName ?? client.getCipher()?.name;
        if (negotiated !== s.suite) throw new Error(`negotiated ${negotiated}, not ${s.suite}`);
        // About 50 ms per transfer at the measured speed of each side (calibrated by a first transfer).
        const probeBytes = RECORD * 64;
        const t0 = performance.now();
        await bulkOnce(client, serverSide, probeBytes, chunk);
        const mbpsGuess = probeBytes / 1000 / Math.max(performance.now() - t0, 0.1);
        const total = Math.max(RECORD * 16, Math.round((mbpsGuess * 1000 * 50) / RECORD) * RECORD);
        const t = await measureAsync(() => bulkOnce(client, serverSide, total, chunk), { batches: 5 });
        row.status = 'ok';
        row.MBps = toRate(t, total / 1000);
      } catch (e) {
        row.status = 'failed';
        row.reason = e instanceof Error ? e.message : String(e);
      } finally {
        client?.destroy();
        server?.close();
      }
      rows.push(row);
      log(
        `  ${`${impl.name}, ${s.suite}`.padEnd(58)} ${row.status === 'ok' ? `${row.MBps.median.toFixed(1)} MB/s` : row.reason}`,
      );
    }
  }
  return rows;
}
