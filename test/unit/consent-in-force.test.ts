import {
  consentNotCovered,
  decideAccess,
  type AgreementFacts,
  type ConsentFacts,
} from "../../subgraphs/shared/access/decision";
import {
  AgreementStatus,
  ConsentGiver,
  DataCategory as C,
  Purpose as P,
  Role,
} from "../../subgraphs/shared/enums";

/** Issue 15, finding 2: consents count, and are recorded, only under an agreement in force. */
const AT = new Date("2026-06-15T12:00:00Z");

const agreement = (over: Partial<AgreementFacts> = {}): AgreementFacts => ({
  id: "agr-council-youth",
  reference: "ISA-TEST-010",
  providerAgencyId: "council",
  recipientAgencyId: "youth",
  status: AgreementStatus.ACTIVE,
  approvedByProvider: true,
  approvedByRecipient: true,
  purposes: [P.YOUTH_DIVERSION],
  categories: [C.ASB_CASE],
  consentRequiredFor: [],
  validFrom: "2019-01-01",
  validTo: "2030-12-31",
  suspendedAt: null,
  revokedAt: null,
  ...over,
});

const consent: ConsentFacts = {
  id: "con-1",
  personId: "per-000001",
  recipientAgencyId: "youth",
  providerAgencyId: "council",
  purposes: [P.YOUTH_DIVERSION],
  categories: [C.ASB_CASE],
  givenBy: ConsentGiver.PARENT_OR_GUARDIAN,
  givenAt: new Date("2026-01-01T10:00:00Z"),
  expiresAt: null,
  withdrawnAt: null,
};

const notInForce: [string, Partial<AgreementFacts>, RegExp][] = [
  [
    "awaiting approval",
    { status: AgreementStatus.DRAFT, approvedByRecipient: false },
    /awaiting approval by recipient youth/,
  ],
  ["suspended", { status: AgreementStatus.SUSPENDED, suspendedAt: new Date("2026-05-01") }, /is suspended/],
  ["expired", { validTo: "2026-03-31" }, /is expired on 2026-03-31/],
  ["revoked", { status: AgreementStatus.REVOKED, revokedAt: new Date("2026-05-01") }, /is revoked/],
  ["not yet in force", { validFrom: "2026-07-01" }, /approved; in force from 2026-07-01/],
];

describe("consentNotCovered", () => {
  test("a consent under an ACTIVE agreement sharing each category for each purpose can be recorded", () => {
    expect(consentNotCovered(consent, [agreement()], AT)).toBeNull();
  });

  test.each(notInForce)("under an agreement %s it cannot, and the message says why", (_, over, why) => {
    const problem = consentNotCovered(consent, [agreement(over)], AT);
    expect(problem).toMatchObject({ argument: "input.categories" });
    expect(problem!.message).toMatch(/only under an agreement in force/);
    expect(problem!.message).toMatch(why);
  });

  test("with no agreement sharing the category at all, it names the category", () => {
    expect(consentNotCovered({ ...consent, categories: [C.RISK] }, [agreement()], AT)).toEqual({
      argument: "input.categories",
      message:
        "a consent covers only the recording agency's own data: no agreement has council share RISK with youth",
    });
  });

  test("every purpose must be covered with every category by one agreement in force", () => {
    const problem = consentNotCovered(
      { ...consent, purposes: [P.YOUTH_DIVERSION, P.SAFEGUARDING] },
      [
        agreement(),
        agreement({
          id: "agr-2",
          purposes: [P.SAFEGUARDING],
          status: AgreementStatus.DRAFT,
          approvedByRecipient: false,
        }),
      ],
      AT,
    );
    expect(problem).toMatchObject({ argument: "input.purposes" });
    expect(problem!.message).toMatch(/none has council share ASB_CASE with youth for SAFEGUARDING/);
  });

  test("an agreement the other way round does not count", () => {
    const reversed = agreement({ providerAgencyId: "youth", recipientAgencyId: "council" });
    expect(consentNotCovered(consent, [reversed], AT)).toMatchObject({ argument: "input.categories" });
  });
});

describe("decideAccess with consentRequired (a partner's referral of an under-16)", () => {
  const referral = {
    callerAgencyId: "youth",
    role: Role.PRACTITIONER,
    purpose: P.YOUTH_DIVERSION,
    breakGlass: null,
    ownerAgencyId: "council",
    category: C.ASB_CASE,
    personId: "per-000001",
    aggregate: false,
    consentRequired: true,
    at: AT,
  };

  test("an agreement that shares the category outright is not enough: the consent decides", () => {
    expect(decideAccess(referral, { agreements: [agreement()], consents: [] })).toMatchObject({
      permitted: false,
      reason: "CONSENT_REQUIRED",
      agreementId: "agr-council-youth",
    });
    expect(decideAccess(referral, { agreements: [agreement()], consents: [consent] })).toMatchObject({
      permitted: true,
      basis: "CONSENT",
      agreementId: "agr-council-youth",
      consentId: "con-1",
    });
  });

  test.each(notInForce)("a consent under an agreement %s releases nothing: NO_AGREEMENT", (_, over) => {
    const decision = decideAccess(referral, { agreements: [agreement(over)], consents: [consent] });
    expect(decision).toMatchObject({ permitted: false, reason: "NO_AGREEMENT", consentId: null });
  });

  test("without consentRequired the same agreement shares outright", () => {
    const decision = decideAccess(
      { ...referral, consentRequired: false },
      { agreements: [agreement()], consents: [] },
    );
    expect(decision).toMatchObject({ permitted: true, basis: "AGREEMENT" });
  });
});
