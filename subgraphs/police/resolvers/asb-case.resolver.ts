import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import { addMonths, monthOf } from "../../shared/months";
import type { PoliceLoaders } from "../loaders";
import { AsbCase, Incident, IncidentConnection } from "../types";

/** Police answer for the council's cases: the council never reads police tables. */
@Resolver(() => AsbCase)
export class AsbCaseNearbyIncidentsResolver {
  @Directive('@requires(fields: "location { latitude longitude } openedAt")')
  @FieldResolver(() => IncidentConnection, {
    nullable: true,
    description:
      "Police incidents recorded within a radius of the case and a number of months either side of its opening.",
  })
  async nearbyIncidents(
    @Root() asbCase: AsbCase,
    @Arg("radiusMetres", () => Int, { description: "Distance from the case location (1 to 5000)." })
    radiusMetres: number,
    @Arg("monthsEitherSide", () => Int, { description: "Months before and after the case opened (0 to 24)." })
    monthsEitherSide: number,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: RequestContext<PoliceLoaders>,
  ): Promise<Connection<Incident>> {
    if (!Number.isInteger(radiusMetres) || radiusMetres < 1 || radiusMetres > 5000) {
      throw badInput("radiusMetres", "must be between 1 and 5000");
    }
    if (!Number.isInteger(monthsEitherSide) || monthsEitherSide < 0 || monthsEitherSide > 24) {
      throw badInput("monthsEitherSide", "must be between 0 and 24");
    }
    const page = pageRequest(first, after);
    const latitude = asbCase.location?.latitude;
    const longitude = asbCase.location?.longitude;
    if (latitude == null || longitude == null) return { ...toConnection([], 0, page), cellKey: 0 };
    const opened = monthOf(asbCase.openedAt);
    const result = await ctx.loaders.nearbyIncidents.load({
      caseId: asbCase.id,
      latitude,
      longitude,
      radiusMetres,
      fromMonth: addMonths(opened, -monthsEitherSide),
      toMonth: addMonths(opened, monthsEitherSide),
      ...page,
    });
    return { ...toConnection(result.items, result.totalCount, page), cellKey: result.cellKey };
  }
}
