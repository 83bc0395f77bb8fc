import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { governanceAdapter } from "../shared/access/governance-adapter";
import { police } from "./server";

runSubgraphProcess(police, governanceAdapter);
