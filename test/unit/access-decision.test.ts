import {
  agreementStatusNote,
  decideAccess,
  decideWithoutFacts,
  effectiveAgreementStatus,
  signpostingAllowed,
  type AccessRequest,
  type AgreementFacts,
  type ConsentFacts,
} from "../../subgraphs/shared/access/decision";
import { breakGlassProblem, normaliseJustification } from "../../subgraphs/shared/access/break-glass";
import { calendarDate, validateConsentGiver } from "../../subgraphs/shared/facts";
import {
  AgreementStatus,
  ConsentGiver,
  DataCategory as C,
  Purpose as P,
  Role,
} from "../../subgraphs/shared/enums";

const AT = new Date("2026-06-15T12:00:00Z");
const JUSTIFICATION = "Child missing overnight, last seen with an adult known to police";

function agreement(over: Partial<AgreementFacts> = {}): AgreementFacts {
  return {
    id: "agr-1",
    reference: "ISA-TEST-001",
    providerAgencyId: "police",
    recipientAgencyId: "council",
    status: AgreementStatus.ACTIVE,
    approvedByProvider: true,
    approvedByRecipient: true,
    purposes: [P.ASB_CASE_MANAGEMENT, P.SAFEGUARDING],
    categories: [C.INCIDENT_SUMMARY, C.EDUCATION],
    consentRequiredFor: [],
    validFrom: "2019-01-01",
    validTo: "2030-12-31",
    suspendedAt: null,
    revokedAt: null,
    ...over,
  };
}

function consent(over: Partial<ConsentFacts> = {}): ConsentFacts {
  return {
    id: "con-1",
    personId: "per-000002",
    recipientAgencyId: "council",
    providerAgencyId: "police",
    purposes: [P.ASB_CASE_MANAGEMENT],
    categories: [C.EDUCATION],
    givenBy: ConsentGiver.SELF,
    givenAt: new Date("2025-01-01T10:00:00Z"),
    expiresAt: null,
    withdrawnAt: null,
    ...over,
  };
}

function request(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    callerAgencyId: "council",
    role: Role.PRACTITIONER,
    purpose: P.ASB_CASE_MANAGEMENT,
    breakGlass: null,
    ownerAgencyId: "police",
    category: C.INCIDENT_SUMMARY,
    personId: "per-000002",
    aggregate: false,
    at: AT,
    ...over,
  };
}

const facts = (agreements: AgreementFacts[] = [], consents: ConsentFacts[] = []) => ({
  agreements,
  consents,
});
/** An agreement for EDUCATION that asks for consent. */
const consentAgreement = () => agreement({ consentRequiredFor: [C.EDUCATION] });
const education = (over: Partial<AccessRequest> = {}) => request({ category: C.EDUCATION, ...over });

