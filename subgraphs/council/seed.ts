import type { Sql } from "../shared/database";
import { copyRows } from "../shared/demo/bulk";
import { demoRecordKey, randomFor, type Random } from "../shared/demo/random";
import type { DemoReport, SubgraphSeeder } from "../shared/demo/seed";
import {
  CASE_NEIGHBOURHOODS,
  DEMO_TODAY,
  FEATURED,
  FEATURED_YOUNG,
  REPEAT_REPORTERS,
  SCALES,
  monthsBetween,
  neighbourhoods,
  personId,
  type DemoPerson,
  type Neighbourhood,
  type Scale,
} from "../shared/demo/world";
import { CaseRecordKind, RiskLevel } from "../shared/enums";
import { monthOf } from "../shared/months";
import { monthEnd, monthStart } from "./repository";
import { AsbCaseStatus, AsbCategory, AsbPartyRole, InterventionStatus, InterventionType } from "./types";

const DAY = 24 * 60 * 60 * 1000;

/** The months the demo's problem-solving cases look at; the featured cases fall in them. */
const CASE_WINDOW = ["2019-01", "2019-06"] as const;

interface SeedParty {
  personId: string;
  role: AsbPartyRole;
}

interface SeedIntervention {
  type: InterventionType;
  issuedAt: Date;
  status: InterventionStatus;
}

export interface SeedCase {
  id: string;
  reference: string;
  status: AsbCaseStatus;
  category: AsbCategory;
  openedAt: Date;
  closedAt: Date | null;
  riskLevel: RiskLevel | null;
  description: string;
  street: string;
  lsoaCode: string;
  latitude: number;
  longitude: number;
  parties: SeedParty[];
  interventions: SeedIntervention[];
}

const CATEGORY_WEIGHTS: [AsbCategory, number][] = [
  [AsbCategory.NOISE, 20],
  [AsbCategory.NEIGHBOUR_DISPUTE, 12],
  [AsbCategory.VANDALISM_AND_GRAFFITI, 10],
  [AsbCategory.INTIMIDATION, 8],
  [AsbCategory.DRUG_USE, 10],
  [AsbCategory.STREET_DRINKING, 8],
  [AsbCategory.YOUTH_NUISANCE, 14],
  [AsbCategory.NUISANCE_VEHICLES, 8],
  [AsbCategory.FLY_TIPPING, 10],
];

/** What residents tell the council, per kind of ASB. */
const DESCRIPTIONS: Record<AsbCategory, string[]> = {
  NOISE: [
    "Loud music from the flat above until 3am most weekends; resident says it is affecting their sleep and work.",
    "Repeated late-night parties with shouting in the stairwell; neighbours have kept a noise diary.",
    "Dog left alone barking for hours every day; owner does not answer the door.",
    "Banging and shouting from the neighbouring flat at night, several times a week.",
  ],
  NEIGHBOUR_DISPUTE: [
    "Ongoing dispute over a shared garden and bins, now with verbal abuse on the landing.",
    "Neighbours in dispute over parking outside the block; both have complained about the other.",
    "Dispute over a boundary fence has escalated to threats and damage to plants.",
  ],
  VANDALISM_AND_GRAFFITI: [
    "Graffiti tags repeatedly sprayed on the estate's garage doors and stairwell.",
    "Communal door glass smashed twice this month; the entry system is damaged.",
    "Cars along the street scratched overnight; bus shelter panels broken.",
  ],
  INTIMIDATION: [
    "Resident reports being followed and verbally abused on the way home; feels unsafe leaving the flat.",
    "Threats shouted through the letterbox after the resident reported drug dealing.",
    "Group gathering by the entrance blocks residents and makes remarks about an older tenant.",
  ],
  DRUG_USE: [
    "Suspected drug dealing from a car parked by the playground in the evenings.",
    "Needles and foil found in the communal stairwell; strong smell of cannabis in the block.",
    "People using drugs in the bin store; residents are afraid to use it after dark.",
  ],
  STREET_DRINKING: [
    "Group drinking on the benches by the shops from midday; urinating in doorways and shouting.",
    "Street drinkers gathering outside the off-licence, leaving cans and bottles and begging aggressively.",
    "Drinking and arguments in the small park most afternoons; parents avoid the play area.",
  ],
  YOUTH_NUISANCE: [
    "Group of young people riding mopeds through the estate and gathering in the stairwell after school.",
    "Young people throwing stones at windows and kicking doors; some of the group are known to the school.",
    "Teenagers congregating on the footbridge, playing loud music and intimidating passers-by.",
    "Youths repeatedly setting off fireworks near the flats and knocking on doors.",
  ],
  NUISANCE_VEHICLES: [
    "Untaxed van abandoned in the residents' car park for over a month.",
    "Cars racing along the road late at night, revving engines and doing doughnuts.",
    "Off-road motorbikes ridden along the canal path and through the park.",
  ],
  FLY_TIPPING: [
    "Mattresses and building waste dumped in the alley behind the shops again.",
    "Bags of household rubbish left by the communal bins after collection day; attracting rats.",
    "Furniture and fridges dumped on the grass verge overnight.",
  ],
};

