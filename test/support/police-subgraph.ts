import { join } from "node:path";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { importPoliceUkFiles } from "../../subgraphs/police/importer";
import { seedPolice } from "../../subgraphs/police/seed";
import { police } from "../../subgraphs/police/server";
import { DATA_DIR, type DemoPerson } from "../../subgraphs/shared/demo/world";
import { startTestSubgraph, type TestSubgraph } from "./subgraph";

/** The police subgraph alone over the small demo (police.uk months included), with its governance store. */
export function startPoliceSubgraph(people: DemoPerson[]): Promise<TestSubgraph> {
  return startTestSubgraph(
    police,
    async (sql) => {
      await importPoliceUkFiles(sql, [join(DATA_DIR, "police-uk")]);
      await seedPolice(sql, { seed: 42, scale: "small", people });
    },
    { policy: (sql) => seedGovernance(sql, { seed: 42, scale: "small", people }) },
  );
}
