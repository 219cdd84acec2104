/**
 * Wrappers around a real CryptoProvider (wrap, don't mock): every call goes to the real provider, and the
 * wrapper either logs it with its inputs (the recording provider) or times it (the timing provider).
 * The log of one handshake is what that handshake really asked of the provider; replaying it against the
 * bare provider gives the primitive lower bound (key generation, shared secrets, signatures,
 * verifications, hashing, HKDF, AEAD, RNG), with per-category counts and costs. Timing the same calls
 * inside real handshakes gives what they cost there (in situ), to set beside the replay.
 *
 * Both wrappers are one instrumentation with one surface: the wrapper offers exactly the optional methods
 * the inner provider offers (keyed HMAC, in-place sealing, key wiping, …), so the engine takes the same
 * paths through a wrapped provider as through the bare one, and the recorded calls are the bare
 * handshake's calls.
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
  'other',
];

/** Provider members the instrumentation knows (anything else that is a function is logged as 'other'). */
const KNOWN = new Set([
  'name',
  'fastAesGcm',
  'randomBytes',
  'hash',
  'aead',
  'group',
  'sign',
  'verify',
  'verifyHandshakeSignature',
]);

/**
 * The provider `inner` with every primitive call passed through `hook(entry, run)`: `entry` describes the
 * call (`cat`, `op` and its inputs; byte inputs are the caller's live arrays) and `run()` performs it,
 * returning its result. Created objects (hash states, AEAD keys, key-share offers, keyed HMACs) are
 * wrapped the same way and carry ids so a log can tie later calls to them.
 */
