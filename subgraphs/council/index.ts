import "../shared/telemetry-register";
import "reflect-metadata";
import { runSubgraphProcess } from "../shared/run";
import { council } from "./server";

runSubgraphProcess(council);
