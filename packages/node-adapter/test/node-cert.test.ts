// Our node:tls-shaped peer certificate against the one Node itself builds (OpenSSL inside) for the same chain.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePeerCertificateChain } from '../src/node-cert.js';
import { type Fixtures, keyKinds, makeFixtures } from './helpers/fixtures.js';
import { nodeTlsRoundTrip, peerAvailability, skipUnless, startNodeTlsServer } from './helpers/peers.js';

const derOf = (pem: string): Uint8Array =>
  new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));

describe.skipIf(skipUnless(peerAvailability.openssl(), 'openssl'))('nodePeerCertificate', () => {
  let fx: Fixtures;
  beforeAll(() => {
    fx = makeFixtures();
  });
  afterAll(() => fx?.cleanup());

  const fields = [
    'subject',
    'issuer',
    'subjectaltname',
    'infoAccess',
    'ca',
    'valid_from',
    'valid_to',
    'serialNumber',
    'fingerprint',
    'fingerprint256',
    'fingerprint512',
    'ext_key_usage',
  ] as const;

  it.each(keyKinds)('matches what Node reports for the same %s chain', async (kind) => {
    const chain = fx.chains[kind];
    const server = await startNodeTlsServer({ cert: chain.pem(chain.serverChain), key: chain.pem(chain.serverKey) });
    try {
      const { socket } = await nodeTlsRoundTrip(
        { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: chain.pem(chain.caCert) },
        '',
        0,
      );
      const theirs = socket.getPeerCertificate(true);
      const ours = nodePeerCertificateChain([derOf(chain.pem(chain.serverCert)), derOf(chain.pem(chain.caCert))], true);
      expect(ours).not.toBeNull();
      const pick = (c: object) =>
        Object.fromEntries(fields.filter((f) => f in c).map((f) => [f, JSON.parse(JSON.stringify((c as never)[f]))]));
      expect(pick(ours!)).toEqual(pick(theirs));
      expect(pick(ours!.issuerCertificate!)).toEqual(pick(theirs.issuerCertificate));
      expect(ours!.issuerCertificate!.issuerCertificate).toBe(ours!.issuerCertificate);
      expect(Buffer.compare(ours!.raw, theirs.raw)).toBe(0);
      // Node's own hostname check accepts our object as it accepts its own.
      expect(tls.checkServerIdentity('localhost', ours as never)).toBeUndefined();
      expect(tls.checkServerIdentity('127.0.0.1', ours as never)).toBeUndefined();
      expect(tls.checkServerIdentity('example.com', ours as never)?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      socket.destroy();
    } finally {
      await server.stop();
    }
  });

  it('no chain gives null; without detail there is no issuerCertificate', () => {
    expect(nodePeerCertificateChain([], true)).toBeNull();
    const chain = fx.chains.ecdsa;
    const leafOnly = nodePeerCertificateChain([derOf(chain.pem(chain.serverCert))], false);
    expect(leafOnly?.issuerCertificate).toBeUndefined();
    expect(leafOnly?.subject).toEqual({ CN: 'localhost' });
  });
});
