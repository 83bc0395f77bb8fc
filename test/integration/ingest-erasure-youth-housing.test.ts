import { housingHoldings } from "../../subgraphs/housing/repository";
import { agencyImports, forgottenOf, today, type AgencyImports, type IngestAgency } from "../support/ingest";

/**
 * Issue 20 for youth services' and housing's exports: what an erasure or retention took stays out
 * of the next import of the same files, and what hangs on it (an attendance return for an erased
 * enrolment; a tenancy's household and actions) is skipped with it, counted as forgotten and no
 * error (no rejects file needed). Nothing else changes.
 */

/** The agency's whole example export imported, as a nightly import would: no rejects file. */
const runAll = <A extends IngestAgency>(imports: AgencyImports<A>) => imports.run(imports.exampleFiles());

describe("youth", () => {
  const y = agencyImports("youth", {
    label: "ingest_erasure_youth",
    tables: ["schools", "programmes", "enrolments", "referrals", "referral_status_changes"],
    service: true,
  });

  test("an erased pupil's enrolment stays out, and its attendance return is skipped with it", async () => {
    const first = await runAll(y);
    expect(first.totals.rejected).toBe(0);
    // Maya Shah: one enrolment (E-23-0002), no referral.
    const maya = await y.personOf("enrolments", "E-23-0002");
    await y.erase(maya);
    const erased = await y.snapshot();
    const report = await runAll(y);
    expect(forgottenOf(report)).toEqual([
      `enrolments-2023-24.csv:3: erased on ${today()}`,
      `attendance-2024-06.csv:3: its enrolment "E-23-0002" was erased on ${today()}`,
    ]);
    expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0, forgotten: 2 });
    expect(await y.snapshot()).toBe(erased);
  });
});

describe("housing", () => {
  const h = agencyImports("housing", {
    label: "ingest_erasure_housing",
    tables: ["properties", "tenancies", "tenancy_occupants", "tenancy_actions"],
    service: true,
  });

  test("an erased joint tenant stays out (the tenancy stays); an expired tenancy stays out with its household and actions", async () => {
    expect((await runAll(h)).totals.rejected).toBe(0);
    // Agnieszka Kowalska, joint tenant of T-770022 with Tomasz Kowalski (M-5).
    await h.erase(await h.personOf("tenancy_occupants", "M-5"));
    // T-770104 (Priya Shah's) expires under retention, as the retention job's step in the store.
    const { id } = (await h.admin.housing.sql.one<{ id: string }>(
      `SELECT id FROM tenancies WHERE source_key = $1`,
      [h.key("T-770104")],
    ))!;
    await h.service.sql.transaction((tx) => housingHoldings.expire(tx, [{ kind: "TENANCY", id }]));
    const after = await h.snapshot();

    const report = await runAll(h);
    const retention = `deleted under retention on ${today()}`;
    expect(forgottenOf(report)).toEqual([
      `tenancies.csv:2: ${retention}`,
      `household.csv:2: ${retention}`,
      `household.csv:6: erased on ${today()}`,
      `tenancy-actions.csv:2: ${retention}`,
      `tenancy-actions.csv:3: ${retention}`,
    ]);
    expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0, forgotten: 5 });
    expect(await h.snapshot()).toBe(after);
  });
});
