import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { youth } from "./server";

runSubgraphProcess(youth);
