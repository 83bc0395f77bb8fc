import { copyRows } from "../shared/demo/bulk";
import type { Random } from "../shared/demo/random";
import { demoRecordKey, randomFor } from "../shared/demo/random";
import type { SubgraphSeeder } from "../shared/demo/seed";
import {
  ageOn,
  CASE_NEIGHBOURHOODS,
  DEMO_TODAY,
  FEATURED,
  FEATURED_YOUNG,
  monthsBetween,
  neighbourhoods,
  SCALES,
  type DemoPerson,
} from "../shared/demo/world";
import { addMonths } from "../shared/months";
import { ProgrammeKind, REFERRAL_TRANSITIONS, ReferralStatus, SchoolPhase } from "./types";

/** The academic year the demo's "today" falls in, and the date ages for year groups are taken on. */
const ACADEMIC_YEAR_START = 2018;
const YEAR_GROUP_AGE_DATE = `${ACADEMIC_YEAR_START}-08-31`;

interface DemoSchool {
  id: string;
  urn: string;
  name: string;
  phase: SchoolPhase;
  lsoaCode: string;
}

interface DemoProgramme {
  id: string;
  name: string;
  kind: ProgrammeKind;
  provider: string;
  minimumAge: number;
  maximumAge: number;
}

/** The first three sit in the case neighbourhoods, so featured young people go to school nearby. */
const SCHOOLS: readonly (readonly [string, SchoolPhase])[] = [
  ["St Anne's Church of England Primary School", SchoolPhase.PRIMARY],
  ["Riverside Academy", SchoolPhase.SECONDARY],
  ["The Bridge Pupil Referral Unit", SchoolPhase.PUPIL_REFERRAL_UNIT],
  ["Canal Side Primary School", SchoolPhase.PRIMARY],
  ["Elm Grove Primary School", SchoolPhase.PRIMARY],
  ["Mulberry Lane Primary School", SchoolPhase.PRIMARY],
  ["Victoria Park Primary School", SchoolPhase.PRIMARY],
  ["Brook Street Primary School", SchoolPhase.PRIMARY],
  ["Our Lady of the Rosary Catholic Primary School", SchoolPhase.PRIMARY],
  ["Kingsmead School", SchoolPhase.SECONDARY],
  ["Hillcrest Community School", SchoolPhase.SECONDARY],
  ["Northfield Park Academy", SchoolPhase.ALL_THROUGH],
];

const PROGRAMMES: readonly DemoProgramme[] = [
  {
    id: "prg-01",
    name: "Street Aware",
    kind: ProgrammeKind.DIVERSION,
    provider: "City Youth Justice Service",
    minimumAge: 10,
    maximumAge: 17,
  },
  {
    id: "prg-02",
    name: "Fresh Start Diversion",
    kind: ProgrammeKind.DIVERSION,
    provider: "City Youth Justice Service",
    minimumAge: 10,
    maximumAge: 17,
  },
  {
    id: "prg-03",
    name: "Friday Night Football",
    kind: ProgrammeKind.SPORT,
    provider: "City FC Community Trust",
    minimumAge: 11,
    maximumAge: 19,
  },
  {
    id: "prg-04",
    name: "Boxing Clever",
    kind: ProgrammeKind.SPORT,
    provider: "Eastside Boxing Club",
    minimumAge: 12,
    maximumAge: 19,
  },
  {
    id: "prg-05",
    name: "Step Up Mentoring",
    kind: ProgrammeKind.MENTORING,
    provider: "Mentoring Matters",
    minimumAge: 10,
    maximumAge: 18,
  },
  {
    id: "prg-06",
    name: "Safer Futures",
    kind: ProgrammeKind.MENTORING,
    provider: "Safer Futures Trust",
    minimumAge: 12,
    maximumAge: 19,
  },
  {
    id: "prg-07",
    name: "Beats and Bars",
    kind: ProgrammeKind.ARTS,
    provider: "Northside Arts Collective",
    minimumAge: 11,
    maximumAge: 19,
  },
  {
    id: "prg-08",
    name: "Youth Theatre Lab",
    kind: ProgrammeKind.ARTS,
    provider: "Northside Arts Collective",
    // Takes primary-age children too: the featured young people were 5 to 9 in the 2019 records.
    minimumAge: 5,
    maximumAge: 16,
  },
  {
    id: "prg-09",
    name: "Estates Outreach",
    kind: ProgrammeKind.DETACHED_YOUTH_WORK,
    provider: "City Youth Service",
    minimumAge: 11,
    maximumAge: 19,
  },
  {
    id: "prg-10",
    name: "Late Night Detached Team",
    kind: ProgrammeKind.DETACHED_YOUTH_WORK,
    provider: "City Youth Service",
    minimumAge: 13,
    maximumAge: 19,
  },
];

