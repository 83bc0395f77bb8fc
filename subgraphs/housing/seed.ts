import { CaseRecordKind } from "../shared/enums";
import { copyRows } from "../shared/demo/bulk";
import type { Random } from "../shared/demo/random";
import { demoRecordKey, randomFor } from "../shared/demo/random";
import type { DemoReport, SubgraphSeeder } from "../shared/demo/seed";
import {
  CASE_NEIGHBOURHOODS,
  DEMO_TODAY,
  FEATURED,
  FEATURED_YOUNG,
  REPEAT_REPORTERS,
  SCALES,
  ageOn,
  neighbourhoods,
  personId,
  type DemoPerson,
} from "../shared/demo/world";
import { addMonths } from "../shared/months";
import { ArrearsBand, OccupantRole, TenancyActionType, TenancyStatus, Tenure } from "./types";

const DAY = 86_400_000;

/** Days since the epoch for a YYYY-MM-DD date, so date arithmetic stays in whole UTC days. */
const dayOf = (date: string): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY;
const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);

const ESTATE_NAMES = [
  "Golden Lane",
  "Brandon",
  "Avondale",
  "Holly Street",
  "Kingsmead",
  "Pembury",
  "Nightingale",
  "Wenlock Barn",
  "Packington",
  "Ocean",
  "Boundary",
  "Lakeview",
  "Clapton Park",
  "Haggerston",
  "Aylesbury",
  "Setchell",
  "Mozart",
  "Dalston Lane",
  "Gascoyne",
  "Monteith",
  "Regent's Park",
  "Chalcots",
  "Priory Green",
  "Market",
  "Mansford",
  "Lansbury",
  "Rowley Way",
  "Alexandra Road",
  "Samuda",
  "Robin Hood",
  "Cranbrook",
];
const ESTATE_KINDS = [
  "Estate",
  "House",
  "Court",
  "Gardens",
  "Tower",
  "Buildings",
  "Mansions",
  "Point",
  "Walk",
  "Place",
];
const STREET_NAMES = [
  "Wenlock",
  "Mare",
  "Cable",
  "Commercial",
  "Roman",
  "Caledonian",
  "Essex",
  "Cranwood",
  "Mildmay",
  "Sidney",
  "Redchurch",
  "Columbia",
  "Vallance",
  "Old Montague",
  "Fieldgate",
  "Shepherdess",
  "Hoxton",
  "Bevenden",
  "Ufton",
  "Balls Pond",
  "Downham",
  "Kingsland",
  "Amhurst",
  "Dunlace",
  "Navarino",
  "Richmond",
  "Albion",
  "Wilton",
  "Ellingfort",
  "Lavender",
  "Tredegar",
];
const STREET_KINDS = ["Road", "Street", "Grove", "Terrace", "Lane", "Close"];

const WARNING_NOTES = {
  conduct: [
    "Written warning: noise nuisance reported by neighbours",
    "Verbal warning: visitors causing nuisance in communal areas",
    "Written warning: damage to the communal door",
    "Acceptable behaviour agreement signed after youth nuisance reports",
  ],
  rent: ["Written warning: rent arrears; payment plan offered", "Final reminder: rent account in arrears"],
};
const SUPPORT_NOTES = [
  "Referred to the tenancy sustainment officer",
  "Money advice referral; discretionary housing payment applied for",
  "Support worker allocated for six months",
  "Family support referral through early help",
];
const REPORT_DESCRIPTIONS = [
  "Loud music from the flat above late at night, several nights a week",
  "Group of young people gathering in the stairwell and smoking cannabis",
  "Suspected drug dealing at the block entrance in the evenings",
  "Fly-tipping in the bin store again",
  "Neighbour's visitors shouting and banging on doors after midnight",
  "Communal door lock broken and people sleeping in the lobby",
  "Abusive behaviour from a neighbour after a complaint about noise",
  "Motorbikes ridden across the estate green",
];

interface Household {
  tenancyId: string;
  propertyIndex: number;
  lsoaCode: string;
  members: { personId: string; role: OccupantRole }[];
  status: TenancyStatus;
  tenure: Tenure;
  startDay: number;
  endDay: number | null;
  arrearsBand: ArrearsBand | null;
  /** Featured households whose story the demo cases tell: at risk, with actions in 2019-01..06. */
  featuredAtRisk: boolean;
  featured: boolean;
}

