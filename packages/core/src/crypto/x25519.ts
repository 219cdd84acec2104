/**
 * X25519 shared secrets (RFC 7748 §5) for the pure-JS provider: the Montgomery ladder over
 * GF(2^255 − 19) with field elements as 16 limbs of 16 bits in float64 — TweetNaCl's representation and
 * ladder (Bernstein, van Gastel, Janssen, Lange, Schwabe, Smetsers; public domain; its JavaScript port,
 * tweetnacl-js, was audited by Cure53 in 2017) — with the multiplication and squaring unrolled (generated:
 * t_k = Σ a_i·b_(k−i), the high half folded in as 2^256 ≡ 38) and inversion by the usual addition chain
 * (254 squarings, 11 multiplications).
 *
 * Why not @noble/curves' ladder: it runs on BigInt, ≈ 0.95 ms per shared secret against ≈ 0.5 ms here on
 * the same machine, and TLS 1.3 resumption keeps the exchange (psk_dhe_ke, RFC 8446 §4.2.9): two shared
 * secrets per handshake pair are most of a resumed pair's cost (issue #9). Key generation stays on noble,
 * whose x25519.getPublicKey multiplies the Ed25519 base point with precomputed tables (≈ 0.34 ms).
 *
 * Constant time as TweetNaCl is: no branch and no memory index depends on the scalar or the point (the
 * ladder's conditional swap is arithmetic masking; the bit index is public), and float64 arithmetic and
 * Math.floor take the same time whatever the values. Limbs stay below 2^53 in every product sum (16 · 2^34
 * · 38 < 2^45), so the arithmetic is exact.
 * @module
 */

/** A field element: 16 limbs of 16 bits, little-endian (limb i weighs 2^(16·i)). */
type Fe = Float64Array;

const fe = (): Fe => new Float64Array(16);

/** o = a + b, limb-wise (no carry: the ladder's sums stay far from 2^53). */
function add(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i]! + b[i]!;
}

function sub(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i]! - b[i]!;
}

/** One carry pass: limbs into [0, 2^16), the overflow of limb 15 folded into limb 0 (2^256 ≡ 38). */
function carry(o: Fe): void {
  let c = 1;
  for (let i = 0; i < 16; i++) {
    const v = o[i]! + c + 65535;
    c = Math.floor(v / 65536);
    o[i] = v - c * 65536;
  }
  o[0] = o[0]! + 38 * (c - 1);
}

/** Swaps p and q when bit is 1, by masking (no branch on the secret bit). */
function swap(p: Fe, q: Fe, bit: number): void {
  const mask = ~(bit - 1);
  for (let i = 0; i < 16; i++) {
    const t = mask & (p[i]! ^ q[i]!);
    p[i] = p[i]! ^ t;
    q[i] = q[i]! ^ t;
  }
}