describe("decideAccess: purpose and roles", () => {
  test.each(Object.values(Role))(
    "%s without a purpose is refused PURPOSE_REQUIRED, even for its own data",
    (role) => {
      for (const aggregate of [false, true]) {
        const d = decideAccess(
          request({ role, purpose: null, ownerAgencyId: "council", aggregate }),
          facts([agreement()]),
        );
        expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_REQUIRED", basis: null });
      }
    },
  );

  const ownDataCases = Object.values(Role).flatMap((role) =>
    Object.values(P).map((purpose) => [role, purpose] as const),
  );
  test.each(ownDataCases)("own person-level data: %s under %s", (role, purpose) => {
    const d = decideAccess(request({ role, purpose, ownerAgencyId: "council" }), facts());
    if (role === Role.ANALYST) expect(d).toMatchObject({ permitted: false, reason: "ROLE_NOT_PERMITTED" });
    else if (purpose === P.STATISTICS)
      expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_NOT_COVERED" });
    else expect(d).toMatchObject({ permitted: true, basis: "OWN_DATA", reason: null, breakGlass: false });
  });

  test("an analyst asking for a person-level field of another agency is refused ROLE_NOT_PERMITTED, agreement or not", () => {
    const d = decideAccess(
      request({ role: Role.ANALYST, purpose: P.STATISTICS }),
      facts([agreement({ purposes: [P.STATISTICS] })]),
    );
    expect(d).toMatchObject({ permitted: false, reason: "ROLE_NOT_PERMITTED" });
    expect(decideAccess(request({ role: Role.ANALYST }), facts([agreement()])).reason).toBe(
      "ROLE_NOT_PERMITTED",
    );
  });

  test.each(Object.values(Role))(
    "%s gets aggregates under STATISTICS from every agency, without an agreement",
    (role) => {
      const own = decideAccess(
        request({ role, purpose: P.STATISTICS, aggregate: true, ownerAgencyId: "council", category: null }),
        facts(),
      );
      const other = decideAccess(
        request({ role, purpose: P.STATISTICS, aggregate: true, category: null }),
        facts(),
      );
      expect(own).toMatchObject({ permitted: true, basis: "OWN_DATA" });
      expect(other).toMatchObject({ permitted: true, basis: "AGGREGATE", agreementId: null });
    },
  );

  test.each(Object.values(P).filter((p) => p !== P.STATISTICS))(
    "aggregates under %s are refused PURPOSE_NOT_COVERED",
    (purpose) => {
      for (const role of Object.values(Role)) {
        const d = decideAccess(
          request({ role, purpose, aggregate: true, ownerAgencyId: "council" }),
          facts([agreement()]),
        );
        expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_NOT_COVERED" });
      }
    },
  );

  test("STATISTICS reaches no person-level field, even where an agreement lists STATISTICS", () => {
    const d = decideAccess(
      request({ purpose: P.STATISTICS }),
      facts([agreement({ purposes: [P.STATISTICS] })]),
    );
    expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_NOT_COVERED" });
  });
});

describe("decideAccess: identity (the people index)", () => {
  test.each([Role.PRACTITIONER, Role.DATA_SHARING_OFFICER])(
    "%s sees identity for every purpose but STATISTICS, with no agreement",
    (role) => {
      for (const purpose of Object.values(P)) {
        const d = decideAccess(
          request({ role, purpose, category: C.IDENTITY, ownerAgencyId: "partnership" }),
          facts(),
        );
        if (purpose === P.STATISTICS)
          expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_NOT_COVERED" });
        else expect(d).toMatchObject({ permitted: true, basis: "PEOPLE_INDEX" });
      }
    },
  );

  test("an analyst never sees identity", () => {
    const d = decideAccess(request({ role: Role.ANALYST, category: C.IDENTITY }), facts());
    expect(d.reason).toBe("ROLE_NOT_PERMITTED");
  });
});

