import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { police } from "./server";

runSubgraphProcess(police);
