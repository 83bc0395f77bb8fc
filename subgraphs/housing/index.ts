import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { housing } from "./server";

runSubgraphProcess(housing);
