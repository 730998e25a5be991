import type { ComponentType } from "preact";
import type { MessageKey } from "./i18n/index.js";
import { AgentsPage } from "./pages/agents.js";
import { FaultsPage } from "./pages/faults.js";
import { InspectionsPage } from "./pages/inspections.js";
import { MaintenancePage } from "./pages/maintenance.js";
import { ReportsPage } from "./pages/reports.js";
import { TargetsPage } from "./pages/targets.js";
import type { Role } from "./session.js";

export interface Page {
  /** Path under /console, e.g. "faults" → /console/faults. */
  path: string;
  nav: MessageKey;
  /** Least role that sees the page. */
  role: Role;
  component: ComponentType;
}

// The console's pages in menu order. Add a page here.
export const pages: Page[] = [
  { path: "faults", nav: "nav.faults", role: "viewer", component: FaultsPage },
  { path: "maintenance", nav: "nav.maintenance", role: "viewer", component: MaintenancePage },
  { path: "inspections", nav: "nav.inspections", role: "viewer", component: InspectionsPage },
  { path: "targets", nav: "targets.nav", role: "viewer", component: TargetsPage },
  { path: "agents", nav: "agents.nav", role: "viewer", component: AgentsPage },
  { path: "reports", nav: "reports.nav", role: "viewer", component: ReportsPage },
];
