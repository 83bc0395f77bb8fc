import { useAuth } from "../auth/AuthContext";
import { usePurpose } from "./PurposeContext";
import { PURPOSE_NAMES, purposesFor } from "./purposes";

/**
 * Always on screen while signed in: the purpose the person is working under, and every other
 * purpose their role may use one click away.
 */
export function PurposeBar() {
  const { session } = useAuth();
  const { purpose, setPurpose } = usePurpose();
  if (!session) return null;
  const others = purposesFor(session.caller.role).filter((p) => p !== purpose);
  return (
    <section className="console-purpose" aria-label="Purpose">
      <p className="govuk-body govuk-!-margin-bottom-1" data-testid="current-purpose">
        You are working for the purpose: <strong className="govuk-tag">{PURPOSE_NAMES[purpose]}</strong>
      </p>
      {others.length > 0 ? (
        <div className="govuk-button-group govuk-!-margin-bottom-0">
          {others.map((p) => (
            <button
              key={p}
              type="button"
              className="govuk-button govuk-button--secondary govuk-!-margin-bottom-1 console-purpose__switch"
              onClick={() => setPurpose(p)}
            >
              Switch to {PURPOSE_NAMES[p]}
            </button>
          ))}
        </div>
      ) : (
        <p className="govuk-body-s govuk-!-margin-bottom-0">Your role works under this purpose only.</p>
      )}
    </section>
  );
}
