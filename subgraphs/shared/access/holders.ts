import DataLoader from "dataloader";
import { SUBGRAPH_NAMES, type SubgraphName } from "../config";
import type { RequestContext } from "../context";
import { log } from "../logger";
import { askPeer } from "../peers";
import { holdingOf } from "../policy";
import { dependsOnConsent } from "./guard";

/** What the holder of a record answers when asked, as the caller, for the record's id. */
type HolderAnswer = "SHOWN" | "REFUSED" | "UNKNOWN";

/** One loader per request and held type: every record of the type asked about in a tick, one call. */
const askedByRequest = new WeakMap<object, Map<string, DataLoader<string, HolderAnswer>>>();

function holderAnswers(context: RequestContext, subgraph: SubgraphName, typeName: string) {
  let byType = askedByRequest.get(context.access);
  if (!byType) askedByRequest.set(context.access, (byType = new Map()));
  let loader = byType.get(typeName);
  if (!loader) {
    loader = new DataLoader<string, HolderAnswer>((ids) => askHolder(context, subgraph, typeName, ids));
    byType.set(typeName, loader);
  }
  return loader;
}

/**
 * Asks the holder, through its own API and as the caller, for the id of each record: it judges
 * each with the record's own people, audits its decisions and answers the record (shown), null with
 * a refusal at its index (refused) or null alone (it holds none it will admit to). A holder that
 * cannot answer releases nothing: its records count as refused (fail closed).
 */
async function askHolder(
  context: RequestContext,
  subgraph: SubgraphName,
  typeName: string,
  ids: readonly string[],
): Promise<HolderAnswer[]> {
  try {
    const answer = await askPeer<{ _entities: ({ id?: string } | null)[] }>(
      context.peers,
      subgraph,
      `which ${typeName} records you may see`,
      `query HeldRecordsVisible($r: [_Any!]!) { _entities(representations: $r) { ... on ${typeName} { id } } }`,
      { r: ids.map((id) => ({ __typename: typeName, id })) },
    );
    const entities = answer.data?._entities;
    if (!entities || entities.length !== ids.length) throw new Error("no entities in the answer");
    const refused = new Set<number>();
    for (const error of answer.errors ?? []) {
      const path = (error as { path?: (string | number)[] }).path;
      // An error that is not one record's (a decision or audit that could not be made) refuses all.
      if (path?.[0] !== "_entities" || typeof path[1] !== "number") throw new Error(error.message);
      refused.add(path[1]);
    }
    return ids.map((id, i) =>
      refused.has(i) ? "REFUSED" : entities[i]?.id === id ? "SHOWN" : entities[i] ? "REFUSED" : "UNKNOWN",
    );
  } catch (error) {
    log("warn", "the holder could not say which records the caller may see: none released", {
      subgraph: context.subgraph,
      requestId: context.requestId,
      holder: subgraph,
      error: (error as Error).message,
    });
    return ids.map(() => "REFUSED");
  }
}

/**
 * Which of some records another subgraph holds (stubs of a @HeldBy type, such as a case's linked
 * records) the caller may see, and which are withheld, as the holder would show them: nothing
 * identifies a record the caller may not see, not even its id. The agreements decide here where
 * they can (the guard's partition); where the agreement shares the category only with consent,
 * this subgraph does not know whose, so the holder is asked, once per request and type, which it
 * releases. A record the holder does not admit to holding is neither listed nor counted.
 */
export async function visibleHeldRecords<T extends { id: string }>(
  context: RequestContext,
  Stub: new () => T,
  records: readonly T[],
): Promise<{ visible: T[]; withheld: T[] }> {
  const holding = holdingOf(Stub);
  const split = await context.access.partition(records, holding);
  if (!split.decision || split.decision.permitted || !dependsOnConsent(split.decision)) return split;
  const subgraph = SUBGRAPH_NAMES.find((name) => name === holding.agencyId);
  if (!subgraph) return { visible: [], withheld: [...records] };
  const answers = await holderAnswers(context, subgraph, Stub.name).loadMany(records.map((r) => r.id));
  return {
    visible: records.filter((_, i) => answers[i] === "SHOWN"),
    withheld: records.filter((_, i) => answers[i] !== "SHOWN" && answers[i] !== "UNKNOWN"),
  };
}
