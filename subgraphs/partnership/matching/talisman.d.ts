// talisman ships no type declarations; these are the two functions the matcher uses.
declare module "talisman/metrics/jaro-winkler" {
  /** Jaro-Winkler similarity, 0 (nothing in common) to 1 (equal). */
  const jaroWinkler: (a: string, b: string) => number;
  export default jaroWinkler;
}

declare module "talisman/phonetics/double-metaphone" {
  /** Double Metaphone: the primary and the alternative code. */
  const doubleMetaphone: (word: string) => [string, string];
  export default doubleMetaphone;
}
