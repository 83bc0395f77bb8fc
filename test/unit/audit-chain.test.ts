import {
  GENESIS_HASH,
  auditContentOf,
  auditHash,
  canonicalAroundPeopleAndSequence,
  canonicalJson,
  chainRecords,
  verifyChain,
  type AuditContent,
  type ChainRow,
} from "../../subgraphs/shared/access/audit-chain";

function record(n: number): Omit<AuditContent, "sequence"> {
  return {
    at: new Date(Date.UTC(2026, 5, 1, 9, n)),
    userId: `council.officer.${n}`,
    agencyId: "council",
    role: "PRACTITIONER",
    purpose: "ASB_CASE_MANAGEMENT",
    operationName: "Person360",
    requestId: `req-${n}`,
    ownerAgencyId: "police",
    personIds: [`per-${String(n).padStart(6, "0")}`],
    categories: ["INCIDENT_SUMMARY"],
    recordIds: [`inc-${n}`],
    decision: "PERMITTED",
    reason: null,
    basis: "AGREEMENT",
    agreementId: "agr-police-council",
    consentId: null,
    breakGlass: false,
    justification: null,
    kind: "DISCLOSURE",
    detail: null,
  };
}

const chain = (n: number): ChainRow[] =>
  chainRecords(
    null,
    Array.from({ length: n }, (_, i) => record(i + 1)),
  );

/** Re-chains rows from `from` onward as a tamperer who knows the algorithm would. */
function rehashFrom(rows: ChainRow[], from: number): ChainRow[] {
  const out = rows.map((r) => ({ ...r }));
  for (let i = from; i < out.length; i++) {
    out[i].previousHash = i === 0 ? GENESIS_HASH : out[i - 1].hash;
    out[i].hash = auditHash(out[i].previousHash, out[i]);
  }
  return out;
}

test("an intact chain verifies, with or without checkpoints", () => {
  const rows = chain(6);
  expect(verifyChain(rows, [])).toEqual({ ok: true });
  expect(
    verifyChain(rows, [
      { sequence: 3, hash: rows[2].hash },
      { sequence: 6, hash: rows[5].hash },
    ]),
  ).toEqual({ ok: true });
  expect(verifyChain([], [])).toEqual({ ok: true });
});

test("appending after a head continues the same chain", () => {
  const first = chain(3);
  const more = chainRecords({ sequence: 3, hash: first[2].hash }, [record(4), record(5)]);
  expect(more.map((r) => r.sequence)).toEqual([4, 5]);
  expect(verifyChain([...first, ...more], [])).toEqual({ ok: true });
});

test("an edited record is named", () => {
  const rows = chain(5);
  rows[2] = { ...rows[2], decision: "DENIED" };
  expect(verifyChain(rows, [])).toEqual({
    ok: false,
    firstBadSequence: 3,
    reason: expect.stringMatching(/record 3 .*edited/),
  });
});

test("an edited record whose own hash was recomputed breaks the next link", () => {
  const rows = chain(5);
  rows[2] = { ...rows[2], personIds: ["per-999999"] };
  rows[2].hash = auditHash(rows[2].previousHash, rows[2]);
  expect(verifyChain(rows, [])).toMatchObject({
    ok: false,
    firstBadSequence: 4,
    reason: expect.stringMatching(/does not link/),
  });
});

test("a deleted record leaves a gap that is named", () => {
  const rows = chain(5);
  rows.splice(2, 1);
  expect(verifyChain(rows, [])).toEqual({
    ok: false,
    firstBadSequence: 3,
    reason: expect.stringMatching(/record 3 is missing/),
  });
});

test("deleting the first record is caught too", () => {
  expect(verifyChain(chain(3).slice(1), [])).toMatchObject({ ok: false, firstBadSequence: 1 });
});

