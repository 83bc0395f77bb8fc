import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import type { HousingLoaders } from "../loaders";
import { HousingReport, Property } from "../types";

@Resolver(() => HousingReport)
export class HousingReportResolver {
  @FieldResolver(() => Property, { description: "The home the tenant reported from." })
  async property(
    @Root() report: HousingReport,
    @Ctx() ctx: RequestContext<HousingLoaders>,
  ): Promise<Property> {
    const property = await ctx.loaders.propertyById.load(report.propertyId);
    // The foreign key guarantees the row; a miss means the store is broken, not the request.
    if (!property) throw new Error(`housing report ${report.id} has no property`);
    return property;
  }
}