/** o = a·b mod p (inputs with limbs below 2^17 in magnitude; output carried). */
function mul(o: Fe, a: Fe, b: Fe): void {
  const a0 = a[0]!;
  const a1 = a[1]!;
  const a2 = a[2]!;
  const a3 = a[3]!;
  const a4 = a[4]!;
  const a5 = a[5]!;
  const a6 = a[6]!;
  const a7 = a[7]!;
  const a8 = a[8]!;
  const a9 = a[9]!;
  const a10 = a[10]!;
  const a11 = a[11]!;
  const a12 = a[12]!;
  const a13 = a[13]!;
  const a14 = a[14]!;
  const a15 = a[15]!;
  const b0 = b[0]!;
  const b1 = b[1]!;
  const b2 = b[2]!;
  const b3 = b[3]!;
  const b4 = b[4]!;
  const b5 = b[5]!;
  const b6 = b[6]!;
  const b7 = b[7]!;
  const b8 = b[8]!;
  const b9 = b[9]!;
  const b10 = b[10]!;
  const b11 = b[11]!;
  const b12 = b[12]!;
  const b13 = b[13]!;
  const b14 = b[14]!;
  const b15 = b[15]!;
  let t0 = a0 * b0;
  let t1 = a0 * b1 + a1 * b0;
  let t2 = a0 * b2 + a1 * b1 + a2 * b0;
  let t3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  let t4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
  let t5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0;
  let t6 = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0;
  let t7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0;
  let t8 = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0;
  let t9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0;
  let t10 =
    a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0;
  let t11 =
    a0 * b11 +
    a1 * b10 +
    a2 * b9 +
    a3 * b8 +
    a4 * b7 +
    a5 * b6 +
    a6 * b5 +
    a7 * b4 +
    a8 * b3 +
    a9 * b2 +
    a10 * b1 +
    a11 * b0;
  let t12 =
    a0 * b12 +
    a1 * b11 +
    a2 * b10 +
    a3 * b9 +
    a4 * b8 +
    a5 * b7 +
    a6 * b6 +
    a7 * b5 +
    a8 * b4 +
    a9 * b3 +
    a10 * b2 +
    a11 * b1 +
    a12 * b0;
  let t13 =
    a0 * b13 +
    a1 * b12 +
    a2 * b11 +
    a3 * b10 +
    a4 * b9 +
    a5 * b8 +
    a6 * b7 +
    a7 * b6 +
    a8 * b5 +
    a9 * b4 +
    a10 * b3 +
    a11 * b2 +
    a12 * b1 +
    a13 * b0;
  let t14 =
    a0 * b14 +
    a1 * b13 +
    a2 * b12 +
    a3 * b11 +
    a4 * b10 +
    a5 * b9 +
    a6 * b8 +
    a7 * b7 +
    a8 * b6 +
    a9 * b5 +
    a10 * b4 +
    a11 * b3 +
    a12 * b2 +
    a13 * b1 +
    a14 * b0;
  let t15 =
    a0 * b15 +
    a1 * b14 +
    a2 * b13 +
    a3 * b12 +
    a4 * b11 +
    a5 * b10 +
    a6 * b9 +
    a7 * b8 +
    a8 * b7 +
    a9 * b6 +
    a10 * b5 +
    a11 * b4 +
    a12 * b3 +
    a13 * b2 +
    a14 * b1 +
    a15 * b0;
  const t16 =
    a1 * b15 +
    a2 * b14 +
    a3 * b13 +
    a4 * b12 +
    a5 * b11 +
    a6 * b10 +
    a7 * b9 +
    a8 * b8 +
    a9 * b7 +
    a10 * b6 +
    a11 * b5 +
    a12 * b4 +
    a13 * b3 +
    a14 * b2 +
    a15 * b1;
  const t17 =
    a2 * b15 +
    a3 * b14 +
    a4 * b13 +
    a5 * b12 +
    a6 * b11 +
    a7 * b10 +
    a8 * b9 +
    a9 * b8 +
    a10 * b7 +
    a11 * b6 +
    a12 * b5 +
    a13 * b4 +
    a14 * b3 +
    a15 * b2;
  const t18 =
    a3 * b15 +
    a4 * b14 +
    a5 * b13 +
    a6 * b12 +
    a7 * b11 +
    a8 * b10 +
    a9 * b9 +
    a10 * b8 +
    a11 * b7 +
    a12 * b6 +
    a13 * b5 +
    a14 * b4 +
    a15 * b3;
  const t19 =
    a4 * b15 +
    a5 * b14 +
    a6 * b13 +
    a7 * b12 +
    a8 * b11 +
    a9 * b10 +
    a10 * b9 +
    a11 * b8 +
    a12 * b7 +
    a13 * b6 +
    a14 * b5 +
    a15 * b4;
  const t20 =
    a5 * b15 +
    a6 * b14 +
    a7 * b13 +
    a8 * b12 +
    a9 * b11 +
    a10 * b10 +
    a11 * b9 +
    a12 * b8 +
    a13 * b7 +
    a14 * b6 +
    a15 * b5;
  const t21 =
    a6 * b15 + a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7 + a15 * b6;
  const t22 = a7 * b15 + a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8 + a15 * b7;
  const t23 = a8 * b15 + a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9 + a15 * b8;
  const t24 = a9 * b15 + a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10 + a15 * b9;
  const t25 = a10 * b15 + a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11 + a15 * b10;
  const t26 = a11 * b15 + a12 * b14 + a13 * b13 + a14 * b12 + a15 * b11;
  const t27 = a12 * b15 + a13 * b14 + a14 * b13 + a15 * b12;
  const t28 = a13 * b15 + a14 * b14 + a15 * b13;
  const t29 = a14 * b15 + a15 * b14;
  const t30 = a15 * b15;
  t0 += 38 * t16;
  t1 += 38 * t17;
  t2 += 38 * t18;
  t3 += 38 * t19;
  t4 += 38 * t20;
  t5 += 38 * t21;
  t6 += 38 * t22;
  t7 += 38 * t23;
  t8 += 38 * t24;
  t9 += 38 * t25;
  t10 += 38 * t26;
  t11 += 38 * t27;
  t12 += 38 * t28;
  t13 += 38 * t29;
  t14 += 38 * t30;
  let c: number;
  let v: number;
  c = 1;
  v = t0 + c + 65535;
  c = Math.floor(v / 65536);
  t0 = v - c * 65536;
  v = t1 + c + 65535;
  c = Math.floor(v / 65536);
  t1 = v - c * 65536;
  v = t2 + c + 65535;
  c = Math.floor(v / 65536);
  t2 = v - c * 65536;
  v = t3 + c + 65535;
  c = Math.floor(v / 65536);
  t3 = v - c * 65536;
  v = t4 + c + 65535;
  c = Math.floor(v / 65536);
  t4 = v - c * 65536;
  v = t5 + c + 65535;
  c = Math.floor(v / 65536);
  t5 = v - c * 65536;
  v = t6 + c + 65535;
  c = Math.floor(v / 65536);
  t6 = v - c * 65536;
  v = t7 + c + 65535;
  c = Math.floor(v / 65536);
  t7 = v - c * 65536;
  v = t8 + c + 65535;
  c = Math.floor(v / 65536);
  t8 = v - c * 65536;
  v = t9 + c + 65535;
  c = Math.floor(v / 65536);
  t9 = v - c * 65536;
  v = t10 + c + 65535;
  c = Math.floor(v / 65536);
  t10 = v - c * 65536;
  v = t11 + c + 65535;
  c = Math.floor(v / 65536);
  t11 = v - c * 65536;
  v = t12 + c + 65535;
  c = Math.floor(v / 65536);
  t12 = v - c * 65536;
  v = t13 + c + 65535;
  c = Math.floor(v / 65536);
  t13 = v - c * 65536;
  v = t14 + c + 65535;
  c = Math.floor(v / 65536);
  t14 = v - c * 65536;
  v = t15 + c + 65535;
  c = Math.floor(v / 65536);
  t15 = v - c * 65536;
  t0 += 38 * (c - 1);
  c = 1;
  v = t0 + c + 65535;
  c = Math.floor(v / 65536);
  t0 = v - c * 65536;
  v = t1 + c + 65535;
  c = Math.floor(v / 65536);
  t1 = v - c * 65536;
  v = t2 + c + 65535;
  c = Math.floor(v / 65536);
  t2 = v - c * 65536;
  v = t3 + c + 65535;
  c = Math.floor(v / 65536);
  t3 = v - c * 65536;
  v = t4 + c + 65535;
  c = Math.floor(v / 65536);
  t4 = v - c * 65536;
  v = t5 + c + 65535;
  c = Math.floor(v / 65536);
  t5 = v - c * 65536;
  v = t6 + c + 65535;
  c = Math.floor(v / 65536);
  t6 = v - c * 65536;
  v = t7 + c + 65535;
  c = Math.floor(v / 65536);
  t7 = v - c * 65536;
  v = t8 + c + 65535;
  c = Math.floor(v / 65536);
  t8 = v - c * 65536;
  v = t9 + c + 65535;
  c = Math.floor(v / 65536);
  t9 = v - c * 65536;
  v = t10 + c + 65535;
  c = Math.floor(v / 65536);
  t10 = v - c * 65536;
  v = t11 + c + 65535;
  c = Math.floor(v / 65536);
  t11 = v - c * 65536;
  v = t12 + c + 65535;
  c = Math.floor(v / 65536);
  t12 = v - c * 65536;
  v = t13 + c + 65535;
  c = Math.floor(v / 65536);
  t13 = v - c * 65536;
  v = t14 + c + 65535;
  c = Math.floor(v / 65536);
  t14 = v - c * 65536;
  v = t15 + c + 65535;
  c = Math.floor(v / 65536);
  t15 = v - c * 65536;
  t0 += 38 * (c - 1);
  o[0] = t0;
  o[1] = t1;
  o[2] = t2;
  o[3] = t3;
  o[4] = t4;
  o[5] = t5;
  o[6] = t6;
  o[7] = t7;
  o[8] = t8;
  o[9] = t9;
  o[10] = t10;
  o[11] = t11;
  o[12] = t12;
  o[13] = t13;
  o[14] = t14;
  o[15] = t15;
}

