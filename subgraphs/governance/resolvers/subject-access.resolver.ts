import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import { Governed } from "../../shared/policy";
import { DATA_PROTECTION_OFFICER } from "../../shared/data-protection";
import type { GovernanceLoaders } from "../loaders";
import { subjectAccessExport } from "../services/subject-access";
import { Agency, Person, SubjectAccessExport } from "../types";
import { auditedAgencyOf } from "./agency.resolver";

type Context = RequestContext<GovernanceLoaders>;

@Resolver(() => SubjectAccessExport)
export class SubjectAccessResolver {
  @Governed(DATA_PROTECTION_OFFICER)
  @Query(() => SubjectAccessExport, {
    description:
      "Subject access: everything the caller's agency holds about a person, and every disclosure of it, as one JSON document. " +
      "Data-sharing officers only, under DATA_PROTECTION, for their own agency's data; the export itself is audited.",
  })
  async subjectAccessExport(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Ctx() ctx: Context,
  ): Promise<SubjectAccessExport> {
    const id = personId.trim();
    if (!id) throw badInput("personId", "must not be empty");
    const result = await subjectAccessExport(ctx, id);
    return Object.assign(new SubjectAccessExport(), {
      generatedAt: result.generatedAt,
      ownerAgencyId: result.ownerAgencyId,
      personId: result.personId,
      recordCount: result.records.length,
      disclosureCount: result.disclosures.length,
      document: result.document,
    });
  }

  @FieldResolver(() => Agency, {
    description: "The controller: the agency whose data this is (the caller's).",
  })
  agency(@Root() exported: SubjectAccessExport, @Ctx() ctx: Context): Promise<Agency> {
    return auditedAgencyOf(ctx, exported.ownerAgencyId);
  }

  @FieldResolver(() => Person, { description: "The person the export is about." })
  person(@Root() exported: SubjectAccessExport): Person {
    return Object.assign(new Person(), { id: exported.personId });
  }
}
