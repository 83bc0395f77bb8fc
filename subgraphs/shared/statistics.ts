import { KEY_UNITS } from "./record-key";

/**
 * The partnership's one disclosure-control engine: every count released under STATISTICS or
 * as a case assessment passes through `release`. It is the cell-key method (ABS TableBuilder,
 * ONS Census 2021; the SDC handbook, chapter 5): every source record carries a fixed random
 * record key in [0, 1) from the moment it is stored; a cell's key is the fractional part of the
 * sum of its records' keys, computed by the same SQL that counts them; the noise added to the
 * cell is looked up in a perturbation table (p-table) by the cell's true count and its key.
 * The same records always make the same cell, with the same key and the same noise, however
 * the cell is asked for; two different cells get independent noise, so repeating a query
 * averages nothing away and differencing two released numbers gives noise, not a count.
 */

/** Released counts are 0 or at least this: a count from 1 to 4 is never shown. */
export const THRESHOLD = 5;
/**
 * The largest change the perturbation makes to a count (D). Zero mean with the threshold needs
 * D >= 4 (a true 4 must be able to fall to 0); with D = 4 a true 5 could move neither down (to 1
 * to 4, or 0, five away) nor, keeping zero mean, up, so it would always be released as it is.
 * D = 5 gives every count from 5 up its noise.
 */
export const MAX_NOISE = 5;
/** The noise variance (V) for every true count where the threshold leaves room for it (6 and above). */
export const VARIANCE = 3;

/** One row of the p-table: for a true count `count`, the released count `count + noise[k]` with probability `p[k]`. */
export interface PTableRow {
  count: number;
  noise: number[];
  p: number[];
  /** Upper bounds of the cell-key intervals: noise[k] applies to keys in [upper[k-1], upper[k]). */
  upper: number[];
}

/** Noise values a row may use: within D, never below zero, never 1 to THRESHOLD - 1. */
function allowedNoise(count: number, maxNoise: number, threshold: number): number[] {
  if (count === 0) return [0];
  const noise: number[] = [];
  for (let v = -maxNoise; v <= maxNoise; v++) {
    const released = count + v;
    if (released === 0 || released >= threshold) noise.push(v);
  }
  return noise;
}

