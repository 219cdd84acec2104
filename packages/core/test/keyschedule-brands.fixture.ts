/**
 * Compile-time checks of the key schedule's stage brands, type-checked by keyschedule-brands.test.ts.
 * Each `@ts-expect-error` marks a misuse the types must reject; if the brands stopped working, the
 * directive would be unused and tsc would fail.
 */

import { Tls13KeySchedule } from '../src/crypto/keyschedule.js';
import type { HashAlgorithm } from '../src/crypto/provider.js';

export function stages(hash: HashAlgorithm, shared: Uint8Array, transcript: Uint8Array): void {
  const ks = new Tls13KeySchedule(hash);
  const early = ks.earlySecret();
  const handshake = ks.handshakeSecret(early, shared);
  const master = ks.masterSecret(handshake);
  const cHs = ks.clientHandshakeTrafficSecret(handshake, transcript);
  const cAp = ks.clientApplicationTrafficSecret(master, transcript);
  const binder = ks.binderKey(early, 'resumption');
  const exporter = ks.exporterMasterSecret(master, transcript);
  const resumption = ks.resumptionMasterSecret(master, transcript);

  // The legal chain.
  ks.trafficKeys(cHs, 16);
  ks.trafficKeys(cAp, 16);
  ks.trafficKeys(ks.clientEarlyTrafficSecret(early, transcript), 16);
  ks.finishedKey(cHs);
  ks.finishedKey(binder);
  ks.nextApplicationTrafficSecret(cAp);
  ks.exporter(exporter, 'label', undefined, 32);
  ks.resumptionPsk(resumption, new Uint8Array(2));

  // @ts-expect-error a handshake secret needs the early secret
  ks.handshakeSecret(master, shared);
  // @ts-expect-error the master secret comes from the handshake secret only
  ks.masterSecret(early);
  // @ts-expect-error handshake traffic secrets come from the handshake secret
  ks.clientHandshakeTrafficSecret(master, transcript);
  // @ts-expect-error application traffic secrets come from the master secret
  ks.serverApplicationTrafficSecret(handshake, transcript);
  // @ts-expect-error no traffic keys straight from a stage secret
  ks.trafficKeys(master, 16);
  // @ts-expect-error no traffic keys from raw bytes
  ks.trafficKeys(new Uint8Array(32), 16);
  // @ts-expect-error KeyUpdate applies to application traffic secrets only
  ks.nextApplicationTrafficSecret(cHs);
  // @ts-expect-error the exporter needs an exporter secret
  ks.exporter(master, 'label', undefined, 32);
  // @ts-expect-error a ticket PSK comes from the resumption master secret
  ks.resumptionPsk(master, new Uint8Array(2));
  // @ts-expect-error finished keys do not come from the early secret
  ks.finishedKey(early);
}