describe("decideAccess: agreements", () => {
  test("an ACTIVE agreement owner → caller for the purpose and category permits, naming it", () => {
    const d = decideAccess(request(), facts([agreement()]));
    expect(d).toMatchObject({
      permitted: true,
      basis: "AGREEMENT",
      agreementId: "agr-1",
      consentId: null,
      reason: null,
    });
    expect(d.steps.join("\n")).toContain("ISA-TEST-001");
  });

  test("a data-sharing officer is held to the same agreements as a practitioner", () => {
    expect(decideAccess(request({ role: Role.DATA_SHARING_OFFICER }), facts([agreement()])).basis).toBe(
      "AGREEMENT",
    );
    expect(decideAccess(request({ role: Role.DATA_SHARING_OFFICER }), facts()).reason).toBe("NO_AGREEMENT");
  });

  test("no agreement at all: NO_AGREEMENT", () => {
    expect(decideAccess(request(), facts())).toMatchObject({
      permitted: false,
      reason: "NO_AGREEMENT",
      agreementId: null,
    });
  });

  test("an agreement the other way round, or with another recipient, does not count", () => {
    const reverse = agreement({ providerAgencyId: "council", recipientAgencyId: "police" });
    const other = agreement({ recipientAgencyId: "housing" });
    expect(decideAccess(request(), facts([reverse, other])).reason).toBe("NO_AGREEMENT");
  });

  const notInForce: [string, Partial<AgreementFacts>][] = [
    ["suspended", { status: AgreementStatus.SUSPENDED, suspendedAt: new Date("2026-01-01T00:00:00Z") }],
    ["revoked", { status: AgreementStatus.REVOKED, revokedAt: new Date("2026-01-01T00:00:00Z") }],
    // Both approvals stand and its dates hold, but an amendment of it is in force instead.
    ["superseded", { status: AgreementStatus.SUPERSEDED }],
    ["expired", { validTo: "2024-03-31" }],
    ["not yet valid", { validFrom: "2027-01-01" }],
    ["a draft approved by one party", { status: AgreementStatus.DRAFT, approvedByRecipient: false }],
    [
      "a draft approved by neither",
      { status: AgreementStatus.DRAFT, approvedByProvider: false, approvedByRecipient: false },
    ],
  ];
  test.each(notInForce)("a %s agreement gives NO_AGREEMENT and the trace says why", (_, over) => {
    const d = decideAccess(request(), facts([agreement(over)]));
    expect(d).toMatchObject({ permitted: false, reason: "NO_AGREEMENT" });
    expect(d.steps.join("\n")).toMatch(/ISA-TEST-001.*not in force/);
  });

  test("an agreement that does not cover the purpose: PURPOSE_NOT_COVERED", () => {
    const d = decideAccess(request({ purpose: P.TENANCY_SUSTAINMENT }), facts([agreement()]));
    expect(d).toMatchObject({ permitted: false, reason: "PURPOSE_NOT_COVERED" });
  });

  test("an agreement for the purpose that does not cover the category: CATEGORY_NOT_COVERED", () => {
    const d = decideAccess(request({ category: C.INCIDENT_NARRATIVE }), facts([agreement()]));
    expect(d).toMatchObject({ permitted: false, reason: "CATEGORY_NOT_COVERED" });
  });

  test("purpose and category are matched within one agreement, not across two", () => {
    const a = agreement({ id: "a", purposes: [P.CRIME_PREVENTION], categories: [C.INCIDENT_SUMMARY] });
    const b = agreement({ id: "b", purposes: [P.ASB_CASE_MANAGEMENT], categories: [C.RISK] });
    expect(decideAccess(request(), facts([a, b])).reason).toBe("CATEGORY_NOT_COVERED");
  });

  test("a person-level field that declares no category is refused (fail closed)", () => {
    expect(decideAccess(request({ category: null }), facts([agreement()])).reason).toBe(
      "CATEGORY_NOT_COVERED",
    );
  });

  test("validity is judged on the UK calendar date: 23:30 UTC on 30 June is already 1 July in London", () => {
    const a = agreement({ validTo: "2026-06-30" });
    expect(decideAccess(request({ at: new Date("2026-06-30T22:30:00Z") }), facts([a])).permitted).toBe(true);
    expect(decideAccess(request({ at: new Date("2026-06-30T23:30:00Z") }), facts([a])).reason).toBe(
      "NO_AGREEMENT",
    );
    expect(calendarDate(new Date("2026-12-31T23:30:00Z"))).toBe("2026-12-31");
  });
});

