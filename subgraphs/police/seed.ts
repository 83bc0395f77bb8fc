import { CaseRecordKind } from "../shared/enums";
import type { DemoReport, SubgraphSeeder } from "../shared/demo/seed";
import { demoRecordKey, randomFor, type Random } from "../shared/demo/random";
import {
  CASE_NEIGHBOURHOODS,
  FEATURED,
  FEATURED_YOUNG,
  REPEAT_REPORTERS,
  SCALES,
  monthsBetween,
  neighbourhoods,
  type DemoPerson,
} from "../shared/demo/world";
import { incidentSummary } from "./importer";
import { IncidentRepository, type IncidentDetails, type SeedIncident } from "./repository";
import { CrimeCategory, InvolvementRole } from "./types";

/** The months the demo's problem-solving cases look at, and repeat reporters report in. */
const CASE_FROM = "2019-02";
const CASE_TO = "2019-05";
/** People with these positions or lower get imported incidents, and reports returned. */
const REPORTED_PEOPLE = 2000;
const AGENCY = "police";

const C = CrimeCategory;
const R = InvolvementRole;

/** Crimes with a person as the victim (a shop is the victim of shoplifting). */
const PERSONAL_VICTIM = new Set<CrimeCategory>([
  C.BICYCLE_THEFT,
  C.BURGLARY,
  C.CRIMINAL_DAMAGE_AND_ARSON,
  C.OTHER_THEFT,
  C.ROBBERY,
  C.THEFT_FROM_THE_PERSON,
  C.VEHICLE_CRIME,
  C.VIOLENCE_AND_SEXUAL_OFFENCES,
  C.PUBLIC_ORDER,
  C.OTHER_CRIME,
]);

/** The police.uk mix of crime types (City of London, 2017 to 2019), for generated incidents. */
const CATEGORY_MIX: [CrimeCategory, number][] = [
  [C.OTHER_THEFT, 5989],
  [C.ANTI_SOCIAL_BEHAVIOUR, 4286],
  [C.VIOLENCE_AND_SEXUAL_OFFENCES, 3647],
  [C.SHOPLIFTING, 2630],
  [C.THEFT_FROM_THE_PERSON, 2173],
  [C.DRUGS, 1434],
  [C.BICYCLE_THEFT, 1270],
  [C.PUBLIC_ORDER, 1137],
  [C.BURGLARY, 908],
  [C.CRIMINAL_DAMAGE_AND_ARSON, 766],
  [C.VEHICLE_CRIME, 639],
  [C.OTHER_CRIME, 493],
  [C.ROBBERY, 327],
  [C.POSSESSION_OF_WEAPONS, 200],
];

const OUTCOMES: [string, number][] = [
  ["Investigation complete; no suspect identified", 50],
  ["Unable to prosecute suspect", 14],
  ["Under investigation", 10],
  ["Local resolution", 6],
  ["Awaiting court outcome", 4],
  ["Offender given a caution", 3],
  ["Offender given a drugs possession warning", 3],
  ["Offender fined", 2],
  ["Offender sent to prison", 1],
  ["Formal action is not in the public interest", 2],
];

const STREETS = [
  "High Street",
  "Station Road",
  "Market Place",
  "Church Lane",
  "Park Road",
  "Victoria Street",
  "King Street",
  "Queen Street",
  "Mill Lane",
  "Bridge Street",
  "Shopping Area",
  "Supermarket",
  "Parking Area",
  "Petrol Station",
  "Nightclub",
  "Sports/Recreation Area",
  "Theatre/Concert Hall",
  "Pedestrian Subway",
  "Bus Station",
  "Further/Higher Educational Building",
];

