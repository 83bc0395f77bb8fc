import { rememberIndexedReferences } from "./matching";
import type { Sql } from "../shared/database";
import { copyRows } from "../shared/demo/bulk";
import { randomFor } from "../shared/demo/random";
import type { DemoReport, DemoSeedOptions, SubgraphSeeder } from "../shared/demo/seed";
import {
  CASE_NEIGHBOURHOODS,
  DEMO_AGENCIES,
  FEATURED,
  FEATURED_YOUNG,
  neighbourhoods,
} from "../shared/demo/world";
import { CaseRecordKind, CaseStage, RiskLevel } from "../shared/enums";
import { CaseRepository } from "./repositories/cases";

const SEED_REQUEST = "demo-seed";
const DAY = 86_400_000;

interface CaseSpec {
  title: string;
  problemType: string;
  lead: string;
  openedBy: string;
  partners: string[];
  stage: CaseStage;
  riskLevel: RiskLevel;
  openedAt: string;
  neighbourhoods: string[];
  people: [personId: string, role: string][];
  actions: { agency: string; description: string; dueOn: string; done?: { on: string; by: string } }[];
  /** Moves after opening (at SCANNING), each so many days after the case opened. */
  moves: { to: CaseStage; days: number; by: string; agency: string; note: string }[];
}

const [HOOD_F, HOOD_G, HOOD_E] = CASE_NEIGHBOURHOODS;

