import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { governanceAdapter } from "./adapter";
import { governance } from "./server";

runSubgraphProcess(governance, governanceAdapter);
