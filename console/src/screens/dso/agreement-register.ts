import type { AgreementStatus, Purpose } from "../../generated/enums";
import { daysBetween } from "../common/words";

export interface RegisterRow {
  status: AgreementStatus;
  provider: { id: string };
  recipient: { id: string };
  purposes: readonly Purpose[];
  reviewDate: string;
}

/**
 * A review date passed, or due within `withinDays` (30 unless chosen), is highlighted (expired,
 * revoked and superseded ones are done with).
 */
export function reviewFlag(
  row: Pick<RegisterRow, "status" | "reviewDate">,
  today: string,
  withinDays = 30,
): { kind: "overdue" | "due"; text: string } | null {
  if (row.status === "REVOKED" || row.status === "EXPIRED" || row.status === "SUPERSEDED") return null;
  const days = daysBetween(today, row.reviewDate);
  if (days < 0) return { kind: "overdue", text: `Review overdue by ${-days} day${days === -1 ? "" : "s"}` };
  if (days <= withinDays)
    return {
      kind: "due",
      text: days === 0 ? "Review due today" : `Review due in ${days} day${days === 1 ? "" : "s"}`,
    };
  return null;
}

/** The register's filters beyond status (which the graph applies): partner agency and purpose. */
export function filterRegister<T extends RegisterRow>(
  rows: readonly T[],
  partner: string,
  purpose: string,
): T[] {
  return rows.filter(
    (r) =>
      (!partner || r.provider.id === partner || r.recipient.id === partner) &&
      (!purpose || r.purposes.includes(purpose as Purpose)),
  );
}
