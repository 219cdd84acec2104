/**
 * A counting wrapper around a real CryptoProvider (wrap, don't mock): every call goes to the real
 * provider and, while recording, is logged with its arguments. The log of one handshake is what that
 * handshake really asked of the provider; replaying it against the bare provider gives the primitive
 * lower bound (key generation, shared secrets, signatures, verifications, hashing, HKDF, AEAD, RNG),
 * with per-category counts and costs.
 */

/** Operation categories, in report order. */
export const CATEGORIES = [
  'key share: generate',
  'key share: complete',
  'key share: respond',
  'sign',
  'verify',
  'hash (transcript/digest)',
  'HMAC/HKDF',
  'AEAD key setup',
  'AEAD seal/open',
  'random',
];

/** Wraps `inner`; `recorder.log` collects entries while `recorder.on` is true. */
export function recordingProvider(inner) {
  const recorder = { on: false, log: [], nextId: 1 };
  const log = (entry) => {
    if (recorder.on) recorder.log.push(entry);
  };
  /** "ecdsa/sha256 P-256", "rsa-pss/sha256 2048", "ed25519". */
  const describe = (alg, key) => {
    const a = `${alg.kind}${alg.hash === undefined ? '' : `/${alg.hash}`}`;
    const k = key.curve ?? (key.bits === undefined ? '' : String(key.bits));
    return k === '' ? a : `${a} ${k}`;
  };
  const wrapState = (state, hashName, id) => ({
    update(data) {
      log({ cat: 'hash (transcript/digest)', op: 'update', hash: hashName, id, data });
      state.update(data);
    },
    digest() {
      log({ cat: 'hash (transcript/digest)', op: 'digest', hash: hashName, id });
      return state.digest();
    },
    clone() {
      const newId = recorder.nextId++;
      log({ cat: 'hash (transcript/digest)', op: 'clone', hash: hashName, id, newId });
      return wrapState(state.clone(), hashName, newId);
    },
  });
  const hashes = new Map();
  const wrapHash = (h) => ({
    name: h.name,
    outputLength: h.outputLength,
    create() {
      const id = recorder.nextId++;
      log({ cat: 'hash (transcript/digest)', op: 'create', hash: h.name, id });
      return wrapState(h.create(), h.name, id);
    },
    digest(data) {
      log({ cat: 'hash (transcript/digest)', op: 'oneshot', hash: h.name, data });
      return h.digest(data);
    },
    hmac(key, data) {
      log({ cat: 'HMAC/HKDF', op: 'hmac', hash: h.name, key, data });
      return h.hmac(key, data);
    },
    hkdfExtract(salt, ikm) {
      log({ cat: 'HMAC/HKDF', op: 'extract', hash: h.name, salt, ikm });
      return h.hkdfExtract(salt, ikm);
    },
    hkdfExpand(prk, info, length) {
      log({ cat: 'HMAC/HKDF', op: 'expand', hash: h.name, prk, info, length });
      return h.hkdfExpand(prk, info, length);
    },
  });
  const aeads = new Map();
  const wrapAead = (a) => ({
    name: a.name,
    keyLength: a.keyLength,
    nonceLength: a.nonceLength,
    tagLength: a.tagLength,
    create(key) {
      const id = recorder.nextId++;
      log({ cat: 'AEAD key setup', op: 'create', aead: a.name, id, key });
      const k = a.create(key);
      return {
        seal(nonce, plaintext, aad) {
          log({ cat: 'AEAD seal/open', op: 'seal', aead: a.name, id, nonce, data: plaintext, aad });
          return k.seal(nonce, plaintext, aad);
        },
        open(nonce, ciphertext, aad) {
          log({ cat: 'AEAD seal/open', op: 'open', aead: a.name, id, nonce, data: ciphertext, aad });
          return k.open(nonce, ciphertext, aad);
        },
      };
    },
  });
  const groups = new Map();
  const wrapGroup = (g) => ({
    name: g.name,
    code: g.code,
    generate(randomBytes) {
      const id = recorder.nextId++;
      log({ cat: 'key share: generate', op: 'generate', group: g.name, id });
      const offer = g.generate(randomBytes);
      return {
        publicKey: offer.publicKey,
        complete(peerShare) {
          log({ cat: 'key share: complete', op: 'complete', group: g.name, id, peerShare });
          return offer.complete(peerShare);
        },
      };
    },
    respond(clientShare, randomBytes) {
      log({ cat: 'key share: respond', op: 'respond', group: g.name, clientShare });
      return g.respond(clientShare, randomBytes);
    },
  });
  const provider = {
    name: `${inner.name} (recording)`,
    get fastAesGcm() {
      return inner.fastAesGcm;
    },
    randomBytes(n) {
      log({ cat: 'random', op: 'random', n });
      return inner.randomBytes(n);
    },
    hash(name) {
      if (!hashes.has(name)) hashes.set(name, wrapHash(inner.hash(name)));
      return hashes.get(name);
    },
    aead(name) {
      if (!aeads.has(name)) aeads.set(name, wrapAead(inner.aead(name)));
      return aeads.get(name);
    },
    group(name) {
      const g = inner.group(name);
      if (g === undefined) return undefined;
      if (!groups.has(name)) groups.set(name, wrapGroup(g));
      return groups.get(name);
    },
    sign(alg, key, data, randomBytes) {
      log({ cat: 'sign', op: 'sign', what: describe(alg, key), alg, key, data });
      return inner.sign(alg, key, data, randomBytes);
    },
    verify(alg, key, data, signature) {
      log({ cat: 'verify', op: 'verify', what: describe(alg, key), alg, key, data, signature });
      return inner.verify(alg, key, data, signature);
    },
  };
  // Anything else the SignatureProvider interface may grow is passed through untouched.
  for (const key of Object.keys(inner)) if (!(key in provider)) provider[key] = inner[key];
  return { provider, recorder };
}