/** Locations in the style police.uk publishes them. */
const STREETS = [
  "High Street",
  "Church Road",
  "Station Road",
  "Victoria Street",
  "Mill Lane",
  "Queen Street",
  "Park Road",
  "Parking Area",
  "Supermarket",
  "Shopping Area",
  "Park/Open Space",
  "Bus/Coach Station",
  "Petrol Station",
  "Nightclub",
  "Pedestrian Subway",
  "Sports/Recreation Area",
  "Cheapside",
  "London Wall",
  "Aldgate High Street",
  "Houndsditch",
  "Fleet Street",
  "Commercial Street",
  "Brick Lane",
  "Mare Street",
  "Kingsland Road",
];

const INTERVENTION_LADDER = Object.values(InterventionType);

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A point within about `metres` of a centroid, spread evenly over the disc. */
function near(random: Random, hood: Neighbourhood, metres: number): { latitude: number; longitude: number } {
  const r = metres * Math.sqrt(random.next());
  const theta = 2 * Math.PI * random.next();
  const latitude = hood.latitude + (r * Math.cos(theta)) / 111_320;
  const longitude =
    hood.longitude + (r * Math.sin(theta)) / (111_320 * Math.cos((hood.latitude * Math.PI) / 180));
  return { latitude: Math.round(latitude * 1e6) / 1e6, longitude: Math.round(longitude * 1e6) / 1e6 };
}

interface CaseShape {
  n: number;
  hood: Neighbourhood;
  month: string;
  category: AsbCategory;
  parties: SeedParty[];
  /** The end of the demo's timeline: nothing is closed or issued after it. */
  horizon: Date;
}

