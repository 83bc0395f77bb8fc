import { createHash } from "node:crypto";
import { z } from "zod";
import type { AgencyIngest, IngestKind } from "../shared/ingest/kinds";
import { storedSourceKeys } from "../shared/ingest/store";
import { HousingIngestRepository } from "./repository";
import { ArrearsBand, OccupantRole, TenancyActionType, TenancyStatus, Tenure } from "./types";

const idFor = (prefix: string, sourceKey: string) =>
  `${prefix}-${createHash("sha256").update(sourceKey).digest("hex").slice(0, 16)}`;
const day = (d: Date) => d.toISOString().slice(0, 10);
const text = z.string().nullable();
const LSOA = /^[EW]0\d{7}$/;

/** The band a rent account's arrears (in pounds) fall in. */
export function arrearsBandOf(amount: number): ArrearsBand {
  if (amount <= 0) return ArrearsBand.NONE;
  if (amount < 250) return ArrearsBand.UNDER_250;
  if (amount < 1000) return ArrearsBand.FROM_250_TO_999;
  if (amount < 2500) return ArrearsBand.FROM_1000_TO_2499;
  return ArrearsBand.OVER_2500;
}

const property = z
  .object({
    // UPRNs are up to 12 digits; the gazetteer's form pads them with zeros.
    uprn: z
      .string()
      .regex(/^\d{1,12}$/, "a UPRN is up to 12 digits")
      .transform((u) => u.padStart(12, "0")),
    address: z.string().min(1),
    lsoaCode: z.string().regex(LSOA, "not an LSOA code (E01234567)").nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
  })
  .superRefine((p, ctx) => {
    if ((p.latitude === null) !== (p.longitude === null))
      ctx.addIssue({
        code: "custom",
        path: ["latitude"],
        message: "give latitude and longitude, or neither",
      });
  });

const propertyKind: IngestKind<z.infer<typeof property>> = {
  name: "property",
  table: "properties",
  description:
    "A home housing manages, by its UPRN: one row per property (a UPRN already held is that property).",
  person: false,
  fields: {
    uprn: { type: "text", required: true, description: "Unique Property Reference Number (up to 12 digits)" },
    address: { type: "text", required: true, description: "Address" },
    lsoaCode: { type: "text", description: "Neighbourhood (LSOA code): statistics count actions by it" },
    latitude: { type: "number", min: -90, max: 90, description: "Latitude" },
    longitude: { type: "number", min: -180, max: 180, description: "Longitude" },
  },
  schema: property as unknown as IngestKind<z.infer<typeof property>>["schema"],
  write: (sql, rows) =>
    new HousingIngestRepository(sql).upsertProperties(
      rows.map((r) => ({ id: `prop-${r.record.uprn}`, sourceKey: r.sourceKey, ...r.record })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "properties", keys),
};

const tenancy = z
  .object({
    propertyKey: z.string(),
    status: z.nativeEnum(TenancyStatus),
    tenure: z.nativeEnum(Tenure),
    startDate: z.date(),
    endDate: z.date().nullable(),
    arrearsBand: z.nativeEnum(ArrearsBand).nullable(),
    arrears: z.number().nullable(),
  })
  .superRefine((t, ctx) => {
    if ((t.status === TenancyStatus.ENDED) !== (t.endDate !== null))
      ctx.addIssue({
        code: "custom",
        path: ["endDate"],
        message: t.endDate ? "only an ENDED tenancy has an end date" : "an ENDED tenancy needs an end date",
      });
    if (t.endDate && t.endDate < t.startDate)
      ctx.addIssue({ code: "custom", path: ["endDate"], message: "is before the tenancy started" });
    if (t.arrearsBand !== null && t.arrears !== null)
      ctx.addIssue({ code: "custom", path: ["arrears"], message: "map arrearsBand or arrears, not both" });
  });

const tenancyKind: IngestKind<z.infer<typeof tenancy>> = {
  name: "tenancy",
  table: "tenancies",
  description: "A tenancy of a property: one row per tenancy.",
  person: false,
  fields: {
    propertyKey: {
      type: "parent",
      of: "property",
      required: true,
      description: "The property's record key in the properties file",
    },
    status: { type: "code", values: Object.values(TenancyStatus), required: true, description: "Status" },
    tenure: { type: "code", values: Object.values(Tenure), required: true, description: "Tenure" },
    startDate: { type: "date", required: true, description: "Start date" },
    endDate: { type: "date", description: "End date (ENDED tenancies only)" },
    arrearsBand: { type: "code", values: Object.values(ArrearsBand), description: "Rent arrears band" },
    arrears: {
      type: "number",
      min: -1_000_000,
      max: 1_000_000,
      description: "Or the arrears in pounds, which the band is worked out from (a credit is NONE)",
    },
  },
  schema: tenancy as unknown as IngestKind<z.infer<typeof tenancy>>["schema"],
  write: (sql, rows) =>
    new HousingIngestRepository(sql).upsertTenancies(
      rows.map(({ sourceKey, record: t }) => ({
        id: idFor("ten", sourceKey),
        sourceKey,
        propertyKey: t.propertyKey,
        status: t.status,
        tenure: t.tenure,
        startDate: day(t.startDate),
        endDate: t.endDate && day(t.endDate),
        arrearsBand: t.arrearsBand ?? (t.arrears === null ? null : arrearsBandOf(t.arrears)),
      })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "tenancies", keys),
};

const occupant = z.object({ tenancyKey: z.string(), role: z.nativeEnum(OccupantRole) });
const occupantKind: IngestKind<z.infer<typeof occupant>> = {
  name: "occupant",
  table: "tenancy_occupants",
  description: "A tenant, joint tenant or household member of a tenancy: one row per person and tenancy.",
  person: true,
  fields: {
    tenancyKey: { type: "parent", of: "tenancy", required: true, description: "The tenancy's record key" },
    role: {
      type: "code",
      values: Object.values(OccupantRole),
      required: true,
      description: "Their place in it",
    },
  },
  schema: occupant as unknown as IngestKind<z.infer<typeof occupant>>["schema"],
  write: (sql, rows) =>
    new HousingIngestRepository(sql).upsertOccupants(
      rows.map((r) => ({
        sourceKey: r.sourceKey,
        tenancyKey: r.record.tenancyKey,
        personId: r.personId!,
        role: r.record.role,
      })),
    ),
};

const action = z.object({
  tenancyKey: z.string(),
  type: z.nativeEnum(TenancyActionType),
  takenAt: z.date(),
  note: text,
});
const actionKind: IngestKind<z.infer<typeof action>> = {
  name: "tenancyAction",
  table: "tenancy_actions",
  description: "An enforcement or support step on a tenancy: one row per action.",
  person: false,
  fields: {
    tenancyKey: { type: "parent", of: "tenancy", required: true, description: "The tenancy's record key" },
    type: { type: "code", values: Object.values(TenancyActionType), required: true, description: "Action" },
    takenAt: { type: "date", required: true, description: "When it was taken" },
    note: { type: "text", description: "Note" },
  },
  schema: action as unknown as IngestKind<z.infer<typeof action>>["schema"],
  write: (sql, rows) =>
    new HousingIngestRepository(sql).upsertActions(
      rows.map((r) => ({ id: idFor("tact", r.sourceKey), sourceKey: r.sourceKey, ...r.record })),
    ),
};

/** What housing loads: properties, then tenancies, then their occupants and actions. */
export const housingIngest: AgencyIngest = {
  agency: "housing",
  kinds: [propertyKind, tenancyKind, occupantKind, actionKind] as IngestKind[],
};
