import type { ReactNode } from "react";
import { usePurpose } from "../../purpose/PurposeContext";
import { PURPOSE_NAMES } from "../../purpose/purposes";

/**
 * A person's rights and retention are handled under DATA_PROTECTION only (the graph refuses them
 * under any other purpose, and the purpose opens nothing else): the page asks for the switch
 * rather than sending requests it knows will be refused.
 */
export function UnderDataProtection({ children }: { children: ReactNode }) {
  const { purpose, setPurpose } = usePurpose();
  if (purpose === "DATA_PROTECTION") return <>{children}</>;
  return (
    <div className="govuk-inset-text" data-testid="needs-data-protection">
      <p className="govuk-body">
        This is done under the purpose &ldquo;{PURPOSE_NAMES.DATA_PROTECTION}&rdquo;, which opens nothing
        else: you are working under &ldquo;{PURPOSE_NAMES[purpose]}&rdquo;.
      </p>
      <button type="button" className="govuk-button" onClick={() => setPurpose("DATA_PROTECTION")}>
        Work under data protection
      </button>
    </div>
  );
}