function instrument(inner, hook, name) {
  let nextId = 1;
  /** "ecdsa/sha256 P-256", "rsa-pss/sha256 2048", "ed25519". */
  const describe = (alg, key) => {
    const a = `${alg.kind}${alg.hash === undefined ? '' : `/${alg.hash}`}`;
    const k = key.curve ?? (key.bits === undefined ? '' : String(key.bits));
    return k === '' ? a : `${a} ${k}`;
  };
  const HASH = 'hash (transcript/digest)';
  const wrapState = (state, hashName, id) => ({
    update: (data) => hook({ cat: HASH, op: 'update', hash: hashName, id, data }, () => state.update(data)),
    digest: () => hook({ cat: HASH, op: 'digest', hash: hashName, id }, () => state.digest()),
    clone() {
      const newId = nextId++;
      return wrapState(
        hook({ cat: HASH, op: 'clone', hash: hashName, id, newId }, () => state.clone()),
        hashName,
        newId,
      );
    },
  });
  const wrapHash = (h) => {
    const w = {
      name: h.name,
      outputLength: h.outputLength,
      create() {
        const id = nextId++;
        return wrapState(
          hook({ cat: HASH, op: 'create', hash: h.name, id }, () => h.create()),
          h.name,
          id,
        );
      },
      digest: (data) => hook({ cat: HASH, op: 'oneshot', hash: h.name, data }, () => h.digest(data)),
      hmac: (key, data) => hook({ cat: 'HMAC/HKDF', op: 'hmac', hash: h.name, key, data }, () => h.hmac(key, data)),
      hkdfExtract: (salt, ikm) =>
        hook({ cat: 'HMAC/HKDF', op: 'extract', hash: h.name, salt, ikm }, () => h.hkdfExtract(salt, ikm)),
      hkdfExpand: (prk, info, length) =>
        hook({ cat: 'HMAC/HKDF', op: 'expand', hash: h.name, prk, info, length }, () =>
          h.hkdfExpand(prk, info, length),
        ),
    };
    // Optional (the engine falls back to hmac() without it): offered only when the inner hash offers it.
    if (h.hmacKeyed !== undefined) {
      w.hmacKeyed = (key) => {
        const id = nextId++;
        const k = hook({ cat: 'HMAC/HKDF', op: 'keyed', hash: h.name, id, key }, () => h.hmacKeyed(key));
        return {
          mac: (data) => hook({ cat: 'HMAC/HKDF', op: 'mac', hash: h.name, id, data }, () => k.mac(data)),
          destroy: () => hook({ cat: 'HMAC/HKDF', op: 'destroy', hash: h.name, id }, () => k.destroy()),
        };
      };
    }
    return w;
  };
  const wrapAead = (a) => ({
    name: a.name,
    keyLength: a.keyLength,
    nonceLength: a.nonceLength,
    tagLength: a.tagLength,
    create(key) {
      const id = nextId++;
      const k = hook({ cat: 'AEAD key setup', op: 'create', aead: a.name, id, key }, () => a.create(key));
      const w = {
        seal: (nonce, plaintext, aad) =>
          hook({ cat: 'AEAD seal/open', op: 'seal', aead: a.name, id, nonce, data: plaintext, aad }, () =>
            k.seal(nonce, plaintext, aad),
          ),
        open: (nonce, ciphertext, aad) =>
          hook({ cat: 'AEAD seal/open', op: 'open', aead: a.name, id, nonce, data: ciphertext, aad }, () =>
            k.open(nonce, ciphertext, aad),
          ),
      };
      if (k.sealInPlace !== undefined) {
        w.sealInPlace = (nonce, aad, buffer, offset, length) =>
          hook(
            {
              cat: 'AEAD seal/open',
              op: 'sealInPlace',
              aead: a.name,
              id,
              nonce,
              aad,
              data: buffer.subarray(offset, offset + length),
            },
            () => k.sealInPlace(nonce, aad, buffer, offset, length),
          );
      }
      if (k.wipe !== undefined)
        w.wipe = () => hook({ cat: 'AEAD key setup', op: 'wipe', aead: a.name, id }, () => k.wipe());
      return w;
    },
  });
  const wrapOffer = (offer, group, id) => ({
    publicKey: offer.publicKey,
    complete: (peerShare) =>
      hook({ cat: 'key share: complete', op: 'complete', group, id, peerShare }, () => offer.complete(peerShare)),
  });
  const wrapGroup = (g) => {
    const w = {
      name: g.name,
      code: g.code,
      generate(randomBytes) {
        const id = nextId++;
        return wrapOffer(
          hook({ cat: 'key share: generate', op: 'generate', group: g.name, id }, () => g.generate(randomBytes)),
          g.name,
          id,
        );
      },
      respond: (clientShare, randomBytes) =>
        hook({ cat: 'key share: respond', op: 'respond', group: g.name, clientShare }, () =>
          g.respond(clientShare, randomBytes),
        ),
    };
    // Optional, client side (a provider whose key agreement may be asynchronous): the engine calls it
    // instead of generate() when present. Timed and recorded synchronously; a promise is passed through.
    if (g.generateClientShare !== undefined) {
      w.generateClientShare = (randomBytes) => {
        const id = nextId++;
        const offer = hook({ cat: 'key share: generate', op: 'generateClientShare', group: g.name, id }, () =>
          g.generateClientShare(randomBytes),
        );
        return typeof offer?.then === 'function'
          ? offer.then((o) => wrapOffer(o, g.name, id))
          : wrapOffer(offer, g.name, id);
      };
    }
    return w;
  };
  const hashes = new Map();
  const aeads = new Map();
  const groups = new Map();
  const provider = {
    name,
    get fastAesGcm() {
      return inner.fastAesGcm;
    },
    randomBytes: (n) => hook({ cat: 'random', op: 'random', n }, () => inner.randomBytes(n)),
    hash(hashName) {
      if (!hashes.has(hashName)) hashes.set(hashName, wrapHash(inner.hash(hashName)));
      return hashes.get(hashName);
    },
    aead(aeadName) {
      if (!aeads.has(aeadName)) aeads.set(aeadName, wrapAead(inner.aead(aeadName)));
      return aeads.get(aeadName);
    },
    group(groupName) {
      const g = inner.group(groupName);
      if (g === undefined) return undefined;
      if (!groups.has(groupName)) groups.set(groupName, wrapGroup(g));
      return groups.get(groupName);
    },
    sign: (alg, key, data, randomBytes) =>
      hook({ cat: 'sign', op: 'sign', what: describe(alg, key), alg, key, data }, () =>
        inner.sign(alg, key, data, randomBytes),
      ),
    verify: (alg, key, data, signature) =>
      hook({ cat: 'verify', op: 'verify', what: describe(alg, key), alg, key, data, signature }, () =>
        inner.verify(alg, key, data, signature),
      ),
  };
  // Optional (the engine uses verify() without it): the client's check of the server's handshake signature.
  if (inner.verifyHandshakeSignature !== undefined) {
    provider.verifyHandshakeSignature = (alg, key, data, signature) =>
      hook({ cat: 'verify', op: 'verifyHandshakeSignature', what: describe(alg, key), alg, key, data, signature }, () =>
        inner.verifyHandshakeSignature(alg, key, data, signature),
      );
  }
  // Anything else the interface may grow: functions are passed through and logged as 'other' (so a floor
  // never silently misses calls), other values are copied.
  for (const key of Object.keys(inner)) {
    if (KNOWN.has(key) || key in provider) continue;
    const value = inner[key];
    provider[key] =
      typeof value === 'function'
        ? (...args) => hook({ cat: 'other', op: 'call', method: key, args }, () => value.apply(inner, args))
        : value;
  }
  return provider;
}

