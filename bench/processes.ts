import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const ROOT = join(__dirname, "..");
export const LOG_DIR = join(__dirname, ".cache", "logs");

/** A service the bench started as its own process, so it has its own peak RSS. */
export interface Service {
  name: string;
  port: number;
  /** Where it says it is ready (200). */
  readyUrl: string;
  child: ChildProcess;
  logFile: string;
}

const running = new Set<Service>();
let exitHook = false;

/** Starts `args` under this Node binary, its output going to bench/.cache/logs/<name>.log. */
export function startService(options: {
  name: string;
  port: number;
  args: string[];
  env: NodeJS.ProcessEnv;
  readyPath: string;
}): Service {
  if (!exitHook) {
    exitHook = true;
    // Whatever ends the harness, no service is left behind ("exit" handlers must be synchronous).
    process.once("exit", () => running.forEach((s) => s.child.kill("SIGKILL")));
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${options.name}.log`);
  const log = createWriteStream(logFile);
  // BENCH_NODE_ARGS (say "--cpu-prof --cpu-prof-dir=/tmp/prof") reaches every service: Node
  // refuses profiling flags in NODE_OPTIONS.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...options.args], {
    cwd: ROOT,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const service: Service = {
    name: options.name,
    port: options.port,
    readyUrl: `http://127.0.0.1:${options.port}${options.readyPath}`,
    child,
    logFile,
  };
  running.add(service);
  child.once("exit", () => running.delete(service));
  return service;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

/** Polls every service's ready URL until all answer 200; fails on the first that exits. */
export async function waitUntilReady(services: Service[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(services);
  while (pending.size) {
    for (const service of [...pending]) {
      const { child } = service;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${service.name} exited (${child.exitCode ?? child.signalCode}) before it was ready; ${service.logFile}:\n${tail(service.logFile)}`,
        );
      }
      const response = await fetch(service.readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(
        () => null,
      );
      if (response?.ok) pending.delete(service);
    }
    if (!pending.size) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((s) => `${s.name} (${s.readyUrl}; ${s.logFile})`).join(", ");
      throw new Error(`not ready within ${timeoutMs / 1000} s: ${names}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Ends every service still running: SIGTERM, then SIGKILL after 5 s (60 s when profiled). */
export function stopAll(): Promise<void> {
  return stopServices([...running]);
}

/**
 * How long a service has to exit after SIGTERM before SIGKILL. A profiled one writes its profile
 * as it exits, after its own shutdown grace (up to 20 s): killed sooner, it writes none.
 */
function exitGraceMs(): number {
  const args = process.env.BENCH_NODE_ARGS ?? "";
  return /--(cpu|heap)-prof/.test(args) ? 60_000 : 5_000;
}

/** Ends these services: SIGTERM, then SIGKILL after 5 s (60 s when profiled). */
export async function stopServices(services: Service[]): Promise<void> {
  // Once each: setups share services, and a second SIGTERM kills a service mid-shutdown (the
  // signal's default action), before a profiled one has written its profile.
  const children = new Set(services.map((s) => s.child));
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), exitGraceMs());
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Fails clearly when a port the bench needs is taken (another bench, another service). */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", () => reject(new Error(`port ${port} is in use; the bench needs 4100-4120 free`)));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve()));
  });
}

/** The process and every process it started (a router may fork workers). */
function processTree(pid: number): number[] {
  const pids = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/).map(Number) : []) pids.push(...processTree(child));
    }
  } catch {
    // Gone, or not Linux: what was found is what there is.
  }
  return pids;
}

function statusField(pid: number, field: string): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(
      new RegExp(`^${field}:\\s+(\\d+) kB`, "m"),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Peak resident memory (VmHWM) of a service's processes, in MB. */
export function peakRssMb(service: Service): number {
  const pid = service.child.pid;
  if (!pid) return 0;
  const kb = processTree(pid).reduce((sum, p) => sum + statusField(p, "VmHWM"), 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * Resets a service's peak RSS to its current RSS (Linux: "5" to /proc/<pid>/clear_refs), so the
 * next reading is the peak of the next run alone. False when the kernel refuses.
 */
export function resetPeakRss(service: Service): boolean {
  const pid = service.child.pid;
  if (!pid) return false;
  try {
    for (const p of processTree(pid)) writeFileSync(`/proc/${p}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ: 100 on every Linux that matters here). */
const TICKS_PER_S = 100;

/**
 * CPU time (user + system) a process has used, in ms; 0 once it is gone. With `reaped`, also the
 * time of its children that have exited (a PostgreSQL backend that closes hands its time to the
 * postmaster this way, so the server's total never goes backwards).
 */
function cpuMsOf(pid: number, reaped = false): number {
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    // utime, stime, cutime, cstime are fields 14-17 of the whole line, 12-15 after the name.
    const ticks = fields[11] + fields[12] + (reaped ? fields[13] + fields[14] : 0);
    return (ticks * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** CPU time used so far by a service's processes, in ms. */
export function serviceCpuMs(service: Service): number {
  const pid = service.child.pid;
  return pid ? processTree(pid).reduce((sum, p) => sum + cpuMsOf(p), 0) : 0;
}

/**
 * CPU time used so far by every PostgreSQL process on the machine, in ms: the bench database's
 * server and backends (any other cluster here is idle while the bench runs).
 */
export function postgresCpuMs(): number {
  let sum = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres")
        sum += cpuMsOf(Number(entry), true);
    } catch {
      // Exited while we looked.
    }
  }
  return sum;
}

/**
 * CPU time used so far by one PostgreSQL server, in ms: its postmaster, every process it runs now
 * (backends, checkpointer, WAL writer, autovacuum) and those that have exited (their time is the
 * postmaster's once reaped). Only that server's, unlike postgresCpuMs: the machine may run others.
 */
export function serverCpuMs(postmasterPid: number): number {
  const [postmaster, ...children] = processTree(postmasterPid);
  return cpuMsOf(postmaster, true) + children.reduce((sum, p) => sum + cpuMsOf(p), 0);
}