/** o = a² mod p: the cross products once, doubled (136 products instead of 256). */
function sqr(o: Fe, a: Fe): void {
  const a0 = a[0]!;
  const a1 = a[1]!;
  const a2 = a[2]!;
  const a3 = a[3]!;
  const a4 = a[4]!;
  const a5 = a[5]!;
  const a6 = a[6]!;
  const a7 = a[7]!;
  const a8 = a[8]!;
  const a9 = a[9]!;
  const a10 = a[10]!;
  const a11 = a[11]!;
  const a12 = a[12]!;
  const a13 = a[13]!;
  const a14 = a[14]!;
  const a15 = a[15]!;
  const d0 = 2 * a0;
  const d1 = 2 * a1;
  const d2 = 2 * a2;
  const d3 = 2 * a3;
  const d4 = 2 * a4;
  const d5 = 2 * a5;
  const d6 = 2 * a6;
  const d7 = 2 * a7;
  const d8 = 2 * a8;
  const d9 = 2 * a9;
  const d10 = 2 * a10;
  const d11 = 2 * a11;
  const d12 = 2 * a12;
  const d13 = 2 * a13;
  const d14 = 2 * a14;
  let t0 = a0 * a0;
  let t1 = d0 * a1;
  let t2 = d0 * a2 + a1 * a1;
  let t3 = d0 * a3 + d1 * a2;
  let t4 = d0 * a4 + d1 * a3 + a2 * a2;
  let t5 = d0 * a5 + d1 * a4 + d2 * a3;
  let t6 = d0 * a6 + d1 * a5 + d2 * a4 + a3 * a3;
  let t7 = d0 * a7 + d1 * a6 + d2 * a5 + d3 * a4;
  let t8 = d0 * a8 + d1 * a7 + d2 * a6 + d3 * a5 + a4 * a4;
  let t9 = d0 * a9 + d1 * a8 + d2 * a7 + d3 * a6 + d4 * a5;
  let t10 = d0 * a10 + d1 * a9 + d2 * a8 + d3 * a7 + d4 * a6 + a5 * a5;
  let t11 = d0 * a11 + d1 * a10 + d2 * a9 + d3 * a8 + d4 * a7 + d5 * a6;
  let t12 = d0 * a12 + d1 * a11 + d2 * a10 + d3 * a9 + d4 * a8 + d5 * a7 + a6 * a6;
  let t13 = d0 * a13 + d1 * a12 + d2 * a11 + d3 * a10 + d4 * a9 + d5 * a8 + d6 * a7;
  let t14 = d0 * a14 + d1 * a13 + d2 * a12 + d3 * a11 + d4 * a10 + d5 * a9 + d6 * a8 + a7 * a7;
  let t15 = d0 * a15 + d1 * a14 + d2 * a13 + d3 * a12 + d4 * a11 + d5 * a10 + d6 * a9 + d7 * a8;
  const t16 = d1 * a15 + d2 * a14 + d3 * a13 + d4 * a12 + d5 * a11 + d6 * a10 + d7 * a9 + a8 * a8;
  const t17 = d2 * a15 + d3 * a14 + d4 * a13 + d5 * a12 + d6 * a11 + d7 * a10 + d8 * a9;
  const t18 = d3 * a15 + d4 * a14 + d5 * a13 + d6 * a12 + d7 * a11 + d8 * a10 + a9 * a9;
  const t19 = d4 * a15 + d5 * a14 + d6 * a13 + d7 * a12 + d8 * a11 + d9 * a10;
  const t20 = d5 * a15 + d6 * a14 + d7 * a13 + d8 * a12 + d9 * a11 + a10 * a10;
  const t21 = d6 * a15 + d7 * a14 + d8 * a13 + d9 * a12 + d10 * a11;
  const t22 = d7 * a15 + d8 * a14 + d9 * a13 + d10 * a12 + a11 * a11;
  const t23 = d8 * a15 + d9 * a14 + d10 * a13 + d11 * a12;
  const t24 = d9 * a15 + d10 * a14 + d11 * a13 + a12 * a12;
  const t25 = d10 * a15 + d11 * a14 + d12 * a13;
  const t26 = d11 * a15 + d12 * a14 + a13 * a13;
  const t27 = d12 * a15 + d13 * a14;
  const t28 = d13 * a15 + a14 * a14;
  const t29 = d14 * a15;
  const t30 = a15 * a15;
  t0 += 38 * t16;
  t1 += 38 * t17;
  t2 += 38 * t18;
  t3 += 38 * t19;
  t4 += 38 * t20;
  t5 += 38 * t21;
  t6 += 38 * t22;
  t7 += 38 * t23;
  t8 += 38 * t24;
  t9 += 38 * t25;
  t10 += 38 * t26;
  t11 += 38 * t27;
  t12 += 38 * t28;
  t13 += 38 * t29;
  t14 += 38 * t30;
  let c: number;
  let v: number;
  c = 1;
  v = t0 + c + 65535;
  c = Math.floor(v / 65536);
  t0 = v - c * 65536;
  v = t1 + c + 65535;
  c = Math.floor(v / 65536);
  t1 = v - c * 65536;
  v = t2 + c + 65535;
  c = Math.floor(v / 65536);
  t2 = v - c * 65536;
  v = t3 + c + 65535;
  c = Math.floor(v / 65536);
  t3 = v - c * 65536;
  v = t4 + c + 65535;
  c = Math.floor(v / 65536);
  t4 = v - c * 65536;
  v = t5 + c + 65535;
  c = Math.floor(v / 65536);
  t5 = v - c * 65536;
  v = t6 + c + 65535;
  c = Math.floor(v / 65536);
  t6 = v - c * 65536;
  v = t7 + c + 65535;
  c = Math.floor(v / 65536);
  t7 = v - c * 65536;
  v = t8 + c + 65535;
  c = Math.floor(v / 65536);
  t8 = v - c * 65536;
  v = t9 + c + 65535;
  c = Math.floor(v / 65536);
  t9 = v - c * 65536;
  v = t10 + c + 65535;
  c = Math.floor(v / 65536);
  t10 = v - c * 65536;
  v = t11 + c + 65535;
  c = Math.floor(v / 65536);
  t11 = v - c * 65536;
  v = t12 + c + 65535;
  c = Math.floor(v / 65536);
  t12 = v - c * 65536;
  v = t13 + c + 65535;
  c = Math.floor(v / 65536);
  t13 = v - c * 65536;
  v = t14 + c + 65535;
  c = Math.floor(v / 65536);
  t14 = v - c * 65536;
  v = t15 + c + 65535;
  c = Math.floor(v / 65536);
  t15 = v - c * 65536;
  t0 += 38 * (c - 1);
  c = 1;
  v = t0 + c + 65535;
  c = Math.floor(v / 65536);
  t0 = v - c * 65536;
  v = t1 + c + 65535;
  c = Math.floor(v / 65536);
  t1 = v - c * 65536;
  v = t2 + c + 65535;
  c = Math.floor(v / 65536);
  t2 = v - c * 65536;
  v = t3 + c + 65535;
  c = Math.floor(v / 65536);
  t3 = v - c * 65536;
  v = t4 + c + 65535;
  c = Math.floor(v / 65536);
  t4 = v - c * 65536;
  v = t5 + c + 65535;
  c = Math.floor(v / 65536);
  t5 = v - c * 65536;
  v = t6 + c + 65535;
  c = Math.floor(v / 65536);
  t6 = v - c * 65536;
  v = t7 + c + 65535;
  c = Math.floor(v / 65536);
  t7 = v - c * 65536;
  v = t8 + c + 65535;
  c = Math.floor(v / 65536);
  t8 = v - c * 65536;
  v = t9 + c + 65535;
  c = Math.floor(v / 65536);
  t9 = v - c * 65536;
  v = t10 + c + 65535;
  c = Math.floor(v / 65536);
  t10 = v - c * 65536;
  v = t11 + c + 65535;
  c = Math.floor(v / 65536);
  t11 = v - c * 65536;
  v = t12 + c + 65535;
  c = Math.floor(v / 65536);
  t12 = v - c * 65536;
  v = t13 + c + 65535;
  c = Math.floor(v / 65536);
  t13 = v - c * 65536;
  v = t14 + c + 65535;
  c = Math.floor(v / 65536);
  t14 = v - c * 65536;
  v = t15 + c + 65535;
  c = Math.floor(v / 65536);
  t15 = v - c * 65536;
  t0 += 38 * (c - 1);
  o[0] = t0;
  o[1] = t1;
  o[2] = t2;
  o[3] = t3;
  o[4] = t4;
  o[5] = t5;
  o[6] = t6;
  o[7] = t7;
  o[8] = t8;
  o[9] = t9;
  o[10] = t10;
  o[11] = t11;
  o[12] = t12;
  o[13] = t13;
  o[14] = t14;
  o[15] = t15;
}

