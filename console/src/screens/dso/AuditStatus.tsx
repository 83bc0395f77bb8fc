import { useQuery } from "urql";
import { ConsoleAuditChainStatusDocument } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { when } from "../common/words";

/**
 * The audit chain's status as `npm run audit:verify` last recorded it. Loading this page never
 * recomputes the chain (that reads every record); it reads the last verdict.
 */
export function AuditStatus() {
  const [result] = useQuery({ query: ConsoleAuditChainStatusDocument });
  const status = result.data?.auditChainStatus;
  const problems = result.error ? describeCombinedError(result.error) : [];
  return (
    <>
      <h1 className="govuk-heading-l">Audit chain</h1>
      <p className="govuk-body">
        Every disclosure and refusal is recorded in a hash-chained, append-only log. An operator verifies the
        whole chain with <code>npm run audit:verify</code>; its last verdict is shown here.
      </p>
      <Problems problems={problems} />
      {status ? (
        <>
          {status.lastVerifiedAt === null || status.lastVerifiedAt === undefined ? (
            <div className="govuk-warning-text" data-testid="audit-status">
              <span className="govuk-warning-text__icon" aria-hidden="true">
                !
              </span>
              <strong className="govuk-warning-text__text">
                <span className="govuk-visually-hidden">Warning</span>
                The chain has never been verified. Ask your operator to run the verification.
              </strong>
            </div>
          ) : status.intact ? (
            <div
              className="govuk-panel govuk-panel--confirmation console-panel-small"
              data-testid="audit-status"
            >
              <h2 className="govuk-panel__title">Intact</h2>
              <div className="govuk-panel__body">
                {status.checked} records verified on {when(status.lastVerifiedAt)}
              </div>
            </div>
          ) : (
            <div className="govuk-error-summary" data-testid="audit-status">
              <h2 className="govuk-error-summary__title">Broken at record {status.firstBrokenRecord}</h2>
              <div className="govuk-error-summary__body">
                <p className="govuk-body">
                  Found on {when(status.lastVerifiedAt)}: {status.reason}. {status.checked} records before it
                  verified. Tell your information governance lead: the log was altered outside the service.
                </p>
              </div>
            </div>
          )}
          <p className="govuk-body">The log holds {status.records} records now.</p>
        </>
      ) : null}
    </>
  );
}
