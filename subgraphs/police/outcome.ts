/**
 * An incident's outcome: the latest of its outcome history (police.uk outcome files; by month,
 * then by line within a month's file) when it has one, else the street file's Last outcome
 * category. Worked out when read, so an outcome imported before or after its crime counts alike.
 */
export const LATEST_OUTCOME = `coalesce((SELECT o.outcome FROM incident_outcomes o WHERE o.crime_id = i.source_key
  ORDER BY o.month DESC, o.line DESC LIMIT 1), i.outcome)`;
