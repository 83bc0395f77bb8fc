import { DateResolver, DateTimeResolver, JSONResolver } from "graphql-scalars";

/** `DateTime`: an ISO-8601 instant, as the contract's inputs use. */
export const DateTime = DateTimeResolver;
/** `Date`: a calendar date, YYYY-MM-DD. */
export const CalendarDate = DateResolver;
/** `JSON`: a JSON value, for documents whose structure is documented and versioned (a subject access export). */
export const JSONValue = JSONResolver;