const REASONS: Record<ProgrammeKind, readonly string[]> = {
  DIVERSION: [
    "Named in youth nuisance reports near the shops",
    "First arrest for shoplifting; eligible for diversion",
    "Involved in criminal damage at the park",
    "Seen with older youths linked to drug dealing",
  ],
  SPORT: [
    "Hanging around the estate in the evenings with nothing to do",
    "Part of a group causing nuisance at the station",
    "Keen on football; needs a positive evening activity",
  ],
  MENTORING: [
    "Persistent absence from school",
    "Repeated suspensions; at risk of exclusion",
    "Victim of robbery and losing confidence",
    "Concerns about exploitation by older peers",
  ],
  ARTS: [
    "Interested in music; disengaged from school",
    "Low confidence after being bullied",
    "Graffiti on the estate; wants to make art instead",
  ],
  DETACHED_YOUTH_WORK: [
    "Group gathering in stairwells late at night",
    "Reports of young people drinking in the park",
    "Gathering outside the takeaway after school",
  ],
};

const REFERRERS = [
  ["police", 35],
  ["youth", 30],
  ["council", 20],
  ["housing", 15],
] as const;

/** How each step of a seeded referral's life goes: next status (null: stays), weight, days it takes. */
const NEXT_STEPS: Partial<Record<ReferralStatus, readonly (readonly [ReferralStatus | null, number])[]>> = {
  REFERRED: [
    [ReferralStatus.ACCEPTED, 80],
    [ReferralStatus.DECLINED, 10],
    [ReferralStatus.WITHDRAWN, 5],
    [null, 5],
  ],
  ACCEPTED: [
    [ReferralStatus.ACTIVE, 85],
    [ReferralStatus.WITHDRAWN, 10],
    [null, 5],
  ],
  ACTIVE: [
    [ReferralStatus.COMPLETED, 55],
    [ReferralStatus.WITHDRAWN, 10],
    [null, 35],
  ],
};
const STEP_DAYS: Partial<Record<ReferralStatus, readonly [number, number]>> = {
  REFERRED: [2, 14],
  ACCEPTED: [3, 21],
  ACTIVE: [30, 120],
};
const NOTES: Record<ReferralStatus, readonly string[]> = {
  REFERRED: ["Referral received"],
  ACCEPTED: ["Assessed and accepted", "Accepted after a home visit"],
  ACTIVE: ["Attended the first session", "Started weekly sessions"],
  COMPLETED: ["Completed the programme", "Completed; signposted to the youth club"],
  DECLINED: ["Does not meet the programme's criteria", "Programme full; referred elsewhere"],
  WITHDRAWN: ["Family withdrew consent", "Moved out of the area", "Stopped attending"],
};

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const academicYear = (start: number) => `${start}/${pad((start + 1) % 100, 2)}`;
const DAY = 86_400_000;

function demoSchools(seed: number): DemoSchool[] {
  const random = randomFor(seed, "youth:schools");
  const others = neighbourhoods()
    .map((h) => h.code)
    .filter((code) => !CASE_NEIGHBOURHOODS.includes(code));
  const places = [
    ...CASE_NEIGHBOURHOODS,
    ...random.sample(others, SCHOOLS.length - CASE_NEIGHBOURHOODS.length),
  ];
  const urns = new Set<string>();
  while (urns.size < SCHOOLS.length) urns.add(String(random.int(100000, 149999)));
  const urnList = [...urns];
  return SCHOOLS.map(([name, phase], i) => ({
    id: `sch-${pad(i + 1, 2)}`,
    urn: urnList[i],
    name,
    phase,
    lsoaCode: places[i],
  }));
}

/** Schools of the right phases ordered nearest first, per home neighbourhood (computed once). */
function nearestSchools(schools: DemoSchool[]) {
  const where = new Map(neighbourhoods().map((h) => [h.code, h]));
  const cache = new Map<string, DemoSchool[]>();
  return (home: string, phases: readonly SchoolPhase[]): DemoSchool[] => {
    const key = `${home}|${phases.join(",")}`;
    let found = cache.get(key);
    if (!found) {
      const h = where.get(home);
      const distance = (s: DemoSchool) => {
        const p = where.get(s.lsoaCode);
        return h && p ? (h.latitude - p.latitude) ** 2 + (h.longitude - p.longitude) ** 2 : 0;
      };
      found = schools
        .filter((s) => phases.includes(s.phase))
        .sort((a, b) => distance(a) - distance(b) || a.id.localeCompare(b.id));
      cache.set(key, found);
    }
    return found;
  };
}

