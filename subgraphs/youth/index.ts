import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { governanceAdapter } from "../shared/access/governance-adapter";
import { youth } from "./server";

runSubgraphProcess(youth, governanceAdapter);