describe("decideAccess: consent", () => {
  test("a current consent to the caller's agency covering purpose and category permits, basis CONSENT", () => {
    const d = decideAccess(education(), facts([consentAgreement()], [consent()]));
    expect(d).toMatchObject({ permitted: true, basis: "CONSENT", agreementId: "agr-1", consentId: "con-1" });
  });

  test("no consent: CONSENT_REQUIRED, naming the agreement that asks for it", () => {
    expect(decideAccess(education(), facts([consentAgreement()]))).toMatchObject({
      permitted: false,
      reason: "CONSENT_REQUIRED",
      agreementId: "agr-1",
    });
  });

  test("a withdrawn consent: CONSENT_WITHDRAWN", () => {
    const withdrawn = consent({ withdrawnAt: new Date("2026-03-01T09:00:00Z") });
    expect(decideAccess(education(), facts([consentAgreement()], [withdrawn])).reason).toBe(
      "CONSENT_WITHDRAWN",
    );
  });

  test("a consent withdrawn after the moment asked about still counted then", () => {
    const withdrawn = consent({ withdrawnAt: new Date("2026-07-01T09:00:00Z") });
    expect(decideAccess(education(), facts([consentAgreement()], [withdrawn])).basis).toBe("CONSENT");
  });

  test("an expired consent: CONSENT_REQUIRED", () => {
    const expired = consent({ expiresAt: new Date("2026-01-01T00:00:00Z") });
    expect(decideAccess(education(), facts([consentAgreement()], [expired])).reason).toBe("CONSENT_REQUIRED");
  });

  test("a consent covers only its provider's data: one recorded by another agency does not count", () => {
    // The example: housing records a consent for police to have EDUCATION, which youth holds.
    const byHousing = consent({ providerAgencyId: "housing" });
    const d = decideAccess(education(), facts([consentAgreement()], [byHousing]));
    expect(d).toMatchObject({ permitted: false, reason: "CONSENT_REQUIRED", consentId: null });
    expect(decideAccess(education(), facts([consentAgreement()], [byHousing, consent()])).consentId).toBe(
      "con-1",
    );
  });

  test("a consent to another agency, for another purpose, another category or another person does not count", () => {
    const others = [
      consent({ id: "c1", recipientAgencyId: "police" }),
      consent({ id: "c2", purposes: [P.YOUTH_DIVERSION] }),
      consent({ id: "c3", categories: [C.YOUTH_PROGRAMME] }),
      consent({ id: "c4", personId: "per-000009" }),
    ];
    expect(decideAccess(education(), facts([consentAgreement()], others)).reason).toBe("CONSENT_REQUIRED");
  });

  test("a withdrawn consent does not hide a later, current one", () => {
    const old = consent({ id: "old", withdrawnAt: new Date("2025-06-01T00:00:00Z") });
    const renewed = consent({ id: "new", givenAt: new Date("2025-09-01T00:00:00Z") });
    expect(decideAccess(education(), facts([consentAgreement()], [old, renewed]))).toMatchObject({
      basis: "CONSENT",
      consentId: "new",
    });
  });

  test("data about no identified person cannot be covered by consent", () => {
    expect(decideAccess(education({ personId: null }), facts([consentAgreement()], [consent()])).reason).toBe(
      "CONSENT_REQUIRED",
    );
  });

  test("an agreement that shares the category outright wins over one that asks for consent", () => {
    const outright = agreement({ id: "agr-2", reference: "ISA-TEST-002" });
    expect(decideAccess(education(), facts([consentAgreement(), outright]))).toMatchObject({
      basis: "AGREEMENT",
      agreementId: "agr-2",
    });
  });
});

