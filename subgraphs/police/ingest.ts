import { z } from "zod";
import type { AgencyIngest, IngestKind } from "../shared/ingest/kinds";
import { storedSourceKeys } from "../shared/ingest/store";
import { incidentIdFor, incidentSummary } from "./importer";
import { PoliceIngestRepository } from "./repository";
import { CrimeCategory, InvolvementRole } from "./types";

const text = z.string().nullable();
const LSOA = /^[EW]0\d{7}$/;

const incident = z
  .object({
    reference: z.string().max(100),
    category: z.nativeEnum(CrimeCategory),
    occurredAt: z.date(),
    outcome: text,
    street: text,
    lsoaCode: z.string().regex(LSOA, "not an LSOA code (E01234567)").nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    summary: text,
    narrative: text,
  })
  .superRefine((i, ctx) => {
    if (i.occurredAt.getTime() > Date.now())
      ctx.addIssue({ code: "custom", path: ["occurredAt"], message: "is in the future" });
    if ((i.latitude === null) !== (i.longitude === null))
      ctx.addIssue({
        code: "custom",
        path: ["latitude"],
        message: "give latitude and longitude, or neither",
      });
  });

/** The source a records-system incident came from (police.uk's are `police.uk:<file>`). */
const sourceOf = (sourceKey: string) => `ingest:${sourceKey.slice(0, sourceKey.indexOf(":"))}`;

const incidentKind: IngestKind<z.infer<typeof incident>> = {
  name: "incident",
  table: "incidents",
  description: "An incident from the police records system: one row per incident.",
  person: false,
  fields: {
    reference: { type: "text", required: true, description: "The force's incident or crime reference" },
    category: {
      type: "code",
      values: Object.values(CrimeCategory),
      required: true,
      description: "Crime type",
    },
    occurredAt: { type: "date", required: true, description: "When it happened (its month is counted)" },
    outcome: { type: "text", description: "Latest outcome, as the force words it" },
    street: { type: "text", description: "Street" },
    lsoaCode: { type: "text", description: "Neighbourhood (LSOA code): statistics count incidents by it" },
    latitude: { type: "number", min: -90, max: 90, description: "Latitude" },
    longitude: { type: "number", min: -180, max: 180, description: "Longitude" },
    summary: {
      type: "text",
      description: "One line (default: the category and street, as police.uk words it)",
    },
    narrative: { type: "text", description: "What happened, in the officer's words" },
  },
  schema: incident as unknown as IngestKind<z.infer<typeof incident>>["schema"],
  write: (sql, rows) =>
    new PoliceIngestRepository(sql).upsertIncidents(
      rows.map(({ sourceKey, record: r }) => ({
        ...r,
        id: incidentIdFor(sourceKey),
        sourceKey,
        month: r.occurredAt.toISOString().slice(0, 7),
        summary: r.summary ?? incidentSummary(r.category, r.street),
        source: sourceOf(sourceKey),
      })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "incidents", keys),
};

const involvement = z.object({ incidentKey: z.string(), role: z.nativeEnum(InvolvementRole) });
const involvementKind: IngestKind<z.infer<typeof involvement>> = {
  name: "involvement",
  table: "involvements",
  description: "A person involved in an incident: one row per person and incident.",
  person: true,
  fields: {
    incidentKey: {
      type: "parent",
      of: "incident",
      required: true,
      description: "The incident's record key in the incidents file",
    },
    role: { type: "code", values: Object.values(InvolvementRole), required: true, description: "Their part" },
  },
  schema: involvement as unknown as IngestKind<z.infer<typeof involvement>>["schema"],
  write: (sql, rows) =>
    new PoliceIngestRepository(sql).upsertInvolvements(
      rows.map((r) => ({
        sourceKey: r.sourceKey,
        incidentKey: r.record.incidentKey,
        personId: r.personId!,
        role: r.record.role,
      })),
    ),
};

/** What the police load from their records system: incidents first, then the people involved. */
export const policeIngest: AgencyIngest = {
  agency: "police",
  kinds: [incidentKind, involvementKind] as IngestKind[],
};
