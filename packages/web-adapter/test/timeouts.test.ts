/**
 * Handshake and idle timeouts of the Web Streams binding (issue #10): a silent peer turns into an
 * ETIMEDOUT SSLSyscallError after the configured time instead of a connection that hangs forever. And the
 * engine's bound on unprocessed input (core limits.ts) does not break transports with large chunks.
 */
import { PROTOCOL_TLS_CLIENT, SSLContext } from '@sanstls/core';
import { acceptTls, connectTls, memoryStreamPair, SSLSyscallError, type StreamPair } from '@sanstls/web-adapter';
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

describe('input bound', () => {
  it('a transport chunk larger than maxBufferedInput is fed to the engine in pieces, not refused', async () => {
    const [a, b] = memoryStreamPair();
    // After the handshake, the first 300 KB the server sends reach the client as one chunk.
    let coalesce = false;
    let held: Uint8Array[] = [];
    const coalescer = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (!coalesce) return controller.enqueue(chunk);
        held.push(chunk);
        const size = held.reduce((n, c) => n + c.length, 0);
        if (size < 300_000) return;
        const joined = new Uint8Array(size);
        let at = 0;
        for (const c of held) {
          joined.set(c, at);
          at += c.length;
        }
        held = [];
        coalesce = false; // one big chunk; the rest (and close_notify) passes as it comes
        controller.enqueue(joined);
      },
      flush(controller) {
        for (const c of held) controller.enqueue(c);
      },
    });
    const clientTransport: StreamPair = { readable: a.readable.pipeThrough(coalescer), writable: a.writable };
    const context = new SSLContext(PROTOCOL_TLS_CLIENT);
    context.loadVerifyLocations({ cadata: testPki().caPem });
    context.limits = { maxBufferedInput: 40_000 };
    const [client, server] = await Promise.all([
      connectTls(clientTransport, { context, serverHostname: 'localhost' }),
      acceptTls(b, serverOptions()),
    ]);
    coalesce = true;
    const data = new Uint8Array(320_000).map((_, i) => i * 7);
    const writer = server.writable.getWriter();
    const written = writer.write(data).then(() => writer.close());
    let total = 0;
    const reader = client.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (let i = 0; i < value.length; i++) if (value[i] !== data[total + i]) throw new Error(`byte ${total + i}`);
      total += value.length;
    }
    await written;
    expect(total).toBe(data.length);
  });
});