/** Officer-style accounts per crime type; `{place}` is the street. */
const NARRATIVES: Record<CrimeCategory, string[]> = {
  ANTI_SOCIAL_BEHAVIOUR: [
    "Caller reports a group of youths shouting, drinking and blocking the entrance near {place}. Officers attended; group dispersed on arrival. Words of advice given.",
    "Ongoing noise and rowdy behaviour reported near {place} late evening. Area patrolled; no one present on arrival. Logged for the neighbourhood team.",
    "Report of youths on bikes riding at pedestrians near {place}. Two identified and spoken to; details passed to the ASB team.",
  ],
  BICYCLE_THEFT: [
    "Victim locked bicycle to stand near {place}; returned to find lock cut and bicycle gone. Frame number recorded. CCTV requested.",
  ],
  BURGLARY: [
    "Premises near {place} entered overnight via rear door; laptop and cash taken. Scenes of crime attended. House-to-house enquiries made.",
    "Victim returned home to find window forced near {place}. Jewellery taken. Forensic examination requested.",
  ],
  CRIMINAL_DAMAGE_AND_ARSON: [
    "Shop window near {place} smashed overnight. No witnesses. CCTV from neighbouring premises requested.",
    "Victim's car scratched along both sides while parked near {place}. Photographs taken.",
  ],
  DRUGS: [
    "Male stopped and searched near {place}; found in possession of a small quantity of cannabis. Dealt with by warning.",
  ],
  OTHER_CRIME: [
    "Report of harassment by messages and calls; victim provided screenshots. Suspect identified and to be interviewed.",
  ],
  OTHER_THEFT: [
    "Victim's bag taken from the back of a chair while at {place}. No witnesses. Venue CCTV requested.",
    "Phone left on a table near {place} taken while victim was distracted. Device tracking details recorded.",
  ],
  POSSESSION_OF_WEAPONS: [
    "Male stopped near {place} following a call; found carrying a lock knife. Arrested and taken into custody.",
  ],
  PUBLIC_ORDER: [
    "Dispute outside {place} escalated into threats and shouting. Parties separated by officers. Statements taken.",
  ],
  ROBBERY: [
    "Victim approached near {place} by two males who demanded and took their phone under threat. Area search negative.",
  ],
  SHOPLIFTING: [
    "Store security detained a person near {place} leaving without paying for goods. Goods recovered. CCTV secured.",
  ],
  THEFT_FROM_THE_PERSON: [
    "Victim's wallet taken from a pocket on a crowded pavement near {place}. Noticed some minutes later. Cards cancelled.",
  ],
  VEHICLE_CRIME: ["Victim's van near {place} broken into overnight; tools taken. Scenes of crime attended."],
  VIOLENCE_AND_SEXUAL_OFFENCES: [
    "Victim assaulted outside {place} after an argument; minor facial injuries, declined hospital. Suspect identified.",
    "Report of a fight near {place}; one party punched and knocked to the ground. Ambulance attended. Enquiries ongoing.",
  ],
};

interface Involvement {
  incident: SeedIncident;
  personId: string;
  role: InvolvementRole;
}

function isReport(role: InvolvementRole): boolean {
  return role === R.VICTIM || role === R.REPORTER;
}

/** A person's part in an incident of this type; `canReport` false keeps to suspect or witness. */
function roleFor(category: CrimeCategory, random: Random, canReport: boolean): InvolvementRole {
  if (category === C.ANTI_SOCIAL_BEHAVIOUR) {
    return random.weighted(
      canReport
        ? [
            [R.REPORTER, 6],
            [R.WITNESS, 2],
            [R.SUSPECT, 2],
          ]
        : [
            [R.WITNESS, 1],
            [R.SUSPECT, 1],
          ],
    );
  }
  if (PERSONAL_VICTIM.has(category)) {
    return random.weighted(
      canReport
        ? [
            [R.VICTIM, 7],
            [R.SUSPECT, 2],
            [R.WITNESS, 1],
          ]
        : [
            [R.SUSPECT, 2],
            [R.WITNESS, 1],
          ],
    );
  }
  return random.weighted([
    [R.SUSPECT, 4],
    [R.WITNESS, 1],
  ]);
}

function dateInMonth(month: string, random: Random): Date {
  const [y, m] = month.split("-").map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1, random.int(1, days), random.int(0, 23), random.int(0, 11) * 5));
}

