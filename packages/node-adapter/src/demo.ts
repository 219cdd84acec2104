/**
 * The quick-start demo (`pnpm demo`). No network: everything happens on 127.0.0.1 in a few seconds.
 *
 * It makes a CA and a server certificate with sanstls, decodes and validates them (cross-checked by Node's X.509
 * code and `openssl verify`), starts a sanstls TLS 1.3 server with an HTTP handler, and connects to it with the
 * sanstls client, Node's own `tls` client, `openssl s_client` (when installed) and Node's `https` module running
 * over a sanstls socket — printing protocol, cipher, ALPN and the peer certificate each saw — and times the same
 * handshake on the two crypto providers (noble, node:crypto).
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { type AddressInfo, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  decodeCertificate,
  encodePrivateKeyPem,
  generatePrivateKey,
  SSLCertVerificationError,
  verifyChain,
} from '@sanstls/x509';
import { createCertificate } from '@sanstls/x509/generate';
import {
  connect,
  createServer,
  defaultProvider,
  nodeCryptoProvider,
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  type TLSSocket,
} from './index.js';

const started = performance.now();
const shown: string[] = [];
const step = (title: string): void => console.log(`\n== ${title}`);
const ok = (text: string): void => {
  console.log(`  ok  ${text}`);
  shown.push(text);
};
const info = (text: string): void => console.log(`      ${text}`);

const fail = (text: string): void => {
  console.log(`  FAIL  ${text}`);
  process.exitCode = 1;
};
const p256Key = () => generatePrivateKey({ kind: 'ec', curve: 'P-256' }, (n) => new Uint8Array(randomBytes(n)));

step('1. Certificates made by sanstls (@sanstls/x509/generate)');
const caKey = p256Key();
const ca = createCertificate({
  subject: 'CN=sanstls demo CA,O=sanstls',
  key: caKey,
  isCa: true,
  days: 1,
});
const serverKey = p256Key();
const server = createCertificate({
  subject: 'CN=localhost,O=sanstls',
  key: serverKey,
  issuer: { certificate: ca.der, key: caKey },
  extKeyUsage: ['serverAuth'],
  subjectAltNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
  days: 1,
});
ok('ECDSA P-256 CA and a server certificate for localhost / 127.0.0.1');

step("2. Decoded as Python's getpeercert() dict");
const dict = decodeCertificate(server.der);
info(`subject         ${JSON.stringify(dict.subject)}`);
info(`issuer          ${JSON.stringify(dict.issuer)}`);
info(`subjectAltName  ${JSON.stringify(dict.subjectAltName)}`);
info(`valid           ${dict.notBefore} .. ${dict.notAfter}`);
ok('decodeCertificate');

step('3. Chain validation by sanstls (RFC 5280)');
const chain = verifyChain({ leaf: server.der, trustAnchors: [ca.der], hostname: 'localhost' });
ok(`server → CA verifies for "localhost" (path of ${chain.chain.length} certificates)`);
try {
  verifyChain({ leaf: server.der, trustAnchors: [ca.der], hostname: 'example.com' });
  console.log('  FAIL  a certificate for localhost was accepted for example.com');
  process.exitCode = 1;
} catch (err) {
  if (!(err instanceof SSLCertVerificationError)) throw err;
  ok(`rejected for "example.com": X509_V_ERR ${err.verifyCode} (${err.verifyMessage})`);
}

step('4. The same certificates checked by other implementations');
const nodeCa = new X509Certificate(ca.pem);
const nodeLeaf = new X509Certificate(server.pem);
if (nodeLeaf.checkIssued(nodeCa) && nodeLeaf.verify(nodeCa.publicKey) && nodeLeaf.checkHost('localhost')) {
  ok("Node's X509Certificate: issued by the CA, signature valid, host localhost matches");
} else {
  console.log("  FAIL  Node's X509Certificate does not accept the chain");
  process.exitCode = 1;
}
const dir = mkdtempSync(join(tmpdir(), 'sanstls-demo-'));
try {
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'server.pem'), server.pem);
  const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ok(`openssl verify: ${out.trim().replace(`${dir}/`, '')}`);
} catch (err) {
  const e = err as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOENT') info('openssl not installed: skipped');
  else {
    console.log(`  FAIL  openssl verify: ${e.stderr ?? e.message}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

step('5. A sanstls TLS 1.3 server on 127.0.0.1, serving HTTP');
const httpHandler = http.createServer((req, res) => {
  const socket = req.socket as unknown as TLSSocket;
  res.setHeader('content-type', 'text/plain');
  res.end(
    `hello from a sanstls server: ${socket.getProtocol()} ${socket.getCipher()?.name} ALPN ${socket.alpnProtocol}\n`,
  );
});
const tlsServer = createServer(
  { cert: server.pem, key: encodePrivateKeyPem(serverKey), ALPNProtocols: ['http/1.1'] },
  (socket) => httpHandler.emit('connection', socket),
);
tlsServer.listen(0, '127.0.0.1');
await once(tlsServer, 'listening');
const port = (tlsServer.address() as AddressInfo).port;
ok(`listening on 127.0.0.1:${port}`);
const work = (async () => {
  step('6. The sanstls client (Python-shaped SSLSocket)');
  {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.loadVerifyLocations({ cadata: ca.pem });
    ctx.setAlpnProtocols(['http/1.1']);
    const raw = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
    await once(raw, 'connect');
    const sock = ctx.wrapSocket(raw, { serverHostname: 'localhost' });
    await sock.doHandshake();
    await sock.sendall('GET /sanstls HTTP/1.0\r\nHost: localhost\r\n\r\n');
    let reply = '';
    for (let d = await sock.recv(4096); d.length > 0; d = await sock.recv(4096)) reply += Buffer.from(d).toString();
    const peer = sock.getPeerCert() as { subject?: unknown; issuer?: unknown };
    info(`protocol ${sock.version()}, cipher ${sock.cipher()?.[0]}, ALPN ${sock.selectedAlpnProtocol()}`);
    info(`peer subject ${JSON.stringify(peer.subject)}, issuer ${JSON.stringify(peer.issuer)}`);
    info(`answer: ${reply.split('\r\n\r\n')[1]?.trim()}`);
    if (!reply.startsWith('HTTP/1.1 200')) fail('sanstls client got no 200');
    else ok('sanstls client ↔ sanstls server: verified, HTTP 200');
    await sock.close();
  }

  step("7. Node's own tls client (OpenSSL inside) against the sanstls server");
  {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: ca.pem,
      ALPNProtocols: ['http/1.1'],
    });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerCertificate();
    info(`protocol ${socket.getProtocol()}, cipher ${socket.getCipher().name}, ALPN ${socket.alpnProtocol}`);
    info(`peer subject CN=${cert.subject.CN}, issuer CN=${cert.issuer.CN}, SAN ${cert.subjectaltname}`);
    if (socket.authorized) ok("Node's tls client: authorized");
    else fail(`Node's tls client: ${socket.authorizationError}`);
    socket.destroy();
  }

  step('8. openssl s_client against the sanstls server');
  {
    const dir = mkdtempSync(join(tmpdir(), 'sanstls-demo-'));
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    let hasOpenssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      hasOpenssl = false;
      info('openssl not installed: skipped');
    }
    try {
      if (!hasOpenssl) throw new Error('skip');
      const child = spawn(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-CAfile',
          join(dir, 'ca.pem'),
          '-servername',
          'localhost',
          '-verify_return_error',
          '-nocommands',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stdin.end('GET / HTTP/1.0\r\n\r\n');
      const [code] = (await Promise.race([
        once(child, 'close'),
        new Promise((r) => setTimeout(() => r([null]), 10_000)),
      ])) as [number | null];
      child.kill();
      const cipher = /Cipher is (\S+)/.exec(out)?.[1];
      const verify = /Verify return code: (.*)/.exec(out)?.[1];
      info(`openssl says: ${/New, (TLSv[\d.]+)/.exec(out)?.[1]}, cipher ${cipher}, verify return code ${verify}`);
      if (code === 0 && verify === '0 (ok)') ok('openssl s_client: verified and connected');
      else fail(`openssl s_client exited with ${code}`);
    } catch (err) {
      if (hasOpenssl) fail(`openssl s_client: ${(err as Error).message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  step("9. Node's https module over a sanstls socket (createConnection)");
  {
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port,
          path: '/via-https-module',
          createConnection: () => connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.pem }) as never,
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
          });
          res.on('end', () => resolve(`${res.statusCode} ${text.trim()}`));
        },
      );
      req.on('error', reject);
    });
    info(`https.get → ${body}`);
    if (body.startsWith('200 ')) ok('https.get over a sanstls client socket against the sanstls server: 200');
    else fail('https.get failed');
  }

  step('10. Crypto providers: noble (pure JS, the default) and node:crypto, chosen per context');
  {
    const rows: string[] = [];
    for (const [name, cryptoProvider] of [
      ['noble', defaultProvider],
      ['node:crypto', nodeCryptoProvider],
    ] as const) {
      const providerServer = createServer(
        { cert: server.pem, key: encodePrivateKeyPem(serverKey), cryptoProvider },
        (s) => {
          s.on('error', () => {}); // the client hangs up right after its handshake
          s.resume();
        },
      );
      providerServer.listen(0, '127.0.0.1');
      await once(providerServer, 'listening');
      const providerPort = (providerServer.address() as AddressInfo).port;
      const handshakes = 10;
      let cipher: string | undefined;
      let t0 = performance.now();
      for (let i = -3; i < handshakes; i++) {
        if (i === 0) t0 = performance.now(); // three warm-up handshakes (JIT) are not counted
        const socket = connect({
          host: '127.0.0.1',
          port: providerPort,
          servername: 'localhost',
          ca: ca.pem,
          cryptoProvider,
        });
        await once(socket, 'secureConnect');
        socket.on('error', () => {});
        cipher = socket.getCipher()?.name;
        socket.destroy();
      }
      const perHandshake = (performance.now() - t0) / handshakes;
      providerServer.close();
      rows.push(`${name}: ${perHandshake.toFixed(1)} ms per handshake (both sides, ${cipher})`);
    }
    for (const row of rows) info(row);
    info("(the default X25519MLKEM768 key share's ML-KEM half is pure JS on both: Node 20 has no ML-KEM)");
    ok('the same handshake on either provider (noble prefers ChaCha20, node:crypto AES-GCM)');
  }
})();
try {
  await Promise.race([
    work,
    new Promise((_, reject) => setTimeout(() => reject(new Error('demo took over 30 s')), 30_000)),
  ]);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
} finally {
  tlsServer.close();
  httpHandler.close();
}

console.log(
  `\nsanstls demo: ${shown.length} things shown in ${Math.round(performance.now() - started)} ms, no network used.`,
);
if (process.exitCode) console.log('Some steps FAILED (see above).');
process.exit(process.exitCode ?? 0);
