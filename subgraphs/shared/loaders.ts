import DataLoader from "dataloader";

/**
 * A loader that fetches many rows by key in one query and hands each key its row (or null),
 * in key order as DataLoader requires.
 */
export function loaderByKey<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map<K, V>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** A loader that fetches the children of many parents in one query, grouped per parent. */
export function loaderOfChildren<K, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  parentOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, V[]>();
    for (const row of rows) {
      const key = parentOf(row);
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    return keys.map((k) => groups.get(k) ?? []);
  });
}

/**
 * Loads a page of children for many parents at once; the key carries the page so that two
 * different pages of the same parent are separate keys. `cacheKeyFn` makes equal requests share.
 */
export function pagedChildrenLoader<P, V>(
  fetch: (parents: readonly P[]) => Promise<V[][]>,
  cacheKey: (parent: P) => string,
): DataLoader<P, V[], string> {
  return new DataLoader<P, V[], string>((parents) => fetch(parents), { cacheKeyFn: cacheKey });
}

/**
 * A loader whose keys carry shared arguments (a page, a month range): keys with the same
 * arguments are fetched together in one query, so N parents cost one statement per distinct
 * argument set, never one per parent.
 */
export function loaderGroupedBy<K, V>(
  argumentsOf: (key: K) => string,
  fetchGroup: (keys: K[]) => Promise<V[]>,
  cacheKey: (key: K) => string,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const groups = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const group = argumentsOf(key);
        const members = groups.get(group);
        if (members) members.push(index);
        else groups.set(group, [index]);
      });
      const results = new Array<V>(keys.length);
      await Promise.all(
        [...groups.values()].map(async (indexes) => {
          const values = await fetchGroup(indexes.map((i) => keys[i]));
          indexes.forEach((keyIndex, i) => (results[keyIndex] = values[i]));
        }),
      );
      return results;
    },
    { cacheKeyFn: cacheKey },
  );
}

/** A page of children for one parent: the parent and the validated page request. */
export interface PageKey {
  parentId: string;
  offset: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
}

/** Pages of children for many parents, one statement per distinct page request. */
export function loaderOfPages<T>(
  fetch: (parentIds: string[], page: { offset: number; limit: number }) => Promise<Map<string, Page<T>>>,
): DataLoader<PageKey, Page<T>, string> {
  return loaderGroupedBy<PageKey, Page<T>>(
    (k) => `${k.offset}:${k.limit}`,
    async (keys) => {
      const pages = await fetch(
        keys.map((k) => k.parentId),
        { offset: keys[0].offset, limit: keys[0].limit },
      );
      return keys.map((k) => pages.get(k.parentId) ?? { items: [], totalCount: 0 });
    },
    (k) => `${k.parentId}:${k.offset}:${k.limit}`,
  );
}

/**
 * The people whose records are one person's (issue 20): the person asked for (`parentId`) and the
 * partnership person ids whose records are theirs, as the people index gives them (`Person.personIds`,
 * itself and everyone merged into it). Records are loaded by the list and stay each their own
 * person's: only where they are listed changes, never whom they are about.
 */
export interface PersonGroup {
  parentId: string;
  personIds: readonly string[];
}

/** A page of a person's records: the person, whose ids to load, and the page. */
export interface PersonPageKey extends PageKey {
  personIds: readonly string[];
}

/**
 * The groups as one statement parameter, read by `PERSON_GROUPS` (`$1`): one row per (parent, person id),
 * so a repository's paging SQL keeps its `$2`/`$3` page parameters.
 */
export function personGroupsParam(groups: readonly PersonGroup[]): string {
  return JSON.stringify(
    groups.flatMap((g) => g.personIds.map((personId) => ({ parent_id: g.parentId, person_id: personId }))),
  );
}

/** `FROM ${PERSON_GROUPS} JOIN …ON x.person_id = g.person_id`, with `personGroupsParam` as `$1`. */
export const PERSON_GROUPS = `jsonb_to_recordset($1::jsonb) AS g(parent_id text, person_id text)`;

/** Pages of each person's records, loaded by their group, one statement per distinct page request. */
export function loaderOfPersonPages<T>(
  fetch: (groups: PersonGroup[], page: { offset: number; limit: number }) => Promise<Map<string, Page<T>>>,
): DataLoader<PersonPageKey, Page<T>, string> {
  return loaderGroupedBy<PersonPageKey, Page<T>>(
    (k) => `${k.offset}:${k.limit}`,
    async (keys) => {
      const pages = await fetch(
        keys.map((k) => ({ parentId: k.parentId, personIds: k.personIds })),
        { offset: keys[0].offset, limit: keys[0].limit },
      );
      return keys.map((k) => pages.get(k.parentId) ?? { items: [], totalCount: 0 });
    },
    (k) => `${k.parentId}:${k.personIds.join(",")}:${k.offset}:${k.limit}`,
  );
}

/**
 * Whose records a Person the router passed in has: the ids the people index gave (`personIds`, required
 * from the partnership), or, where it gave none (a direct subgraph call, or the field withheld), its own id.
 */
export function personIdsOf(person: { id: string; personIds?: readonly string[] | null }): readonly string[] {
  return person.personIds ?? [person.id];
}