interface PropertyRow {
  id: string;
  uprn: string;
  address: string;
  lsoaCode: string;
  latitude: number;
  longitude: number;
}

interface ActionRow {
  tenancyId: string;
  type: TenancyActionType;
  takenAt: Date;
  note: string;
}

/** Properties spread over every neighbourhood, with extra homes in the case neighbourhoods. */
function buildProperties(random: Random, count: number): PropertyRow[] {
  const hoods = neighbourhoods();
  const hoodIndex = new Map(hoods.map((h, i) => [h.code, i]));
  const caseHoods = CASE_NEIGHBOURHOODS.filter((c) => hoodIndex.has(c));
  const caseExtra = Math.min(Math.round(count / 8), 60);
  const numbering = new Map<string, number>();
  const anchors = new Map<string, [number, number]>();
  const properties: PropertyRow[] = [];
  let uprn = 100_021_000_000;
  for (let i = 0; i < count; i++) {
    const code =
      i < caseExtra && caseHoods.length ? caseHoods[i % caseHoods.length] : hoods[i % hoods.length].code;
    const h = hoodIndex.get(code)!;
    const hood = hoods[h];
    // Two estates and two streets per neighbourhood; names are unique by construction.
    const flat = random.chance(0.7);
    const j = h * 2 + random.int(0, 1);
    const place = flat
      ? `${ESTATE_NAMES[j % ESTATE_NAMES.length]} ${ESTATE_KINDS[Math.floor(j / ESTATE_NAMES.length) % ESTATE_KINDS.length]}`
      : `${STREET_NAMES[j % STREET_NAMES.length]} ${STREET_KINDS[Math.floor(j / STREET_NAMES.length) % STREET_KINDS.length]}`;
    const n = (numbering.get(place) ?? 0) + 1;
    numbering.set(place, n);
    let anchor = anchors.get(place);
    if (!anchor) {
      anchor = [
        hood.latitude + (random.next() - 0.5) * 0.005,
        hood.longitude + (random.next() - 0.5) * 0.008,
      ];
      anchors.set(place, anchor);
    }
    // Flats of one block sit together; houses run along their street.
    const spread = flat ? 0.0003 : 0.002;
    uprn += random.int(1, 37);
    properties.push({
      id: `prop-${String(i + 1).padStart(6, "0")}`,
      uprn: String(uprn),
      address: flat
        ? `Flat ${n}, ${place}, ${hood.localAuthority}`
        : `${n * 2 - 1 + random.int(0, 1)} ${place}, ${hood.localAuthority}`,
      lsoaCode: code,
      latitude: Number((anchor[0] + (random.next() - 0.5) * spread).toFixed(6)),
      longitude: Number((anchor[1] + (random.next() - 0.5) * spread * 1.6).toFixed(6)),
    });
  }
  return properties;
}

/** Free properties per neighbourhood, and any free one when a neighbourhood runs out. */
class PropertyPool {
  private readonly byHood = new Map<string, number[]>();
  private readonly used: boolean[];
  private cursor = 0;

  constructor(properties: PropertyRow[]) {
    this.used = properties.map(() => false);
    properties.forEach((p, i) => {
      const list = this.byHood.get(p.lsoaCode);
      if (list) list.push(i);
      else this.byHood.set(p.lsoaCode, [i]);
    });
  }

  take(lsoaCode: string): number | null {
    const list = this.byHood.get(lsoaCode);
    while (list?.length) {
      const i = list.shift()!;
      if (!this.used[i]) return this.claim(i);
    }
    while (this.cursor < this.used.length) {
      const i = this.cursor++;
      if (!this.used[i]) return this.claim(i);
    }
    return null;
  }

  private claim(i: number): number {
    this.used[i] = true;
    return i;
  }
}

