/**
 * In-memory client ↔ server connections over MemoryBIOs (Python's wrap_bio), driven synchronously in
 * one thread: both sides' CPU lands in the same measurement.
 */
import { dist } from './dist.mjs';

const core = await import(dist('core', 'index.js'));
const { MemoryBIO, SSLContext, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLWantReadError, TLSVersion } = core;

export { core };

/**
 * Client and server contexts for one PKI entry. `version`: 'TLSv1.3' | 'TLSv1.2'; `group`: one group name
 * (the client then offers a key share for that group only); `suite`: a TLS 1.3 suite name.
 */
export function makeContexts(pki, { version = 'TLSv1.3', group, suite, provider, tls12Cipher } = {}) {
  const options = provider === undefined ? {} : { cryptoProvider: provider };
  const server = new SSLContext(PROTOCOL_TLS_SERVER, options);
  server.loadCertChain(pki.certChainPem, pki.keyPem);
  const client = new SSLContext(PROTOCOL_TLS_CLIENT, options);
  client.loadVerifyLocations({ cadata: pki.rootPem });
  for (const ctx of [client, server]) {
    if (group !== undefined) ctx.setGroups([group]);
    if (suite !== undefined) ctx.setCiphersuites(suite);
    if (tls12Cipher !== undefined) ctx.setCiphers(tls12Cipher);
    if (version === 'TLSv1.2') ctx.maximumVersion = TLSVersion.TLSv1_2;
    if (version === 'TLSv1.3') ctx.minimumVersion = TLSVersion.TLSv1_3;
  }
  return { client, server };
}

/** One connection pair (not yet handshaken). */
export function makePair(contexts, { session } = {}) {
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  const client = contexts.client.wrapBio(clientIn, clientOut, {
    serverHostname: 'localhost',
    ...(session === undefined ? {} : { session }),
  });
  const server = contexts.server.wrapBio(serverIn, serverOut, { serverSide: true });
  return { client, server, clientIn, clientOut, serverIn, serverOut };
}

function moveBytes(pair) {
  let moved = false;
  if (pair.clientOut.pending > 0) {
    pair.serverIn.write(pair.clientOut.read());
    moved = true;
  }
  if (pair.serverOut.pending > 0) {
    pair.clientIn.write(pair.serverOut.read());
    moved = true;
  }
  return moved;
}

function tryHandshake(obj) {
  try {
    obj.doHandshake();
    return true;
  } catch (e) {
    if (e instanceof SSLWantReadError) return false;
    throw e;
  }
}

/** Runs both sides until both finished their handshakes (throws the first failure). */
export function handshake(pair) {
  let clientDone = false;
  let serverDone = false;
  for (let round = 0; round < 16; round++) {
    if (!clientDone) clientDone = tryHandshake(pair.client);
    moveBytes(pair);
    if (!serverDone) serverDone = tryHandshake(pair.server);
    const moved = moveBytes(pair);
    if (clientDone && serverDone && !moved) {
      // Post-handshake messages (NewSessionTicket) are read by the client's next read; deliver them now.
      drainReads(pair.client);
      return pair;
    }
  }
  throw new Error('handshake did not complete in 16 rounds');
}

/** Reads whatever is readable (e.g. NewSessionTicket records) without expecting application data. */
export function drainReads(obj) {
  try {
    obj.read(1);
  } catch (e) {
    if (!(e instanceof SSLWantReadError)) throw e;
  }
}

/** A full handshake on fresh connection objects; returns the pair. */
export function connectPair(contexts, options) {
  return handshake(makePair(contexts, options));
}