function summaryOf(incident: Pick<SeedIncident, "category" | "street">, roles: InvolvementRole[]): string {
  const known: string[] = [];
  if (roles.includes(R.REPORTER)) known.push("reported by a member of the public");
  if (roles.includes(R.VICTIM)) known.push("victim identified");
  if (roles.includes(R.SUSPECT)) known.push("suspect identified");
  if (roles.includes(R.WITNESS)) known.push("witness statement taken");
  return `${incidentSummary(incident.category, incident.street)}; ${known.join(", ")}`;
}

function narrativeOf(incident: Pick<SeedIncident, "category" | "street">, random: Random): string {
  const place = incident.street ? incident.street.replace(/^on or near\s+/i, "") : "the location";
  return random.pick(NARRATIVES[incident.category]).replace("{place}", place);
}

/** Picks up to `n` distinct incidents from a pool, in separate months where it can. */
function pickSpread(pool: SeedIncident[], n: number, random: Random, taken: Set<string>): SeedIncident[] {
  const out: SeedIncident[] = [];
  const months = new Set<string>();
  for (let attempt = 0; out.length < n && attempt < 200; attempt++) {
    const incident = random.pick(pool);
    if (taken.has(incident.id) || out.includes(incident)) continue;
    if (months.has(incident.month) && attempt < 100) continue;
    out.push(incident);
    months.add(incident.month);
  }
  return out;
}

/**
 * The featured people in the case neighbourhoods' incidents of 2019-02..05: the young as
 * victim, witness or suspect of ASB; the repeat reporters reporting exactly twice, in separate
 * months; the other adults once as victim or reporter and once or twice as suspect or witness.
 */
function involveFeatured(featured: DemoPerson[], imported: SeedIncident[], random: Random): Involvement[] {
  const inWindow = imported.filter((i) => i.month >= CASE_FROM && i.month <= CASE_TO);
  const inCases = inWindow.filter((i) => i.lsoaCode && CASE_NEIGHBOURHOODS.includes(i.lsoaCode));
  const pool = inCases.length >= 20 ? inCases : inWindow.length ? inWindow : imported;
  const asb = pool.filter((i) => i.category === C.ANTI_SOCIAL_BEHAVIOUR);
  const reportable = pool.filter(
    (i) => i.category === C.ANTI_SOCIAL_BEHAVIOUR || PERSONAL_VICTIM.has(i.category),
  );
  const out: Involvement[] = [];
  featured.forEach((person, index) => {
    const taken = new Set<string>();
    const add = (incidents: SeedIncident[], role: (i: SeedIncident, k: number) => InvolvementRole) =>
      incidents.forEach((incident, k) => {
        taken.add(incident.id);
        out.push({ incident, personId: person.id, role: role(incident, k) });
      });
    if (index < FEATURED_YOUNG) {
      const victimOnce = random.chance(0.5);
      add(pickSpread(asb.length ? asb : pool, random.int(2, 3), random, taken), (i, k) =>
        k === 0 && victimOnce ? R.VICTIM : roleFor(i.category, random, false),
      );
    } else if (REPEAT_REPORTERS.includes(person.id)) {
      add(pickSpread(reportable, 2, random, taken), (i) =>
        i.category === C.ANTI_SOCIAL_BEHAVIOUR ? R.REPORTER : R.VICTIM,
      );
    } else {
      add(pickSpread(reportable, 1, random, taken), (i) => roleFor(i.category, random, true));
      add(pickSpread(pool, random.int(1, 2), random, taken), (i) => roleFor(i.category, random, false));
    }
  });
  return out;
}

