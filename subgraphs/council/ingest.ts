import { createHash } from "node:crypto";
import { z } from "zod";
import { RiskLevel } from "../shared/enums";
import type { AgencyIngest, IngestKind } from "../shared/ingest/kinds";
import { storedSourceKeys } from "../shared/ingest/store";
import { CouncilIngestRepository } from "./repository";
import { AsbCaseStatus, AsbCategory, AsbPartyRole, InterventionStatus, InterventionType } from "./types";

/** A case's id from its source key: the same export row always reaches the same case. */
export const caseIdFor = (sourceKey: string) =>
  `asb-${createHash("sha256").update(sourceKey).digest("hex").slice(0, 16)}`;

const text = z.string().nullable();
const date = z.date();
const LSOA = /^[EW]0\d{7}$/;

const asbCase = z
  .object({
    reference: z.string().max(100),
    status: z.nativeEnum(AsbCaseStatus),
    category: z.nativeEnum(AsbCategory),
    openedAt: date,
    closedAt: date.nullable(),
    riskLevel: z.nativeEnum(RiskLevel).nullable(),
    description: text,
    street: text,
    lsoaCode: z.string().regex(LSOA, "not an LSOA code (E01234567)").nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
  })
  .superRefine((c, ctx) => {
    if ((c.status === AsbCaseStatus.CLOSED) !== (c.closedAt !== null))
      ctx.addIssue({
        code: "custom",
        path: ["closedAt"],
        message: c.closedAt ? "only a CLOSED case has a closing date" : "a CLOSED case needs a closing date",
      });
    if (c.closedAt && c.closedAt < c.openedAt)
      ctx.addIssue({ code: "custom", path: ["closedAt"], message: "is before the case was opened" });
    if ((c.latitude === null) !== (c.longitude === null))
      ctx.addIssue({
        code: "custom",
        path: ["latitude"],
        message: "give latitude and longitude, or neither",
      });
  });

const caseKinds: IngestKind<z.infer<typeof asbCase>> = {
  name: "asbCase",
  table: "asb_cases",
  description: "An ASB case: one row per case.",
  person: false,
  fields: {
    reference: {
      type: "text",
      required: true,
      description: "The council's case reference, e.g. ASB/2024/000123",
    },
    status: {
      type: "code",
      values: Object.values(AsbCaseStatus),
      required: true,
      description: "Case status",
    },
    category: {
      type: "code",
      values: Object.values(AsbCategory),
      required: true,
      description: "ASB category",
    },
    openedAt: { type: "date", required: true, description: "When the case was opened" },
    closedAt: { type: "date", description: "When it was closed (CLOSED cases only)" },
    riskLevel: { type: "code", values: Object.values(RiskLevel), description: "Victim risk level" },
    description: { type: "text", description: "What happened" },
    street: { type: "text", description: "Street" },
    lsoaCode: { type: "text", description: "Neighbourhood (LSOA code): statistics count cases by it" },
    latitude: { type: "number", min: -90, max: 90, description: "Latitude" },
    longitude: { type: "number", min: -180, max: 180, description: "Longitude" },
  },
  schema: asbCase as unknown as IngestKind<z.infer<typeof asbCase>>["schema"],
  write: (sql, rows) =>
    new CouncilIngestRepository(sql).upsertCases(
      rows.map((r) => ({ id: caseIdFor(r.sourceKey), sourceKey: r.sourceKey, ...r.record })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "asb_cases", keys),
};

const asbParty = z.object({ caseKey: z.string(), role: z.nativeEnum(AsbPartyRole) });
const partyKind: IngestKind<z.infer<typeof asbParty>> = {
  name: "asbParty",
  table: "asb_parties",
  description: "A person's part in an ASB case: one row per person and case.",
  person: true,
  fields: {
    caseKey: {
      type: "parent",
      of: "asbCase",
      required: true,
      description: "The case's record key in the cases file",
    },
    role: { type: "code", values: Object.values(AsbPartyRole), required: true, description: "Their part" },
  },
  schema: asbParty as unknown as IngestKind<z.infer<typeof asbParty>>["schema"],
  write: (sql, rows) =>
    new CouncilIngestRepository(sql).upsertParties(
      rows.map((r) => ({
        sourceKey: r.sourceKey,
        caseKey: r.record.caseKey,
        personId: r.personId!,
        role: r.record.role,
      })),
    ),
};

const asbIntervention = z.object({
  caseKey: z.string(),
  type: z.nativeEnum(InterventionType),
  issuedAt: date,
  status: z.nativeEnum(InterventionStatus),
});
const interventionKind: IngestKind<z.infer<typeof asbIntervention>> = {
  name: "asbIntervention",
  table: "asb_interventions",
  description: "An intervention used in an ASB case: one row per intervention.",
  person: false,
  fields: {
    caseKey: {
      type: "parent",
      of: "asbCase",
      required: true,
      description: "The case's record key in the cases file",
    },
    type: {
      type: "code",
      values: Object.values(InterventionType),
      required: true,
      description: "Intervention",
    },
    issuedAt: { type: "date", required: true, description: "When it was issued" },
    status: {
      type: "code",
      values: Object.values(InterventionStatus),
      required: true,
      description: "Its status",
    },
  },
  schema: asbIntervention as unknown as IngestKind<z.infer<typeof asbIntervention>>["schema"],
  write: (sql, rows) =>
    new CouncilIngestRepository(sql).upsertInterventions(
      rows.map((r) => ({ sourceKey: r.sourceKey, ...r.record })),
    ),
};

/** What the council loads: cases first, then their parties and interventions. */
export const councilIngest: AgencyIngest = {
  agency: "council",
  kinds: [caseKinds, partyKind, interventionKind] as IngestKind[],
};
