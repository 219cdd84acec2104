/**
 * RFC 8446 §4.6.1: ticket_nonce is "a per-ticket value that is unique across all tickets issued on this
 * connection", so every ticket of a connection carries its own PSK — including the one a server sends after
 * post-handshake client authentication (§4.6.2), which follows the tickets sent after the handshake.
 */
import { CERT_REQUIRED } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { clientContext, handshake, makePair, readAll, serverContext, testPki, transfer } from './helpers/tls-pair.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('TLS 1.3 ticket nonces', () => {
  it('the ticket after post-handshake authentication has a PSK of its own', () => {
    const pki = testPki();
    const client = clientContext();
    client.postHandshakeAuth = true;
    client.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const server = serverContext();
    server.postHandshakeAuth = true;
    server.verifyMode = CERT_REQUIRED;
    server.loadVerifyLocations({ cadata: pki.caPem });
    const pair = makePair(client, server);
    const psks: string[] = [];
    pair.client.connection.onTicket = (ticket) => psks.push(hex(ticket.psk));
    handshake(pair);
    readAll(pair.client);
    expect(psks.length).toBe(server.numTickets);
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    readAll(pair.client); // the CertificateRequest; the answer goes out
    transfer(pair);
    readAll(pair.server); // Certificate, CertificateVerify, Finished; a fresh ticket goes out
    transfer(pair);
    readAll(pair.client);
    expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    expect(psks.length).toBe(server.numTickets + 1);
    expect(new Set(psks).size).toBe(psks.length);
  });
});