/** The demo's problem-solving cases: every stage, opened in March and April 2019. */
const CASES: CaseSpec[] = [
  {
    title: "Youth nuisance around the shopping precinct",
    problemType: "Youth nuisance",
    lead: "council",
    openedBy: "asb.officer.khan",
    partners: ["police", "youth", "housing"],
    stage: CaseStage.RESPONSE,
    riskLevel: RiskLevel.MEDIUM,
    openedAt: "2019-04-08T09:30:00Z",
    neighbourhoods: [HOOD_F, HOOD_G],
    people: [
      ["per-000002", "PERPETRATOR"],
      ["per-000003", "PERPETRATOR"],
      ["per-000011", "COMPLAINANT"],
      ["per-000012", "VICTIM"],
    ],
    actions: [
      {
        agency: "police",
        description: "Targeted patrols on Friday and Saturday evenings",
        dueOn: "2019-05-31",
        done: { on: "2019-05-30T21:00:00Z", by: "pc.hughes" },
      },
      {
        agency: "housing",
        description: "Warning letters to the households concerned",
        dueOn: "2019-05-17",
        done: { on: "2019-05-14T10:00:00Z", by: "hsg.officer.doyle" },
      },
      { agency: "youth", description: "Detached youth work outreach at the precinct", dueOn: "2019-06-14" },
      { agency: "council", description: "Improve lighting in the precinct underpass", dueOn: "2019-06-28" },
    ],
    moves: [
      {
        to: CaseStage.ANALYSIS,
        days: 14,
        by: "asb.officer.khan",
        agency: "council",
        note: "Resident reports and police incidents show a pattern on Friday and Saturday evenings.",
      },
      {
        to: CaseStage.RESPONSE,
        days: 35,
        by: "asb.officer.khan",
        agency: "council",
        note: "Response agreed at the partnership meeting: patrols, outreach, letters and lighting.",
      },
    ],
  },
  {
    title: "Drug dealing from a block stairwell",
    problemType: "Drug dealing",
    lead: "police",
    openedBy: "ps.walker",
    partners: ["housing", "council"],
    stage: CaseStage.ANALYSIS,
    riskLevel: RiskLevel.HIGH,
    openedAt: "2019-03-18T14:00:00Z",
    neighbourhoods: [HOOD_E],
    people: [
      ["per-000021", "PERPETRATOR"],
      ["per-000013", "COMPLAINANT"],
      ["per-000022", "WITNESS"],
    ],
    actions: [
      {
        agency: "housing",
        description: "Fit secure door entry to the stairwell",
        dueOn: "2019-04-30",
        done: { on: "2019-04-26T15:30:00Z", by: "hsg.officer.doyle" },
      },
      { agency: "police", description: "Plan a test purchase operation", dueOn: "2019-05-15" },
    ],
    moves: [
      {
        to: CaseStage.ANALYSIS,
        days: 10,
        by: "ps.walker",
        agency: "police",
        note: "Access logs and reports point to one flat; closure order options being looked at.",
      },
    ],
  },
  {
    title: "Noise and threats between neighbours",
    problemType: "Neighbour dispute",
    lead: "housing",
    openedBy: "hsg.officer.doyle",
    partners: ["council", "police"],
    stage: CaseStage.ASSESSMENT,
    riskLevel: RiskLevel.STANDARD,
    openedAt: "2019-03-04T10:15:00Z",
    neighbourhoods: [HOOD_G],
    people: [
      ["per-000014", "VICTIM"],
      ["per-000023", "PERPETRATOR"],
    ],
    actions: [
      {
        agency: "council",
        description: "Mediation session for both households",
        dueOn: "2019-04-12",
        done: { on: "2019-04-10T13:00:00Z", by: "asb.officer.khan" },
      },
      {
        agency: "housing",
        description: "Acceptable behaviour contract with the tenant",
        dueOn: "2019-04-26",
        done: { on: "2019-04-24T11:00:00Z", by: "hsg.officer.doyle" },
      },
      {
        agency: "council",
        description: "Repeat mediation after noise resumed",
        dueOn: "2019-06-07",
        done: { on: "2019-06-05T13:00:00Z", by: "asb.officer.khan" },
      },
    ],
    moves: [
      {
        to: CaseStage.ANALYSIS,
        days: 7,
        by: "hsg.officer.doyle",
        agency: "housing",
        note: "Noise diaries returned; incidents cluster late at night.",
      },
      {
        to: CaseStage.RESPONSE,
        days: 21,
        by: "hsg.officer.doyle",
        agency: "housing",
        note: "Mediation and an acceptable behaviour contract agreed.",
      },
      {
        to: CaseStage.ASSESSMENT,
        days: 70,
        by: "hsg.officer.doyle",
        agency: "housing",
        note: "Two quiet weeks; assessing whether it holds.",
      },
      {
        to: CaseStage.RESPONSE,
        days: 77,
        by: "asb.officer.khan",
        agency: "council",
        note: "Noise resumed after two quiet weeks; mediation to be repeated before assessment.",
      },
      {
        to: CaseStage.ASSESSMENT,
        days: 105,
        by: "hsg.officer.doyle",
        agency: "housing",
        note: "Repeat mediation held; no reports since.",
      },
    ],
  },
  {
    title: "Repeated damage to bus shelters",
    problemType: "Criminal damage",
    lead: "council",
    openedBy: "asb.officer.khan",
    partners: ["police"],
    stage: CaseStage.SCANNING,
    riskLevel: RiskLevel.STANDARD,
    openedAt: "2019-04-23T11:00:00Z",
    neighbourhoods: [HOOD_F, HOOD_E],
    people: [["per-000015", "COMPLAINANT"]],
    actions: [{ agency: "police", description: "Check CCTV coverage of the shelters", dueOn: "2019-05-10" }],
    moves: [],
  },
  {
    title: "Street drinking near the station",
    problemType: "Street drinking",
    lead: "police",
    openedBy: "ps.walker",
    partners: ["council", "youth"],
    stage: CaseStage.CLOSED,
    riskLevel: RiskLevel.MEDIUM,
    openedAt: "2019-03-11T16:45:00Z",
    neighbourhoods: [HOOD_E],
    people: [
      ["per-000024", "PERPETRATOR"],
      ["per-000025", "PERPETRATOR"],
      ["per-000011", "COMPLAINANT"],
    ],
    actions: [
      {
        agency: "council",
        description: "Apply for a public spaces protection order",
        dueOn: "2019-04-30",
        done: { on: "2019-04-29T09:00:00Z", by: "asb.officer.khan" },
      },
      {
        agency: "police",
        description: "Enforce the order with dispersal powers",
        dueOn: "2019-05-31",
        done: { on: "2019-05-31T18:00:00Z", by: "pc.hughes" },
      },
    ],
    moves: [
      {
        to: CaseStage.ANALYSIS,
        days: 5,
        by: "ps.walker",
        agency: "police",
        note: "Same group most afternoons; litter and urination complaints.",
      },
      {
        to: CaseStage.RESPONSE,
        days: 12,
        by: "ps.walker",
        agency: "police",
        note: "Order applied for; dispersal once in force.",
      },
      {
        to: CaseStage.ASSESSMENT,
        days: 60,
        by: "ps.walker",
        agency: "police",
        note: "Order in force for a month; reports down.",
      },
      {
        to: CaseStage.CLOSED,
        days: 90,
        by: "ps.walker",
        agency: "police",
        note: "Reports stayed down for the quarter; case closed.",
      },
    ],
  },
];

