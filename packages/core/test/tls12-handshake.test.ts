import { describe, expect, it } from 'vitest';
import { OP_NO_TLSv1_3, TLSVersion } from '@sanstls/core';
import { clientContext, handshake, makePair, readAll, serverContext, transfer } from './helpers/tls-pair.js';

describe('TLS 1.2 in memory', () => {
  it('smoke', () => {
    const c = clientContext();
    c.maximumVersion = TLSVersion.TLSv1_2;
    const pair = makePair(c, serverContext());
    handshake(pair);
    expect(pair.client.version()).toBe('TLSv1.2');
    expect(pair.server.version()).toBe('TLSv1.2');
    pair.client.write('hello');
    transfer(pair);
    expect(new TextDecoder().decode(readAll(pair.server))).toBe('hello');
    void OP_NO_TLSv1_3;
  });
});
