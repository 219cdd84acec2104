import { describe, expect, it } from 'vitest';
import { clientContext, handshake, makePair, readAll, serverContext, transfer } from './helpers/tls-pair.js';

describe('in-memory handshake', () => {
  it('completes a default handshake and moves data both ways', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    expect(pair.client.version()).toBe('TLSv1.3');
    expect(pair.client.write('hello server')).toBe(12);
    transfer(pair);
    expect(new TextDecoder().decode(readAll(pair.server))).toBe('hello server');
  });
});
