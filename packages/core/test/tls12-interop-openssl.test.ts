/**
 * TLS 1.2 interop over 127.0.0.1 with the openssl CLI (3.0), both directions, for every suite (ECDHE_ECDSA,
 * ECDHE_RSA, DHE_RSA × AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305), plus mutual TLS, ALPN, resumption with
 * `-sess_out/-sess_in` (session ID and ticket) and RFC 5705 exporter values equal to `s_client -keymatexport`.
 * Every peer runs under a hang guard; the file skips with a printed reason when openssl is absent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CERT_REQUIRED,
  OP_CIPHER_SERVER_PREFERENCE,
  OP_NO_RENEGOTIATION,
  OP_NO_TICKET,
  type SSLContext,
  TLSVersion,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  connectedClient,
  echoServer,
  fetchPage,
  interopScope,
  opensslClient,
  opensslServer,
} from './helpers/openssl-interop.js';
import { clientContext, type KeyType, serverContext, testPki } from './helpers/tls-pair.js';
import { hasTool, type Peer, startPeer, within } from './helpers/tls12-peers.js';

const haveOpenssl = hasTool('openssl');
if (!haveOpenssl) console.log('tls12-interop-openssl: skipped, the openssl CLI is not installed');

const scope = interopScope();
const { peers } = scope;

/** `key`: the s_server certificate; `ourKey`: ours when it differs (x509 cannot sign with RSA-PSS-restricted keys). */
const SUITES: { name: string; key: KeyType; ourKey?: KeyType; dhe?: boolean }[] = [
  { name: 'ECDHE-ECDSA-AES128-GCM-SHA256', key: 'ec256' },
  { name: 'ECDHE-ECDSA-AES256-GCM-SHA384', key: 'ec384' },
  { name: 'ECDHE-ECDSA-CHACHA20-POLY1305', key: 'ed25519' },
  { name: 'ECDHE-RSA-AES128-GCM-SHA256', key: 'rsa2048' },
  { name: 'ECDHE-RSA-AES256-GCM-SHA384', key: 'rsa2048' },
  { name: 'ECDHE-RSA-CHACHA20-POLY1305', key: 'rsapss', ourKey: 'rsa2048' },
  { name: 'DHE-RSA-AES128-GCM-SHA256', key: 'rsa2048', dhe: true },
  { name: 'DHE-RSA-AES256-GCM-SHA384', key: 'rsa2048', dhe: true },
  { name: 'DHE-RSA-CHACHA20-POLY1305', key: 'rsa2048', dhe: true },
];

let dhFile: string | undefined;
function ffdhe2048File(): string {
  if (dhFile === undefined) {
    const pem = startPeerSync(['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048']);
    dhFile = join(testPki().dir, 'ffdhe2048.pem');
    writeFileSync(dhFile, pem);
  }
  return dhFile;
}

