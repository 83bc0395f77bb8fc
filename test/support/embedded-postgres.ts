import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./processes";

export interface OwnPostgres {
  /** The server's admin URL (user postgres). */
  url: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/** Starts a fresh PostgreSQL with default settings in `dir` (see embedded-postgres-process.ts). */
export async function startOwnPostgres(dir: string): Promise<OwnPostgres> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["-r", "@swc-node/register", join(__dirname, "embedded-postgres-process.ts")],
    {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^listening (\S+)$/m.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`embedded PostgreSQL exited (${code}):\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
