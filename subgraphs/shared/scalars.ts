import { DateResolver, DateTimeResolver } from "graphql-scalars";

/** `DateTime`: an ISO-8601 instant, as the contract's inputs use. */
export const DateTime = DateTimeResolver;
/** `Date`: a calendar date, YYYY-MM-DD. */
export const CalendarDate = DateResolver;