/** Mostly 0.90 to 0.99; about one pupil in nine persistently absent (below 0.9). */
function attendance(random: Random): number {
  const rate = random.chance(0.11) ? 0.55 + random.next() * 0.349 : 0.9 + random.next() * 0.09;
  return Math.round(rate * 1000) / 1000;
}

function suspensions(random: Random, secondary: boolean, absent: boolean): number {
  const p = (secondary ? 0.1 : 0.02) * (absent ? 3 : 1);
  if (!random.chance(p)) return 0;
  return random.weighted([
    [1, 70],
    [2, 20],
    [random.int(3, 5), 10],
  ] as const);
}

type EnrolmentCells = [string, string, string, number, string, number, number, string, string | null];

/** Everyone aged 4 to 16 on the demo's today is on a school roll; secondary pupils also have their last primary year. */
function* enrolmentRows(
  seed: number,
  people: DemoPerson[],
  schools: DemoSchool[],
): Generator<EnrolmentCells> {
  const random = randomFor(seed, "youth:enrolments");
  const near = nearestSchools(schools);
  const pru = schools.find((s) => s.phase === SchoolPhase.PUPIL_REFERRAL_UNIT)!;
  const choose = (home: string, phases: readonly SchoolPhase[]) => {
    const options = near(home, phases);
    return random.chance(0.7) ? options[0] : random.pick(options);
  };
  let n = 0;
  const id = () => `enr-${pad(++n, 6)}`;
  for (const person of people) {
    const age = ageOn(person.dateOfBirth, DEMO_TODAY);
    if (age < 4 || age > 16) continue;
    const yearGroup = Math.min(13, Math.max(0, ageOn(person.dateOfBirth, YEAR_GROUP_AGE_DATE) - 4));
    const secondary = yearGroup >= 7;
    const thisYear = academicYear(ACADEMIC_YEAR_START);
    const september = (year: number) => `${year}-09-${pad(random.int(3, 7), 2)}`;
    if (secondary) {
      // Their last primary year, left in the July before Year 7.
      const year6 = ACADEMIC_YEAR_START - (yearGroup - 6);
      const primary = choose(person.homeLsoa, [SchoolPhase.PRIMARY]);
      const rate = attendance(random);
      yield [
        id(),
        person.id,
        primary.id,
        6,
        academicYear(year6),
        rate,
        suspensions(random, false, rate < 0.9),
        september(year6 - 6),
        `${year6 + 1}-07-${pad(random.int(19, 23), 2)}`,
      ];
    }
    const school = choose(
      person.homeLsoa,
      secondary
        ? [SchoolPhase.SECONDARY, SchoolPhase.ALL_THROUGH]
        : [SchoolPhase.PRIMARY, SchoolPhase.ALL_THROUGH],
    );
    const rate = attendance(random);
    const suspended = suspensions(random, secondary, rate < 0.9);
    const started = september(ACADEMIC_YEAR_START - (secondary ? yearGroup - 7 : yearGroup));
    if (secondary && suspended >= 3 && random.chance(0.5)) {
      // Moved to the pupil referral unit part way through the year.
      const moved = `2019-${pad(random.int(1, 4), 2)}-${pad(random.int(1, 28), 2)}`;
      const left = new Date(Date.parse(`${moved}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
      yield [id(), person.id, school.id, yearGroup, thisYear, rate, suspended, started, left];
      yield [id(), person.id, pru.id, yearGroup, thisYear, attendance(random), 0, moved, null];
    } else {
      yield [id(), person.id, school.id, yearGroup, thisYear, rate, suspended, started, null];
    }
  }
}

interface DemoReferral {
  id: string;
  personId: string;
  programme: DemoProgramme;
  reason: string;
  referredAt: Date;
  referredBy: string;
  lsoaCode: string;
  steps: { status: ReferralStatus; at: Date; note: string }[];
}

/** A history that follows the allowed transitions, stopping at the cut-off. */
function statusSteps(random: Random, referredAt: Date, cutoff: number): DemoReferral["steps"] {
  const steps = [{ status: ReferralStatus.REFERRED, at: referredAt, note: NOTES.REFERRED[0] }];
  let current: ReferralStatus = ReferralStatus.REFERRED;
  let at = referredAt.getTime();
  for (;;) {
    const choices: readonly (readonly [ReferralStatus | null, number])[] | undefined = NEXT_STEPS[current];
    const days = STEP_DAYS[current];
    if (!choices || !days) break;
    const next: ReferralStatus | null = random.weighted(choices);
    if (!next || !REFERRAL_TRANSITIONS[current].includes(next)) break;
    at += random.int(days[0], days[1]) * DAY + random.int(0, 8) * 3_600_000;
    if (at > cutoff) break;
    steps.push({ status: next, at: new Date(at), note: random.pick(NOTES[next]) });
    current = next;
  }
  return steps;
}

/** Referrals for a share of 10 to 19 year olds, and at least one for every featured young person. */
function demoReferrals(
  seed: number,
  people: DemoPerson[],
  fromMonth: string,
  toMonth: string,
): DemoReferral[] {
  const random = randomFor(seed, "youth:referrals");
  const months = monthsBetween(fromMonth, toMonth);
  const cutoff = Math.max(
    Date.parse(`${DEMO_TODAY}T00:00:00Z`),
    Date.parse(`${addMonths(toMonth, 1)}-01T00:00:00Z`),
  );
  const referrals: DemoReferral[] = [];
  for (const person of people) {
    const index = Number(person.id.slice(4));
    const featured = index <= FEATURED_YOUNG;
    const age = ageOn(person.dateOfBirth, DEMO_TODAY);
    if (!featured && (age < 10 || age > 19)) continue;
    const count = featured ? random.int(1, 2) : random.chance(0.25) ? (random.chance(0.2) ? 2 : 1) : 0;
    for (let i = 0; i < count; i++) {
      const month = random.pick(months);
      const referredAt = new Date(
        `${month}-${pad(random.int(1, 28), 2)}T${pad(random.int(9, 17), 2)}:${pad(random.int(0, 59), 2)}:00Z`,
      );
      const ageThen = ageOn(person.dateOfBirth, referredAt.toISOString().slice(0, 10));
      let fitting = PROGRAMMES.filter((p) => p.minimumAge <= ageThen && ageThen <= p.maximumAge);
      // A featured young person always has a referral: the youngest-starting programme takes them.
      if (!fitting.length && featured)
        fitting = [PROGRAMMES.reduce((a, b) => (b.minimumAge < a.minimumAge ? b : a))];
      if (!fitting.length) continue;
      const programme = random.pick(fitting);
      referrals.push({
        id: "",
        personId: person.id,
        programme,
        reason: random.pick(REASONS[programme.kind]),
        referredAt,
        referredBy: random.weighted(REFERRERS),
        lsoaCode: person.homeLsoa,
        steps: statusSteps(random, referredAt, cutoff),
      });
    }
  }
  referrals.forEach((r, i) => (r.id = `ref-${pad(i + 1, 6)}`));
  return referrals;
}

/**
 * Youth services' part of the demo partnership: schools, programmes, enrolments for every
 * school-age person, and referrals with histories. Deterministic for a seed and scale.
 */
export const seedYouth: SubgraphSeeder = async (sql, { seed, scale, people }) => {
  const schools = demoSchools(seed);
  const { fromMonth, toMonth } = SCALES[scale];
  const referrals = demoReferrals(seed, people, fromMonth, toMonth);
  // All or nothing: a failed seed leaves no half-filled store behind.
  await sql.transaction(async (tx) => {
    await copyRows(
      tx,
      "schools",
      ["id", "urn", "name", "phase", "lsoa_code"],
      schools.map((s) => [s.id, s.urn, s.name, s.phase, s.lsoaCode]),
    );
    await copyRows(
      tx,
      "programmes",
      ["id", "name", "kind", "provider", "minimum_age", "maximum_age"],
      PROGRAMMES.map((p) => [p.id, p.name, p.kind, p.provider, p.minimumAge, p.maximumAge]),
    );
    await copyRows(
      tx,
      "enrolments",
      [
        "id",
        "person_id",
        "school_id",
        "year_group",
        "academic_year",
        "attendance_rate",
        "suspensions",
        "started_on",
        "left_on",
      ],
      enrolmentRows(seed, people, schools),
    );
    await copyRows(
      tx,
      "referrals",
      [
        "id",
        "person_id",
        "programme_id",
        "status",
        "reason",
        "referred_at",
        "referred_by_agency_id",
        "lsoa_code",
        "record_key",
      ],
      referrals.map((r) => [
        r.id,
        r.personId,
        r.programme.id,
        r.steps[r.steps.length - 1].status,
        r.reason,
        r.referredAt,
        r.referredBy,
        r.lsoaCode,
        demoRecordKey(seed, r.id),
      ]),
    );
    await copyRows(
      tx,
      "referral_status_changes",
      ["referral_id", "status", "at", "note"],
      (function* () {
        for (const r of referrals) for (const step of r.steps) yield [r.id, step.status, step.at, step.note];
      })(),
    );
  });
  const featured = referrals.filter((r) => Number(r.personId.slice(4)) <= FEATURED);
  return { linkable: { REFERRAL: featured.map((r) => r.id) } };
};