const CASE_YEAR = 2019;
const LINKS_PER_KIND = 3;

function plusDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY).toISOString();
}

/** Each agency's local reference for the person at `index` in the people list: unique per agency. */
function referenceFor(agencyId: string, index: number, random: ReturnType<typeof randomFor>): string {
  const n = String(index + 1).padStart(6, "0");
  const letter = String.fromCharCode(65 + random.int(0, 25));
  switch (agencyId) {
    case "police":
      return `PNC-${String(random.int(5, 19)).padStart(2, "0")}/${n}${letter}`;
    case "council":
      return `CSU-ASB-${n}`;
    case "youth":
      return `UPN-${letter}${String(random.int(100, 999))}${n}`;
    case "housing":
      return `TEN-${n}${letter}`;
    default:
      return `${agencyId.toUpperCase()}-${n}`;
  }
}

async function seedReferenceData(sql: Sql): Promise<void> {
  await sql.exec(
    `INSERT INTO agencies (id, name, kind, contact)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (id) DO NOTHING`,
    [
      DEMO_AGENCIES.map((a) => a.id),
      DEMO_AGENCIES.map((a) => a.name),
      DEMO_AGENCIES.map((a) => a.kind),
      DEMO_AGENCIES.map((a) => a.contact),
    ],
  );
  await copyRows(
    sql,
    "neighbourhoods",
    ["code", "name", "local_authority", "local_authority_code", "latitude", "longitude"],
    neighbourhoods().map((n) => [
      n.code,
      n.name,
      n.localAuthority,
      n.localAuthorityCode,
      n.latitude,
      n.longitude,
    ]),
  );
}

async function seedPeople(sql: Sql, options: DemoSeedOptions, reports: DemoReport[]): Promise<void> {
  await copyRows(
    sql,
    "people",
    ["id", "given_name", "family_name", "date_of_birth", "home_lsoa"],
    options.people.map((p) => [p.id, p.givenName, p.familyName, p.dateOfBirth, p.homeLsoa]),
  );
  // References only where an agency holds records: every agency for the featured people,
  // and the agency each report was made to.
  const holders = new Map<string, Set<string>>();
  const hold = (personId: string, agencyId: string) => {
    const set = holders.get(personId) ?? new Set<string>();
    set.add(agencyId);
    holders.set(personId, set);
  };
  options.people.slice(0, FEATURED).forEach((p, i) => {
    for (const agency of ["police", "council", "housing"]) hold(p.id, agency);
    if (i < FEATURED_YOUNG) hold(p.id, "youth");
  });
  for (const r of reports) hold(r.personId, r.agencyId);
  const random = randomFor(options.seed, "person-references");
  const rows: [string, string, string][] = [];
  options.people.forEach((p, index) => {
    for (const agency of [...(holders.get(p.id) ?? [])].sort())
      rows.push([p.id, agency, referenceFor(agency, index, random)]);
  });
  await copyRows(sql, "person_references", ["person_id", "agency_id", "reference"], rows);
  // What the people matcher compares an agency's import with: the index's identity of each reference.
  await rememberIndexedReferences(sql);
}