/** o = a · 121665 ((A − 2) / 4 for curve25519's A = 486662, RFC 7748 §5). */
function mulA24(o: Fe, a: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i]! * 121665;
  carry(o);
  carry(o);
}

/** o = a^(2^n) (n squarings). */
function sqrN(o: Fe, a: Fe, n: number): void {
  sqr(o, a);
  for (let i = 1; i < n; i++) sqr(o, o);
}

/** o = z^(p − 2) = z^(2^255 − 21) = 1/z (Fermat), by curve25519-donna's addition chain. */
function invert(o: Fe, z: Fe): void {
  const z2 = fe();
  const z9 = fe();
  const z11 = fe();
  const t = fe();
  const z2_5_0 = fe();
  const z2_10_0 = fe();
  const z2_20_0 = fe();
  const z2_50_0 = fe();
  const z2_100_0 = fe();
  sqr(z2, z); // 2
  sqrN(t, z2, 2); // 8
  mul(z9, t, z); // 9
  mul(z11, z9, z2); // 11
  sqr(t, z11); // 22
  mul(z2_5_0, t, z9); // 2^5 − 1
  sqrN(t, z2_5_0, 5);
  mul(z2_10_0, t, z2_5_0); // 2^10 − 1
  sqrN(t, z2_10_0, 10);
  mul(z2_20_0, t, z2_10_0); // 2^20 − 1
  sqrN(t, z2_20_0, 20);
  mul(t, t, z2_20_0); // 2^40 − 1
  sqrN(t, t, 10);
  mul(z2_50_0, t, z2_10_0); // 2^50 − 1
  sqrN(t, z2_50_0, 50);
  mul(z2_100_0, t, z2_50_0); // 2^100 − 1
  sqrN(t, z2_100_0, 100);
  mul(t, t, z2_100_0); // 2^200 − 1
  sqrN(t, t, 50);
  mul(t, t, z2_50_0); // 2^250 − 1
  sqrN(t, t, 5); // 2^255 − 2^5
  mul(o, t, z11); // 2^255 − 21
}