/** Runs `fn` with recording on; returns the entries it logged. */
export function record(recorder, fn) {
  recorder.log = [];
  recorder.on = true;
  try {
    fn();
  } finally {
    recorder.on = false;
  }
  return recorder.log;
}

/**
 * A replay of `log` against the bare provider `inner`: returns `run(timer?)`, which re-executes every
 * primitive call with the recorded inputs (offers are regenerated and completed with the recorded peer
 * share; hash states and AEAD keys are re-created in order). With a `timer(cat, ms)`, each call is timed.
 */
export function replayer(inner, log) {
  // Randomness is replayed from its own 'random' entries (the context's RNG goes through the provider);
  // the primitives that consume it get it from a fixed pool so it is not paid twice.
  const pool = inner.randomBytes(1024);
  const rng = (n) => (n <= pool.length ? pool.slice(0, n) : inner.randomBytes(n));
  return function run(timer) {
    const states = new Map();
    const keys = new Map();
    const offers = new Map();
    for (const e of log) {
      const t0 = timer === undefined ? 0 : performance.now();
      switch (e.op) {
        case 'create':
          if (e.cat === 'AEAD key setup') keys.set(e.id, inner.aead(e.aead).create(e.key));
          else states.set(e.id, inner.hash(e.hash).create());
          break;
        case 'update':
          states.get(e.id).update(e.data);
          break;
        case 'digest':
          states.get(e.id).digest();
          break;
        case 'clone':
          states.set(e.newId, states.get(e.id).clone());
          break;
        case 'oneshot':
          inner.hash(e.hash).digest(e.data);
          break;
        case 'hmac':
          inner.hash(e.hash).hmac(e.key, e.data);
          break;
        case 'extract':
          inner.hash(e.hash).hkdfExtract(e.salt, e.ikm);
          break;
        case 'expand':
          inner.hash(e.hash).hkdfExpand(e.prk, e.info, e.length);
          break;
        case 'seal':
          keys.get(e.id).seal(e.nonce, e.data, e.aad);
          break;
        case 'open':
          keys.get(e.id).open(e.nonce, e.data, e.aad);
          break;
        case 'generate':
          offers.set(e.id, inner.group(e.group).generate(rng));
          break;
        case 'complete':
          offers.get(e.id).complete(e.peerShare);
          break;
        case 'respond':
          inner.group(e.group).respond(e.clientShare, rng);
          break;
        case 'sign':
          inner.sign(e.alg, e.key, e.data, rng);
          break;
        case 'verify':
          inner.verify(e.alg, e.key, e.data, e.signature);
          break;
        case 'random':
          inner.randomBytes(e.n);
          break;
        default:
          throw new Error(`replay: unknown op ${e.op}`);
      }
      if (timer !== undefined) timer(e.cat, performance.now() - t0, e);
    }
  };
}

/** Counts per category, with a short description of what was counted (groups, algorithms, bytes). */
export function countByCategory(log) {
  const out = new Map(CATEGORIES.map((c) => [c, { count: 0, details: new Map(), bytes: 0 }]));
  for (const e of log) {
    const c = out.get(e.cat);
    c.count++;
    const detail = e.group ?? e.what ?? (e.aead ? `${e.aead} ${e.op}` : e.hash ? `${e.hash} ${e.op}` : e.op);
    c.details.set(detail, (c.details.get(detail) ?? 0) + 1);
    c.bytes += e.data?.length ?? e.n ?? 0;
  }
  return out;
}
