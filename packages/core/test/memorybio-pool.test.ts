/**
 * MemoryBIO's arena pool (issue #9): slots are counted, given back when a BIO drains, and given back by a
 * FinalizationRegistry when a BIO is dropped still holding bytes — without WeakRefs, whose targets V8
 * keeps alive until the current job ends (a synchronous loop of connections retained every BIO).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { borrowedArenas, MemoryBIO } from '../src/memorybio.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until `done()` (FinalizationRegistry callbacks run in a task after the collection). */
async function collectUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return done();
}

/** BIOs that write and are dropped (not reachable once this returns); `drain`: read everything first. */
function dropBios(count: number, drain: boolean): void {
  for (let i = 0; i < count; i++) {
    const bio = new MemoryBIO();
    bio.write(new Uint8Array(100).fill(i));
    if (drain) expect(bio.read()).toEqual(new Uint8Array(100).fill(i));
  }
}

/** Writes into the held BIO (it borrows an arena) and drops it, in a frame of its own. */
function borrowIn(holder: { bio?: MemoryBIO }): void {
  holder.bio!.write(new Uint8Array(10));
  holder.bio = undefined;
}

describe('MemoryBIO arena pool', () => {
  it('a drained BIO gives its slot back at once; the count never goes below what is borrowed', async () => {
    const base = borrowedArenas();
    const bio = new MemoryBIO();
    bio.write(new Uint8Array(10));
    expect(borrowedArenas()).toBe(base + 1);
    bio.write(new Uint8Array(10)); // same arena: no second slot
    expect(borrowedArenas()).toBe(base + 1);
    bio.read(5);
    expect(borrowedArenas()).toBe(base + 1);
    bio.readChunks();
    expect(borrowedArenas()).toBe(base);
    // Drained then dropped: collecting them must not hand their (already returned) slots back twice.
    dropBios(8, true);
    expect(borrowedArenas()).toBe(base);
    await collectUntil(() => false, 4);
    expect(borrowedArenas()).toBe(base);
  });

  it('BIOs dropped while holding bytes give their slots back once collected', async () => {
    const base = borrowedArenas();
    dropBios(4, false);
    expect(borrowedArenas()).toBe(Math.min(base + 4, 4));
    expect(await collectUntil(() => borrowedArenas() === base)).toBe(true);
    // With every slot free again, four live BIOs borrow four arenas; a fifth copies per write (no slot).
    const live = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
    for (const [i, bio] of live.entries()) bio.write(new Uint8Array(3000).fill(i));
    expect(borrowedArenas()).toBe(4);
    for (const [i, bio] of live.entries()) expect(bio.read()).toEqual(new Uint8Array(3000).fill(i));
    expect(borrowedArenas()).toBe(base);
  });

  it('the pool does not keep a borrowing BIO alive until the job ends', async () => {
    // The WeakRef observing the BIO is made in an earlier job (a WeakRef keeps its target only during
    // the job that made or dereferenced it); the BIO borrows an arena in a later job, is dropped, and a
    // collection in that same job must free it. With WeakRef borrowers the pool pinned it until the job ended.
    const holder: { bio?: MemoryBIO } = { bio: new MemoryBIO() };
    const ref = new WeakRef(holder.bio!);
    await new Promise((resolve) => setTimeout(resolve, 0));
    borrowIn(holder);
    expect(holder.bio).toBeUndefined();
    gc();
    expect(ref.deref()).toBeUndefined();
  });
});
