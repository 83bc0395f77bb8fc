import { createHash } from "node:crypto";
import { z } from "zod";
import { ageOnDate } from "../shared/facts";
import type { AgencyIngest, IngestKind } from "../shared/ingest/kinds";
import { storedSourceKeys } from "../shared/ingest/store";
import { REFERRAL_CONSENT_AGE } from "./referral-consent";
import { YouthIngestRepository } from "./repository";
import { ProgrammeKind, ReferralStatus, SchoolPhase } from "./types";

const idFor = (prefix: string, sourceKey: string) =>
  `${prefix}-${createHash("sha256").update(sourceKey).digest("hex").slice(0, 16)}`;
const day = (d: Date) => d.toISOString().slice(0, 10);
const LSOA = /^[EW]0\d{7}$/;
const lsoa = z.string().regex(LSOA, "not an LSOA code (E01234567)");
const whole = (min: number, max: number) => z.number().int("must be a whole number").min(min).max(max);

const school = z.object({
  urn: z.string().regex(/^\d{6}$/, "a URN is 6 digits"),
  name: z.string().min(1),
  phase: z.nativeEnum(SchoolPhase),
  lsoaCode: lsoa,
});
const schoolKind: IngestKind<z.infer<typeof school>> = {
  name: "school",
  table: "schools",
  description: "A school, by its URN: one row per school (a URN already held is that school).",
  person: false,
  fields: {
    urn: { type: "text", required: true, description: "The school's unique reference number (6 digits)" },
    name: { type: "text", required: true, description: "Name" },
    phase: { type: "code", values: Object.values(SchoolPhase), required: true, description: "Phase" },
    lsoaCode: { type: "text", required: true, description: "Neighbourhood (LSOA code)" },
  },
  schema: school as unknown as IngestKind<z.infer<typeof school>>["schema"],
  write: (sql, rows) =>
    new YouthIngestRepository(sql).upsertSchools(
      rows.map((r) => ({ id: `sch-${r.record.urn}`, sourceKey: r.sourceKey, ...r.record })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "schools", keys),
};

const enrolment = z
  .object({
    schoolKey: z.string(),
    yearGroup: whole(0, 13),
    academicYear: z.string().regex(/^\d{4}\/\d{2}$/, "an academic year is written 2023/24"),
    startedOn: z.date(),
    leftOn: z.date().nullable(),
  })
  .superRefine((e, ctx) => {
    if (e.leftOn && e.leftOn < e.startedOn)
      ctx.addIssue({ code: "custom", path: ["leftOn"], message: "is before the enrolment started" });
    const [from, to] = e.academicYear.split("/").map(Number);
    if ((from + 1) % 100 !== to)
      ctx.addIssue({ code: "custom", path: ["academicYear"], message: `${e.academicYear} is not one year` });
  });
/** A percentage as a fraction, rounded to the percentage's own precision (79.8 → 0.798, not 0.79799...). */
const rateOf = (e: { attendanceRate: number | null; attendancePercent: number | null }) =>
  e.attendanceRate ??
  (e.attendancePercent === null ? null : Math.round(e.attendancePercent * 10_000) / 1_000_000);

const enrolmentKind: IngestKind<z.infer<typeof enrolment>> = {
  name: "enrolment",
  table: "enrolments",
  description:
    "A pupil's enrolment at a school for an academic year: one row per enrolment (attendance comes in attendance returns).",
  person: true,
  fields: {
    schoolKey: { type: "parent", of: "school", required: true, description: "The school's record key" },
    yearGroup: { type: "number", required: true, description: "Year group (0 for reception to 13)" },
    academicYear: { type: "text", required: true, description: "Academic year, e.g. 2023/24" },
    startedOn: { type: "date", required: true, description: "Start date" },
    leftOn: { type: "date", description: "Leaving date" },
  },
  schema: enrolment as unknown as IngestKind<z.infer<typeof enrolment>>["schema"],
  write: (sql, rows) =>
    new YouthIngestRepository(sql).upsertEnrolments(
      rows.map(({ sourceKey, personId, record: e }) => ({
        id: idFor("enr", sourceKey),
        sourceKey,
        schoolKey: e.schoolKey,
        personId: personId!,
        yearGroup: e.yearGroup,
        academicYear: e.academicYear,
        startedOn: day(e.startedOn),
        leftOn: e.leftOn && day(e.leftOn),
      })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "enrolments", keys),
};

const attendance = z
  .object({
    enrolmentKey: z.string(),
    attendanceRate: z.number().min(0).max(1).nullable(),
    attendancePercent: z.number().min(0).max(100).nullable(),
    suspensions: whole(0, 1000).nullable(),
  })
  .superRefine((a, ctx) => {
    if ((a.attendanceRate === null) === (a.attendancePercent === null))
      ctx.addIssue({
        code: "custom",
        path: ["attendancePercent"],
        message: "give attendanceRate or attendancePercent",
      });
  });
const attendanceKind: IngestKind<z.infer<typeof attendance>> = {
  name: "attendance",
  description:
    "An attendance return: an enrolment's attendance to date (and suspensions). Updates the enrolment; never new.",
  person: false,
  fields: {
    enrolmentKey: {
      type: "parent",
      of: "enrolment",
      required: true,
      description: "The enrolment's record key",
    },
    attendanceRate: { type: "number", description: "Attendance as a fraction (0 to 1)" },
    attendancePercent: { type: "number", description: "Or as a percentage (0 to 100)" },
    suspensions: { type: "number", description: "Suspensions this year (unchanged when not given)" },
  },
  schema: attendance as unknown as IngestKind<z.infer<typeof attendance>>["schema"],
  write: (sql, rows) =>
    new YouthIngestRepository(sql).updateAttendance(
      rows.map(({ record: a }) => ({
        enrolmentKey: a.enrolmentKey,
        attendanceRate: rateOf(a)!,
        suspensions: a.suspensions,
      })),
    ),
};

const programme = z
  .object({
    name: z.string().min(1),
    kind: z.nativeEnum(ProgrammeKind),
    provider: z.string().min(1),
    minimumAge: whole(0, 30).nullable(),
    maximumAge: whole(0, 30).nullable(),
  })
  .superRefine((p, ctx) => {
    if (p.minimumAge !== null && p.maximumAge !== null && p.minimumAge > p.maximumAge)
      ctx.addIssue({ code: "custom", path: ["maximumAge"], message: "is below the minimum age" });
  });
const programmeKind: IngestKind<z.infer<typeof programme>> = {
  name: "programme",
  table: "programmes",
  description: "A youth programme people are referred to: one row per programme.",
  person: false,
  fields: {
    name: { type: "text", required: true, description: "Name" },
    kind: { type: "code", values: Object.values(ProgrammeKind), required: true, description: "Kind" },
    provider: { type: "text", required: true, description: "Who runs it" },
    minimumAge: { type: "number", description: "Youngest age taken" },
    maximumAge: { type: "number", description: "Oldest age taken" },
  },
  schema: programme as unknown as IngestKind<z.infer<typeof programme>>["schema"],
  write: (sql, rows) =>
    new YouthIngestRepository(sql).upsertProgrammes(
      rows.map((r) => ({ id: idFor("prog", r.sourceKey), sourceKey: r.sourceKey, ...r.record })),
    ),
  existing: (sql, keys) => storedSourceKeys(sql, "programmes", keys),
};

const referral = z.object({
  programmeKey: z.string(),
  status: z.nativeEnum(ReferralStatus),
  reason: z.string().min(1),
  referredAt: z.date(),
  referredBy: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, "an agency id (police, council, housing, youth, ...)")
    .nullable(),
  statusAt: z.date().nullable(),
  lsoaCode: lsoa.nullable(),
});
const referralKind: IngestKind<z.infer<typeof referral>> = {
  name: "referral",
  table: "referrals",
  description:
    "A referral of a young person to a programme: one row per referral (its status history is kept).",
  person: true,
  fields: {
    programmeKey: {
      type: "parent",
      of: "programme",
      required: true,
      description: "The programme's record key",
    },
    status: { type: "code", values: Object.values(ReferralStatus), required: true, description: "Status" },
    reason: { type: "text", required: true, description: "Why they were referred" },
    referredAt: { type: "date", required: true, description: "When" },
    referredBy: {
      type: "text",
      description: "The referring agency's id (default: youth, a referral of its own)",
    },
    statusAt: { type: "date", description: "When the current status was reached (default: when loaded)" },
    lsoaCode: { type: "text", description: "Neighbourhood (LSOA code): statistics count referrals by it" },
  },
  schema: referral as unknown as IngestKind<z.infer<typeof referral>>["schema"],
  // A partner's referral of someone under 16 needs the referral consent check, which the graph
  // makes when the referral is created (referral-consent.ts): an import cannot, so it refuses it.
  checkPerson: (r, person) => {
    if (!r.referredBy || r.referredBy === "youth") return null;
    if (!person.dateOfBirth)
      return {
        field: "person.dateOfBirth",
        reason: `a referral by ${r.referredBy} needs the young person's date of birth (under ${REFERRAL_CONSENT_AGE}, it needs consent)`,
      };
    if (ageOnDate(person.dateOfBirth, day(r.referredAt)) < REFERRAL_CONSENT_AGE)
      return {
        field: "referredBy",
        reason: `a referral by ${r.referredBy} of someone under ${REFERRAL_CONSENT_AGE} needs their consent checked: make it through the graph (createReferral), not an import`,
      };
    return null;
  },
  write: (sql, rows) =>
    new YouthIngestRepository(sql).upsertReferrals(
      rows.map(({ sourceKey, personId, record: r }) => ({
        id: idFor("ref", sourceKey),
        sourceKey,
        programmeKey: r.programmeKey,
        personId: personId!,
        status: r.status,
        reason: r.reason,
        referredAt: r.referredAt,
        referredByAgencyId: r.referredBy ?? "youth",
        lsoaCode: r.lsoaCode,
        statusAt: r.statusAt,
      })),
    ),
};

/** What youth services load: schools and programmes, then enrolments, attendance and referrals. */
export const youthIngest: AgencyIngest = {
  agency: "youth",
  kinds: [schoolKind, programmeKind, enrolmentKind, attendanceKind, referralKind] as IngestKind[],
};
