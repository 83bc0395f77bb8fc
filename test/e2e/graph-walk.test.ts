import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { Kind, parse } from "graphql";
import { loadAccessFacts } from "../../subgraphs/shared/access/governance-sql";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { CaseStage, Purpose, Role } from "../../subgraphs/shared/enums";
import { VICTIM_RISK_QUESTIONS } from "../../subgraphs/partnership/risk";
import { SUBGRAPHS } from "../../subgraphs";
import { assessmentFor } from "../../subgraphs/partnership/assessment";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { subgraphSchema } from "../../subgraphs/shared/subgraph";
import { startTestFederation, supergraphFromCode, type TestFederation } from "../support/federation";
import { graphql, type As, type GraphQLResponse } from "../support/graphql";
import {
  allFields,
  apiSchema,
  enumValue,
  generateEntityOperations,
  generateMutations,
  generateOperations,
  unknownId,
  type Walked,
  type WalkedMutation,
  reachableFromQuery,
  type Generated,
  type Seeds,
} from "../support/graph-walk/operations";
import {
  decideRecord,
  judge,
  untraceable,
  type Caller,
  type ExpectedAudit,
  type Facts,
  type Finding,
} from "../support/graph-walk/oracle";
import { walkRules, type RecordReaders, type WalkRules } from "../support/graph-walk/rules";
import {
  expectMutation,
  judgeMutation,
  type DeclaredChange,
  type MutationTarget,
} from "../support/graph-walk/mutation-oracle";
import { AUDIT_TABLES, installWriteJournal } from "../support/graph-walk/writes";

/**
 * The proof of issue 9: a GENERATED walk of the composed supergraph. Every root field of Query
 * is called (seeded ids and an unknown one; every leaf selected, objects to a bounded depth)
 * under every role, purpose (and none) and agency of the demo partnership, in scenarios that
 * change the agreements and consents between them; each answer is judged field by field against
 * the declared rules and the pure decision function over the same facts (see
 * test/support/graph-walk/). A field added to any subgraph is walked without a new test.
 */

const AGENCIES = ["police", "council", "youth", "housing"] as const;
const ROLES = [Role.PRACTITIONER, Role.ANALYST, Role.DATA_SHARING_OFFICER];
const PURPOSES: (Purpose | null)[] = [...Object.values(Purpose), null];
/**
 * Callers whose answers agreements and consents can change: an analyst, STATISTICS and no
 * purpose are refused person-level data whatever the facts, and what a data-sharing officer may
 * do beyond a practitioner is a role rule; all of those are walked in the first scenario.
 */
const FACT_ROLES = [Role.PRACTITIONER];
const FACT_PURPOSES = Object.values(Purpose).filter((p) => p !== Purpose.STATISTICS);

let fed: TestFederation;
let rules: WalkRules;
let generated: Generated;
let mutationWalk: ReturnType<typeof generateMutations>;
/** Id arguments other than `id` and the type of record they name, most specific first. */
const MUTATION_TARGETS = { actionId: "CaseAction", caseId: "ProblemCase", personId: "Person" };
/** Every subgraph's `_entities`, called directly (not through the gateway). */
const entityWalks: {
  subgraph: string;
  typeName: string;
  operation: Walked;
  representations: Record<string, unknown>[];
}[] = [];
let seeds: Seeds;
let reachable: string[];
let supergraphFields: string[];
/** Every person in the people index: the facts are read for all of them. */
let everyone: string[] = [];

beforeAll(async () => {
  fed = await startTestFederation({
    fresh: true,
    // The walk asks for every field at once: the gateway's operation limits are another test's.
    env: {
      GATEWAY_MAX_COST: "10000000",
      GATEWAY_MAX_ALIASES: "1000",
      GATEWAY_MAX_TOKENS: "1000000",
      GATEWAY_MAX_DEPTH: "40",
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
    },
  });
  const schema = apiSchema(await supergraphFromCode());
  supergraphFields = allFields(schema);
  reachable = reachableFromQuery(schema);
  rules = await walkRules((name) => fed.stores[name].sql, READERS);
  seeds = await loadSeeds();
  generated = generateOperations(schema, seeds);
  mutationWalk = generateMutations(schema, seeds, MUTATION_TARGETS);
  for (const name of SUBGRAPH_NAMES)
    for (const walk of generateEntityOperations(await subgraphSchema(SUBGRAPHS[name]), name, seeds))
      entityWalks.push({ subgraph: name, ...walk });
}, 240_000);

/** One `_entities` call straight to its subgraph, its answer renamed per representation for the oracle. */
async function callEntities(walk: (typeof entityWalks)[number], as: As): Promise<GraphQLResponse> {
  const url = fed.federation.subgraphs[walk.subgraph as keyof typeof fed.federation.subgraphs].url;
  const response = await graphql(url, walk.operation.document, { representations: walk.representations }, as);
  const list = ((response.data as { _entities?: unknown[] } | null)?._entities ?? []) as unknown[];
  const data = Object.fromEntries(walk.operation.roots.map((r, i) => [r.alias, list[i] ?? null]));
  const errors = (response.errors ?? []).map((e) =>
    e.path?.[0] === "_entities" && typeof e.path[1] === "number"
      ? { ...e, path: [walk.operation.roots[e.path[1]].alias, ...e.path.slice(2)] }
      : e,
  );
  return { status: response.status, data, errors };
}

afterAll(async () => {
  await fed?.stop();
});

type Sql = TestFederation["stores"]["police"]["sql"];
const column = async (sql: Sql, text: string, values: unknown[] = []) =>
  (await sql.many<{ v: string }>(text, values)).map((r) => r.v);

const seedsWindowMonths = 12;
/** The agency each seeded assessment id was sealed for. */
const assessmentIssuedTo = new Map<string, string>();

/**
 * Argument values from the demo partnership: people with and without consents (the issue's
 * tenancy ten-000022 with tenant per-000032 and child per-000002 among them) and their records
 * with every agency, and the ids of every other kind of record.
 */