/** The canonical little-endian encoding (RFC 7748 §5): fully reduced below p. */
function encode(out: Uint8Array, n: Fe): void {
  const t = fe();
  const m = fe();
  for (let i = 0; i < 16; i++) t[i] = n[i]!;
  carry(t);
  carry(t);
  carry(t);
  // Twice: subtract p, keep the difference unless it borrowed (selected by masking).
  for (let j = 0; j < 2; j++) {
    m[0] = t[0]! - 0xffed;
    for (let i = 1; i < 15; i++) {
      m[i] = t[i]! - 0xffff - ((m[i - 1]! >> 16) & 1);
      m[i - 1] = m[i - 1]! & 0xffff;
    }
    m[15] = t[15]! - 0x7fff - ((m[14]! >> 16) & 1);
    const borrow = (m[15]! >> 16) & 1;
    m[14] = m[14]! & 0xffff;
    swap(t, m, 1 - borrow);
  }
  for (let i = 0; i < 16; i++) {
    out[2 * i] = t[i]! & 0xff;
    out[2 * i + 1] = t[i]! >> 8;
  }
}

/**
 * X25519(k, u) (RFC 7748 §5): the scalar clamped, u's top bit masked and non-canonical values (≥ p)
 * taken mod p, as §5 requires. Both inputs are 32 bytes (the caller checks). The caller also rejects an
 * all-zero result (RFC 8446 §7.4.2: a small-order peer point).
 */