/** Fills in the rest of a case (dates, place, words, risk, interventions, status) from its shape. */
function buildCase(random: Random, shape: CaseShape): SeedCase {
  const { n, hood, month, category, parties, horizon } = shape;
  const start = monthStart(month).getTime();
  const days = Math.round((monthEnd(month).getTime() - start) / DAY);
  const openedAt = new Date(
    start + (random.int(0, days - 1) * 24 + random.int(8, 21)) * 3_600_000 + random.int(0, 59) * 60_000,
  );
  const ageDays = Math.max(0, Math.floor((horizon.getTime() - openedAt.getTime()) / DAY));

  // Older cases are more likely to be closed, a few weeks to a few months after opening.
  let closedAt: Date | null = null;
  if (ageDays > 14 && random.chance(Math.min(0.8, ageDays / 240))) {
    closedAt = new Date(openedAt.getTime() + random.int(10, Math.min(180, ageDays - 1)) * DAY);
  }
  const limit = closedAt ?? horizon;

  // Interventions need someone to address; they climb the ladder, each breach leading to the next.
  const interventions: SeedIntervention[] = [];
  if (parties.some((p) => p.role === AsbPartyRole.PERPETRATOR)) {
    const wanted = random.weighted([
      [0, 3],
      [1, 3],
      [2, 2],
      [3, 1],
    ] as const);
    let step = random.int(0, 2);
    let at = openedAt.getTime() + random.int(3, 30) * DAY;
    for (let i = 0; i < wanted && step < INTERVENTION_LADDER.length && at < limit.getTime(); i++) {
      interventions.push({
        type: INTERVENTION_LADDER[step],
        issuedAt: new Date(at),
        status: InterventionStatus.ISSUED,
      });
      step += random.int(1, 2);
      at += random.int(14, 60) * DAY;
    }
    interventions.forEach((intervention, i) => {
      if (i < interventions.length - 1) intervention.status = InterventionStatus.BREACHED;
      else if (closedAt)
        intervention.status = random.chance(0.7)
          ? InterventionStatus.COMPLIED
          : InterventionStatus.DISCHARGED;
      else {
        intervention.status = random.weighted([
          [InterventionStatus.ISSUED, 3],
          [InterventionStatus.PROPOSED, 1],
          [InterventionStatus.COMPLIED, 1],
        ] as const);
      }
    });
  }

  const status = closedAt
    ? AsbCaseStatus.CLOSED
    : interventions.some((i) => i.status !== InterventionStatus.PROPOSED)
      ? AsbCaseStatus.ACTION_TAKEN
      : ageDays > 14 && random.chance(0.6)
        ? AsbCaseStatus.UNDER_INVESTIGATION
        : AsbCaseStatus.OPEN;
  const riskLevel = random.chance(0.2)
    ? null
    : category === AsbCategory.INTIMIDATION
      ? random.weighted([
          [RiskLevel.STANDARD, 2],
          [RiskLevel.MEDIUM, 3],
          [RiskLevel.HIGH, 2],
        ] as const)
      : random.weighted([
          [RiskLevel.STANDARD, 6],
          [RiskLevel.MEDIUM, 3],
          [RiskLevel.HIGH, 1],
        ] as const);
  const point = near(random, hood, 150);
  return {
    id: `asb-${String(n).padStart(6, "0")}`,
    reference: `ASB/${month.slice(0, 4)}/${String(n).padStart(6, "0")}`,
    status,
    category,
    openedAt,
    closedAt,
    riskLevel,
    description: random.pick(DESCRIPTIONS[category]),
    street: `On or near ${random.pick(STREETS)}`,
    lsoaCode: hood.code,
    ...point,
    parties,
    interventions,
  };
}

/** Who usually reports each kind of ASB: a victim of it, or a resident complaining about it. */
function reporterRole(random: Random, category: AsbCategory): AsbPartyRole {
  const victimish = [AsbCategory.INTIMIDATION, AsbCategory.NEIGHBOUR_DISPUTE, AsbCategory.NOISE].includes(
    category,
  );
  return random.chance(victimish ? 0.7 : 0.2) ? AsbPartyRole.VICTIM : AsbPartyRole.COMPLAINANT;
}

/**
 * The featured people's cases, all in the case neighbourhoods in 2019-01..2019-06 so that the
 * contract operations and problem-solving cases find them: young people in youth nuisance cases,
 * repeat reporters on two separate cases each (2019-02..2019-05), the other adults in pairs.
 */