/** A copy of a log entry whose byte inputs no longer alias the caller's (reused) buffers. */
function snapshot(entry) {
  const out = {};
  for (const [k, v] of Object.entries(entry)) {
    out[k] =
      v instanceof Uint8Array ? v.slice() : k === 'args' ? v.map((a) => (a instanceof Uint8Array ? a.slice() : a)) : v;
  }
  return out;
}

/**
 * Wraps `inner`; `recorder.log` collects entries while `recorder.on` is true. Byte inputs are copied when
 * logged: the engine reuses buffers (record input buffers, a TLS 1.2 connection's nonce), and a replay of
 * live views would later open records that no longer authenticate — a failed open skips decryption, which
 * made the floor cheaper than the handshake's real opens.
 */
export function recordingProvider(inner) {
  const recorder = { on: false, log: [] };
  // Key objects met in any call so far, recording or not: a key the engine passes again in a later
  // handshake (the server's own key, a trust anchor's, a leaf from the validated-chain cache) is the same
  // object each time, and a provider may keep work beside it (node:crypto keeps its KeyObject in a
  // WeakMap). A key first met while recording was parsed for this handshake (a chain whose cache was
  // cleared): the replay must hand the provider a new object each run, or it replays warmer work.
  const seen = new WeakSet();
  const provider = instrument(
    inner,
    (entry, run) => {
      const key = entry.op === 'sign' || entry.op.startsWith('verify') ? entry.key : undefined;
      if (recorder.on)
        recorder.log.push({ ...snapshot(entry), ...(key === undefined ? {} : { freshKey: !seen.has(key) }) });
      if (key !== undefined) seen.add(key);
      return run();
    },
    `${inner.name} (recording)`,
  );
  return { provider, recorder };
}

/**
 * Wraps `inner` to time each call while `clock.on`: `clock.times[k]` accumulates the wall-clock ms of the
 * k-th call since `clock.k` was last set to 0 (the harness resets it per handshake, so k is the call's
 * index in the handshake, as in its log), exclusive of provider calls nested in it (a key share drawing
 * randomness through the context's RNG, which calls the provider). The span of every outermost call
 * (performance.now() start and end) is kept in `clock.spans[0, 2·clock.nspans)` to place garbage
 * collections inside or outside provider calls. Allocation-free on the timed path.
 */
