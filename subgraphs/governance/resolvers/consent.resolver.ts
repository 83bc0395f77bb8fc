import { Governed } from "../../shared/policy";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Resolver, Root } from "type-graphql";
import { Role } from "../../shared/enums";
import { consentStateAt } from "../../shared/facts";
import { notFound } from "../../shared/errors";
import { actingFrom } from "../services/acting";
import { recordConsent, withdrawConsent } from "../services/consents";
import { Agency, Consent, ConsentStatus, Person, RecordConsentInput } from "../types";
import { agencyOf, type Context } from "./agency.resolver";

/** Withdrawal wins over expiry; both are judged at the time of the request. */
export function consentStatusAt(
  consent: Pick<Consent, "withdrawnAt" | "expiresAt">,
  at: Date,
): ConsentStatus {
  const state = consentStateAt(consent, at);
  return state === "NOT_YET_GIVEN" ? ConsentStatus.ACTIVE : ConsentStatus[state];
}

async function freshConsent(ctx: Context, id: string): Promise<Consent> {
  ctx.loaders.consentById.clear(id);
  const consent = await ctx.loaders.consentById.load(id);
  if (!consent) throw notFound(`consent ${id}`);
  return consent;
}

@Resolver(() => Consent)
export class ConsentResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Mutation(() => Consent, {
    description:
      "Records a person's consent to share the caller's agency's data (a data-sharing officer of the agency that holds it) " +
      "with another agency; it covers no other agency's data. The person must be in the people index; someone under 13 " +
      "when it was given must have had it given by PARENT_OR_GUARDIAN.",
  })
  async recordConsent(
    @Arg("input", () => RecordConsentInput, { description: "The consent as given." })
    input: RecordConsentInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Consent> {
    const id = await recordConsent(ctx.sql, actingFrom(ctx, info), input);
    return freshConsent(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Mutation(() => Consent, {
    description:
      "Withdraws a consent (a data-sharing officer of the providing or recipient agency); sharing under it stops from the next request.",
  })
  async withdrawConsent(
    @Arg("id", () => ID, { description: "Consent id." }) id: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Consent> {
    await withdrawConsent(ctx.sql, actingFrom(ctx, info), id);
    return freshConsent(ctx, id);
  }

  @FieldResolver(() => ConsentStatus, {
    description: "Where it stands now: expiry is judged at the time of the request.",
  })
  status(@Root() consent: Consent): ConsentStatus {
    return consentStatusAt(consent, new Date());
  }

  @FieldResolver(() => Person, { description: "Whose consent it is." })
  person(@Root() consent: Consent): Person {
    return Object.assign(new Person(), { id: consent.personId });
  }

  @FieldResolver(() => Agency, { description: "The agency the data may be shared with." })
  recipient(@Root() consent: Consent, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, consent.recipientAgencyId);
  }

  @FieldResolver(() => Agency, { description: "The agency that recorded it." })
  recordedByAgency(@Root() consent: Consent, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, consent.recordedByAgencyId);
  }
}

@Resolver(() => Person)
export class PersonConsentsResolver {
  @FieldResolver(() => [Consent], {
    nullable: true,
    description:
      "The person's consents that concern the caller's agency (covering its data or given to it), oldest first. " +
      "For practitioners and data-sharing officers; analysts reach no person-level data.",
  })
  async consents(@Root() person: Person, @Ctx() ctx: Context): Promise<Consent[]> {
    // Only those that concern the caller's agency: the Consent type's party rule, applied by the enforcement.
    return ctx.loaders.consentsByPerson.load(person.id);
  }
}