test("an inserted record is caught, whether it reuses a number or the rest are renumbered", () => {
  const rows = chain(5);
  const forged: ChainRow = { ...record(99), sequence: 3, previousHash: rows[1].hash, hash: "" };
  forged.hash = auditHash(forged.previousHash, forged);

  const reused = [...rows.slice(0, 3), { ...forged, sequence: 3 }, ...rows.slice(3)];
  expect(verifyChain(reused, [])).toMatchObject({ ok: false, firstBadSequence: 3 });

  const renumbered = [
    ...rows.slice(0, 2),
    forged,
    ...rows.slice(2).map((r) => ({ ...r, sequence: r.sequence + 1 })),
  ];
  expect(verifyChain(renumbered, [])).toMatchObject({
    ok: false,
    firstBadSequence: 4,
    reason: expect.stringMatching(/does not link/),
  });
});

test("a whole chain rewritten after an edit is caught by a checkpoint", () => {
  const rows = chain(6);
  const checkpoints = [{ sequence: 4, hash: rows[3].hash }];
  rows[1] = { ...rows[1], basis: "CONSENT" };
  const rewritten = rehashFrom(rows, 1);
  expect(verifyChain(rewritten, [])).toEqual({ ok: true }); // a chain alone cannot see this
  expect(verifyChain(rewritten, checkpoints)).toMatchObject({
    ok: false,
    firstBadSequence: 4,
    reason: expect.stringMatching(/checkpoint 4/),
  });
});

test("a tail cut back past a checkpoint is caught; the first missing record is named", () => {
  const rows = chain(6);
  const checkpoints = [{ sequence: 5, hash: rows[4].hash }];
  expect(verifyChain(rows.slice(0, 3), checkpoints)).toEqual({
    ok: false,
    firstBadSequence: 4,
    reason: expect.stringMatching(/ends at record 3 but checkpoint 5/),
  });
  // Cutting only records after the last checkpoint cannot be seen: that is what the next checkpoint is for.
  expect(verifyChain(rows.slice(0, 5), checkpoints)).toEqual({ ok: true });
});

test("canonical JSON does not depend on key order and writes dates as ISO instants", () => {
  const at = new Date("2026-06-01T09:00:00.123Z");
  expect(canonicalJson({ b: 1, a: { d: [2, 1], c: at } })).toBe(
    canonicalJson({ a: { c: at, d: [2, 1] }, b: 1 }),
  );
  expect(canonicalJson({ b: 1, a: { d: [2, 1], c: at } })).toBe(
    '{"a":{"c":"2026-06-01T09:00:00.123Z","d":[2,1]},"b":1}',
  );
  expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
});

test("the hash covers the previous hash and every field of the content", () => {
  const [row] = chain(1);
  expect(row.previousHash).toBe(GENESIS_HASH);
  expect(auditHash("f".repeat(64), row)).not.toBe(row.hash);
  for (const key of Object.keys(record(1)) as (keyof ReturnType<typeof record>)[]) {
    const changed = {
      ...row,
      [key]: key === "breakGlass" ? true : key === "at" ? new Date(0) : Array.isArray(row[key]) ? ["x"] : "x",
    };
    expect(auditHash(row.previousHash, changed)).not.toBe(row.hash);
  }
});

test("the content split around the people and the sequence is exactly what the hash covers, whatever the text holds", () => {
  const awkward: Omit<AuditContent, "sequence"> = {
    ...record(7),
    // Quotes, a key-like string, backslashes and non-ASCII: the split must be structural.
    justification: 'said "sequence":0, then \\ left — café',
    detail: '{"sequence":1}',
    personIds: [],
  };
  for (const content of [record(1), record(42), awkward]) {
    const { before, between, after } = canonicalAroundPeopleAndSequence(content);
    for (const sequence of [1, 999, 1000, 123456789]) {
      // The database writes the pseudonyms (hex) as JSON.stringify would.
      for (const people of [[], ["ab12"], ["ab12", "cd34"]]) {
        expect(`${before}${JSON.stringify(people)}${between}${sequence}${after}`).toBe(
          canonicalJson(auditContentOf({ ...content, personIds: people, sequence })),
        );
      }
    }
  }
});
