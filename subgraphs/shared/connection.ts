import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { badInput } from "./errors";
import { Part } from "./policy";
import type { Page } from "./loaders";
import { PageInfo, RestrictedRecords } from "./types";

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
  restricted: RestrictedRecords[];
  /**
   * A list over an area, a period or a category: the cell key of every record `totalCount`
   * counts (shared/statistics.ts), so that a count of records withheld from the caller is
   * released through disclosure control. Left out by lists that give no record keys: the access
   * rules then release no count of withheld records (lists about one named person aside).
   */
  cellKey?: number;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. */
export function ConnectionType<T extends object>(
  Node: ClassType<T>,
  name: string,
  description: string,
): ClassType<Connection<T>> {
  // A page's structure: its records are judged by the field that returns the connection.
  @Part()
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page of results.` })
  class EdgeType {
    @Field(() => String, { description: "Opaque cursor; pass as `after` to continue." })
    cursor!: string;

    @Field(() => Node, { description: `The ${name}.` })
    node!: T;
  }

  @Part()
  @ObjectType(`${name}Connection`, { description })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: "This page of results." })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: "Whether more results follow, and where to continue." })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "How many results match, across all pages (visible to the caller)." })
    totalCount!: number;

    @Field(() => [RestrictedRecords], {
      description: "Matching records withheld by the access rules, per owner agency and category.",
    })
    restricted!: RestrictedRecords[];
  }
  return ConnectionClass;
}

/** A validated page request: offset to start from and how many to return. */
export interface PageRequest {
  offset: number;
  limit: number;
  /**
   * Where the previous page ended in a list ordered by (month, id) descending, when the cursor
   * says: such a list continues from there (keyset) instead of skipping `offset` rows.
   */
  after?: MonthPosition;
}

/** A row's place in a list ordered by month, then id. */
export interface MonthPosition {
  month: string;
  id: string;
}

const CURSOR_PREFIX = "o:";
/**
 * Cursors carry a plain offset (digits only, no exponent, small enough for SQL's int) and, in
 * lists ordered by month, the row's month and id: `o:<offset>` or `k:<offset>:<YYYY-MM>:<id>`.
 */
const CURSOR = /^(?:o:(0|[1-9][0-9]{0,8})|k:(0|[1-9][0-9]{0,8}):(\d{4}-(?:0[1-9]|1[0-2])):([\w.-]{1,128}))$/;

export function encodeCursor(offset: number, position?: MonthPosition): string {
  const text = position ? `k:${offset}:${position.month}:${position.id}` : `${CURSOR_PREFIX}${offset}`;
  return Buffer.from(text).toString("base64url");
}

/** What a cursor this graph issued stands for, or null for anything else. */
export function decodePosition(cursor: string): { offset: number; after?: MonthPosition } | null {
  if (!/^[A-Za-z0-9_-]{1,200}={0,2}$/.test(cursor)) return null;
  const match = CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return null;
  if (match[1] !== undefined) return { offset: Number(match[1]) };
  return { offset: Number(match[2]), after: { month: match[3], id: match[4] } };
}

/** The offset a cursor this graph issued stands for, or null for anything else. */
export function decodeCursor(cursor: string): number | null {
  return decodePosition(cursor)?.offset ?? null;
}

export const CURSOR_PROBLEM = "is not a cursor this list issued";

/** Why `first` is not a page size a client may ask for; null when it is one. */
export function pageSizeProblem(first: number): string | null {
  return Number.isInteger(first) && first >= 0 && first <= MAX_PAGE_SIZE
    ? null
    : `must be between 0 and ${MAX_PAGE_SIZE} (the largest page)`;
}

export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const limit = first ?? DEFAULT_PAGE_SIZE;
  const problem = pageSizeProblem(limit);
  if (problem) throw badInput("first", problem);
  if (!after) return { offset: 0, limit };
  const position = decodePosition(after);
  if (position === null) throw badInput("after", CURSOR_PROBLEM);
  return { offset: position.offset + 1, limit, ...(position.after ? { after: position.after } : {}) };
}

/** Builds a connection from one page of nodes (fetched with limit + 1 to see if more follow). */
export function toConnection<T>(
  nodes: T[],
  totalCount: number,
  page: PageRequest,
  restricted: RestrictedRecords[] = [],
  positionOf?: (node: T) => MonthPosition,
): Connection<T> {
  const visible = nodes.slice(0, page.limit);
  const edges = visible.map((node, i) => ({
    cursor: encodeCursor(page.offset + i, positionOf?.(node)),
    node,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.offset + visible.length < totalCount,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
    totalCount,
    restricted,
  };
}

/**
 * The WHERE clause of a windowed page query (`row_number() ... AS position` and
 * `count(*) ... AS total` per parent; $2 the offset, $3 the limit + 1): the rows of the page,
 * or a parent's last row when the page is past its end, so every page knows its total.
 */
export const IN_PAGE_OR_LAST = `(position > $2 AND position <= $2 + $3) OR (position = total AND total <= $2)`;

/** One page per parent from the rows of such a query; a row before the page carries only the total. */
export function pagesByParent<R extends { position: string | number; total: string | number }, T>(
  rows: readonly R[],
  parentOf: (row: R) => string,
  page: PageRequest,
  toItem: (row: R) => T,
): Map<string, Page<T>> {
  const pages = new Map<string, Page<T>>();
  for (const row of rows) {
    const parent = parentOf(row);
    let entry = pages.get(parent);
    if (!entry) pages.set(parent, (entry = { items: [], totalCount: Number(row.total) }));
    if (Number(row.position) > page.offset) entry.items.push(toItem(row));
  }
  return pages;
}