function tenancyTerms(random: Random, household: Household): void {
  const today = dayOf(DEMO_TODAY);
  household.tenure = random.weighted([
    [Tenure.SECURE, 50],
    [Tenure.ASSURED, 25],
    [Tenure.INTRODUCTORY, 10],
    [Tenure.PRIVATE_RENTED, 15],
  ] as const);
  const earliest = {
    [Tenure.SECURE]: dayOf("1985-01-01"),
    [Tenure.ASSURED]: dayOf("1995-01-01"),
    [Tenure.PRIVATE_RENTED]: dayOf("2012-01-01"),
    // Introductory tenancies last a year; after that they become secure.
    [Tenure.INTRODUCTORY]: today - 364,
  }[household.tenure];
  household.startDay = random.int(earliest, today - 30);
  // Housing does not hold the rent account of a private let.
  household.arrearsBand =
    household.tenure === Tenure.PRIVATE_RENTED
      ? null
      : random.weighted([
          [ArrearsBand.NONE, 55],
          [ArrearsBand.UNDER_250, 20],
          [ArrearsBand.FROM_250_TO_999, 13],
          [ArrearsBand.FROM_1000_TO_2499, 8],
          [ArrearsBand.OVER_2500, 4],
        ] as const);
}

/** Instants spread over [fromDay, toDay], in order, in office hours. */
function actionTimes(random: Random, fromDay: number, toDay: number, n: number): Date[] {
  const times = Array.from(
    { length: n },
    () => random.int(fromDay, toDay) * DAY + (9 * 60 + random.int(0, 8 * 60)) * 60_000,
  );
  return times.sort((a, b) => a - b).map((t) => new Date(t));
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

/** The steps taken on one tenancy over the demo months; evicting ends the tenancy. */
function tenancyActions(
  random: Random,
  household: Household,
  fromMonth: string,
  toMonth: string,
): ActionRow[] {
  const window: [number, number] = household.featuredAtRisk
    ? [dayOf("2019-01-01"), dayOf("2019-06-30")]
    : [dayOf(`${fromMonth}-01`), dayOf(`${addMonths(toMonth, 1)}-01`) - 1];
  const fromDay = Math.max(window[0], household.startDay + 1);
  const toDay = Math.min(window[1], dayOf(DEMO_TODAY));
  if (fromDay > toDay) return [];
  const rent =
    household.arrearsBand === ArrearsBand.FROM_1000_TO_2499 ||
    household.arrearsBand === ArrearsBand.OVER_2500;
  const types: TenancyActionType[] = [];
  let atRisk = household.featuredAtRisk;
  if (!household.featured) {
    const riskOf = rent
      ? household.arrearsBand === ArrearsBand.OVER_2500
        ? 0.6
        : 0.35
      : household.arrearsBand === ArrearsBand.FROM_250_TO_999
        ? 0.08
        : 0.03;
    atRisk = random.chance(riskOf);
  }
  if (atRisk) {
    types.push(TenancyActionType.WARNING);
    if (random.chance(0.4)) types.push(TenancyActionType.WARNING);
    const notice = household.featuredAtRisk || random.chance(0.85);
    if (notice) types.push(TenancyActionType.NOTICE_OF_SEEKING_POSSESSION);
    if (household.featuredAtRisk || random.chance(0.65)) types.push(TenancyActionType.SUSTAINMENT_SUPPORT);
    if (notice && !household.featured && random.chance(0.15)) {
      types.push(TenancyActionType.POSSESSION_ORDER);
      if (random.chance(0.3)) types.push(TenancyActionType.EVICTION);
    }
  } else {
    if (random.chance(0.06)) types.push(TenancyActionType.WARNING);
    if (random.chance(0.04)) types.push(TenancyActionType.SUSTAINMENT_SUPPORT);
  }
  const times = actionTimes(random, fromDay, toDay, types.length);
  const actions = types.map((type, i) => ({
    tenancyId: household.tenancyId,
    type,
    takenAt: times[i],
    note: actionNote(random, type, rent),
  }));
  if (atRisk) household.status = TenancyStatus.AT_RISK;
  const eviction = actions.find((a) => a.type === TenancyActionType.EVICTION);
  if (eviction) {
    household.status = TenancyStatus.ENDED;
    household.endDay = Math.floor(eviction.takenAt.getTime() / DAY);
  }
  return actions;
}

function actionNote(random: Random, type: TenancyActionType, rent: boolean): string {
  switch (type) {
    case TenancyActionType.WARNING:
      return random.pick(rent ? WARNING_NOTES.rent : WARNING_NOTES.conduct);
    case TenancyActionType.NOTICE_OF_SEEKING_POSSESSION:
      return rent
        ? "NOSP served: Ground 10 (rent arrears)"
        : "NOSP served: Ground 2 (nuisance or annoyance to neighbours)";
    case TenancyActionType.POSSESSION_ORDER:
      return random.pick([
        "Suspended possession order granted at the county court",
        "Outright possession order granted",
      ]);
    case TenancyActionType.EVICTION:
      return "Warrant executed by county court bailiffs; property recovered";
    case TenancyActionType.SUSTAINMENT_SUPPORT:
      return random.pick(SUPPORT_NOTES);
  }
}

/**
 * Housing's part of the demo partnership: properties over every neighbourhood; tenancies for
 * most adults in households with their children; warnings, notices, support, and rarely
 * possession orders and evictions over the demo months; and tenants' reports of ASB.
 * Featured people all live in a tenancy, several of them at risk in the case neighbourhoods.
 */
export const seedHousing: SubgraphSeeder = async (sql, { seed, scale, people }) => {
  const settings = SCALES[scale];
  const properties = buildProperties(randomFor(seed, "housing:properties"), settings.properties);
  const pool = new PropertyPool(properties);
  const random = randomFor(seed, "housing:households");
  const terms = randomFor(seed, "housing:terms");
  const households: Household[] = [];
  const placed = new Set<string>();
  const byId = new Map(people.map((p) => [p.id, p]));
  const isAdult = (p: DemoPerson) => ageOn(p.dateOfBirth, DEMO_TODAY) >= 18;
  let tenancyNumber = 0;
  const nextTenancyId = () => `ten-${String(++tenancyNumber).padStart(6, "0")}`;

  const newHousehold = (tenant: DemoPerson, featured: boolean): Household | null => {
    const propertyIndex = pool.take(tenant.homeLsoa);
    if (propertyIndex === null) return null;
    const household: Household = {
      tenancyId: nextTenancyId(),
      propertyIndex,
      lsoaCode: properties[propertyIndex].lsoaCode,
      members: [{ personId: tenant.id, role: OccupantRole.TENANT }],
      status: TenancyStatus.ACTIVE,
      tenure: Tenure.SECURE,
      startDay: 0,
      endDay: null,
      arrearsBand: null,
      featuredAtRisk: false,
      featured,
    };
    tenancyTerms(terms, household);
    households.push(household);
    placed.add(tenant.id);
    return household;
  };
  const join = (household: Household, person: DemoPerson, role: OccupantRole) => {
    household.members.push({ personId: person.id, role });
    placed.add(person.id);
  };

  // Per neighbourhood, the people not yet housed, in the order of the people index.
  const adultsByHood = new Map<string, DemoPerson[]>();
  const childrenByHood = new Map<string, DemoPerson[]>();
  const featuredIds = new Set(Array.from({ length: FEATURED }, (_, i) => personId(i + 1)));
  for (const person of people) {
    if (featuredIds.has(person.id)) continue;
    const groups = isAdult(person) ? adultsByHood : childrenByHood;
    const list = groups.get(person.homeLsoa);
    if (list) list.push(person);
    else groups.set(person.homeLsoa, [person]);
  }
  const nextUnplaced = (list: DemoPerson[] | undefined): DemoPerson | undefined => {
    while (list?.length) {
      const person = list.shift()!;
      if (!placed.has(person.id)) return person;
    }
    return undefined;
  };

  // Featured adults each hold a tenancy in their (case) neighbourhood; featured young people
  // (per-000001..010) live in the household of per-000031..040, who share their neighbourhood.
  // Those households and per-000021..022's are the tenancies at risk the demo cases are about.
  const featuredHouseholds = new Map<string, Household>();
  for (let n = FEATURED_YOUNG + 1; n <= FEATURED; n++) {
    const tenant = byId.get(personId(n));
    if (!tenant) continue;
    const household = newHousehold(tenant, true);
    if (!household) continue;
    featuredHouseholds.set(tenant.id, household);
    household.featuredAtRisk = n > 30 || n === 21 || n === 22;
    // Begun before the 2019 actions and reports, so that the story fits the tenancy (and an
    // introductory tenancy is still in its first year).
    if (household.startDay >= dayOf("2019-01-01")) household.startDay = dayOf("2018-09-01") + n;
    if (random.chance(0.3)) {
      const partner = nextUnplaced(adultsByHood.get(tenant.homeLsoa));
      if (partner) join(household, partner, OccupantRole.JOINT_TENANT);
    }
  }
  for (let n = 1; n <= FEATURED_YOUNG; n++) {
    const young = byId.get(personId(n));
    if (!young) continue;
    const household = featuredHouseholds.get(personId(n + 30)) ?? [...featuredHouseholds.values()][0];
    if (household) join(household, young, OccupantRole.HOUSEHOLD_MEMBER);
    else newHousehold(young, true)?.members.forEach((m) => (m.role = OccupantRole.HOUSEHOLD_MEMBER));
  }

  // Everyone else, neighbourhood by neighbourhood: most adults rent from housing, some young
  // adults still live with a household, some have no tenancy with housing at all.
  const householdsByHood = groupBy(households, (h) => h.lsoaCode);
  for (const [code, adults] of adultsByHood) {
    const local = householdsByHood.get(code) ?? [];
    householdsByHood.set(code, local);
    for (let adult = nextUnplaced(adults); adult; adult = nextUnplaced(adults)) {
      const age = ageOn(adult.dateOfBirth, DEMO_TODAY);
      if (age < 25 && local.length && random.chance(0.45)) {
        join(random.pick(local), adult, OccupantRole.HOUSEHOLD_MEMBER);
        continue;
      }
      if (!random.chance(0.88)) continue;
      const household = newHousehold(adult, false);
      if (!household) continue;
      local.push(household);
      if (random.chance(0.3)) {
        const partner = nextUnplaced(adults);
        if (partner) join(household, partner, OccupantRole.JOINT_TENANT);
      }
      const children = random.weighted([
        [0, 45],
        [1, 25],
        [2, 20],
        [3, 10],
      ] as const);
      for (let c = 0; c < children; c++) {
        const child = nextUnplaced(childrenByHood.get(code));
        if (child) join(household, child, OccupantRole.HOUSEHOLD_MEMBER);
      }
    }
  }
  // Children left over join a household in their neighbourhood, or any household.
  const nonFeatured = households.filter((h) => !h.featured);
  for (const [code, children] of childrenByHood) {
    for (let child = nextUnplaced(children); child; child = nextUnplaced(children)) {
      const local = householdsByHood.get(code);
      const household = local?.length
        ? random.pick(local)
        : nonFeatured.length
          ? random.pick(nonFeatured)
          : undefined;
      if (household) join(household, child, OccupantRole.HOUSEHOLD_MEMBER);
    }
  }

  // Actions over the demo months (before earlier tenancies are added: those ended long ago).
  const actionRandom = randomFor(seed, "housing:actions");
  const actions: ActionRow[] = [];
  const current = [...households];
  for (const household of current)
    actions.push(...tenancyActions(actionRandom, household, settings.fromMonth, settings.toMonth));

  // Some tenants transferred from another home in the neighbourhood: an earlier, ended tenancy.
  // The earlier one ends before the present tenancy of that home began.
  const history = randomFor(seed, "housing:history");
  const startOfProperty = new Map(current.map((h) => [h.propertyIndex, h.startDay]));
  const propertiesByHood = groupBy(
    properties.map((_, i) => i),
    (i) => properties[i].lsoaCode,
  );
  for (const household of current) {
    const tenantId = household.members[0].personId;
    const transferred =
      tenantId === personId(16) || tenantId === personId(17) || (!household.featured && history.chance(0.08));
    if (!transferred) continue;
    const candidates = (propertiesByHood.get(household.lsoaCode) ?? []).filter(
      (i) => i !== household.propertyIndex,
    );
    if (!candidates.length) continue;
    const propertyIndex = history.pick(candidates);
    const endDay =
      Math.min(household.startDay, startOfProperty.get(propertyIndex) ?? household.startDay) -
      history.int(1, 60);
    const startDay = endDay - history.int(365, 3650);
    if (startDay < dayOf("1980-01-01")) continue;
    households.push({
      tenancyId: nextTenancyId(),
      propertyIndex,
      lsoaCode: household.lsoaCode,
      members: household.members.filter((m) => m.role !== OccupantRole.HOUSEHOLD_MEMBER),
      status: TenancyStatus.ENDED,
      tenure: history.chance(0.8) ? Tenure.SECURE : Tenure.ASSURED,
      startDay,
      endDay,
      arrearsBand: ArrearsBand.NONE,
      featuredAtRisk: false,
      featured: household.featured,
    });
    startOfProperty.set(propertyIndex, startDay);
  }

  // Tenants' reports of ASB: one from each repeat reporter in 2019-02..05, and some from others.
  const reportRandom = randomFor(seed, "housing:reports");
  const reports: {
    id: string;
    personId: string;
    propertyId: string;
    reportedAt: Date;
    description: string;
  }[] = [];
  const addReport = (person: string, household: Household, fromDay: number, toDay: number) => {
    const day = reportRandom.int(Math.max(fromDay, household.startDay + 1), toDay);
    reports.push({
      id: `hrep-${String(reports.length + 1).padStart(6, "0")}`,
      personId: person,
      propertyId: properties[household.propertyIndex].id,
      reportedAt: new Date(day * DAY + (8 * 60 + reportRandom.int(0, 12 * 60)) * 60_000),
      description: reportRandom.pick(REPORT_DESCRIPTIONS),
    });
  };
  for (const reporter of REPEAT_REPORTERS) {
    const household = featuredHouseholds.get(reporter);
    if (household) addReport(reporter, household, dayOf("2019-02-01"), dayOf("2019-05-31"));
  }
  const windowFrom = dayOf(`${settings.fromMonth}-01`);
  const windowTo = Math.min(dayOf(`${addMonths(settings.toMonth, 1)}-01`) - 1, dayOf(DEMO_TODAY));
  const reportable = current.filter((h) => !h.featured && h.startDay < windowTo && h.endDay === null);
  const otherReports = Math.round(current.length * 0.06);
  for (let i = 0; i < otherReports && reportable.length; i++) {
    const household = reportRandom.pick(reportable);
    addReport(household.members[0].personId, household, windowFrom, windowTo);
  }

  await sql.transaction(async (tx) => {
    await copyRows(
      tx,
      "properties",
      ["id", "uprn", "address", "lsoa_code", "latitude", "longitude"],
      properties.map((p) => [p.id, p.uprn, p.address, p.lsoaCode, p.latitude, p.longitude]),
    );
    await copyRows(
      tx,
      "tenancies",
      ["id", "property_id", "status", "tenure", "start_date", "end_date", "arrears_band"],
      households.map((h) => [
        h.tenancyId,
        properties[h.propertyIndex].id,
        h.status,
        h.tenure,
        dateOf(h.startDay),
        h.endDay === null ? null : dateOf(h.endDay),
        h.arrearsBand,
      ]),
    );
    await copyRows(
      tx,
      "tenancy_occupants",
      ["tenancy_id", "person_id", "role"],
      (function* () {
        for (const h of households) for (const m of h.members) yield [h.tenancyId, m.personId, m.role];
      })(),
    );
    await copyRows(
      tx,
      "tenancy_actions",
      ["id", "tenancy_id", "type", "taken_at", "note", "record_key"],
      actions.map((a, i) => {
        const id = `tact-${String(i + 1).padStart(7, "0")}`;
        return [id, a.tenancyId, a.type, a.takenAt, a.note, demoRecordKey(seed, id)];
      }),
    );
    await copyRows(
      tx,
      "housing_reports",
      ["id", "person_id", "property_id", "reported_at", "description"],
      reports.map((r) => [r.id, r.personId, r.propertyId, r.reportedAt, r.description]),
    );
  });

  const demoReports: DemoReport[] = reports.map((r) => ({
    personId: r.personId,
    agencyId: "housing",
    recordKind: "HOUSING_REPORT",
    recordId: r.id,
    reportedAt: r.reportedAt.toISOString().slice(0, 10),
  }));
  return {
    linkable: {
      [CaseRecordKind.TENANCY]: [...featuredHouseholds.values()]
        .filter((h) => h.featuredAtRisk && CASE_NEIGHBOURHOODS.includes(h.lsoaCode))
        .map((h) => h.tenancyId),
    },
    reports: demoReports,
  };
};
