import { policeHoldings } from "../../subgraphs/police/repository";
import { agencyImports, forgottenOf, today } from "../support/ingest";

/**
 * Issue 20 for the police records system's export: an erased person's involvement stays out (the
 * incident, about others too, stays and re-imports unchanged), and an incident retention returned
 * to what police.uk publishes is not given its account and people back by the next import.
 */
const imports = agencyImports("police", {
  label: "ingest_erasure_police",
  tables: ["incidents", "involvements"],
  service: true,
});
const { admin, key, snapshot } = imports;
const FILES = ["incidents-2024-06.jsonl", "involved-people-2024-06.csv"].map(imports.example);
// No rejects file: a forgotten row is skipped and counted, not an error.
const run = () => imports.run(FILES);

test("an erased person's involvement stays out; the incident, about others too, is unchanged", async () => {
  expect((await run()).totals).toMatchObject({ new: 17, rejected: 0 });
  // Chen Wei, the victim in OCC-24-061290 (INV-10).
  const chen = await imports.personOf("involvements", "INV-10");
  await imports.erase(chen);
  const erased = await snapshot();

  const report = await run();
  expect(forgottenOf(report)).toEqual([`involved-people-2024-06.csv:11: erased on ${today()}`]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, unchanged: 16, rejected: 0, forgotten: 1 });
  expect(await snapshot()).toBe(erased);
});

test("an incident retention returned to what police.uk publishes keeps no account and no one", async () => {
  const { id } = (await admin.police.sql.one<{ id: string }>(
    `SELECT id FROM incidents WHERE source_key = $1`,
    [key("OCC-24-061245")],
  ))!;
  await imports.service.sql.transaction((tx) => policeHoldings.expire(tx, [{ kind: "INCIDENT", id }]));
  const expired = await snapshot();
  const published = await admin.police.sql.one<{ narrative: string | null; occurred_at: Date | null }>(
    `SELECT narrative, occurred_at FROM incidents WHERE id = $1`,
    [id],
  );
  expect(published).toEqual({ narrative: null, occurred_at: null });

  const report = await run();
  const retention = `deleted under retention on ${today()}`;
  expect(forgottenOf(report)).toEqual([
    `incidents-2024-06.jsonl:4: ${retention}`,
    `involved-people-2024-06.csv:6: ${retention}`,
    `involved-people-2024-06.csv:7: ${retention}`,
    `involved-people-2024-06.csv:8: ${retention}`,
    `involved-people-2024-06.csv:11: erased on ${today()}`,
  ]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0, forgotten: 5 });
  expect(await snapshot()).toBe(expired);
});