async function loadSeeds(): Promise<Seeds> {
  const { police, council, housing, youth, partnership, governance } = fed.stores;
  const consented = await column(
    governance.sql,
    `SELECT person_id AS v FROM consents WHERE withdrawn_at IS NULL GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT 2`,
  );
  const withdrawn = await column(
    governance.sql,
    `SELECT person_id AS v FROM consents WHERE withdrawn_at IS NOT NULL ORDER BY person_id LIMIT 1`,
  );
  const people = [...new Set([...consented, ...withdrawn, "per-000002", "per-000032", "per-000011"])];
  const of = (sql: Sql, text: string) => column(sql, text, [people]);
  const ids: Record<string, string[]> = {
    Person: people,
    Incident: (
      await of(
        police.sql,
        `SELECT DISTINCT ON (person_id) incident_id AS v FROM involvements WHERE person_id = ANY($1) ORDER BY person_id, incident_id`,
      )
    ).slice(0, 4),
    AsbCase: (
      await of(
        council.sql,
        `SELECT DISTINCT ON (person_id) case_id AS v FROM asb_parties WHERE person_id = ANY($1) ORDER BY person_id, case_id`,
      )
    ).slice(0, 4),
    Tenancy: [
      ...new Set([
        "ten-000022",
        ...(await of(
          housing.sql,
          `SELECT DISTINCT ON (person_id) tenancy_id AS v FROM tenancy_occupants WHERE person_id = ANY($1) ORDER BY person_id, tenancy_id`,
        )),
      ]),
    ].slice(0, 4),
    Referral: (
      await of(
        youth.sql,
        `SELECT DISTINCT ON (person_id) id AS v FROM referrals WHERE person_id = ANY($1) ORDER BY person_id, id`,
      )
    ).slice(0, 3),
    Enrolment: (
      await of(
        youth.sql,
        `SELECT DISTINCT ON (person_id) id AS v FROM enrolments WHERE person_id = ANY($1) ORDER BY person_id, id`,
      )
    ).slice(0, 3),
    Property: await column(
      housing.sql,
      `SELECT property_id AS v FROM tenancies WHERE id = 'ten-000022' UNION SELECT min(id) FROM properties`,
    ),
    ProblemCase: await column(
      partnership.sql,
      `SELECT DISTINCT ON (lead_agency_id) id AS v FROM problem_cases ORDER BY lead_agency_id, id`,
    ),
    Agreement: await column(governance.sql, `SELECT min(id) AS v FROM agreements GROUP BY status ORDER BY 1`),
    Agency: [...AGENCIES],
    Consent: await column(
      governance.sql,
      `SELECT v FROM (SELECT DISTINCT ON (recorded_by_agency_id) id AS v FROM consents ORDER BY recorded_by_agency_id, id) c`,
    ),
    Programme: await column(youth.sql, `SELECT min(id) AS v FROM programmes`),
  };
  // A case's assessment, sealed for each agency (as problemCase's `assessment` issues it): each
  // agency's id is walked through `_entities` under every caller, and any other's is unknown.
  for (const id of ids.ProblemCase) {
    const found = (await rules.raw("ProblemCase", id)) as Parameters<typeof assessmentFor>[0] | null;
    if (!found?.neighbourhoodCodes.length) continue;
    ids.CaseAssessment = AGENCIES.map((agency) => {
      const sealed = assessmentFor(found, seedsWindowMonths, agency).id;
      assessmentIssuedTo.set(sealed, agency);
      return sealed;
    });
    break;
  }
  const uprn = await column(housing.sql, `SELECT uprn AS v FROM properties WHERE id = $1`, [ids.Property[0]]);
  const family = await column(partnership.sql, `SELECT family_name AS v FROM people WHERE id = $1`, [
    people[0],
  ]);
  const months = await column(
    police.sql,
    `SELECT v FROM (SELECT min(month) AS v FROM incidents UNION ALL SELECT max(month) FROM incidents) m`,
  );
  const mutations = await mutationSeeds(ids);
  return {
    ids,
    byName: {
      first: 3,
      search: family[0],
      uprn: uprn[0],
      codes: CASE_NEIGHBOURHOODS,
      code: CASE_NEIGHBOURHOODS[0],
      fromMonth: months[0],
      toMonth: months[1],
      threshold: 2,
      windowMonths: seedsWindowMonths,
      monthsEitherSide: 1,
      radiusMetres: 500,
      personId: people[0],
      ownerAgencyId: "police",
    },
    byCoordinate: {
      "Query.incidents.filter": { lsoaCodes: CASE_NEIGHBOURHOODS },
      "Query.explainAccess.category": enumValue("INCIDENT_SUMMARY"),
      // The furthest it looks: every agreement in force whose review falls due in the year.
      "Query.agreementsDueForReview.withinDays": 366,
      // Why council staff may or may not see police's incident summaries: police's and the
      // council's DSOs are told, anyone else gets null.
      "Query.explainStaffAccess.category": enumValue("INCIDENT_SUMMARY"),
      "Query.explainStaffAccess.agencyId": "council",
      ...mutations,
    },
  };
}

/**
 * Arguments for every mutation, from the seeded state each call starts from: records in the
 * state the mutation moves on from (a DRAFT agreement to approve, ACTIVE ones to suspend, revoke,
 * amend and review, a SUSPENDED one to reinstate, an unreviewed break-glass access, an open case action, a case's next stage, a
 * referral's next status), and new records any caller could ask for. Each is allowed to some
 * caller (the walk fails naming a mutation no caller could do), so both paths are walked.
 */
