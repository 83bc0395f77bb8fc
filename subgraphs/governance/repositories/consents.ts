import type { Sql } from "../../shared/database";
import type { ConsentFacts } from "../../shared/access/decision";
import { ConsentGiver, DataCategory, Purpose } from "../../shared/enums";
import { copyRows } from "../../shared/demo/bulk";
import { Consent } from "../types";

export interface ConsentRow {
  id: string;
  person_id: string;
  recipient_agency_id: string;
  provider_agency_id: string;
  purposes: string[];
  categories: string[];
  given_by: string;
  given_at: Date;
  expires_at: Date | null;
  withdrawn_at: Date | null;
  evidence_ref: string;
  recorded_by_agency_id: string;
}

export const CONSENT_COLUMNS = `c.id, c.person_id, c.recipient_agency_id, c.provider_agency_id, c.purposes, c.categories, c.given_by, c.given_at,
  c.expires_at, c.withdrawn_at, c.evidence_ref, c.recorded_by_agency_id`;

export function toConsent(row: ConsentRow): Consent {
  return Object.assign(new Consent(), {
    id: row.id,
    personId: row.person_id,
    recipientAgencyId: row.recipient_agency_id,
    providerAgencyId: row.provider_agency_id,
    purposes: row.purposes as Purpose[],
    categories: row.categories as DataCategory[],
    givenBy: row.given_by as ConsentGiver,
    givenAt: row.given_at,
    expiresAt: row.expires_at,
    withdrawnAt: row.withdrawn_at,
    evidenceRef: row.evidence_ref,
    recordedByAgencyId: row.recorded_by_agency_id,
  });
}

/** What the access decision needs of a consent. */
export function consentFacts(c: Consent): ConsentFacts {
  return {
    id: c.id,
    personId: c.personId,
    recipientAgencyId: c.recipientAgencyId,
    providerAgencyId: c.providerAgencyId,
    purposes: c.purposes,
    categories: c.categories,
    givenBy: c.givenBy,
    givenAt: c.givenAt,
    expiresAt: c.expiresAt,
    withdrawnAt: c.withdrawnAt,
  };
}

export interface NewConsent {
  id: string;
  personId: string;
  recipientAgencyId: string;
  /** The agency whose data it covers; the recorder's agency. */
  providerAgencyId: string;
  purposes: Purpose[];
  categories: DataCategory[];
  givenBy: ConsentGiver;
  givenAt: Date;
  expiresAt: Date | null;
  withdrawnAt?: Date | null;
  evidenceRef: string;
  recordedByAgencyId: string;
  recordedBy: string;
  recordedAt: Date;
}

/** All SQL over consents and governance's copy of the people index (existence, the under-13 rule). */
export class ConsentRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Consent[]> {
    const rows = await this.sql.many<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consents c WHERE c.id = ANY($1)`,
      [ids],
    );
    return rows.map(toConsent);
  }

  /** Every consent of many people, in one statement, oldest first. */
  async forPeople(personIds: readonly string[]): Promise<Consent[]> {
    const rows = await this.sql.many<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consents c WHERE c.person_id = ANY($1) ORDER BY c.person_id, c.given_at, c.id`,
      [personIds],
    );
    return rows.map(toConsent);
  }

  /** Reads one consent and locks it until the transaction ends (`sql` must be a transaction). */
  async lock(id: string): Promise<Consent | null> {
    const row = await this.sql.one<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consents c WHERE c.id = $1 FOR UPDATE`,
      [id],
    );
    return row ? toConsent(row) : null;
  }

  /**
   * The person as governance's copy of the people index has them (null when not in the index):
   * existence is checked here, so governance never reads the partnership subgraph's tables.
   */
  async indexedPerson(personId: string): Promise<{ dateOfBirth: string | null } | null> {
    const row = await this.sql.one<{ date_of_birth: string | null }>(
      `SELECT date_of_birth::text AS date_of_birth FROM person_dates_of_birth WHERE person_id = $1`,
      [personId],
    );
    return row ? { dateOfBirth: row.date_of_birth } : null;
  }

  async insertMany(consents: readonly NewConsent[]): Promise<void> {
    await this.sql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by, given_at,
                             expires_at, withdrawn_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, person_id text, recipient_agency_id text,
              provider_agency_id text, purposes text[],
              categories text[], given_by text, given_at timestamptz, expires_at timestamptz, withdrawn_at timestamptz,
              evidence_ref text, recorded_by_agency_id text, recorded_by text, recorded_at timestamptz)`,
      [
        JSON.stringify(
          consents.map((c) => ({
            id: c.id,
            person_id: c.personId,
            recipient_agency_id: c.recipientAgencyId,
            provider_agency_id: c.providerAgencyId,
            purposes: c.purposes,
            categories: c.categories,
            given_by: c.givenBy,
            given_at: c.givenAt.toISOString(),
            expires_at: c.expiresAt?.toISOString() ?? null,
            withdrawn_at: c.withdrawnAt?.toISOString() ?? null,
            evidence_ref: c.evidenceRef,
            recorded_by_agency_id: c.recordedByAgencyId,
            recorded_by: c.recordedBy,
            recorded_at: c.recordedAt.toISOString(),
          })),
        ),
      ],
    );
  }

  async withdraw(id: string, at: Date): Promise<void> {
    await this.sql.exec(`UPDATE consents SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL`, [
      id,
      at,
    ]);
  }

  /** Copies the people index: every person, with the date of birth (COPY: the large demo has 100k people). */
  async copyDatesOfBirth(people: readonly { id: string; dateOfBirth: string | null }[]): Promise<void> {
    await copyRows(
      this.sql,
      "person_dates_of_birth",
      ["person_id", "date_of_birth"],
      (function* () {
        for (const p of people) yield [p.id, p.dateOfBirth];
      })(),
    );
  }
}
