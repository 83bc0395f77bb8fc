import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import type { Purpose } from "../generated/enums";
import { useAuth } from "../auth/AuthContext";
import { defaultPurpose, purposesFor } from "./purposes";

interface PurposeState {
  purpose: Purpose;
  setPurpose(purpose: Purpose): void;
}

const PurposeContext = createContext<PurposeState | null>(null);

/**
 * The purpose every request is sent under (x-purpose). A choice holds for the session it was
 * made in; a new sign-in starts from its role's usual purpose. Worked out as the page renders,
 * so not one request goes under a purpose the person did not see.
 */
export function PurposeProvider({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const role = session?.caller.role ?? "PRACTITIONER";
  const [chosen, setChosen] = useState<{ token: string; purpose: Purpose } | null>(null);
  const purpose =
    chosen && chosen.token === session?.token && purposesFor(role).includes(chosen.purpose)
      ? chosen.purpose
      : defaultPurpose(role);
  const token = session?.token;
  const setPurpose = useCallback((p: Purpose) => token && setChosen({ token, purpose: p }), [token]);
  return <PurposeContext.Provider value={{ purpose, setPurpose }}>{children}</PurposeContext.Provider>;
}

export function usePurpose(): PurposeState {
  const state = useContext(PurposeContext);
  if (!state) throw new Error("usePurpose outside PurposeProvider");
  return state;
}
