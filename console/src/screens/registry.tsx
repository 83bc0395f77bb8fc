import type { ComponentType } from "react";
import type { Role } from "../generated/enums";
import { Dashboard } from "./analyst/Dashboard";
import { AgreementDetail } from "./dso/AgreementDetail";
import { Agreements } from "./dso/Agreements";
import { AuditStatus } from "./dso/AuditStatus";
import { BreakGlass } from "./dso/BreakGlass";
import { Consents } from "./dso/Consents";
import { Disclosures } from "./dso/Disclosures";
import { Explain } from "./dso/Explain";
import { PersonRights } from "./dso/PersonRights";
import { ProposeAgreement } from "./dso/ProposeAgreement";
import { Retention } from "./dso/Retention";
import { PersonPage } from "./people/PersonPage";
import { CaseBoard } from "./practitioner/CaseBoard";
import { MyAgencyActions } from "./practitioner/MyAgencyActions";
import { MyCases } from "./practitioner/MyCases";
import { OpenCase } from "./practitioner/OpenCase";
import { VictimRisk } from "./practitioner/VictimRisk";
import { NOTIFIED_ROLES, Notifications } from "./Notifications";

/**
 * The console's screens: path, title, who may open it. The navigation shows a person only the
 * screens of their role; the graph enforces access whatever is shown. Add a screen here.
 */
export interface Screen {
  path: string;
  title: string;
  roles: readonly Role[];
  component: ComponentType;
  /** A page reached from another (a detail, a form), not listed in the navigation. */
  inNavigation?: false;
}

const DSO: readonly Role[] = ["DATA_SHARING_OFFICER"];
const PRACTITIONER: readonly Role[] = ["PRACTITIONER"];

export const SCREENS: Screen[] = [
  { path: "/dashboard", title: "Neighbourhood dashboard", roles: ["ANALYST"], component: Dashboard },
  { path: "/cases", title: "Cases", roles: PRACTITIONER, component: MyCases },
  {
    path: "/cases/open",
    title: "Open a case",
    roles: PRACTITIONER,
    component: OpenCase,
    inNavigation: false,
  },
  { path: "/case", title: "Case board", roles: PRACTITIONER, component: CaseBoard, inNavigation: false },
  {
    path: "/case/risk",
    title: "Victim risk",
    roles: PRACTITIONER,
    component: VictimRisk,
    inNavigation: false,
  },
  { path: "/my-actions", title: "My agency's actions", roles: PRACTITIONER, component: MyAgencyActions },
  {
    path: "/person",
    title: "People",
    roles: ["PRACTITIONER", "DATA_SHARING_OFFICER"],
    component: PersonPage,
  },
  { path: "/agreements", title: "Agreements", roles: DSO, component: Agreements },
  {
    path: "/agreements/propose",
    title: "Propose an agreement",
    roles: DSO,
    component: ProposeAgreement,
    inNavigation: false,
  },
  { path: "/agreement", title: "Agreement", roles: DSO, component: AgreementDetail, inNavigation: false },
  { path: "/consents", title: "Consents", roles: DSO, component: Consents },
  { path: "/break-glass", title: "Break-glass review", roles: DSO, component: BreakGlass },
  { path: "/disclosures", title: "Disclosures", roles: DSO, component: Disclosures },
  { path: "/explain", title: "Why can't they see it?", roles: DSO, component: Explain },
  { path: "/audit", title: "Audit chain", roles: DSO, component: AuditStatus },
  {
    path: "/notifications",
    title: "Notifications",
    roles: NOTIFIED_ROLES,
    component: Notifications,
    inNavigation: false,
  },
  { path: "/rights", title: "A person's rights", roles: DSO, component: PersonRights },
  { path: "/retention", title: "Retention", roles: DSO, component: Retention },
];

export function screensFor(role: Role): Screen[] {
  return SCREENS.filter((s) => s.roles.includes(role) && s.inNavigation !== false);
}
