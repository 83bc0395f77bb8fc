import type { Role } from "../generated/enums";

/** The demo partnership's agencies (what `npm start` seeds). */
export const DEMO_AGENCIES = [
  { id: "police", name: "City Police" },
  { id: "council", name: "City Council Community Safety" },
  { id: "youth", name: "Schools and Youth Services" },
  { id: "housing", name: "City Homes Housing" },
] as const;

/** A suggested user per agency and role; any user id is accepted in development. */
export const DEMO_USERS: Record<string, Record<Role, string>> = {
  police: { PRACTITIONER: "pc.smith", DATA_SHARING_OFFICER: "dso.police", ANALYST: "analyst.police" },
  council: { PRACTITIONER: "asb.officer", DATA_SHARING_OFFICER: "dso.council", ANALYST: "analyst.council" },
  youth: { PRACTITIONER: "youth.worker", DATA_SHARING_OFFICER: "dso.youth", ANALYST: "analyst.youth" },
  housing: {
    PRACTITIONER: "housing.officer",
    DATA_SHARING_OFFICER: "dso.housing",
    ANALYST: "analyst.housing",
  },
};