async function mutationSeeds(ids: Record<string, string[]>): Promise<Record<string, unknown>> {
  const { governance, partnership, youth } = fed.stores;
  const one = async (sql: Sql, text: string, values: unknown[] = []) => {
    const found = await column(sql, text, values);
    if (!found[0]) throw new Error(`no seeded value for the mutation walk: ${text}`);
    return found[0];
  };
  const draft = await one(governance.sql, `SELECT min(id) AS v FROM agreements WHERE status = 'DRAFT'`);
  // In force today (an ACTIVE agreement past its end date is EXPIRED, and cannot be suspended).
  const active = await column(
    governance.sql,
    `SELECT id AS v FROM agreements WHERE status = 'ACTIVE' AND suspended_at IS NULL AND revoked_at IS NULL
        AND current_date BETWEEN valid_from AND valid_to ORDER BY id`,
  );
  // Suspended and not yet ended: both parties may approve reinstating it.
  const suspended = await one(
    governance.sql,
    `SELECT min(id) AS v FROM agreements WHERE status = 'SUSPENDED' AND revoked_at IS NULL AND current_date <= valid_to`,
  );
  // A next review date the agreement reviewed allows: after today, not after it ends.
  const nextReview = await one(
    governance.sql,
    `SELECT least(valid_to, current_date + 30)::text AS v FROM agreements WHERE id = $1`,
    [active[0]],
  );
  const breakGlass = await one(
    governance.sql,
    `SELECT min(a.sequence)::text AS v FROM audit_log a LEFT JOIN break_glass_reviews r ON r.audit_sequence = a.sequence
      WHERE a.break_glass AND a.kind = 'DISCLOSURE' AND r.audit_sequence IS NULL`,
  );
  const consent = await one(governance.sql, `SELECT min(id) AS v FROM consents WHERE withdrawn_at IS NULL`);
  // The demo's break-glass notice, to police's data-sharing officers: only they may mark it read.
  const notice = await one(
    governance.sql,
    `SELECT min(id)::text AS v FROM notifications WHERE kind = 'BREAK_GLASS_ON_OUR_DATA' AND to_agency_id = 'police'`,
  );
  // An open case with an open action and the fewest partners: agencies outside it are walked too.
  const caseId = await one(
    partnership.sql,
    `SELECT c.id AS v FROM problem_cases c
      WHERE c.stage <> 'CLOSED' AND EXISTS (SELECT 1 FROM case_actions a WHERE a.case_id = c.id AND a.completed_at IS NULL)
      ORDER BY (SELECT count(*) FROM case_partners p WHERE p.case_id = c.id), c.id LIMIT 1`,
  );
  const stage = await one(partnership.sql, `SELECT stage AS v FROM problem_cases WHERE id = $1`, [caseId]);
  // The people matcher's review queue (issue 20): a pending match of a youth record, as the matcher
  // leaves one (a provisional person holding the reference), with a candidate youth has no reference for.
  const candidate = await one(
    partnership.sql,
    `SELECT min(p.id) AS v FROM people p
      WHERE NOT EXISTS (SELECT 1 FROM person_references r WHERE r.person_id = p.id AND r.agency_id = 'youth')`,
  );
  await partnership.sql.exec(
    `INSERT INTO people (id, given_name, family_name) VALUES ('per-walk-review', 'W', 'Walk')`,
  );
  await partnership.sql.exec(
    `INSERT INTO person_references (person_id, agency_id, reference) VALUES ('per-walk-review', 'youth', 'WALK-UPN-1')`,
  );
  await partnership.sql.exec(
    `INSERT INTO person_match_reviews (id, agency_id, reference, candidate_person_id, provisional_person_id, score,
       agreements, created_at)
     VALUES ('pmr-walk', 'youth', 'WALK-UPN-1', $1, 'per-walk-review', 14, '{"familyName": "EXACT"}', now())`,
    [candidate],
  );
  // Merges (issue 20): two people housing and the council each hold a reference of, to merge, and a
  // merge in force of two others, to split. People of their own, with no records, so no list changes.
  await partnership.sql.exec(
    `INSERT INTO people (id, given_name, family_name) VALUES
       ('per-walk-merge-1', 'Wyn', 'Walk'), ('per-walk-merge-2', 'Wynn', 'Walk'),
       ('per-walk-merge-3', 'Wren', 'Walk'), ('per-walk-merge-4', 'Ren', 'Walk')`,
  );
  await partnership.sql.exec(
    `INSERT INTO person_references (person_id, agency_id, reference)
     SELECT p, a, 'WALK-' || a || '-' || p
       FROM unnest(ARRAY['per-walk-merge-1', 'per-walk-merge-2', 'per-walk-merge-3', 'per-walk-merge-4']) AS p,
            unnest(ARRAY['housing', 'council']) AS a`,
  );
  await partnership.sql.exec(
    `INSERT INTO person_merges (id, survivor_id, merged_id, agency_id, merged_by, merged_at, note)
     VALUES ('pmg-walk', 'per-walk-merge-3', 'per-walk-merge-4', 'housing', 'housing.dso', now(), 'Walk: one tenant')`,
  );
  const stages = Object.values(CaseStage);
  const action = await one(
    partnership.sql,
    `SELECT min(id) AS v FROM case_actions WHERE case_id = $1 AND completed_at IS NULL`,
    [caseId],
  );
  // Case work (issue 17): someone on the case to assess, a linked record of an open case to unlink.
  const casePerson = await one(
    partnership.sql,
    `SELECT person_id AS v FROM case_people WHERE case_id = $1 ORDER BY position LIMIT 1`,
    [caseId],
  );
  const partners = await column(
    partnership.sql,
    `SELECT agency_id AS v FROM case_partners WHERE case_id = $1 ORDER BY agency_id`,
    [caseId],
  );
  const lead = await one(partnership.sql, `SELECT lead_agency_id AS v FROM problem_cases WHERE id = $1`, [
    caseId,
  ]);
  // A partner the case does not have yet: the lead adds it (one with open actions could not be removed).
  const newPartner = ["police", "council", "youth", "housing"].find(
    (a) => a !== lead && !partners.includes(a),
  )!;
  const assignedTo = await one(
    partnership.sql,
    `SELECT assigned_agency_id AS v FROM case_actions WHERE id = $1`,
    [action],
  );
  const [link] = await partnership.sql.many<{ case_id: string; kind: string; record_id: string }>(
    `SELECT r.case_id, r.kind, r.record_id FROM case_records r JOIN problem_cases c ON c.id = r.case_id
      WHERE c.stage <> 'CLOSED' ORDER BY r.case_id, r.kind, r.record_id LIMIT 1`,
  );
  if (!link) throw new Error("no seeded value for the mutation walk: a linked record of an open case");
  const nextStatus: Record<string, string> = {
    REFERRED: "ACCEPTED",
    ACCEPTED: "ACTIVE",
    ACTIVE: "COMPLETED",
  };
  const referral = await one(youth.sql, `SELECT min(id) AS v FROM referrals WHERE status = ANY($1)`, [
    Object.keys(nextStatus),
  ]);
  const referralStatus = await one(youth.sql, `SELECT status AS v FROM referrals WHERE id = $1`, [referral]);
  // Sixteen or seventeen: referred without the under-16 consent rule (other tests walk that rule).
  const young = await one(
    partnership.sql,
    `SELECT min(id) AS v FROM people
      WHERE date_of_birth BETWEEN (now() - interval '17 years 6 months')::date AND (now() - interval '16 years 6 months')::date`,
  );
  const programme = await one(youth.sql, `SELECT min(id) AS v FROM programmes`);
  const child = "per-000002";
  return {
    "Mutation.proposeAgreement.input": {
      title: "Walk: tenancy support for young people",
      providerAgencyId: "housing",
      recipientAgencyId: "youth",
      purposes: [enumValue(Purpose.YOUTH_DIVERSION)],
      categories: [enumValue("TENANCY")],
      consentRequiredFor: [],
      lawfulBasis: "Walk: public task",
      validFrom: "2026-12-01",
      validTo: "2027-11-30",
      reviewDate: "2027-06-01",
    },
    "Mutation.approveAgreement.id": draft,
    "Mutation.suspendAgreement.id": active[0],
    "Mutation.suspendAgreement.reason": "Walk: the agreement is under review",
    "Mutation.revokeAgreement.id": active[1],
    "Mutation.revokeAgreement.reason": "Walk: the agreement has ended",
    "Mutation.reinstateAgreement.id": suspended,
    "Mutation.reinstateAgreement.note": "Walk: the concern was resolved",
    "Mutation.amendAgreement.id": active[0],
    "Mutation.amendAgreement.input": { validTo: "2030-12-31", note: "Walk: renewed for a year" },
    "Mutation.recordAgreementReview.id": active[0],
    "Mutation.recordAgreementReview.nextReviewDate": nextReview,
    "Mutation.recordAgreementReview.note": "Walk: still needed",
    "Mutation.confirmPersonMatch.id": "pmr-walk",
    "Mutation.confirmPersonMatch.note": "Walk: the same pupil",
    "Mutation.rejectPersonMatch.id": "pmr-walk",
    "Mutation.rejectPersonMatch.note": "Walk: another person",
    "Mutation.mergePeople.survivorId": "per-walk-merge-1",
    "Mutation.mergePeople.mergedId": "per-walk-merge-2",
    "Mutation.mergePeople.note": "Walk: one tenant, two records",
    "Mutation.splitPerson.id": "pmg-walk",
    "Mutation.splitPerson.note": "Walk: two tenants after all",
    "Mutation.reviewBreakGlass.id": breakGlass,
    "Mutation.reviewBreakGlass.outcome": enumValue("JUSTIFIED"),
    "Mutation.reviewBreakGlass.note": "Walk: a child was at risk that night",
    "Mutation.recordConsent.input": {
      personId: child,
      recipientAgencyId: "council",
      purposes: [enumValue(Purpose.YOUTH_DIVERSION)],
      categories: [enumValue("EDUCATION")],
      givenBy: enumValue("PARENT_OR_GUARDIAN"),
      givenAt: "2026-11-02T10:00:00.000Z",
      evidenceRef: "walk/consent-form-1",
    },
    "Mutation.withdrawConsent.id": consent,
    "Mutation.markNotificationsRead.ids": [notice],
    "Mutation.openCase.input": {
      title: "Walk: nuisance at the shops",
      problemType: "Youth nuisance",
      neighbourhoodCodes: [CASE_NEIGHBOURHOODS[0]],
      partnerAgencyIds: ["council"],
      people: [{ personId: ids.Person[0], role: "OTHER" }],
    },
    "Mutation.addCaseAction.caseId": caseId,
    "Mutation.addCaseAction.input": {
      assignedAgencyId: "police",
      description: "Walk: evening patrols",
      dueOn: "2027-01-29",
    },
    "Mutation.completeCaseAction.caseId": caseId,
    "Mutation.completeCaseAction.actionId": action,
    "Mutation.linkCaseRecord.caseId": caseId,
    "Mutation.linkCaseRecord.record": { kind: enumValue("INCIDENT"), id: ids.Incident[0] },
    "Mutation.advanceCase.caseId": caseId,
    // The next stage, or back one from ASSESSMENT: only closeCase closes a case.
    "Mutation.advanceCase.stage": enumValue(
      stages[stages.indexOf(stage as CaseStage) + (stage === CaseStage.ASSESSMENT ? -1 : 1)],
    ),
    "Mutation.advanceCase.note": "Walk: moving the case on",
    "Mutation.addCaseNote.caseId": caseId,
    "Mutation.addCaseNote.text": "Walk: spoke to the complainant",
    "Mutation.closeCase.caseId": caseId,
    "Mutation.closeCase.outcome": enumValue("RESOLVED"),
    "Mutation.closeCase.note": "Walk: no reports for three months",
    "Mutation.setCasePeople.caseId": caseId,
    "Mutation.setCasePeople.people": [{ personId: casePerson, role: "VICTIM" }],
    "Mutation.setCasePeople.note": "Walk: the complainant is the victim",
    "Mutation.setCasePartners.caseId": caseId,
    "Mutation.setCasePartners.partnerAgencyIds": [...partners, newPartner],
    "Mutation.setCasePartners.note": "Walk: another agency joins",
    "Mutation.unlinkCaseRecord.caseId": link.case_id,
    "Mutation.unlinkCaseRecord.record": { kind: enumValue(link.kind), id: link.record_id },
    "Mutation.unlinkCaseRecord.reason": "Walk: linked by mistake",
    "Mutation.assessVictimRisk.caseId": caseId,
    "Mutation.assessVictimRisk.personId": casePerson,
    "Mutation.assessVictimRisk.answers": VICTIM_RISK_QUESTIONS.map((q) => ({
      question: q.code,
      answer: q.code === "REPEAT",
    })),
    "Mutation.reassignCaseAction.actionId": action,
    "Mutation.reassignCaseAction.assignedAgencyId": assignedTo === lead ? partners[0] : lead,
    "Mutation.reassignCaseAction.note": "Walk: handed on",
    "Mutation.cancelCaseAction.actionId": action,
    "Mutation.cancelCaseAction.reason": "Walk: no longer needed",
    "Mutation.referToProgramme.input": {
      personId: young,
      programmeId: programme,
      reason: "Walk: at risk of offending",
    },
    "Mutation.updateReferralStatus.id": referral,
    "Mutation.updateReferralStatus.status": enumValue(nextStatus[referralStatus]),
    "Mutation.updateReferralStatus.note": "Walk: next step",
    "Mutation.rectifyPerson.input": { displayName: "Walk Corrected", evidenceRef: "Walk: passport seen" },
    "Mutation.setRetentionRule.input": {
      category: enumValue("ASB_CASE"),
      retainForMonths: 72,
      from: enumValue("CLOSED"),
      basis: "Walk: closure + 6 years",
    },
    "Mutation.erasePersonData.requestRef": "WALK-DSAR-1",
    "Mutation.erasePersonData.reason": "Walk: article 17(1)(a)",
    "Mutation.setLegalHold.reason": "Walk: a claim is pending",
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios: the governance store's agreements and consents, changed and put back between them.

interface Scenario {
  name: string;
  change: string | null;
}
const SCENARIOS: Scenario[] = [
  { name: "agreements and consents as seeded", change: null },
  {
    name: "every consent withdrawn",
    change: `UPDATE consents SET withdrawn_at = given_at + interval '1 second' WHERE withdrawn_at IS NULL`,
  },
  {
    name: "no consent asked for by any agreement",
    change: `UPDATE agreements SET consent_required_for = '{}'`,
  },
  {
    name: "no agreement in force",
    change: `UPDATE agreements SET status = 'SUSPENDED', suspended_at = now(), suspended_reason = 'walk' WHERE status <> 'REVOKED'`,
  },
];

async function withScenario<T>(scenario: Scenario, work: () => Promise<T>): Promise<T> {
  const sql = fed.stores.governance.sql;
  if (!scenario.change) return work();
  await sql.many(`CREATE TABLE IF NOT EXISTS walk_agreements AS TABLE agreements WITH NO DATA`);
  await sql.many(`CREATE TABLE IF NOT EXISTS walk_consents AS TABLE consents WITH NO DATA`);
  await sql.many(`TRUNCATE walk_agreements, walk_consents`);
  await sql.many(`INSERT INTO walk_agreements SELECT * FROM agreements`);
  await sql.many(`INSERT INTO walk_consents SELECT * FROM consents`);
  await sql.many(scenario.change);
  try {
    return await work();
  } finally {
    await sql.many(
      `UPDATE agreements a SET status = w.status, consent_required_for = w.consent_required_for,
              suspended_at = w.suspended_at, suspended_reason = w.suspended_reason
         FROM walk_agreements w WHERE a.id = w.id`,
    );
    await sql.many(
      `UPDATE consents c SET withdrawn_at = w.withdrawn_at FROM walk_consents w WHERE c.id = w.id`,
    );
  }
}

/** The facts a subgraph would read for a caller's agency, now. */
async function factsFor(agency: string): Promise<Facts> {
  const people = everyone;
  const loaded = await loadAccessFacts(fed.stores.governance.sql, {
    recipientAgencyId: agency,
    providerAgencyIds: [...AGENCIES, "partnership", "governance"],
    personIds: people,
  });
  return { agreements: loaded.agreements, consents: loaded.consents, at: new Date() };
}

/** Seeded records the caller may not learn exist (see oracle.ts `untraceable`). */
async function untraceableIdsFor(caller: Caller, facts: Facts): Promise<Set<string>> {
  const out = new Set<string>();
  // An assessment id sealed for another agency is unknown to the caller (police serve it only to its agency).
  for (const [id, agency] of assessmentIssuedTo) if (agency !== caller.agency) out.add(id);
  for (const [type, list] of Object.entries(seeds.ids)) {
    const record = rules.record(type);
    // A person's id is the people index's, visible wherever a record about them is.
    if (!record || type === "Person") continue;
    for (const id of list) {
      if (!rules.resolvable(type)) continue;
      const raw = await rules.raw(type, id);
      if (!raw) continue;
      const subjects = record.subjects ? [...new Set(record.subjects(raw))].sort() : [];
      const d = decideRecord(record, raw, subjects, caller, facts);
      if (untraceable(caller, record.owner(raw), d, facts)) out.add(id);
    }
  }
  return out;
}

/** Codes of an answer cut short by a fault rather than decided (see shared/faults.ts). */
const FAULT_CODES = new Set([
  "DATABASE_UNAVAILABLE",
  "SUBGRAPH_UNAVAILABLE",
  "ACCESS_DECISION_UNAVAILABLE",
  "AUDIT_UNAVAILABLE",
]);
const faulted = (response: GraphQLResponse) =>
  (response.errors ?? []).some((e) => FAULT_CODES.has(String(e.extensions?.code)));

/**
 * The gateway's breaker pause: a subgraph that kept failing on a loaded machine is not called for
 * this long, so a faulted answer is asked again only after it (asked at once, it is refused again).
 */
const BREAKER_RESET_MS = 1_000;
const beforeAskingAgain = (attempt: number) => delay(BREAKER_RESET_MS * attempt + 250);

/** Governance tables whose change the audit records (AGREEMENT_CHANGE, CONSENT_CHANGE, BREAK_GLASS_REVIEW). */
const GOVERNANCE_CHANGES = new Set(["agreements", "agreement_approvals", "consents", "break_glass_reviews"]);

/**
 * Records no subgraph resolves by id, read as their answers show them (what their party and
 * @ChangedBy rules read): a break-glass access (an audit record, its owner's DSOs only) and a
 * case action (changed by the agency it is assigned to).
 */
const READERS: RecordReaders = {
  async BreakGlassEvent(id) {
    const [row] = await fed.stores.governance.sql.many<{ o: string }>(
      `SELECT owner_agency_id AS o FROM audit_log WHERE sequence = $1::bigint AND break_glass AND kind = 'DISCLOSURE'`,
      [id],
    );
    return row ? { id, ownerAgencyId: row.o } : null;
  },
  // A person as rectification's @ChangedBy reads it: the agencies whose reference the index holds.
  async Person(id) {
    const [row] = await fed.stores.partnership.sql.many<{ h: string[] }>(
      `SELECT ARRAY(SELECT agency_id FROM person_references r WHERE r.person_id = p.id ORDER BY agency_id) AS h
         FROM people p WHERE p.id = $1`,
      [id],
    );
    return row ? { id, holderAgencyIds: row.h } : null;
  },
  async Notification(id) {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return null;
    const [row] = await fed.stores.governance.sql.many<{ a: string; r: string | null; u: string | null }>(
      `SELECT to_agency_id AS a, to_role AS r, to_user_id AS u FROM notifications WHERE id = $1::bigint`,
      [id],
    );
    return row ? { id, toAgencyId: row.a, toRole: row.r, toUserId: row.u } : null;
  },
  // A merge, as MERGE_HOLDER reads it: the agencies holding a reference of both people.
  async PersonMerge(id) {
    const [row] = await fed.stores.partnership.sql.many<{ h: string[] }>(
      `SELECT ARRAY(SELECT r.agency_id FROM person_references r WHERE r.person_id = m.survivor_id
                    INTERSECT SELECT r.agency_id FROM person_references r WHERE r.person_id = m.merged_id) AS h
         FROM person_merges m WHERE m.id = $1`,
      [id],
    );
    return row ? { id, holderAgencyIds: [...row.h].sort() } : null;
  },
  // A queued person match: known to the agency whose record it is (REVIEWING_AGENCY).
  async PersonMatchReview(id) {
    const [row] = await fed.stores.partnership.sql.many<{ a: string }>(
      `SELECT agency_id AS a FROM person_match_reviews WHERE id = $1`,
      [id],
    );
    return row ? { id, agencyId: row.a } : null;
  },
  async CaseAction(id) {
    const [row] = await fed.stores.partnership.sql.many<{ a: string }>(
      `SELECT assigned_agency_id AS a FROM case_actions WHERE id = $1`,
      [id],
    );
    return row ? { id, assignedAgency: { id: row.a } } : null;
  },
};

/** A record a mutation names, as the rules read it (an agreement: through governance's reference resolver). */
async function targetRaw(type: string, id: string): Promise<unknown> {
  if (rules.resolvable(type)) return rules.raw(type, id);
  // An agreement: governance's own reference resolver (the type is a reference, not a governed record).
  const governance = SUBGRAPHS.governance;
  const resolve = (
    governance.referenceResolvers as Record<
      string,
      { __resolveReference?: (ref: unknown, ctx: unknown) => unknown }
    >
  )[type]?.__resolveReference;
  if (resolve)
    return (
      (await resolve(
        { __typename: type, id },
        { loaders: governance.createLoaders(fed.stores.governance.sql) },
      )) ?? null
    );
  return null;
}

interface AuditRow {
  request_id: string;
  owner_agency_id: string | null;
  decision: string;
  categories: string[];
  record_ids: string[];
}

// ---------------------------------------------------------------------------------------------

describe("the generated graph walk", () => {
  test("the generator reaches every field reachable from Query, with seeded arguments for each", () => {
    expect(generated.missing).toEqual([]);
    const uncovered = reachable.filter((f) => !generated.covered.has(f));
    expect(uncovered).toEqual([]);
  });

  test("every field the walk reaches carries a declared rule, shown in the composed supergraph", async () => {
    expect(reachable.filter((c) => !rules.field(c).length)).toEqual([]);
    // The rule is visible to any router or reader of schema/: an @access on every field definition.
    const withAccess = new Set<string>();
    for (const definition of parse(await supergraphFromCode()).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION)
        continue;
      for (const field of definition.fields ?? [])
        if (field.directives?.some((d) => d.name.value === "access"))
          withAccess.add(`${definition.name.value}.${field.name.value}`);
    }
    const withoutAccess = reachable.filter((c) => !withAccess.has(c));
    expect(withoutAccess).toEqual([]);
  });

  test("the oracle refuses an answer meant for someone else, and a refused field filled in", async () => {
    everyone = (await fed.stores.partnership.sql.many<{ id: string }>(`SELECT id FROM people`)).map(
      (r) => r.id,
    );
    const operation = generated.operations.find((o) => o.roots[0].field === "person")!;
    const police: Caller = { agency: "police", role: Role.PRACTITIONER, purpose: Purpose.CRIME_PREVENTION };
    const answer = await graphql(
      fed.gatewayUrl,
      operation.document,
      {},
      { ...police, purpose: police.purpose! },
    );
    const policeFacts = await factsFor("police");
    const own = await judge(
      operation,
      answer,
      police,
      rules,
      policeFacts,
      await untraceableIdsFor(police, policeFacts),
    );
    expect(own.findings).toEqual([]);
    // The same answer, had it gone to a housing analyst or a youth practitioner, leaks.
    for (const other of [
      { agency: "housing", role: Role.ANALYST, purpose: Purpose.STATISTICS },
      { agency: "youth", role: Role.PRACTITIONER, purpose: Purpose.YOUTH_DIVERSION },
    ]) {
      const facts = await factsFor(other.agency);
      const judged = await judge(
        operation,
        answer,
        other,
        rules,
        facts,
        await untraceableIdsFor(other, facts),
      );
      expect(judged.findings.length).toBeGreaterThan(0);
    }
    // A field the rules refuse, answered anyway, is found.
    const analyst: Caller = { agency: "council", role: Role.ANALYST, purpose: Purpose.STATISTICS };
    const refused = await graphql(
      fed.gatewayUrl,
      operation.document,
      {},
      { ...analyst, purpose: analyst.purpose! },
    );
    const councilFacts = await factsFor("council");
    const untraceableForAnalyst = await untraceableIdsFor(analyst, councilFacts);
    expect(
      (await judge(operation, refused, analyst, rules, councilFacts, untraceableForAnalyst)).findings,
    ).toEqual([]);
    const tampered = JSON.parse(JSON.stringify(refused)) as GraphQLResponse;
    (tampered.data as Record<string, unknown>).person_0 = (answer.data as Record<string, unknown>).person_0;
    tampered.errors = [];
    expect(
      (await judge(operation, tampered, analyst, rules, councilFacts, untraceableForAnalyst)).findings.length,
    ).toBeGreaterThan(0);
  });

  test("every answer is exactly what the decision function permits, leaves no trace of what it withholds, and each disclosure has its audit row", async () => {
    everyone = (await fed.stores.partnership.sql.many<{ id: string }>(`SELECT id FROM people`)).map(
      (r) => r.id,
    );
    const findings: (Finding & { caller: string; scenario: string; operation: string })[] = [];
    const seen = new Set<string>();
    let combinations = 0;
    const timeByField = new Map<string, number>();
    let checked = 0;
    let refusedFields = 0;
    let auditsChecked = 0;
    let faults = 0;
    const cpu = process.cpuUsage();
    const started = Date.now();
    // GRAPH_WALK_QUICK=1: the first scenario only, for working on the walk itself.
    for (const scenario of process.env.GRAPH_WALK_QUICK ? SCENARIOS.slice(0, 1) : SCENARIOS) {
      await withScenario(scenario, async () => {
        for (const agency of AGENCIES) {
          const facts = await factsFor(agency);
          for (const role of scenario.change ? FACT_ROLES : ROLES) {
            for (const purpose of scenario.change ? FACT_PURPOSES : PURPOSES) {
              const caller: Caller = { agency, role, purpose };
              const hiddenIds = await untraceableIdsFor(caller, facts);
              const expectedAudits: { requestId: string; audit: ExpectedAudit; operation: string }[] = [];
              const calls: {
                operation: Walked;
                subgraph: string | null;
                send: (as: As) => Promise<GraphQLResponse>;
              }[] = [
                ...generated.operations.map((operation) => ({
                  operation,
                  subgraph: null,
                  send: (as: As) => graphql(fed.gatewayUrl, operation.document, {}, as),
                })),
                ...entityWalks.map((walk) => ({
                  operation: walk.operation,
                  subgraph: walk.subgraph,
                  send: (as: As) => callEntities(walk, as),
                })),
              ];
              await Promise.all(
                calls.map(async ({ operation, subgraph, send }) => {
                  let requestId = randomUUID();
                  const t0 = Date.now();
                  let response = await send({ agency, role, purpose: purpose ?? undefined, requestId });
                  // A fault (a subgraph or database out of reach on a loaded machine) is no access
                  // answer: asked again, and counted.
                  for (let attempt = 1; attempt < 4 && faulted(response); attempt++) {
                    faults += 1;
                    await beforeAskingAgain(attempt);
                    requestId = randomUUID();
                    response = await send({ agency, role, purpose: purpose ?? undefined, requestId });
                  }
                  combinations += 1;
                  const label0 = operation.roots[0].field;
                  timeByField.set(label0, (timeByField.get(label0) ?? 0) + Date.now() - t0);
                  const judged = await judge(operation, response, caller, rules, facts, hiddenIds, subgraph);
                  checked += judged.checked;
                  refusedFields += judged.refused;
                  judged.seen.forEach((c) => seen.add(c));
                  const label = /query (\w+)/.exec(operation.document)![1];
                  for (const f of judged.findings)
                    findings.push({
                      ...f,
                      caller: `${agency} ${role} ${purpose ?? "(no purpose)"}`,
                      scenario: scenario.name,
                      operation: label,
                    });
                  for (const audit of judged.audits)
                    expectedAudits.push({ requestId, audit, operation: label });
                }),
              );
              if (expectedAudits.length) {
                const rows = await fed.stores.governance.sql.many<AuditRow>(
                  `SELECT request_id, owner_agency_id, decision, categories, record_ids FROM audit_log WHERE request_id = ANY($1)`,
                  [[...new Set(expectedAudits.map((e) => e.requestId))]],
                );
                auditsChecked += expectedAudits.length;
                for (const { requestId, audit, operation } of expectedAudits) {
                  const found = rows.some(
                    (r) =>
                      r.request_id === requestId &&
                      r.decision === "PERMITTED" &&
                      r.owner_agency_id === audit.owner &&
                      r.record_ids.includes(audit.recordId),
                  );
                  if (!found)
                    findings.push({
                      path: "",
                      problem: `no audit row for the disclosure of ${audit.owner}'s ${audit.category} ${audit.recordId}`,
                      caller: `${agency} ${role} ${purpose ?? "(no purpose)"}`,
                      scenario: scenario.name,
                      operation,
                    });
                }
              }
            }
          }
        }
      });
    }
    const summary = {
      supergraphFields: supergraphFields.length,
      reachableFromQuery: reachable.length,
      fieldsWalked: generated.covered.size,
      fieldsMetInAnswers: seen.size,
      operationsPerCaller: generated.operations.length,
      entityTypesWalked: `${entityWalks.length} (${entityWalks.map((w) => `${w.subgraph}:${w.typeName}`).join(", ")})`,
      combinations,
      decisionsChecked: checked,
      refusedFieldsChecked: refusedFields,
      disclosuresAudited: auditsChecked,
      faultsRetried: faults,
      cpuSeconds: (({ user, system }) => Math.round((user + system) / 1e6))(process.cpuUsage(cpu)),
      seconds: Math.round((Date.now() - started) / 1000),
      findings: findings.length,
    };
    console.log(`graph walk: ${JSON.stringify(summary)}`);
    console.log(
      `ms per root field: ${JSON.stringify(Object.fromEntries([...timeByField].sort((a, b) => b[1] - a[1])))}`,
    );
    const byProblem = new Map<string, number>();
    for (const f of findings) {
      const key = `${f.operation} ${f.path.replace(/_\d+/, "").replace(/\.\d+/g, "[]")}: ${f.problem.replace(/(per|inc|asb|ten|ref|enr|con|agr|pc|hr)-[\w-]+/g, "<id>")}`;
      byProblem.set(key, (byProblem.get(key) ?? 0) + 1);
    }
    const sorted = [...byProblem.entries()].sort((a, b) => b[1] - a[1]);
    if (sorted.length)
      console.log(
        `findings by kind (${sorted.length}):\n${sorted
          .slice(0, 200)
          .map(([k, n]) => `${n}× ${k}`)
          .join("\n")}`,
      );
    for (const f of findings.slice(0, 15)) console.log(JSON.stringify(f));
    expect(findings.slice(0, 20)).toEqual([]);
    // Not vacuous: the walk met other agencies' data released and refused, and audited each release;
    // it judged a break-glass access (party: its owner's DSOs) and asked for each agency's sealed
    // case assessment through `_entities` under every caller.
    expect(refusedFields).toBeGreaterThan(0);
    expect(auditsChecked).toBeGreaterThan(0);
    expect(seen.has("BreakGlassEvent.justification")).toBe(true);
    expect(
      entityWalks
        .filter((w) => w.typeName === "CaseAssessment")
        .map((w) => w.subgraph)
        .sort(),
    ).toEqual(["council", "partnership", "police"]);
  }, 900_000);

  test("the generator calls every mutation, with seeded arguments for each", () => {
    expect(mutationWalk.missing).toEqual([]);
    expect(mutationWalk.mutations.map((m) => m.field).sort()).toEqual(
      supergraphFields
        .filter((f) => f.startsWith("Mutation."))
        .map((f) => f.slice("Mutation.".length))
        .sort(),
    );
  });

  test("every mutation, under every caller, from the seeded state: refused as the declared rules say and then writing nothing but the audit, or done, answering what the decision permits, with each disclosure and each change of governance audited", async () => {
    everyone = (await fed.stores.partnership.sql.many<{ id: string }>(`SELECT id FROM people`)).map(
      (r) => r.id,
    );
    const journal = await installWriteJournal(
      Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, fed.stores[n].sql])),
    );
    // The journal sees a write, and the oracle calls a refusal that wrote a finding; the table is put back.
    const [before] = await fed.stores.partnership.sql.many<{ title: string }>(
      `SELECT title FROM problem_cases ORDER BY id LIMIT 1`,
    );
    await fed.stores.partnership.sql.many(
      `UPDATE problem_cases SET title = 'walk' WHERE id = (SELECT min(id) FROM problem_cases)`,
    );
    const refusedButWrote = judgeMutation(
      "openCase_0",
      {
        status: 200,
        data: null,
        errors: [{ message: "no", path: ["openCase_0"], extensions: { code: "FORBIDDEN" } }],
      },
      { refused: false },
      await journal.written(),
    );
    const doneButRefused = judgeMutation(
      "openCase_0",
      { status: 200, data: { openCase_0: { id: "x" } } },
      { refused: true, by: "gate", reason: "ROLE_NOT_PERMITTED", codes: ["FORBIDDEN"] },
      {},
    );
    expect(doneButRefused.findings.length).toBe(1);
    expect(refusedButWrote.findings.map((f) => f.problem)).toEqual([
      "refused FORBIDDEN, but wrote partnership.problem_cases",
    ]);
    await journal.restore();
    expect(
      await fed.stores.partnership.sql.many(`SELECT title FROM problem_cases ORDER BY id LIMIT 1`),
    ).toEqual([before]);
    expect(await journal.written()).toEqual(Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, []])));

    const findings: (Finding & { caller: string; operation: string })[] = [];
    const doneBy = new Map<string, string[]>();
    const outcomes = new Map<string, number>();
    let calls = 0;
    let restores = 0;
    let auditsChecked = 0;
    let unknownCompared = 0;
    let faults = 0;
    /** Per mutation, the calls done that left an audit row for their request. */
    const auditedDone = new Map<string, number>();
    let faultsAfterWriting = 0;
    const cpu = process.cpuUsage();
    const started = Date.now();
    // The records each mutation names, read once: every call starts from this state.
    const targets = new Map<WalkedMutation, MutationTarget[]>();
    const declaredChanges = new Map<WalkedMutation, DeclaredChange[]>();
    for (const m of mutationWalk.mutations) {
      const named: MutationTarget[] = [];
      for (const t of m.targets)
        named.push({ ...t, raw: await targetRaw(t.type, t.id), party: rules.record(t.type)?.party ?? null });
      targets.set(m, named);
      // Records it declares it changes that no id argument names, found by the declaration's
      // own policy from the seeded arguments (the case of an action, the lead's changes to a case).
      const rule = rules.field(`Mutation.${m.field}`)[0];
      const prefix = `Mutation.${m.field}.`;
      const args = Object.fromEntries(
        Object.entries(seeds.byCoordinate)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, v]) => [k.slice(prefix.length), v]),
      );
      const types = new Set(named.map((t) => t.type));
      const declared: DeclaredChange[] = [];
      if (rule && named.length)
        for (const c of rule.changes.filter((c) => !types.has(c.typeName)))
          declared.push({
            typeName: c.typeName,
            raw: (await c.policy.find(args, fed.stores[rule.subgraph].sql)) ?? null,
            party: c.party,
            actor: c.actor,
          });
      declaredChanges.set(m, declared);
    }
    // GRAPH_WALK_QUICK=1: one purpose each way of every gate (admitted, refused, none), and the
    // DSO-only DATA_PROTECTION, without which rectification has no allowed path.
    const purposes = process.env.GRAPH_WALK_QUICK
      ? [Purpose.YOUTH_DIVERSION, Purpose.STATISTICS, Purpose.DATA_PROTECTION, null]
      : PURPOSES;
    for (const agency of AGENCIES) {
      const facts = await factsFor(agency);
      for (const role of ROLES) {
        for (const purpose of purposes) {
          const caller: Caller = { agency, role, purpose };
          const who = `${agency} ${role} ${purpose ?? "(no purpose)"}`;
          const hiddenIds = await untraceableIdsFor(caller, facts);
          for (const m of mutationWalk.mutations) {
            const named = targets.get(m)!;
            const expected = expectMutation(
              rules.field(`Mutation.${m.field}`)[0],
              caller,
              named,
              named[0] ? rules.actor(named[0].type) : null,
              declaredChanges.get(m),
            );
            const alias = m.operation.roots[0].alias;
            const requestId = randomUUID();
            const as: As = { agency, role, purpose: purpose ?? undefined, requestId };
            // A fault (a database or subgraph out of reach on a loaded machine) is no access
            // answer: the call is made again from the seeded state, and the faults are counted.
            let response = await graphql(fed.gatewayUrl, m.operation.document, {}, as);
            let written = await journal.written();
            for (let attempt = 1; attempt < 4 && faulted(response); attempt++) {
              faults += 1;
              if (Object.values(written).some((t) => t.some((x) => !AUDIT_TABLES.has(x))))
                faultsAfterWriting += 1;
              await beforeAskingAgain(attempt);
              await journal.restore();
              rules.forget();
              response = await graphql(fed.gatewayUrl, m.operation.document, {}, { ...as, requestId });
              written = await journal.written();
            }
            calls += 1;
            const outcome = judgeMutation(alias, response, expected, written);
            const key = `${m.field} ${outcome.done ? "done" : `${outcome.code} ${outcome.reason ?? ""}`.trim()}`;
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            const report = (f: Finding) => findings.push({ ...f, caller: who, operation: m.field });
            outcome.findings.forEach(report);
            if (outcome.done) {
              doneBy.set(m.field, [...(doneBy.get(m.field) ?? []), who]);
              // What it answers is judged as any query's answer: every field as the decision says.
              const judged = await judge(m.operation, response, caller, rules, facts, hiddenIds);
              judged.findings.forEach(report);
              const rows = await fed.stores.governance.sql.many<AuditRow & { kind: string }>(
                `SELECT request_id, owner_agency_id, decision, categories, record_ids, kind FROM audit_log WHERE request_id = $1`,
                [requestId],
              );
              if (rows.length) auditedDone.set(m.field, (auditedDone.get(m.field) ?? 0) + 1);
              for (const audit of judged.audits) {
                auditsChecked += 1;
                if (
                  !rows.some(
                    (r) =>
                      r.decision === "PERMITTED" &&
                      r.owner_agency_id === audit.owner &&
                      r.record_ids.includes(audit.recordId),
                  )
                )
                  report({
                    path: alias,
                    problem: `no audit row for the disclosure of ${audit.owner}'s ${audit.category} ${audit.recordId}`,
                  });
              }
              // A change of an agreement, a consent or a break-glass review is audited as such.
              const governed = (written.governance ?? []).filter((t) => GOVERNANCE_CHANGES.has(t));
              if (governed.length) {
                auditsChecked += 1;
                if (!rows.some((r) => r.kind !== "DISCLOSURE" && r.kind !== "DENIAL"))
                  report({
                    path: alias,
                    problem: `changed governance.${governed.join(", ")} with no audit row for the change`,
                  });
              }
            } else if (expected.refused && expected.by === "party") {
              // Not the caller's to know: refused exactly as the same call with an unknown id is.
              const subject = named.find((t) => expected.reason.endsWith(`(${t.type} ${t.id})`))!;
              const unknown = unknownId(subject.id);
              const again = await graphql(
                fed.gatewayUrl,
                m.operation.document.split(JSON.stringify(subject.id)).join(JSON.stringify(unknown)),
                {},
                { ...as, requestId: randomUUID() },
              );
              unknownCompared += 1;
              const shown = (r: GraphQLResponse, id: string) =>
                JSON.stringify({
                  data: r.data ?? null,
                  errors: (r.errors ?? []).map((e) => ({
                    path: e.path ?? null,
                    code: e.extensions?.code ?? null,
                    reason: e.extensions?.reason ?? null,
                    message: e.message,
                  })),
                })
                  .split(id)
                  .join("<key>");
              if (shown(response, subject.id) !== shown(again, unknown))
                report({
                  path: alias,
                  problem: `${subject.type} ${subject.id} (not to be known) answered ${shown(response, subject.id).slice(0, 200)}; an unknown id answered ${shown(again, unknown).slice(0, 200)}`,
                });
              const writtenByUnknown = Object.entries(await journal.written()).flatMap(([db, t]) =>
                t.filter((x) => !AUDIT_TABLES.has(x)).map((x) => `${db}.${x}`),
              );
              if (writtenByUnknown.length)
                report({ path: alias, problem: `an unknown id wrote ${writtenByUnknown.join(", ")}` });
            }
            // Back to the seeded state for the next call (the audit stays); a record it made or
            // changed is read afresh next time (the same id may be made again).
            if (Object.values(await journal.written()).some((t) => t.some((x) => !AUDIT_TABLES.has(x)))) {
              restores += 1;
              rules.forget();
            }
            await journal.restore();
          }
        }
      }
    }
    for (const m of mutationWalk.mutations)
      if (!doneBy.has(m.field))
        findings.push({
          path: "",
          problem: "no caller could do it: the seeds or the rules leave its allowed path unwalked",
          caller: "(every caller)",
          operation: m.field,
        });
    const summary = {
      mutations: mutationWalk.mutations.length,
      callers: AGENCIES.length * ROLES.length * purposes.length,
      mutationCalls: calls,
      mutationsDone: [...doneBy.values()].reduce((n, l) => n + l.length, 0),
      mutationsRefused: calls - [...doneBy.values()].reduce((n, l) => n + l.length, 0),
      refusedComparedWithUnknownId: unknownCompared,
      restores,
      faultsRetried: faults,
      faultsAfterWriting,
      mutationAuditsChecked: auditsChecked,
      doneAndAudited: Object.fromEntries(
        mutationWalk.mutations.map((m) => [
          m.field,
          `${auditedDone.get(m.field) ?? 0}/${doneBy.get(m.field)?.length ?? 0}`,
        ]),
      ),
      cpuSeconds: (({ user, system }) => Math.round((user + system) / 1e6))(process.cpuUsage(cpu)),
      seconds: Math.round((Date.now() - started) / 1000),
      findings: findings.length,
    };
    console.log(`graph walk (mutations): ${JSON.stringify(summary)}`);
    console.log(
      `mutation outcomes: ${JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => a[0].localeCompare(b[0]))))}`,
    );
    const byProblem = new Map<string, number>();
    for (const f of findings) {
      const key = `${f.operation}: ${f.problem.replace(/(per|inc|asb|ten|ref|enr|con|agr|psc|pc|hr)-[\w-]+/g, "<id>")}`;
      byProblem.set(key, (byProblem.get(key) ?? 0) + 1);
    }
    if (byProblem.size)
      console.log(
        `mutation findings by kind (${byProblem.size}):\n${[...byProblem.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${n}× ${k}`)
          .join("\n")}`,
      );
    for (const f of findings.slice(0, 15)) console.log(JSON.stringify(f));
    expect(findings.slice(0, 20)).toEqual([]);
    expect(calls).toBe(mutationWalk.mutations.length * AGENCIES.length * ROLES.length * purposes.length);
  }, 900_000);
});
