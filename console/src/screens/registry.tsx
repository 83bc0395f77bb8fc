import type { ComponentType } from "react";
import type { Role } from "../generated/enums";
import { Dashboard } from "./analyst/Dashboard";

/**
 * The console's screens: path, title, who may open it. The navigation shows a person only the
 * screens of their role; the graph enforces access whatever is shown. Add a screen here.
 */
export interface Screen {
  path: string;
  title: string;
  roles: readonly Role[];
  component: ComponentType;
}

export const SCREENS: Screen[] = [
  { path: "/dashboard", title: "Neighbourhood dashboard", roles: ["ANALYST"], component: Dashboard },
];

export function screensFor(role: Role): Screen[] {
  return SCREENS.filter((s) => s.roles.includes(role));
}