describe("decideAccess: break-glass", () => {
  test("a justification of 20+ characters under SAFEGUARDING permits every category, with no agreement at all", () => {
    for (const category of Object.values(C).filter((c) => c !== C.IDENTITY)) {
      const d = decideAccess(
        request({ purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION, category }),
        facts(),
      );
      expect(d).toMatchObject({ permitted: true, basis: "BREAK_GLASS", breakGlass: true, reason: null });
    }
  });

  test("it overrides a missing consent or a withdrawn one", () => {
    const withdrawn = consent({ withdrawnAt: new Date("2026-03-01T09:00:00Z"), purposes: [P.SAFEGUARDING] });
    const d = decideAccess(
      education({ purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION }),
      facts([consentAgreement()], [withdrawn]),
    );
    expect(d).toMatchObject({ permitted: true, basis: "BREAK_GLASS", breakGlass: true });
    expect(d.steps.join("\n")).toContain("CONSENT_WITHDRAWN");
  });

  test("a justification under 20 characters (padding aside) is not honoured", () => {
    const d = decideAccess(
      request({ purpose: P.SAFEGUARDING, breakGlass: "   urgent, trust me   " }),
      facts(),
    );
    expect(d).toMatchObject({ permitted: false, reason: "NO_AGREEMENT", breakGlass: false });
    expect(d.steps.join("\n")).toMatch(/not honoured.*20 visible characters/);
  });

  test("a justification is judged normalised: invisible, format and control characters and white space do not count (issue 9, item 11)", () => {
    const padded = [
      // 20 characters only with zero-width spaces, a BOM, bidi marks and soft hyphens.
      "urgent\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b",
      "\ufeff\u202e\u202dtrust me now\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad\u00ad",
      // Control characters and tabs, newlines and non-breaking spaces between a few letters.
      "a\u0000b\u0001c\u0007d\u001be\tf\ng\u00a0h\u2003i\u3000j\r\nk",
      "                         short                           ",
    ];
    for (const text of padded) {
      expect(text.length).toBeGreaterThanOrEqual(20);
      expect(breakGlassProblem(text, P.SAFEGUARDING)).toMatch(/20 visible characters/);
      const d = decideAccess(request({ purpose: P.SAFEGUARDING, breakGlass: text }), facts());
      expect(d).toMatchObject({ permitted: false, breakGlass: false });
    }
    expect(normaliseJustification("  Child\u200b missing\t\t overnight,\u0000 seen\n\nwith adult  ")).toBe(
      "Child missing overnight, seen with adult",
    );
    // Twenty visible characters are enough, however they are spaced.
    expect(breakGlassProblem("abcde fghij\u200b klmno\u00a0 pqrst", P.SAFEGUARDING)).toBeNull();
    expect(breakGlassProblem("abcde fghij klmno pqrs", P.SAFEGUARDING)).toMatch(/20 visible/);
    // Full-width letters are the letters they stand for, and count as such.
    expect(normaliseJustification("ＡＢＣ")).toBe("ABC");
  });

  test("combining marks count with the letter they sit on, and for nothing on their own (issue 15, finding 4)", () => {
    // One letter under 25 accents, and accents stacked on spaces: one visible character each.
    expect(breakGlassProblem(`a${"\u0301".repeat(25)}`, P.SAFEGUARDING)).toMatch(/20 visible/);
    expect(breakGlassProblem(` ${"\u0308".repeat(30)} ok`, P.SAFEGUARDING)).toMatch(/20 visible/);
    // Welsh written with combining circumflexes is the Welsh it spells, letter for letter.
    const welsh = "Mae'r ŵyr yn y tŷ ar ei ben ei hun";
    expect(normaliseJustification(welsh.normalize("NFD"))).toBe(welsh);
    expect(breakGlassProblem(welsh.normalize("NFD"), P.SAFEGUARDING)).toBeNull();
    expect(breakGlassProblem("ŵŷ".normalize("NFD").repeat(9), P.SAFEGUARDING)).toMatch(/20 visible/);
  });

  test("break-glass with a purpose other than SAFEGUARDING is not honoured", () => {
    const d = decideAccess(request({ purpose: P.CRIME_PREVENTION, breakGlass: JUSTIFICATION }), facts());
    expect(d).toMatchObject({ permitted: false, reason: "NO_AGREEMENT", breakGlass: false });
    expect(d.steps.join("\n")).toMatch(/only for SAFEGUARDING/);
  });

  test("where the rules already permit, no glass is broken: nothing to review", () => {
    const d = decideAccess(
      request({ purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION }),
      facts([agreement()]),
    );
    expect(d).toMatchObject({ basis: "AGREEMENT", breakGlass: false });
    const own = decideAccess(
      request({ purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION, ownerAgencyId: "council" }),
      facts(),
    );
    expect(own).toMatchObject({ basis: "OWN_DATA", breakGlass: false });
  });

  test("break-glass does not lift the analyst's role rule", () => {
    const d = decideAccess(
      request({ role: Role.ANALYST, purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION }),
      facts(),
    );
    expect(d.reason).toBe("ROLE_NOT_PERMITTED");
  });
});

