/**
 * `@sanstls/core/client` (issue #9): the same classes as `@sanstls/core`, with the server state machines and the
 * private-key parsers reached only through slots (src/slots.ts) that nothing in this entry fills. This file
 * imports the client entry alone (vitest gives each test file its own module graph), so the slots start empty:
 * what the entry leaves out fails as an API error naming the installer, and works once it is installed.
 * (packages/web-adapter/test/bundle.test.ts checks that bundlers do leave those files out.)
 */
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';
import {
  installPrivateKeySupport,
  installServerSupport,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLError,
  SSLWantReadError,
} from '../src/client-only.js';
import type { SSLObject } from '../src/sslobject.js';

const chain = createChain({ keyType: 'ecdsa-p256', leafSubjectAltNames: ['localhost'] });

/** The SSLError a call raises (reason and text), or null when it returns. */
function refusal(f: () => unknown): { reason: string | undefined; text: string } | null {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SSLError);
    return { reason: (e as SSLError).reason, text: (e as Error).message };
  }
  return null;
}

/** Runs both sides over MemoryBIOs until both handshakes completed (bounded: a stall fails the test). */
function handshake(client: SSLObject, server: SSLObject, c2s: MemoryBIO[], s2c: MemoryBIO[]): void {
  const step = (side: SSLObject): boolean => {
    try {
      side.doHandshake();
      return true;
    } catch (e) {
      if (e instanceof SSLWantReadError) return false;
      throw e;
    }
  };
  let done = [false, false];
  for (let round = 0; round < 20 && !(done[0] && done[1]); round++) {
    done = [done[0] || step(client), done[1] || step(server)];
    const toServer = c2s[1]!.read();
    if (toServer.length > 0) c2s[0]!.write(toServer);
    const toClient = s2c[1]!.read();
    if (toClient.length > 0) s2c[0]!.write(toClient);
  }
  expect(done).toEqual([true, true]);
}

describe('@sanstls/core/client', () => {
  it('refuses a server side and PEM private keys until they are installed, then runs a handshake', () => {
    const server = new SSLContext(PROTOCOL_TLS_SERVER);
    // Before installation: API errors naming the way in, before any byte.
    expect(refusal(() => server.loadCertChain(chain.certChainPem, chain.leaf.keyPem))).toEqual({
      reason: 'NOT_SUPPORTED',
      text: expect.stringContaining('installPrivateKeySupport()'),
    });
    expect(refusal(() => server.wrapBio(new MemoryBIO(), new MemoryBIO(), { serverSide: true }))).toEqual({
      reason: 'NOT_SUPPORTED',
      text: expect.stringContaining('installServerSupport()'),
    });
    // A client needs neither.
    const client = new SSLContext(PROTOCOL_TLS_CLIENT);
    client.loadVerifyLocations({ cadata: chain.root.pem });
    expect(refusal(() => client.wrapBio(new MemoryBIO(), new MemoryBIO(), { serverHostname: 'localhost' }))).toBeNull();

    installPrivateKeySupport();
    server.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
    installServerSupport();
    const c2s = [new MemoryBIO(), new MemoryBIO()];
    const s2c = [new MemoryBIO(), new MemoryBIO()];
    const clientSide = client.wrapBio(s2c[0]!, c2s[1]!, { serverHostname: 'localhost' });
    const serverSide = server.wrapBio(c2s[0]!, s2c[1]!, { serverSide: true });
    handshake(clientSide, serverSide, c2s, s2c);
    expect(clientSide.version()).toBe('TLSv1.3');
    expect(clientSide.getPeerCert()).toMatchObject({ subjectAltName: [['DNS', 'localhost']] });
  });
});