function featuredCases(seed: number, people: DemoPerson[], horizon: Date): SeedCase[] {
  const random = randomFor(seed, "council:featured");
  const byId = new Map(people.map((p) => [p.id, p]));
  const hoods = new Map(neighbourhoods().map((h) => [h.code, h]));
  const present = (id: string) => byId.has(id);
  // A case is where its first party lives, when that is a case neighbourhood.
  const hoodOf = (id: string | undefined, i: number): Neighbourhood => {
    const home = id ? byId.get(id)?.homeLsoa : undefined;
    return hoods.get(
      home && CASE_NEIGHBOURHOODS.includes(home) ? home : CASE_NEIGHBOURHOODS[i % CASE_NEIGHBOURHOODS.length],
    )!;
  };

  const young: string[] = [];
  const adults: string[] = [];
  for (let n = 1; n <= FEATURED; n++) {
    const id = personId(n);
    if (!present(id)) continue;
    if (n <= FEATURED_YOUNG) young.push(id);
    else if (!REPEAT_REPORTERS.includes(id)) adults.push(id);
  }
  const reporters = REPEAT_REPORTERS.filter(present);
  const cases: SeedCase[] = [];
  const add = (hood: Neighbourhood, month: string, category: AsbCategory, parties: SeedParty[]) =>
    cases.push(buildCase(random, { n: cases.length + 1, hood, month, category, parties, horizon }));

  // Repeat reporters: the same neighbour behind both reports, a witness to the second.
  const repeatCategories = [
    AsbCategory.NOISE,
    AsbCategory.INTIMIDATION,
    AsbCategory.NEIGHBOUR_DISPUTE,
    AsbCategory.DRUG_USE,
    AsbCategory.STREET_DRINKING,
  ];
  reporters.forEach((reporter, i) => {
    const perpetrator = adults.shift();
    const witness = adults.shift();
    const hood = hoodOf(reporter, i);
    const category = repeatCategories[i % repeatCategories.length];
    const first: SeedParty[] = [{ personId: reporter, role: AsbPartyRole.VICTIM }];
    if (perpetrator) first.push({ personId: perpetrator, role: AsbPartyRole.PERPETRATOR });
    add(hood, `2019-0${2 + (i % 2)}`, category, first);
    const second: SeedParty[] = [{ personId: reporter, role: AsbPartyRole.COMPLAINANT }];
    if (perpetrator) second.push({ personId: perpetrator, role: AsbPartyRole.PERPETRATOR });
    if (witness) second.push({ personId: witness, role: AsbPartyRole.WITNESS });
    add(hood, `2019-0${4 + (i % 2)}`, category, second);
  });

  // Young people in pairs, reported by an adult neighbour.
  for (let i = 0; i < young.length; i += 2) {
    const complainant = adults.shift();
    const parties: SeedParty[] = young
      .slice(i, i + 2)
      .map((id) => ({ personId: id, role: AsbPartyRole.PERPETRATOR }));
    if (complainant) parties.unshift({ personId: complainant, role: AsbPartyRole.COMPLAINANT });
    const category = i % 6 === 4 ? AsbCategory.VANDALISM_AND_GRAFFITI : AsbCategory.YOUTH_NUISANCE;
    add(hoodOf(complainant ?? young[i], i / 2), `2019-0${1 + ((i / 2) % 6)}`, category, parties);
  }

  // Everyone left: a victim and the person they complain about.
  for (let i = 0; adults.length; i++) {
    const victim = adults.shift()!;
    const perpetrator = adults.shift();
    const category = random.weighted(CATEGORY_WEIGHTS);
    const parties: SeedParty[] = [{ personId: victim, role: reporterRole(random, category) }];
    if (perpetrator) parties.push({ personId: perpetrator, role: AsbPartyRole.PERPETRATOR });
    add(hoodOf(victim, i), `2019-0${1 + (i % 6)}`, category, parties);
  }
  return cases;
}