async function seedCases(sql: Sql, options: DemoSeedOptions): Promise<void> {
  const cases = new CaseRepository(sql);
  const known = new Set(options.people.map((p) => p.id));
  // A few linkable records of every kind, dealt round the cases so the first case has one of each.
  const random = randomFor(options.seed, "case-links");
  const links = CASES.map(() => [] as [CaseRecordKind, string][]);
  for (const kind of Object.values(CaseRecordKind)) {
    const ids = random.sample(options.linkable?.[kind] ?? [], CASES.length * LINKS_PER_KIND);
    ids.forEach((id, i) => links[i % CASES.length].push([kind, id]));
  }

  for (const [index, spec] of CASES.entries()) {
    const reference = `PSC-${CASE_YEAR}-${String(index + 1).padStart(3, "0")}`;
    const id = reference.toLowerCase();
    const opener = { caseId: id, userId: spec.openedBy, agencyId: spec.lead, requestId: SEED_REQUEST };
    const people = spec.people
      .filter(([personId]) => known.has(personId))
      .map(([personId, role]) => ({ personId, role }));
    await cases.insertCase({
      id,
      reference,
      title: spec.title,
      problemType: spec.problemType,
      stage: spec.stage,
      riskLevel: spec.riskLevel,
      openedAt: spec.openedAt,
      openedBy: spec.openedBy,
      leadAgencyId: spec.lead,
      partnerIds: spec.partners,
      neighbourhoodCodes: spec.neighbourhoods,
      people,
    });
    await cases.insertStageChange({
      caseId: id,
      fromStage: null,
      toStage: CaseStage.SCANNING,
      note: "Case opened",
      changedBy: spec.openedBy,
      agencyId: spec.lead,
      changedAt: spec.openedAt,
    });
    await cases.appendEvent(
      {
        ...opener,
        event: "CASE_OPENED",
        detail: {
          reference,
          title: spec.title,
          partnerIds: spec.partners,
          neighbourhoodCodes: spec.neighbourhoods,
          people,
        },
      },
      spec.openedAt,
    );
    let from = CaseStage.SCANNING;
    for (const move of spec.moves) {
      const at = plusDays(spec.openedAt, move.days);
      await cases.insertStageChange({
        caseId: id,
        fromStage: from,
        toStage: move.to,
        note: move.note,
        changedBy: move.by,
        agencyId: move.agency,
        changedAt: at,
      });
      await cases.appendEvent(
        {
          caseId: id,
          userId: move.by,
          agencyId: move.agency,
          requestId: SEED_REQUEST,
          event: "STAGE_CHANGED",
          detail: { from, to: move.to, note: move.note },
        },
        at,
      );
      from = move.to;
    }
    for (const [n, action] of spec.actions.entries()) {
      const actionId = `${id}-act-${n + 1}`;
      const createdAt = plusDays(spec.openedAt, 1);
      await cases.insertAction({
        id: actionId,
        caseId: id,
        description: action.description,
        assignedAgencyId: action.agency,
        dueOn: action.dueOn,
        createdBy: spec.openedBy,
        createdAt,
        completedAt: action.done?.on ?? null,
        completedBy: action.done?.by ?? null,
      });
      await cases.appendEvent(
        {
          ...opener,
          event: "ACTION_ADDED",
          detail: {
            actionId,
            assignedAgencyId: action.agency,
            dueOn: action.dueOn,
            description: action.description,
          },
        },
        createdAt,
      );
      if (action.done) {
        await cases.appendEvent(
          {
            caseId: id,
            userId: action.done.by,
            agencyId: action.agency,
            requestId: SEED_REQUEST,
            event: "ACTION_COMPLETED",
            detail: { actionId },
          },
          action.done.on,
        );
      }
    }
    const linkedAt = plusDays(spec.openedAt, 2);
    for (const [kind, recordId] of links[index]) {
      await cases.linkRecord(id, kind, recordId, spec.openedBy, spec.lead, linkedAt);
      await cases.appendEvent({ ...opener, event: "RECORD_LINKED", detail: { kind, recordId } }, linkedAt);
    }
  }
  await cases.reserveReferenceNumbers(CASE_YEAR, CASES.length);
}

/**
 * The partnership's part of the demo: agencies, neighbourhoods, the people index with agency
 * references, and problem-solving cases at every stage. All or nothing.
 */
export const seedPartnership: SubgraphSeeder = async (sql, options) => {
  const reports = options.reports ?? [];
  await sql.transaction(async (tx) => {
    await seedReferenceData(tx);
    await seedPeople(tx, options, reports);
    await seedCases(tx, options);
  });
};
