import type { ChainRow } from "../../shared/access/audit-chain";
import type { RequestContext } from "../../shared/context";
import type { DataCategory } from "../../shared/enums";
import { heldAbout, holderOf } from "./data-protection";
import type { GovernanceLoaders } from "../loaders";

/** The structure of `document`, documented in the README ("Subject access"); bump on any change. */
export const SUBJECT_ACCESS_DOCUMENT_VERSION = 1;

/** Audit rows read per statement while gathering a person's disclosures. */
const DISCLOSURE_BATCH = 500;

type Context = RequestContext<GovernanceLoaders>;

/** A record as the export's document (version 1) gives it; third parties by role only. */
interface ExportedRecord {
  type: string;
  id: string;
  categories: DataCategory[];
  fields: Record<string, unknown> | null;
  people: { role: string; subject: boolean }[] | null;
  parts: Record<string, unknown[]> | null;
}

export interface SubjectAccessResult {
  generatedAt: Date;
  ownerAgencyId: string;
  personId: string;
  records: ExportedRecord[];
  disclosures: ChainRow[];
  document: Record<string, unknown>;
}

/**
 * What the caller's agency holds about the person, asked of its own subgraph as the caller (its
 * access rules apply there: a DSO of that agency, under DATA_PROTECTION): the same read erasure
 * makes (heldAbout). An agency registered without a subgraph of its own holds nothing in the graph.
 * Fails closed: no answer, no export.
 */
async function heldRecords(ctx: Context, agencyId: string, personId: string): Promise<ExportedRecord[]> {
  const subgraph = holderOf(agencyId);
  if (!subgraph) return [];
  const held = await heldAbout(ctx.peers, subgraph, personId);
  return held.map((r) => ({
    type: r.type,
    id: r.id,
    categories: r.categories,
    fields: r.fields,
    people: r.people,
    parts: r.parts,
  }));
}

/** Every disclosure (and refusal) of the agency's data about the person, through the audit's own query. */
async function allDisclosures(ctx: Context, agencyId: string, personId: string): Promise<ChainRow[]> {
  const rows: ChainRow[] = [];
  for (let offset = 0; ; offset += DISCLOSURE_BATCH) {
    const page = await ctx.loaders.audit.disclosures(agencyId, personId, { offset, limit: DISCLOSURE_BATCH });
    rows.push(...page.items.slice(0, DISCLOSURE_BATCH));
    if (page.items.length <= DISCLOSURE_BATCH) break;
  }
  return rows.reverse(); // oldest first, as a person reads a history
}

/**
 * Builds a subject access export for the caller's agency (the controller) and notes it for the
 * audit (written with the request's other records, before the answer leaves). Third parties in the
 * records are already redacted to their role by the owner; disclosures list only the person's
 * records, never the other people or records an audit row also names.
 */
export async function subjectAccessExport(ctx: Context, personId: string): Promise<SubjectAccessResult> {
  const ownerAgencyId = ctx.caller.agencyId;
  const [records, disclosures] = await Promise.all([
    heldRecords(ctx, ownerAgencyId, personId),
    allDisclosures(ctx, ownerAgencyId, personId),
  ]);
  const generatedAt = new Date();
  const recordIds = new Set(records.map((r) => r.id));
  const document = {
    version: SUBJECT_ACCESS_DOCUMENT_VERSION,
    generatedAt: generatedAt.toISOString(),
    controller: { agencyId: ownerAgencyId },
    subject: { personId },
    recordCount: records.length,
    records,
    disclosureCount: disclosures.length,
    disclosures: disclosures.map((d) => ({
      sequence: d.sequence,
      at: d.at.toISOString(),
      to: { agencyId: d.agencyId, role: d.role, userId: d.userId },
      purpose: d.purpose,
      operationName: d.operationName,
      requestId: d.requestId,
      decision: d.decision,
      reason: d.reason,
      basis: d.basis,
      agreementId: d.agreementId,
      consentId: d.consentId,
      breakGlass: d.breakGlass,
      justification: d.justification,
      categories: d.categories,
      recordIds: d.recordIds.filter((id) => recordIds.has(id)),
    })),
  };
  ctx.access.noteRights({
    kind: "SUBJECT_ACCESS",
    ownerAgencyId,
    personIds: [personId],
    categories: records.flatMap((r) => r.categories) as DataCategory[],
    recordIds: [...recordIds],
    detail: `subject access export: ${records.length} records, ${disclosures.length} disclosures`,
  });
  return { generatedAt, ownerAgencyId, personId, records, disclosures, document };
}