export function timingProvider(inner, { maxCalls = 1024, maxSpans = 1 << 19 } = {}) {
  const clock = {
    on: false,
    k: 0,
    times: new Float64Array(maxCalls),
    /** The entry (cat, op, …) of each call index, filled while `clock.shape` is an array (to check it against a log). */
    shape: null,
    spans: new Float64Array(2 * maxSpans),
    nspans: 0,
    depth: 0,
    nested: 0,
    reset() {
      clock.times.fill(0);
      clock.nspans = 0;
      clock.k = 0;
    },
  };
  const provider = instrument(
    inner,
    (entry, run) => {
      if (!clock.on) return run();
      const k = clock.k++;
      if (clock.shape !== null) clock.shape[k] = entry;
      const outerNested = clock.nested;
      clock.nested = 0;
      clock.depth++;
      const t0 = performance.now();
      try {
        return run();
      } finally {
        const t1 = performance.now();
        const dt = t1 - t0;
        clock.depth--;
        if (k < clock.times.length) clock.times[k] += dt - clock.nested;
        if (clock.depth === 0 && clock.nspans < maxSpans) {
          clock.spans[2 * clock.nspans] = t0;
          clock.spans[2 * clock.nspans + 1] = t1;
          clock.nspans++;
        }
        clock.nested = outerNested + dt;
      }
    },
    `${inner.name} (timing)`,
  );
  return { provider, clock };
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
 * A replay of `log` against the provider `inner` (the bare one, or a timing wrapper around it): returns
 * `run(timer?)`, which re-executes every primitive call with the recorded inputs (offers are regenerated
 * and completed with the recorded peer share; hash states, keyed HMACs and AEAD keys are re-created in
 * order). With a `timer(cat, ms, entry)`, each call is timed. Every replayed open must authenticate and
 * every verification succeed, as in the handshake: the first run checks it and throws otherwise.
 */
export function replayer(inner, log) {
  // Randomness is replayed from its own 'random' entries (the context's RNG goes through the provider);
  // the primitives that consume it get it from a fixed pool so it is not paid twice.
  const pool = inner.randomBytes(1024);
  const rng = (n) => (n <= pool.length ? pool.slice(0, n) : inner.randomBytes(n));
  // In-place seals get a record-shaped scratch buffer each ([aad | plaintext | tag]), refilled per run.
  const scratch = new Map();
  for (const e of log) {
    if (e.op === 'sealInPlace') {
      const buf = new Uint8Array(e.aad.length + e.data.length + 16);
      scratch.set(e, { buf, aad: buf.subarray(0, e.aad.length) });
    }
  }
  // A key parsed anew in each handshake (freshKey) gets a new object of the same shape in each run.
  const keyOf = (e) =>
    e.freshKey === true ? Object.assign(Object.create(Object.getPrototypeOf(e.key)), e.key) : e.key;
  let checked = false;
  const fail = (e, what) => {
    throw new Error(`replay: ${e.op} ${e.aead ?? e.what ?? e.group ?? ''} ${what} (the recorded inputs changed?)`);
  };
  return function run(timer) {
    const states = new Map();
    const keys = new Map();
    const keyed = new Map();
    const offers = new Map();
    const check = !checked;
    checked = true;
    for (const e of log) {
      let s;
      if (e.op === 'sealInPlace') {
        // Refilling the scratch is the engine's job in a handshake (it writes the record there): outside the timing.
        s = scratch.get(e);
        s.buf.set(e.aad, 0);
        s.buf.set(e.data, e.aad.length);
      }
      const key = e.key === undefined || e.cat === 'AEAD key setup' || e.cat === 'HMAC/HKDF' ? undefined : keyOf(e);
      const t0 = timer === undefined ? 0 : performance.now();
      let result;
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
        case 'keyed':
          keyed.set(e.id, inner.hash(e.hash).hmacKeyed(e.key));
          break;
        case 'mac':
          keyed.get(e.id).mac(e.data);
          break;
        case 'destroy':
          keyed.get(e.id).destroy();
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
        case 'sealInPlace':
          keys.get(e.id).sealInPlace(e.nonce, s.aad, s.buf, e.aad.length, e.data.length);
          break;
        case 'open':
          result = keys.get(e.id).open(e.nonce, e.data, e.aad);
          if (check && result === null) fail(e, 'did not authenticate');
          break;
        case 'wipe':
          keys.get(e.id).wipe();
          break;
        case 'generate':
          offers.set(e.id, inner.group(e.group).generate(rng));
          break;
        case 'generateClientShare':
          offers.set(e.id, inner.group(e.group).generateClientShare(rng));
          break;
        case 'complete':
          offers.get(e.id).complete(e.peerShare);
          break;
        case 'respond':
          inner.group(e.group).respond(e.clientShare, rng);
          break;
        case 'sign':
          inner.sign(e.alg, key, e.data, rng);
          break;
        case 'verify':
          result = inner.verify(e.alg, key, e.data, e.signature);
          if (check && result !== true) fail(e, 'failed');
          break;
        case 'verifyHandshakeSignature':
          result = inner.verifyHandshakeSignature(e.alg, key, e.data, e.signature);
          if (check && result !== true) fail(e, 'failed');
          break;
        case 'random':
          inner.randomBytes(e.n);
          break;
        case 'call':
          inner[e.method](...e.args);
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
    const detail =
      e.group ??
      e.what ??
      (e.aead ? `${e.aead} ${e.op}` : e.hash ? `${e.hash} ${e.op}` : e.method === undefined ? e.op : e.method);
    c.details.set(detail, (c.details.get(detail) ?? 0) + 1);
    c.bytes += e.data?.length ?? e.n ?? 0;
  }
  return out;
}
