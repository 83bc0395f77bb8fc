import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { partnership } from "./server";

runSubgraphProcess(partnership);
