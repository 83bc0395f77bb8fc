type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold = ORDER[(process.env.LOG_LEVEL as Level | "silent") ?? "info"] ?? ORDER.info;
if (process.env.NODE_ENV === "test" && !process.env.LOG_LEVEL) threshold = ORDER.silent;

export function setLogLevel(level: Level | "silent"): void {
  threshold = ORDER[level];
}

/** One JSON line per event, so request ids can be followed across services. */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ at: new Date().toISOString(), level, message, ...fields });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}