/** The exponential-family distribution p ∝ exp(a·v + b·v²), computed stably. */
function gibbs(noise: number[], a: number, b: number): number[] {
  const exponents = noise.map((v) => a * v + b * v * v);
  const top = Math.max(...exponents);
  const weights = exponents.map((e) => Math.exp(e - top));
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

const moment = (noise: number[], p: number[], power: number) =>
  noise.reduce((s, v, k) => s + p[k] * v ** power, 0);

/** The `a` that makes the mean zero for a given `b` (the mean rises with a). */
function zeroMeanA(noise: number[], b: number): number {
  let lo = -200;
  let hi = 200;
  for (let step = 0; step < 200; step++) {
    const mid = (lo + hi) / 2;
    if (moment(noise, gibbs(noise, mid, b), 1) > 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The variances a zero-mean distribution on these noise values can have: the extremes of a
 * linear programme over the simplex sit on two-point distributions {a < 0 < c}, whose variance is -a·c.
 */
function varianceRange(noise: number[]): [number, number] {
  const pairs: number[] = [];
  for (const a of noise.filter((v) => v < 0)) for (const c of noise.filter((v) => v > 0)) pairs.push(-a * c);
  const min = noise.includes(0) ? 0 : Math.min(...pairs);
  return [min, Math.max(...pairs)];
}

/**
 * One row, by maximum entropy (as the R package `ptable` builds them): among the distributions on
 * the allowed noise with zero mean and variance V, the most uncertain one (p ∝ exp(a·v + b·v²)).
 * Where the threshold leaves no zero-mean distribution of variance V (true counts 1 to 4), the
 * row keeps zero mean and takes the maximum-entropy variance; where it leaves no downward move
 * at all (a true 5 under D = 4: 1 to 4 are not allowed and 0 is more than D away), the count stays.
 */
function buildRow(count: number, maxNoise: number, variance: number, threshold: number): PTableRow {
  const noise = allowedNoise(count, maxNoise, threshold);
  let p: number[];
  if (!noise.some((v) => v < 0)) {
    p = noise.map((v) => (v === 0 ? 1 : 0));
  } else {
    const [min, max] = varianceRange(noise);
    let b = 0;
    if (variance > min && variance < max) {
      // The variance at zero mean rises with b (a Schur complement of the covariance is positive).
      let lo = -50;
      let hi = 50;
      for (let step = 0; step < 200; step++) {
        const mid = (lo + hi) / 2;
        if (moment(noise, gibbs(noise, zeroMeanA(noise, mid), mid), 2) > variance) hi = mid;
        else lo = mid;
      }
      b = (lo + hi) / 2;
    }
    p = gibbs(noise, zeroMeanA(noise, b), b);
  }
  // Published to six decimals (a p-table is a table, the same on every machine); the largest
  // probability absorbs the rounding so that each row sums to exactly 1.
  const rounded = p.map((x) => Math.round(x * 1e6) / 1e6);
  const largest = rounded.indexOf(Math.max(...rounded));
  rounded[largest] =
    Math.round((1 - rounded.reduce((s, x, k) => (k === largest ? s : s + x), 0)) * 1e6) / 1e6;
  const kept = noise.map((v, k) => ({ v, p: rounded[k] })).filter((x) => x.p > 0);
  let cumulative = 0;
  const upper = kept.map((x, k) => {
    cumulative += x.p;
    return k === kept.length - 1 ? 1 : cumulative;
  });
  return { count, noise: kept.map((x) => x.v), p: kept.map((x) => x.p), upper };
}

/**
 * Builds a p-table for counts: rows for true counts 0 to threshold - 1 + D + 1; every larger count
 * uses the last row (all noise from -D to D is allowed there, so the rows are the same).
 */
export function buildPTable(maxNoise: number, variance: number, threshold: number): PTableRow[] {
  const rows: PTableRow[] = [];
  for (let count = 0; count <= threshold + maxNoise; count++)
    rows.push(buildRow(count, maxNoise, variance, threshold));
  return rows;
}

/** The partnership's p-table (D = 5, V = 3, threshold 5). */
export const P_TABLE: readonly PTableRow[] = buildPTable(MAX_NOISE, VARIANCE, THRESHOLD);

/** The noise for a true count and cell key, read from a p-table. */
export function noiseFor(count: number, cellKey: number, table: readonly PTableRow[] = P_TABLE): number {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`a count must be a whole number >= 0, got ${count}`);
  if (!(cellKey >= 0 && cellKey < 1)) throw new RangeError(`a cell key must be in [0, 1), got ${cellKey}`);
  const row = table[Math.min(count, table.length - 1)];
  const k = row.upper.findIndex((u) => cellKey < u);
  return row.noise[k === -1 ? row.noise.length - 1 : k];
}

/** The one place a count is released: the true count plus the noise its cell key selects. */
export function release(count: number, cellKey: number): number {
  return count + noiseFor(count, cellKey);
}

/**
 * A cell key from SQL: `sum(record_key) % 1` over numeric record keys is exact, so the key does
 * not depend on the order PostgreSQL adds rows in (a float sum would, near interval edges).
 */
export function cellKeyOf(fraction: string | number | null): number {
  const key = fraction === null ? 0 : Number(fraction);
  if (!(key >= 0 && key < 1)) throw new RangeError(`a cell key must be in [0, 1), got ${fraction}`);
  return key;
}

const keyUnits = (key: string | number): number => Math.round(Number(key) * KEY_UNITS);
const fraction = (units: number): number => (((units % KEY_UNITS) + KEY_UNITS) % KEY_UNITS) / KEY_UNITS;

/**
 * The cell key of a set of records from their record keys (the fractional part of their sum),
 * as `CELL_KEY_SQL` gives it for the same records; null when any record has no key.
 */
export function cellKeyOfRecords(keys: readonly (string | number | null | undefined)[]): number | null {
  let units = 0;
  for (const key of keys) {
    if (key === null || key === undefined) return null;
    units += keyUnits(key);
  }
  return fraction(units);
}

/** The cell key of a cell without some of its records: its key less theirs, modulo 1. */
export function cellKeyWithout(cellKey: number, removed: readonly (string | number)[]): number {
  return fraction(keyUnits(cellKey) - removed.reduce<number>((s, k) => s + keyUnits(k), 0));
}

/** SQL for a cell's key over a `record_key` column: exact, so the same records give the same key. */
export const CELL_KEY_SQL = (alias: string) => `(sum(${alias}.record_key) % 1)`;
