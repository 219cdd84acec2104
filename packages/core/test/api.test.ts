/**
 * The Python-shaped surface: constants against python3's ssl module (the oracle on these machines),
 * MemoryBIO, SSLContext's rules and defaults, cipher strings, certificate/trust loading, wrapBio checks
 * and SSLObject accessors before the handshake.
 */
import { execFileSync } from 'node:child_process';
import * as core from '@sanstls/core';
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  createDefaultContext,
  LOCAL_FAILURE_ALERT,
  MemoryBIO,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  PROTOCOL_TLSv1,
  PROTOCOL_TLSv1_2,
  Purpose,
  SSLContext,
  SSLError,
  SSLWantReadError,
  TLSVersion,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { clientContext, handshake, makePair, serverContext, testPki } from './helpers/tls-pair.js';

function python(code: string): unknown {
  return JSON.parse(execFileSync('python3', ['-c', code], { encoding: 'utf8' }));
}
let havePython = true;
try {
  execFileSync('python3', ['-c', 'import ssl']);
} catch {
  havePython = false;
  console.log('api.test: python3 oracle checks skipped (python3 with ssl is not available)');
}

describe.skipIf(!havePython)('constants equal Python 3 on OpenSSL 3.0', () => {
  it('PROTOCOL_*, CERT_*, OP_*, VERIFY_*, ALERT_DESCRIPTION_*, TLSVersion', () => {
    const names = Object.keys(core).filter((n) => /^(PROTOCOL_|CERT_|OP_|VERIFY_|ALERT_DESCRIPTION_)/.test(n));
    const values = python(
      `import ssl,json; print(json.dumps({n:int(getattr(ssl,n)) for n in ${JSON.stringify(names)} if hasattr(ssl,n)}))`,
    ) as Record<string, number>;
    expect(Object.keys(values).length).toBeGreaterThan(50);
    for (const [name, value] of Object.entries(values)) {
      expect([name, (core as unknown as Record<string, number>)[name]]).toEqual([name, value]);
    }
    const versions = python('import ssl,json; print(json.dumps({v.name:int(v) for v in ssl.TLSVersion}))');
    expect(versions).toEqual(TLSVersion);
  });

  it('default options and flags of a new context', () => {
    const py = python(
      'import ssl,json; c=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); s=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); print(json.dumps([int(c.options), int(c.verify_flags), int(c.verify_mode), c.check_hostname, int(s.verify_mode), s.check_hostname, int(c.minimum_version), c.hostname_checks_common_name, c.session_stats(), c.cert_store_stats()]))',
    );
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    const s = new SSLContext(PROTOCOL_TLS_SERVER);
    expect([
      c.options,
      c.verifyFlags,
      c.verifyMode,
      c.checkHostname,
      s.verifyMode,
      s.checkHostname,
      c.minimumVersion,
      c.hostnameChecksCommonName,
      c.sessionStats(),
      c.certStoreStats(),
    ]).toEqual(py);
  });

  it('get_ciphers() dicts equal Python for the TLS 1.3 suites', () => {
    const py = python(
      'import ssl,json; print(json.dumps([c for c in ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).get_ciphers() if c["protocol"]=="TLSv1.3"]))',
    ) as { name: string }[];
    // TLS 1.2 entries are compared in tls12-api.test.ts (issue #6).
    const ours = new SSLContext(PROTOCOL_TLS_CLIENT).getCiphers().filter((c) => c.protocol === 'TLSv1.3');
    const byName = (l: { name: string }[]) => [...l].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(ours)).toEqual(byName(py));
  });
});

describe('MemoryBIO', () => {
  it('write/read/pending/eof as Python', () => {
    const bio = new MemoryBIO();
    expect(bio.pending).toBe(0);
    expect(bio.eof).toBe(false);
    expect(bio.write(Uint8Array.of(1, 2, 3))).toBe(3);
    bio.write(Uint8Array.of(4, 5));
    expect(bio.pending).toBe(5);
    expect(bio.read(2)).toEqual(Uint8Array.of(1, 2));
    expect(bio.read(2)).toEqual(Uint8Array.of(3, 4));
    bio.writeEof();
    expect(bio.eof).toBe(false); // still one byte buffered
    expect(() => bio.write(Uint8Array.of(6))).toThrow(SSLError);
    expect(bio.read()).toEqual(Uint8Array.of(5));
    expect(bio.eof).toBe(true);
    expect(bio.read()).toEqual(new Uint8Array(0));
  });

  it('copies written buffers', () => {
    const bio = new MemoryBIO();
    const buf = Uint8Array.of(9, 9);
    bio.write(buf);
    buf[0] = 0;
    expect(bio.read()).toEqual(Uint8Array.of(9, 9));
  });
});