/** The whole council demo, in memory: deterministic for a seed, scale and people list. */
export function generateCouncilCases(
  seed: number,
  scale: Scale,
  people: DemoPerson[],
): { cases: SeedCase[]; featured: number } {
  const settings = SCALES[scale];
  const horizon = new Date(
    Math.max(Date.parse(`${DEMO_TODAY}T00:00:00Z`), monthEnd(settings.toMonth).getTime()),
  );
  const cases = featuredCases(seed, people, horizon);
  const featured = cases.length;

  const random = randomFor(seed, "council:cases");
  const months = monthsBetween(settings.fromMonth, settings.toMonth);
  const hoods = neighbourhoods();
  // The case neighbourhoods are the busiest in the data; the council's cases follow.
  const hoodWeights = hoods.map((h) => [h, CASE_NEIGHBOURHOODS.includes(h.code) ? 12 : 1] as const);
  const featuredIds = new Set(Array.from({ length: FEATURED }, (_, i) => personId(i + 1)));
  // Featured people keep to their designed cases, so the demo's story stays as told.
  const others = people.filter((p) => !featuredIds.has(p.id));
  const residents = new Map<string, DemoPerson[]>();
  for (const p of others) residents.set(p.homeLsoa, [...(residents.get(p.homeLsoa) ?? []), p]);

  for (let n = featured + 1; n <= Math.max(settings.asbCases, featured); n++) {
    const hood = random.weighted(hoodWeights);
    const category = random.weighted(CATEGORY_WEIGHTS);
    const wanted = random.weighted([
      [1, 4],
      [2, 4],
      [3, 2],
    ] as const);
    const local = residents.get(hood.code) ?? [];
    const chosen = new Set<string>();
    for (let tries = 0; chosen.size < wanted && tries < wanted * 3 && others.length; tries++) {
      chosen.add((local.length && random.chance(0.6) ? random.pick(local) : random.pick(others)).id);
    }
    const parties = [...chosen].map((id, i) => ({
      personId: id,
      role:
        i === 0
          ? reporterRole(random, category)
          : i === 1
            ? random.chance(0.7)
              ? AsbPartyRole.PERPETRATOR
              : AsbPartyRole.WITNESS
            : category === AsbCategory.YOUTH_NUISANCE
              ? AsbPartyRole.PERPETRATOR
              : AsbPartyRole.WITNESS,
    }));
    cases.push(buildCase(random, { n, hood, month: random.pick(months), category, parties, horizon }));
  }
  return { cases, featured };
}

/** The reports people made: one per (person, case) where they are a victim or complainant. */
export function councilReports(cases: SeedCase[]): DemoReport[] {
  const reports: DemoReport[] = [];
  for (const c of cases) {
    const reporters = new Set(
      c.parties
        .filter((p) => p.role === AsbPartyRole.VICTIM || p.role === AsbPartyRole.COMPLAINANT)
        .map((p) => p.personId),
    );
    for (const id of reporters) {
      reports.push({
        personId: id,
        agencyId: "council",
        recordKind: CaseRecordKind.ASB_CASE,
        recordId: c.id,
        reportedAt: isoDate(c.openedAt),
      });
    }
  }
  return reports;
}

async function load(sql: Sql, cases: SeedCase[], seed: number): Promise<void> {
  await copyRows(
    sql,
    "asb_cases",
    [
      "id",
      "reference",
      "status",
      "category",
      "opened_at",
      "closed_at",
      "risk_level",
      "description",
      "street",
      "lsoa_code",
      "latitude",
      "longitude",
      "record_key",
    ],
    cases.map((c) => [
      c.id,
      c.reference,
      c.status,
      c.category,
      c.openedAt,
      c.closedAt,
      c.riskLevel,
      c.description,
      c.street,
      c.lsoaCode,
      c.latitude,
      c.longitude,
      demoRecordKey(seed, c.id),
    ]),
  );
  await copyRows(
    sql,
    "asb_parties",
    ["case_id", "person_id", "role"],
    (function* () {
      for (const c of cases) for (const p of c.parties) yield [c.id, p.personId, p.role];
    })(),
  );
  await copyRows(
    sql,
    "asb_interventions",
    ["case_id", "type", "issued_at", "status"],
    (function* () {
      for (const c of cases) for (const i of c.interventions) yield [c.id, i.type, i.issuedAt, i.status];
    })(),
  );
}

/**
 * The council's part of the demo partnership: SCALES[scale].asbCases ASB cases with parties and
 * interventions, every featured person a party to at least one. All of it is written, or none.
 */
export const seedCouncil: SubgraphSeeder = async (sql, { seed, scale, people }) => {
  const { cases, featured } = generateCouncilCases(seed, scale, people);
  await sql.transaction((tx) => load(tx, cases, seed));
  const linkable = cases
    .slice(0, featured)
    .filter(
      (c) =>
        CASE_NEIGHBOURHOODS.includes(c.lsoaCode) &&
        monthOf(c.openedAt) >= CASE_WINDOW[0] &&
        monthOf(c.openedAt) <= CASE_WINDOW[1],
    )
    .map((c) => c.id);
  return { linkable: { [CaseRecordKind.ASB_CASE]: linkable }, reports: councilReports(cases) };
};
