import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import type { HousingLoaders } from "../loaders";
import { OccupantRole, Property, Tenancy, TenancyAction, TenancyOccupant, personRef } from "../types";

type Context = RequestContext<HousingLoaders>;

@Resolver(() => Tenancy)
export class TenancyResolver {
  @Query(() => Tenancy, {
    nullable: true,
    description: "One tenancy by id; null when housing holds none with that id.",
  })
  tenancy(
    @Arg("id", () => ID, { description: "Tenancy id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Tenancy | null> {
    return ctx.loaders.tenancyById.load(id);
  }

  @FieldResolver(() => Property, { description: "The home the tenancy is of." })
  async property(@Root() tenancy: Tenancy, @Ctx() ctx: Context): Promise<Property> {
    const property = await ctx.loaders.propertyById.load(tenancy.propertyId);
    // The foreign key guarantees the row; a miss means the store is broken, not the request.
    if (!property) throw new Error(`tenancy ${tenancy.id} has no property`);
    return property;
  }

  @FieldResolver(() => [TenancyOccupant], {
    description: "Who lives there: tenants first, then household members.",
  })
  async occupants(@Root() tenancy: Tenancy, @Ctx() ctx: Context): Promise<TenancyOccupant[]> {
    const rows = await ctx.loaders.occupantsByTenancy.load(tenancy.id);
    return rows.map((r) =>
      Object.assign(new TenancyOccupant(), { role: r.role as OccupantRole, person: personRef(r.personId) }),
    );
  }

  @FieldResolver(() => [TenancyAction], {
    description: "Warnings, notices, orders and support on the tenancy, oldest first.",
  })
  actions(@Root() tenancy: Tenancy, @Ctx() ctx: Context): Promise<TenancyAction[]> {
    return ctx.loaders.actionsByTenancy.load(tenancy.id);
  }
}
