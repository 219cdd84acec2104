/**
 * Handshake and idle timeouts of the Web Streams binding (issue #10): a silent peer turns into an
 * ETIMEDOUT SSLSyscallError after the configured time instead of a connection that hangs forever.
 */
import { acceptTls, connectTls, memoryStreamPair, SSLSyscallError } from '@sanstls/web-adapter';
import { describe, expect, it } from 'vitest';
import { testPki } from './helpers/pki.js';

function serverOptions() {
  const leaf = testPki().ec;
  return { certChain: { cert: leaf.chainPem, key: leaf.keyPem } };
}

describe('timeouts', () => {
  it('connectTls to a peer that never answers fails with ETIMEDOUT after handshakeTimeout', async () => {
    const [a] = memoryStreamPair(); // nobody reads or writes the other end
    const started = Date.now();
    const error = await connectTls(a, {
      serverHostname: 'localhost',
      trustAnchors: testPki().caPem,
      handshakeTimeout: 150,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSLSyscallError);
    expect((error as SSLSyscallError).reason).toBe('ETIMEDOUT');
    expect((error as Error).message).toMatch(/handshake timed out after 150 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('acceptTls from a client that connects and stays silent fails with ETIMEDOUT', async () => {
    const [, b] = memoryStreamPair();
    const error = await acceptTls(b, { ...serverOptions(), handshakeTimeout: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSLSyscallError);
    expect((error as SSLSyscallError).reason).toBe('ETIMEDOUT');
  });

  it('a read that waits longer than idleTimeout fails with ETIMEDOUT; data before it arrives intact', async () => {
    const [a, b] = memoryStreamPair();
    const [client, server] = await Promise.all([
      connectTls(a, { serverHostname: 'localhost', trustAnchors: testPki().caPem, idleTimeout: 200 }),
      acceptTls(b, serverOptions()),
    ]);
    const writer = server.writable.getWriter();
    await writer.write(new TextEncoder().encode('before the silence'));
    const reader = client.readable.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('before the silence');
    const started = Date.now();
    const error = await reader.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SSLSyscallError);
    expect((error as SSLSyscallError).reason).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await expect(client.closed).rejects.toBeInstanceOf(SSLSyscallError);
  });

  it('without idleTimeout a quiet connection stays open (the default is no idle limit)', async () => {
    const [a, b] = memoryStreamPair();
    const [client, server] = await Promise.all([
      connectTls(a, { serverHostname: 'localhost', trustAnchors: testPki().caPem }),
      acceptTls(b, serverOptions()),
    ]);
    const reader = client.readable.getReader();
    const pending = reader.read();
    await new Promise((r) => setTimeout(r, 300));
    const writer = server.writable.getWriter();
    await writer.write(new TextEncoder().encode('late'));
    expect(new TextDecoder().decode((await pending).value)).toBe('late');
    await writer.close();
    await client.close();
  });
});
