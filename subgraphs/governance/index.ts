import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { governance } from "./server";

runSubgraphProcess(governance);