function startPeerSync(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

function client12(): SSLContext {
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

/** s_server -tls1_2 -www with `keyType`'s certificate; its port. */
async function sServer(args: string[], keyType: KeyType = 'ec256'): Promise<number> {
  return (await opensslServer(scope, ['-tls1_2', '-www', ...args], keyType)).port;
}

describe.skipIf(!haveOpenssl)('TLS 1.2: our client ↔ openssl s_server -tls1_2', () => {
  for (const suite of SUITES) {
    it(`${suite.name} (${suite.key} certificate)`, async () => {
      const port = await sServer(
        ['-cipher', suite.name, ...(suite.dhe ? ['-dhparam', ffdhe2048File()] : [])],
        suite.key,
      );
      const ctx = client12();
      ctx.setCiphers(suite.name);
      if (suite.dhe) ctx.loadDhParams('ffdhe2048');
      const { page, conn } = await fetchPage(scope, port, ctx);
      expect(page).toContain(`New, TLSv1.2, Cipher is ${suite.name}`);
      expect(conn.obj.cipher()).toEqual([suite.name, 'TLSv1.2', suite.name.includes('AES128') ? 128 : 256]);
      expect(conn.obj.version()).toBe('TLSv1.2');
      expect(page).toMatch(/Extended master secret: yes/);
    });
  }

  for (const group of ['X25519', 'P-256', 'P-384']) {
    it(`ECDHE over ${group}`, async () => {
      const port = await sServer(['-groups', group]);
      const ctx = client12();
      const { conn } = await fetchPage(scope, port, ctx);
      expect(conn.obj.connection.negotiated.group).toBe(
        { X25519: 'x25519', 'P-256': 'secp256r1', 'P-384': 'secp384r1' }[group],
      );
    });
  }

  it('a TLS 1.3 client (both versions enabled) negotiates TLS 1.2 with a TLS 1.2-only server', async () => {
    const port = await sServer([]);
    const { conn } = await fetchPage(scope, port, clientContext());
    expect(conn.obj.version()).toBe('TLSv1.2');
  });

  it('presents a client certificate to s_server -Verify', async () => {
    const pki = testPki();
    const port = await sServer(['-Verify', '1', '-CAfile', pki.caFile]);
    const ctx = client12();
    ctx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const { page } = await fetchPage(scope, port, ctx);
    expect(page).toMatch(/Client certificate|CN ?= ?client/);
  });

  it('negotiates ALPN', async () => {
    const port = await sServer(['-alpn', 'h2,http/1.1']);
    const ctx = client12();
    ctx.setAlpnProtocols(['http/1.1']);
    const { conn } = await fetchPage(scope, port, ctx);
    expect(conn.obj.selectedAlpnProtocol()).toBe('http/1.1');
  });

  it('derives the same (extended) master secret as OpenSSL: key-log lines agree', async () => {
    const keylog = join(testPki().dir, `s_server-keylog-${Date.now()}.txt`);
    const port = await sServer(['-keylogfile', keylog]);
    const ctx = client12();
    const ours: string[] = [];
    ctx.keylogCallback = (line) => ours.push(line);
    await fetchPage(scope, port, ctx);
    const theirs = readFileSync(keylog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('CLIENT_RANDOM'));
    expect(ours).toHaveLength(1);
    expect(theirs.map((l) => l.toLowerCase())).toContain(ours[0]!.toLowerCase());
  });

  for (const mode of ['ticket', 'session ID'] as const) {
    it(`resumes by ${mode}`, async () => {
      const port = await sServer(mode === 'ticket' ? [] : ['-no_ticket']);
      const ctx = client12();
      const first = await fetchPage(scope, port, ctx);
      expect(first.page).toContain('New, TLSv1.2');
      const session = first.conn.obj.session!;
      expect(session.hasTicket).toBe(mode === 'ticket');
      expect(session.id.length).toBe(32);
      const second = await fetchPage(scope, port, ctx, session);
      expect(second.page).toContain('Reused, TLSv1.2');
      expect(second.conn.obj.sessionReused).toBe(true);
    });
  }
});

async function sClient(port: number, args: string[], input = 'hello from s_client\n'): Promise<Peer> {
  return opensslClient(scope, port, ['-tls1_2', '-verify_return_error', ...args], input);
}

describe.skipIf(!haveOpenssl)('TLS 1.2: openssl s_client -tls1_2 ↔ our server', () => {
  for (const suite of SUITES) {
    it(`${suite.name} (${suite.key} certificate)`, async () => {
      const ctx = serverContext([suite.ourKey ?? suite.key]);
      ctx.setCiphers('ALL');
      if (suite.dhe) ctx.loadDhParams('ffdhe2048');
      const { port, connections } = await echoServer(scope, ctx);
      const child = await sClient(port, ['-cipher', suite.name]);
      await child.waitFor(/echo:hello from s_client/);
      expect(child.output()).toContain(`New, TLSv1.2, Cipher is ${suite.name}`);
      expect(child.output()).toContain('Verify return code: 0 (ok)');
      expect(child.output()).toMatch(/Extended master secret: yes/);
      expect(connections[0]!.obj.cipher()?.[0]).toBe(suite.name);
    });
  }

  it('requires and verifies an s_client certificate', async () => {
    const pki = testPki();
    const ctx = serverContext();
    ctx.verifyMode = CERT_REQUIRED;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    const { port, connections } = await echoServer(scope, ctx);
    const child = await sClient(port, ['-cert', pki.client.certFile, '-key', pki.client.keyFile]);
    await child.waitFor(/echo:hello/);
    expect(connections[0]!.obj.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });

  it('exports the same keying material as s_client -keymatexport (RFC 5705)', async () => {
    const { port, connections } = await echoServer(scope, serverContext());
    const child = await sClient(port, ['-keymatexport', 'EXPERIMENTAL-sanstls', '-keymatexportlen', '32']);
    await child.waitFor(/echo:hello/);
    const hex = /Keying material: ([0-9A-F]+)/i.exec(child.output())![1]!.toLowerCase();
    const ours = connections[0]!.obj.exportKeyingMaterial('EXPERIMENTAL-sanstls', 32);
    expect(Buffer.from(ours).toString('hex')).toBe(hex);
  });

  it('TLS 1.3 exporter (RFC 8446 §7.5) equals s_client -tls1_3 -keymatexport', async () => {
    const { port, connections } = await echoServer(scope, serverContext());
    const child = opensslClient(
      scope,
      port,
      ['-tls1_3', '-keymatexport', 'EXPERIMENTAL-sanstls13', '-keymatexportlen', '32'],
      'hello from s_client\n',
    );
    await child.waitFor(/echo:hello/);
    const hex = /Keying material: ([0-9A-F]+)/i.exec(child.output())![1]!.toLowerCase();
    expect(connections[0]!.obj.version()).toBe('TLSv1.3');
    const ours = connections[0]!.obj.exportKeyingMaterial('EXPERIMENTAL-sanstls13', 32);
    expect(Buffer.from(ours).toString('hex')).toBe(hex);
  });

  it('tls-exporter channel binding (RFC 9266 §2: 32 bytes, EXPORTER-Channel-Binding, no context) equals s_client -tls1_3 -keymatexport', async () => {
    const { port, connections } = await echoServer(scope, serverContext());
    const child = opensslClient(
      scope,
      port,
      ['-tls1_3', '-keymatexport', 'EXPORTER-Channel-Binding', '-keymatexportlen', '32'],
      'hello from s_client\n',
    );
    await child.waitFor(/echo:hello/);
    const hex = /Keying material: ([0-9A-F]+)/i.exec(child.output())![1]!.toLowerCase();
    expect(connections[0]!.obj.version()).toBe('TLSv1.3');
    expect(Buffer.from(connections[0]!.obj.getChannelBinding('tls-exporter')!).toString('hex')).toBe(hex);
  });

  it('refuses s_client -tls1_1 with protocol_version', async () => {
    const { port } = await echoServer(scope, serverContext());
    const child = startPeer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_1',
      '-cipher',
      'ALL:@SECLEVEL=0',
    ]);
    peers.push(child);
    await within(10_000, 's_client exit', child.exited());
    expect(child.output()).toMatch(/alert protocol version|wrong version|unsupported protocol|no protocols available/i);
  });

  for (const mode of ['ticket', 'session ID'] as const) {
    it(`is resumed by s_client -sess_out/-sess_in (${mode})`, async () => {
      const ctx = serverContext();
      if (mode === 'session ID') ctx.options |= OP_NO_TICKET;
      const { port, connections } = await echoServer(scope, ctx);
      const sessFile = join(testPki().dir, `sess-${mode.replace(' ', '')}-${port}.pem`);
      let child = await sClient(port, ['-sess_out', sessFile]);
      await child.waitFor(/echo:hello/);
      child.endInput();
      await within(10_000, 's_client exit', child.exited());
      child = await sClient(port, ['-sess_in', sessFile]);
      await child.waitFor(/echo:hello/);
      expect(child.output()).toContain('Reused, TLSv1.2');
      expect(connections[1]!.obj.sessionReused).toBe(true);
      expect(ctx.sessionStats().hits).toBe(1);
    });
  }
});

describe.skipIf(!haveOpenssl)(
  'TLS 1.2 signature schemes, cipher preference and refused renegotiation with openssl',
  () => {
    // RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3 code points, OpenSSL's -sigalgs spelling and a key that can use them.
    const SCHEMES: { name: string; code: number; sigalgs: string; key: KeyType }[] = [
      { name: 'rsa_pkcs1_sha256', code: 0x0401, sigalgs: 'RSA+SHA256', key: 'rsa2048' },
      { name: 'rsa_pkcs1_sha384', code: 0x0501, sigalgs: 'RSA+SHA384', key: 'rsa2048' },
      { name: 'rsa_pkcs1_sha512', code: 0x0601, sigalgs: 'RSA+SHA512', key: 'rsa2048' },
      { name: 'rsa_pss_rsae_sha256', code: 0x0804, sigalgs: 'rsa_pss_rsae_sha256', key: 'rsa2048' },
      { name: 'rsa_pss_rsae_sha384', code: 0x0805, sigalgs: 'rsa_pss_rsae_sha384', key: 'rsa2048' },
      { name: 'rsa_pss_rsae_sha512', code: 0x0806, sigalgs: 'rsa_pss_rsae_sha512', key: 'rsa2048' },
      { name: 'ecdsa_secp256r1_sha256', code: 0x0403, sigalgs: 'ECDSA+SHA256', key: 'ec256' },
      { name: 'ecdsa_secp384r1_sha384', code: 0x0503, sigalgs: 'ECDSA+SHA384', key: 'ec384' },
      { name: 'ed25519', code: 0x0807, sigalgs: 'ed25519', key: 'ed25519' },
    ];

    for (const scheme of SCHEMES) {
      it(`${scheme.name}: ServerKeyExchange signed by s_server -sigalgs and by us for s_client -sigalgs`, async () => {
        const port = await sServer(['-sigalgs', scheme.sigalgs], scheme.key);
        const { conn } = await fetchPage(scope, port, client12());
        expect(conn.obj.connection.negotiated.peerSignatureScheme).toBe(scheme.code);

        const { port: ourPort, connections } = await echoServer(scope, serverContext([scheme.key]));
        const child = await sClient(ourPort, ['-sigalgs', scheme.sigalgs]);
        await child.waitFor(/echo:hello/);
        expect(connections[0]!.obj.connection.negotiated.signatureScheme).toBe(scheme.code);
      });
    }

    it('OP_CIPHER_SERVER_PREFERENCE: our order by default, the client’s when cleared', async () => {
      const clientOrder = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384';
      const ctx = serverContext();
      const { port, connections } = await echoServer(scope, ctx);
      let child = await sClient(port, ['-cipher', clientOrder]);
      await child.waitFor(/echo:hello/);
      expect(connections[0]!.obj.cipher()?.[0]).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
      child.stop();
      ctx.options &= ~OP_CIPHER_SERVER_PREFERENCE;
      child = await sClient(port, ['-cipher', clientOrder]);
      await child.waitFor(/echo:hello/);
      expect(connections[1]!.obj.cipher()?.[0]).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
    });

    // We never renegotiate (RFC 5746 §4.2/§4.4: a no_renegotiation warning instead), so the behaviour Python
    // documents for OP_NO_RENEGOTIATION — no HelloRequest sent, a renegotiating ClientHello refused — holds
    // with the option set and cleared. OpenSSL, whose renegotiation was refused, then aborts with
    // handshake_failure (rec_layer_s3.c: "the application presumably had a good reason").
    for (const noRenegotiation of [true, false]) {
      it(`s_client "R" (renegotiate) gets no_renegotiation from our server (OP_NO_RENEGOTIATION ${noRenegotiation ? 'set' : 'cleared'})`, async () => {
        const ctx = serverContext();
        if (noRenegotiation) ctx.options |= OP_NO_RENEGOTIATION;
        else ctx.options &= ~OP_NO_RENEGOTIATION;
        const { port, connections } = await echoServer(scope, ctx);
        const pki = testPki();
        const child = startPeer('openssl', [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-tls1_2',
          '-CAfile',
          pki.caFile,
          '-servername',
          'localhost',
        ]);
        peers.push(child);
        child.write('hello\n');
        await child.waitFor(/echo:hello/);
        child.write('R\n');
        await child.waitFor(/no renegotiation/i);
        expect(ctx.sessionStats().accept_renegotiate).toBe(1);
        await within(10_000, 'connection end', connections[0]!.closed);
        expect(connections[0]!.obj.sessionReused).toBe(false);
      });
    }

    it('a HelloRequest from s_server ("r") gets no_renegotiation from our client', async () => {
      const { port, peer: server } = await opensslServer(scope, ['-tls1_2', '-msg']);
      const conn = await connectedClient(scope, port, client12());
      conn.write('before\n');
      await server.waitFor(/before/);
      server.write('r\n');
      // s_server -msg traces the HelloRequest it sends and the alert it reads back: warning no_renegotiation.
      await server.waitFor(/<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation|no renegotiation/i);
    });
  },
);
