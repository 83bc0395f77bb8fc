import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { Purpose } from "../generated/enums";
import { useAuth } from "../auth/AuthContext";
import { defaultPurpose, purposesFor } from "./purposes";

interface PurposeState {
  purpose: Purpose;
  setPurpose(purpose: Purpose): void;
}

const PurposeContext = createContext<PurposeState | null>(null);

/** The purpose every request is sent under (x-purpose); it follows the signed-in role. */
export function PurposeProvider({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const role = session?.caller.role ?? "PRACTITIONER";
  const [purpose, setPurpose] = useState<Purpose>(defaultPurpose(role));
  useEffect(() => {
    if (!purposesFor(role).includes(purpose)) setPurpose(defaultPurpose(role));
  }, [role, purpose]);
  return <PurposeContext.Provider value={{ purpose, setPurpose }}>{children}</PurposeContext.Provider>;
}

export function usePurpose(): PurposeState {
  const state = useContext(PurposeContext);
  if (!state) throw new Error("usePurpose outside PurposeProvider");
  return state;
}