describe("effectiveAgreementStatus", () => {
  test.each([
    ["ACTIVE between its dates with both approvals", {}, AgreementStatus.ACTIVE],
    [
      "DRAFT until both approve",
      { approvedByProvider: false, status: AgreementStatus.DRAFT },
      AgreementStatus.DRAFT,
    ],
    ["DRAFT when approved but not yet in force", { validFrom: "2027-01-01" }, AgreementStatus.DRAFT],
    ["EXPIRED after validTo", { validTo: "2026-06-14" }, AgreementStatus.EXPIRED],
    ["ACTIVE on its last day", { validTo: "2026-06-15" }, AgreementStatus.ACTIVE],
    ["SUSPENDED", { status: AgreementStatus.SUSPENDED, suspendedAt: AT }, AgreementStatus.SUSPENDED],
    [
      "SUPERSEDED once its amendment is in force, though approved and within its dates",
      { status: AgreementStatus.SUPERSEDED },
      AgreementStatus.SUPERSEDED,
    ],
    [
      "REVOKED, whatever else",
      { status: AgreementStatus.REVOKED, revokedAt: AT, validTo: "2020-01-01" },
      AgreementStatus.REVOKED,
    ],
  ] as const)("%s", (_, over, expected) => {
    expect(effectiveAgreementStatus(agreement(over), "2026-06-15")).toBe(expected);
  });

  test("the note says who has still to approve, or when an approved agreement starts", () => {
    expect(agreementStatusNote(agreement({ approvedByRecipient: false }), AT)).toBe(
      "awaiting approval by recipient council",
    );
    expect(agreementStatusNote(agreement({ validFrom: "2027-01-01" }), AT)).toBe(
      "approved; in force from 2027-01-01",
    );
    expect(agreementStatusNote(agreement({ validTo: "2024-03-31" }), AT)).toBe("expired on 2024-03-31");
  });
});

describe("signpostingAllowed", () => {
  test("an ACTIVE agreement for the purpose between the two agencies, either way round", () => {
    expect(signpostingAllowed("council", "police", P.ASB_CASE_MANAGEMENT, [agreement()], AT)).toBe(true);
    expect(signpostingAllowed("police", "council", P.ASB_CASE_MANAGEMENT, [agreement()], AT)).toBe(true);
  });

  test("not for another purpose, another pair, an inactive agreement or no purpose", () => {
    expect(signpostingAllowed("council", "police", P.TENANCY_SUSTAINMENT, [agreement()], AT)).toBe(false);
    expect(signpostingAllowed("housing", "youth", P.ASB_CASE_MANAGEMENT, [agreement()], AT)).toBe(false);
    expect(
      signpostingAllowed(
        "council",
        "police",
        P.ASB_CASE_MANAGEMENT,
        [agreement({ validTo: "2024-03-31" })],
        AT,
      ),
    ).toBe(false);
    expect(signpostingAllowed("council", "police", null, [agreement()], AT)).toBe(false);
  });
});

describe("validateConsentGiver", () => {
  const at = (date: string) => new Date(`${date}T12:00:00Z`);

  test("under 13 when given, consent must come from a parent or guardian", () => {
    expect(() => validateConsentGiver("2013-07-01", at("2026-06-30"), ConsentGiver.SELF)).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument: "input.givenBy" }),
      }),
    );
    expect(() =>
      validateConsentGiver("2013-07-01", at("2026-06-30"), ConsentGiver.PARENT_OR_GUARDIAN),
    ).not.toThrow();
  });

  test("from the 13th birthday the person may consent for themselves", () => {
    expect(() => validateConsentGiver("2013-07-01", at("2026-07-01"), ConsentGiver.SELF)).not.toThrow();
    expect(() => validateConsentGiver("1990-01-01", at("2026-07-01"), ConsentGiver.SELF)).not.toThrow();
  });
});

describe("decideWithoutFacts", () => {
  test("answers what agreements cannot change, and agrees with decideAccess", () => {
    const cases = [
      request({ purpose: null }),
      request({ role: Role.ANALYST }),
      request({ purpose: P.STATISTICS, aggregate: true, category: null }),
      request({ ownerAgencyId: "council" }),
      request({ category: C.IDENTITY, ownerAgencyId: "partnership" }),
    ];
    for (const r of cases)
      expect(decideWithoutFacts(r)).toEqual(decideAccess(r, facts([agreement()], [consent()])));
    // An agency's own identity data (its reference for a person) depends on its agreements (issue 9).
    expect(decideWithoutFacts(request({ category: C.IDENTITY }))).toBeNull();
  });

  test("leaves to the facts whatever an agreement, a consent or break-glass decides", () => {
    expect(decideWithoutFacts(request())).toBeNull();
    expect(decideWithoutFacts(request({ purpose: P.SAFEGUARDING, breakGlass: JUSTIFICATION }))).toBeNull();
  });
});