/** Everyone else given imported incidents: once each (half near home), a fifth twice. */
function involveOthers(people: DemoPerson[], imported: SeedIncident[], random: Random): Involvement[] {
  const byLsoa = new Map<string, SeedIncident[]>();
  for (const incident of imported) {
    if (!incident.lsoaCode) continue;
    const list = byLsoa.get(incident.lsoaCode);
    if (list) list.push(incident);
    else byLsoa.set(incident.lsoaCode, [incident]);
  }
  const out: Involvement[] = [];
  for (const person of people) {
    const near = byLsoa.get(person.homeLsoa);
    const first = near && random.chance(0.5) ? random.pick(near) : random.pick(imported);
    out.push({ incident: first, personId: person.id, role: roleFor(first.category, random, true) });
    if (random.chance(0.2)) {
      const second = random.pick(imported);
      if (second !== first)
        out.push({ incident: second, personId: person.id, role: roleFor(second.category, random, false) });
    }
  }
  return out;
}

/** Cumulative weights for fast weighted picks over a million rows. */
function cumulative<T>(choices: [T, number][]): { values: T[]; bounds: number[]; total: number } {
  let total = 0;
  const bounds = choices.map(([, w]) => (total += w));
  return { values: choices.map(([v]) => v), bounds, total };
}

