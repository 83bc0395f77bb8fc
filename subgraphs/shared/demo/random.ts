import { createHash } from "node:crypto";

/** A small, fast, seeded PRNG (mulberry32): the same seed always builds the same partnership. */
export class Random {
  private state: number;

  constructor(seed: number | string) {
    this.state =
      typeof seed === "number" ? seed >>> 0 : createHash("sha256").update(seed).digest().readUInt32LE(0);
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Picks by weight: [[value, weight], ...]. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of choices) {
      r -= weight;
      if (r < 0) return value;
    }
    return choices[choices.length - 1][0];
  }

  /** `n` distinct items (or all of them when fewer). */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
}

/** A sub-stream for one purpose, independent of how much other generators consumed. */
export function randomFor(seed: number, label: string): Random {
  return new Random(`${seed}:${label}`);
}

/**
 * The record key (disclosure control, shared/statistics.ts) of a demo record: fixed by the seed
 * and the record's id, so the demo partnership releases the same perturbed numbers on every
 * machine and in every test run. Records a partnership stores itself get the column's random
 * default instead; these keys are only as secret as the seed, which suits demo data alone.
 * A numeric(10, 9) value in [0, 1), as text.
 */
export function demoRecordKey(seed: number, id: string): string {
  const billionths =
    createHash("sha256").update(`${seed}:record-key:${id}`).digest().readBigUInt64LE(0) % 1_000_000_000n;
  return `0.${billionths.toString().padStart(9, "0")}`;
}
