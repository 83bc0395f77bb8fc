import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { encodeCursor, pageRequest } from "../../shared/connection";
import { Governed } from "../../shared/policy";
import { markNotificationsRead } from "../services/notifications";
import { Notification, NotificationConnection } from "../types";
import type { Context } from "./agency.resolver";

/**
 * The caller's own notifications: to their agency, narrowed to their role or to them
 * (Notification's party rule, applied by the shared enforcement to every one returned).
 */
@Resolver(() => Notification)
export class NotificationResolver {
  @Governed({ personLevel: true })
  @Query(() => NotificationConnection, {
    description:
      "What needs the signed-in user's attention, newest first: notifications to their agency, role or themselves.",
  })
  async notifications(
    @Arg("unreadOnly", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: "Only those the caller has not marked read.",
    })
    unreadOnly: boolean | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the last one already read." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<NotificationConnection> {
    const page = pageRequest(first, after);
    const { nodes, totalCount, unreadCount } = await ctx.loaders.notifications.page(
      ctx.caller,
      unreadOnly ?? false,
      page.offset,
      page.limit,
    );
    const visible = nodes.slice(0, page.limit);
    return Object.assign(new NotificationConnection(), {
      edges: visible.map((node, i) => ({ cursor: encodeCursor(page.offset + i), node })),
      pageInfo: {
        hasNextPage: nodes.length > page.limit,
        endCursor: visible.length ? encodeCursor(page.offset + visible.length - 1) : null,
      },
      totalCount,
      unreadCount,
    });
  }

  @Governed({ personLevel: true })
  @Mutation(() => [Notification], {
    description:
      "Marks the caller's notifications read (for the caller alone). Ids not addressed to the caller are refused together, known or not; nothing is marked then.",
  })
  markNotificationsRead(
    @Arg("ids", () => [ID], { description: "Notification ids." }) ids: string[],
    @Ctx() ctx: Context,
  ): Promise<Notification[]> {
    return markNotificationsRead(ctx.sql, ctx.caller, ids);
  }
}
