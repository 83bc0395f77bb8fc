import type { CombinedError } from "urql";
import { apiFieldErrors, type FieldErrors } from "../common/forms";
import type { Problem } from "../../errors/messages";

/**
 * A case-work mutation's answer for its form: messages by argument (no prefix: these take plain
 * arguments, `note`, `reason`, `outcome`), and whatever else the graph said, for the whole form.
 * A refused mutation has its field as path, which is no part of the page to call missing.
 */
export function formErrors(error: CombinedError | undefined): { fields: FieldErrors; problems: Problem[] } {
  const { fields, problems } = apiFieldErrors(error, "");
  return { fields, problems: problems.map((p) => ({ ...p, path: undefined })) };
}

/** What the console checks before sending: a required text, with the message GOV.UK would give. */
export function requiredText(value: string, message: string): string | undefined {
  return value.trim() ? undefined : message;
}

/** The roles a person may have in a case (the graph's CasePersonInput.role). */
export const CASE_PERSON_ROLES = ["VICTIM", "PERPETRATOR", "WITNESS", "COMPLAINANT", "OTHER"] as const;