describe('SSLContext rules', () => {
  it('refuses fixed-version protocols with a clear not-supported error', () => {
    for (const p of [PROTOCOL_TLSv1, PROTOCOL_TLSv1_2]) {
      expect(() => new SSLContext(p)).toThrow(/not supported/);
    }
    expect(new SSLContext().protocol).toBe(PROTOCOL_TLS);
  });

  it('couples verifyMode and checkHostname as Python 3.7', () => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    expect([ctx.verifyMode, ctx.checkHostname]).toEqual([CERT_REQUIRED, true]);
    expect(() => {
      ctx.verifyMode = CERT_NONE;
    }).toThrow('Cannot set verify_mode to CERT_NONE when check_hostname is enabled.');
    ctx.checkHostname = false;
    ctx.verifyMode = CERT_NONE;
    ctx.checkHostname = true;
    expect(ctx.verifyMode).toBe(CERT_REQUIRED);
    ctx.verifyMode = CERT_OPTIONAL;
    expect(ctx.verifyMode).toBe(CERT_OPTIONAL);
  });

  it('createDefaultContext builds a verifying client or a server context', () => {
    const client = createDefaultContext(Purpose.SERVER_AUTH, { cadata: testPki().caPem });
    expect([client.protocol, client.verifyMode, client.checkHostname]).toEqual([
      PROTOCOL_TLS_CLIENT,
      CERT_REQUIRED,
      true,
    ]);
    expect(client.certStoreStats()).toEqual({ x509: 1, crl: 0, x509_ca: 1 });
    expect(createDefaultContext(Purpose.CLIENT_AUTH).protocol).toBe(PROTOCOL_TLS_SERVER);
  });

  it('setCiphers accepts OpenSSL cipher strings and refuses ones that select nothing', () => {
    const ctx = new SSLContext();
    ctx.setCiphers('ECDHE+AESGCM:!ECDSA');
    expect(ctx.tls12Ciphers).toEqual(['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-GCM-SHA256']);
    ctx.setCiphers('HIGH:!aNULL:!eNULL');
    expect(ctx.tls12Ciphers.length).toBeGreaterThan(3);
    ctx.setCiphers('ECDHE-ECDSA-CHACHA20-POLY1305');
    expect(ctx.tls12Ciphers).toEqual(['ECDHE-ECDSA-CHACHA20-POLY1305']);
    expect(() => ctx.setCiphers('nonsense')).toThrow('No cipher can be selected.');
    expect(() => ctx.setCiphers('RC4-MD5')).toThrow('No cipher can be selected.');
  });

  it('setCiphersuites orders TLS 1.3 suites and rejects unknown names', () => {
    const ctx = new SSLContext();
    ctx.setCiphersuites('TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256');
    const tls13 = ctx.getCiphers().filter((c) => c.protocol === 'TLSv1.3'); // TLS 1.2 suites follow (issue #6)
    expect(tls13.map((c) => c.name)).toEqual(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256']);
    expect(() => ctx.setCiphersuites('TLS_FOO')).toThrow(SSLError);
  });

  it('setGroups / setEcdhCurve accept IANA, OpenSSL and NIST names', () => {
    const ctx = new SSLContext();
    expect(ctx.groups).toEqual(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']);
    ctx.setGroups(['P-256', 'X25519']);
    expect(ctx.groups).toEqual(['secp256r1', 'x25519']);
    ctx.setEcdhCurve('prime256v1');
    expect(ctx.groups).toEqual(['secp256r1']);
    expect(() => ctx.setGroups(['brainpool'])).toThrow(SSLError);
  });

  it('loadCertChain: key in the cert PEM, separate key, mismatch → KEY_VALUES_MISMATCH', () => {
    const pki = testPki();
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    ctx.loadCertChain(pki.leaf.ec256.keyPem + pki.leaf.ec256.certPem);
    ctx.loadCertChain(pki.leaf.rsa2048.certPem, pki.leaf.rsa2048.keyPem);
    expect(ctx.engineConfig().certificates.length).toBe(2);
    const mismatch = (() => {
      try {
        ctx.loadCertChain(pki.leaf.ec256.certPem, pki.leaf.ec384.keyPem);
      } catch (e) {
        return e as SSLError;
      }
      return undefined;
    })();
    expect(mismatch?.reason).toBe('KEY_VALUES_MISMATCH');
    expect(mismatch?.library).toBe('X509');
    expect(() => ctx.loadCertChain(pki.leaf.ec256.certPem)).toThrow(SSLError);
  });

  it('loadVerifyLocations: cadata PEM or DER, keyword form; cafile/capath need the Node adapter', () => {
    const pki = testPki();
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    expect(() => ctx.loadVerifyLocations('/etc/ssl/certs/ca.pem')).toThrow(/node-adapter/);
    expect(() => ctx.loadVerifyLocations({ capath: '/etc/ssl/certs' })).toThrow(/node-adapter/);
    expect(() => ctx.loadVerifyLocations()).toThrow(SSLError);
    expect(() => ctx.loadVerifyLocations(null, null, 'no pem here')).toThrow(/no certificate or crl found/);
    ctx.loadVerifyLocations(null, null, pki.caPem);
    const der = ctx.getCaCerts(true)[0]!;
    const other = new SSLContext(PROTOCOL_TLS_CLIENT);
    other.loadVerifyLocations({ cadata: new Uint8Array([...der, ...der]) });
    expect(other.certStoreStats()).toEqual({ x509: 1, crl: 0, x509_ca: 1 });
    expect(other.getCaCerts()[0]).toMatchObject({ subject: [[['commonName', 'sanstls test CA']]] });
  });

  it('setAlpnProtocols validates names; NPN, default certs and DH params say not supported', () => {
    const ctx = new SSLContext();
    expect(() => ctx.setAlpnProtocols([''])).toThrow(SSLError);
    expect(() => ctx.setNpnProtocols(['h2'])).toThrow(/not supported/);
    expect(() => ctx.loadDefaultCerts()).toThrow(/node-adapter/);
    expect(() => ctx.loadDhParams('dh.pem')).toThrow(/not supported|issue #6/);
  });

  it('refuses to start when no version is enabled (minimumVersion above maximumVersion)', () => {
    const ctx = clientContext();
    ctx.minimumVersion = TLSVersion.TLSv1_3; // TLS 1.2 alone is negotiated since issue #6
    ctx.maximumVersion = TLSVersion.TLSv1_2;
    const pair = makePair(ctx, serverContext());
    expect(() => pair.client.doHandshake()).toThrow(/no protocols available/);
  });

  it('wrapBio checks Python’s argument rules', () => {
    const client = new SSLContext(PROTOCOL_TLS_CLIENT);
    const server = new SSLContext(PROTOCOL_TLS_SERVER);
    const bio = () => new MemoryBIO();
    expect(() => client.wrapBio(bio(), bio())).toThrow('check_hostname requires server_hostname');
    expect(() => client.wrapBio(bio(), bio(), { serverSide: true })).toThrow(/PROTOCOL_TLS_CLIENT/);
    expect(() => server.wrapBio(bio(), bio(), { serverSide: true, serverHostname: 'x' })).toThrow(/client mode/);
  });

  it('counts connections in sessionStats()', () => {
    const client = clientContext();
    const server = serverContext();
    handshake(makePair(client, server));
    expect(client.sessionStats()).toMatchObject({ connect: 1, connect_good: 1 });
    expect(server.sessionStats()).toMatchObject({ accept: 1, accept_good: 1 });
  });
});

describe('SSLObject before and after the handshake', () => {
  it('answers like Python before the handshake', () => {
    const pair = makePair(clientContext(), serverContext());
    expect(pair.client.cipher()).toBeNull();
    expect(pair.client.version()).toBeNull();
    expect(pair.client.selectedAlpnProtocol()).toBeNull();
    expect(pair.client.compression()).toBeNull();
    expect(pair.client.selectedNpnProtocol()).toBeNull();
    expect(pair.client.getChannelBinding()).toBeNull();
    expect(() => pair.client.getPeerCert()).toThrow('handshake not done yet');
    expect(() => pair.client.read()).toThrow(SSLWantReadError);
    expect(pair.client.serverSide).toBe(false);
    expect(pair.client.serverHostname).toBe('localhost');
    expect(() => pair.client.getChannelBinding('tls-server-end-point')).toThrow(SSLError);
  });

  it('reports session facts and refuses post-handshake auth the client did not offer', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.client.session).not.toBeNull();
    expect(pair.server.sharedCiphers()?.length).toBe(3);
    // Python: an SSLError unless post_handshake_auth is enabled on both sides (RFC 8446 §4.6.2).
    expect(() => pair.server.verifyClientPostHandshake()).toThrow(/EXTENSION_NOT_RECEIVED/);
    expect(() => pair.client.verifyClientPostHandshake()).toThrow(/NOT_SERVER/);
  });
});

describe('alert table', () => {
  it('maps every local failure to an alert or to none', () => {
    for (const [reason, alert] of Object.entries(LOCAL_FAILURE_ALERT)) {
      expect(alert === null || (Number.isInteger(alert) && alert > 0 && alert < 256), reason).toBe(true);
    }
    expect(core.receivedAlertReason(70)).toBe('TLSV1_ALERT_PROTOCOL_VERSION');
    expect(core.receivedAlertReason(116)).toBe('TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });
});