function pickCumulative<T>(table: { values: T[]; bounds: number[]; total: number }, random: Random): T {
  const r = random.next() * table.total;
  let lo = 0;
  let hi = table.bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table.bounds[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return table.values[lo];
}

/**
 * Generated incidents `inc-g0000001`...: over every neighbourhood (busier where police.uk
 * records more) and the scale's months, near the neighbourhood's centroid, in the police.uk
 * mix of crime types. One in `every` involves the next of `people` (in their home
 * neighbourhood), so each of them has an incident; a fifth of those add a suspect or witness.
 * Rows are produced lazily for COPY; involvements are collected as a side effect.
 */
function* generatedIncidents(
  seed: number,
  count: number,
  months: string[],
  weights: Map<string, number>,
  people: DemoPerson[],
  random: Random,
  involvements: [string, string, InvolvementRole][],
): Generator<(string | number | Date | null)[]> {
  const hoods = neighbourhoods();
  const hoodByCode = new Map(hoods.map((h) => [h.code, h]));
  const places = cumulative(hoods.map((h) => [h, 1 + (weights.get(h.code) ?? 0)]));
  const categories = cumulative(CATEGORY_MIX);
  const outcomes = cumulative(OUTCOMES);
  const every = people.length ? Math.max(1, Math.floor(count / people.length)) : 0;
  for (let g = 1; g <= count; g++) {
    const number = String(g).padStart(7, "0");
    const id = `inc-g${number}`;
    const slot = every && (g - 1) % every === 0 ? (g - 1) / every : -1;
    const person = slot >= 0 && slot < people.length ? people[slot] : undefined;
    const hood = (person && hoodByCode.get(person.homeLsoa)) || pickCumulative(places, random);
    const category = pickCumulative(categories, random);
    const month = months[Math.floor(random.next() * months.length)];
    const street = `On or near ${STREETS[Math.floor(random.next() * STREETS.length)]}`;
    // Within about 300 m of the centroid.
    const latitude = Math.round((hood.latitude + (random.next() - 0.5) * 0.0054) * 1e6) / 1e6;
    const longitude = Math.round((hood.longitude + (random.next() - 0.5) * 0.0086) * 1e6) / 1e6;
    const outcome = category === C.ANTI_SOCIAL_BEHAVIOUR ? null : pickCumulative(outcomes, random);
    let summary = incidentSummary(category, street);
    let narrative: string | null = null;
    let occurredAt: Date | null = null;
    if (person) {
      const roles = [roleFor(category, random, true)];
      involvements.push([id, person.id, roles[0]]);
      if (people.length > 1 && random.chance(0.2)) {
        const other = people[(slot * 7919 + 13) % people.length];
        if (other !== person) {
          roles.push(roleFor(category, random, false));
          involvements.push([id, other.id, roles[1]]);
        }
      }
      const incident = { category, street };
      summary = summaryOf(incident, roles);
      narrative = narrativeOf(incident, random);
      occurredAt = dateInMonth(month, random);
    }
    yield [
      id,
      `demo:g${number}`,
      `GEN-${number}`,
      month,
      occurredAt,
      category,
      outcome,
      street,
      hood.code,
      latitude,
      longitude,
      summary,
      narrative,
      "demo",
      demoRecordKey(seed, id),
    ];
  }
}

/**
 * The police part of the demo partnership, on top of the imported police.uk months: people's
 * involvements in incidents, officers' summaries and accounts, and at large scale a million
 * generated incidents. Deterministic for a seed and scale; seeding again gives the same rows.
 */
export const seedPolice: SubgraphSeeder = async (sql, options) => {
  const repository = new IncidentRepository(sql);
  const settings = SCALES[options.scale];
  await repository.clearDemo();
  const imported = await repository.importedIncidents();
  if (!imported.length) throw new Error("police seed: no police.uk incidents; import data/police-uk first");
  // The imported incidents got random keys from the importer; the demo fixes them by its seed.
  await repository.setRecordKeys(imported.map((i) => ({ id: i.id, key: demoRecordKey(options.seed, i.id) })));

  // The first people get the real (imported) incidents; the rest, generated ones.
  const featured = options.people.slice(0, FEATURED);
  const others = options.people.slice(FEATURED, REPORTED_PEOPLE);
  const rest = options.people.slice(REPORTED_PEOPLE);
  const involvements = [
    ...involveFeatured(featured, imported, randomFor(options.seed, "police:featured")),
    ...involveOthers(others, imported, randomFor(options.seed, "police:people")),
  ];

  // Officers write up the incidents people were involved in.
  const details = randomFor(options.seed, "police:details");
  const rolesByIncident = new Map<string, { incident: SeedIncident; roles: InvolvementRole[] }>();
  for (const inv of involvements) {
    const entry = rolesByIncident.get(inv.incident.id);
    if (entry) entry.roles.push(inv.role);
    else rolesByIncident.set(inv.incident.id, { incident: inv.incident, roles: [inv.role] });
  }
  const written: IncidentDetails[] = [...rolesByIncident.values()].map(({ incident, roles }) => ({
    id: incident.id,
    occurredAt: dateInMonth(incident.month, details),
    summary: summaryOf(incident, roles),
    narrative: narrativeOf(incident, details),
  }));
  await repository.addDetails(written);

  const generatedInvolvements: [string, string, InvolvementRole][] = [];
  if (settings.generatedIncidents > 0) {
    await repository.copyIncidents(
      generatedIncidents(
        options.seed,
        settings.generatedIncidents,
        monthsBetween(settings.fromMonth, settings.toMonth),
        await repository.countsByNeighbourhood(),
        rest,
        randomFor(options.seed, "police:generated"),
        generatedInvolvements,
      ),
    );
  }
  await repository.copyInvolvements([
    ...involvements.map((i): [string, string, InvolvementRole] => [i.incident.id, i.personId, i.role]),
    ...generatedInvolvements,
  ]);

  // Reports (victim or reporter) of the first people, for the case review index.
  const occurredAt = new Map(written.map((d) => [d.id, d.occurredAt.toISOString().slice(0, 10)]));
  const seen = new Set<string>();
  const reports: DemoReport[] = [];
  for (const inv of involvements) {
    const key = `${inv.personId}|${inv.incident.id}`;
    if (!isReport(inv.role) || seen.has(key)) continue;
    seen.add(key);
    reports.push({
      personId: inv.personId,
      agencyId: AGENCY,
      recordKind: CaseRecordKind.INCIDENT,
      recordId: inv.incident.id,
      reportedAt: occurredAt.get(inv.incident.id) ?? `${inv.incident.month}-01`,
    });
  }

  const featuredIds = new Set(featured.map((p) => p.id));
  const linkable = [
    ...new Set(
      involvements
        .filter(
          (i) =>
            featuredIds.has(i.personId) &&
            i.incident.lsoaCode !== null &&
            CASE_NEIGHBOURHOODS.includes(i.incident.lsoaCode) &&
            i.incident.month >= CASE_FROM &&
            i.incident.month <= CASE_TO,
        )
        .map((i) => i.incident.id),
    ),
  ].sort();

  return { linkable: { [CaseRecordKind.INCIDENT]: linkable }, reports };
};