export function x25519Ladder(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  const k = scalar.slice(0, 32);
  k[0] = k[0]! & 248;
  k[31] = (k[31]! & 127) | 64;
  const x1 = fe();
  for (let i = 0; i < 16; i++) x1[i] = u[2 * i]! + (u[2 * i + 1]! << 8);
  x1[15] = x1[15]! & 0x7fff;
  // (x2 : z2) = (1 : 0), (x3 : z3) = (u : 1); RFC 7748 §5's ladder with its swaps merged per bit.
  const x2 = fe();
  const z2 = fe();
  const x3 = fe();
  const z3 = fe();
  const e = fe();
  const f = fe();
  for (let i = 0; i < 16; i++) x3[i] = x1[i]!;
  x2[0] = 1;
  z3[0] = 1;
  for (let i = 254; i >= 0; i--) {
    const bit = (k[i >>> 3]! >>> (i & 7)) & 1;
    swap(x2, x3, bit);
    swap(z2, z3, bit);
    add(e, x2, z2); // A = x2 + z2
    sub(x2, x2, z2); // B = x2 − z2
    add(z2, x3, z3); // C = x3 + z3
    sub(x3, x3, z3); // D = x3 − z3
    sqr(z3, e); // AA
    sqr(f, x2); // BB
    mul(x2, z2, x2); // CB
    mul(z2, x3, e); // DA
    add(e, x2, z2); // DA + CB
    sub(x2, x2, z2); // CB − DA
    sqr(x3, x2); // (DA − CB)²
    sub(z2, z3, f); // E = AA − BB
    mulA24(x2, z2); // a24 · E
    add(x2, x2, z3); // AA + a24 · E
    mul(z2, z2, x2); // z2 = E · (AA + a24 · E)
    mul(x2, z3, f); // x2 = AA · BB
    mul(z3, x3, x1); // z3 = x1 · (DA − CB)²
    sqr(x3, e); // x3 = (DA + CB)²
    swap(x2, x3, bit);
    swap(z2, z3, bit);
  }
  k.fill(0);
  invert(z2, z2);
  mul(x2, x2, z2);
  const out = new Uint8Array(32);
  encode(out, x2);
  return out;
}
