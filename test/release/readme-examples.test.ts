import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";

/**
 * Every example of the README, in order, as a newcomer runs them: `npm start` (the real one, on
 * free ports, with its embedded PostgreSQL in a folder of its own), then each fenced block in turn.
 *
 * - ```sh blocks run in one bash session, so a variable or function one block sets is there for
 *   the next, from the repository's folder. A block fails when a command in it fails, when an
 *   answer carries `errors` the README does not show, or when its output lacks a `# → ...` result
 *   the README gives for it.
 * - ```graphql blocks (what GraphiQL is given) run with the token and purpose their first line
 *   names (`# As <agency> <ROLE>, x-purpose: <PURPOSE>; variables: {...}`), the token from
 *   `npm run --silent token` as the README says.
 * - a ```json block is the answer of the block before it: some object of the real answer must hold
 *   every key it shows with the value it shows (`…` stands for any text; arrays as long).
 * - the untyped block is what `npm start` prints: each line must be in its output.
 * - a block after `<!-- not run: <reason> -->` is skipped (jest lists it as skipped, with the
 *   reason); a json block after `<!-- numbers vary: <reason> -->` is compared without its numbers.
 *
 * The one liberty taken: the demo listens on free ports, so `localhost:4000` in a block is
 * replaced by the gateway's port before it runs (and `127.0.0.1:54329` by its database's). The shell gets the demo's EMBEDDED_PG_DIR and
 * EMBEDDED_PG_PORT, by which `npm run audit:verify` finds the running demo's server as it does in
 * a newcomer's clone (.data/postgres).
 * (test/release/graphiql-browser.test.ts runs the first call in GraphiQL too.)
 */

const ROOT = join(__dirname, "..", "..");
const README = join(ROOT, "README.md");
/**
 * Blocks the README may mark as not run; a new one needs a reason good enough to raise this. The
 * last two (making the case review count service's keys for compose and for Kubernetes) need a
 * compose `.env` or a cluster; test/release/image-recipe.test.ts runs the keys script into an env
 * file and validates compose with it instead.
 */
const MAX_NOT_RUN = 9;

interface Block {
  index: number;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  notRun?: string;
  numbersVary?: string;
}

/** The README's fenced blocks in order, each with the marker comment just before it, if any. */
function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let marker: { kind: string; reason: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const comment = /^\s*<!-- (not run|numbers vary): (.+?) -->\s*$/.exec(lines[i]);
    if (comment) {
      marker = { kind: comment[1], reason: comment[2], line: i + 1 };
      continue;
    }
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!fence) {
      if (lines[i].trim() && marker)
        throw new Error(`README line ${marker.line}: "${marker.kind}" is not just before a block`);
      continue;
    }
    const indent = fence[1].length;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(indent));
    blocks.push({
      index: blocks.length + 1,
      line: i - body.length,
      lang: fence[2],
      text: body.join("\n"),
      notRun: marker?.kind === "not run" ? marker.reason : undefined,
      numbersVary: marker?.kind === "numbers vary" ? marker.reason : undefined,
    });
    marker = undefined;
  }
  return blocks;
}

/** `…` stands for any text on one line; the rest is literal. */
function pattern(expected: string, whole: boolean): RegExp {
  const source = expected
    .split("…")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^\\n]*?");
  return new RegExp(whole ? `^${source}$` : source);
}

/** Whether `actual` holds everything `expected` shows (keys, values, array lengths). */
function holds(actual: unknown, expected: unknown, numbersVary = false): boolean {
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => holds(actual[i], e, numbersVary))
    );
  if (expected !== null && typeof expected === "object")
    return (
      actual !== null &&
      typeof actual === "object" &&
      !Array.isArray(actual) &&
      Object.entries(expected).every(
        ([key, value]) =>
          key in actual && holds((actual as Record<string, unknown>)[key], value, numbersVary),
      )
    );
  if (typeof expected === "string") return typeof actual === "string" && pattern(expected, true).test(actual);
  if (typeof expected === "number" && numbersVary) return typeof actual === "number";
  return actual === expected;
}

/** Whether the answer, or any object or array within it, holds what the README shows. */
function somewhereHolds(answer: unknown, expected: unknown, numbersVary = false): boolean {
  if (holds(answer, expected, numbersVary)) return true;
  if (answer === null || typeof answer !== "object") return false;
  return Object.values(answer).some((value) => somewhereHolds(value, expected, numbersVary));
}

/** The `# → ...` results a shell block gives, in order. */
function promisedResults(text: string): string[] {
  return [...text.matchAll(/#\s*→\s*(.+?)\s*$/gm)].map((m) => m[1]);
}

/** The JSON answers in a block's output: every line that parses as a JSON object. */
function answersIn(output: string): unknown[] {
  const answers: unknown[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      answers.push(JSON.parse(line));
    } catch {
      // Not JSON after all: prose that starts with a brace.
    }
  }
  return answers;
}

/** One bash session: each block is sourced in turn, so what it defines stays for the next. */
class Shell {
  private readonly child: ChildProcess;
  private output = "";
  private readonly dir = mkdtempSync(join(tmpdir(), "readme-shell-"));
  private count = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn("bash", ["--noprofile", "--norc"], {
      cwd: ROOT,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString("utf8"));
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
    // A failing command anywhere (pipelines whole, functions and substitutions included) is reported.
    this.child.stdin!.write(`set -E -o pipefail\ntrap 'echo "@@failed (exit $?): $BASH_COMMAND"' ERR\n`);
  }

  /** Runs a block; its output (stdout and stderr) and whether a command in it failed. */
  async run(text: string, timeoutMs = 120_000): Promise<{ output: string; failed: boolean }> {
    const file = join(this.dir, `block-${++this.count}.sh`);
    writeFileSync(file, `${text}\n`);
    const end = `@@end-${this.count}`;
    const start = this.output.length;
    this.child.stdin!.write(`source ${file} 2>&1 </dev/null\necho ${end}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(end, start)) {
      if (this.child.exitCode !== null) throw new Error(`bash exited:\n${this.output.slice(start)}`);
      if (Date.now() > deadline)
        throw new Error(`no end within ${timeoutMs} ms:\n${this.output.slice(start)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const output = this.output.slice(start, this.output.indexOf(end, start));
    return { output, failed: output.includes("@@failed") };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.end();
    this.child.kill("SIGKILL");
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The shell checks of one block's output, as messages; none when the block did as the README says. */
function shellProblems(block: Block, output: string, failed: boolean, next: Block | undefined): string[] {
  const problems: string[] = [];
  if (failed) problems.push("a command failed");
  const results = promisedResults(block.text);
  const errorsShown =
    results.some((r) => r.includes('"errors"')) ||
    (next?.lang === "json" && !next.notRun && next.text.includes('"errors"'));
  if (!errorsShown && /"errors":\s*\[/.test(output)) problems.push("an answer carries errors");
  let from = 0;
  for (const result of results) {
    const match = pattern(result, false).exec(output.slice(from));
    if (!match) problems.push(`no "${result}" in its output`);
    else from += match.index + match[0].length;
  }
  return problems;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const describeBlock = (b: Block) =>
  `README block ${b.index} (line ${b.line}, ${b.lang || "output"}): ${
    b.lang === "json" && !b.notRun ? `the answer of block ${b.index - 1}` : b.text.split("\n")[0].slice(0, 70)
  }`;

describe("the runner itself", () => {
  test("notices a failing command, an errors array and a result that is not there", async () => {
    const shell = new Shell({ PATH: process.env.PATH });
    try {
      const block = (text: string): Block => ({ index: 0, line: 0, lang: "sh", text });
      const failing = await shell.run("X=$(false | cat)\necho after");
      expect(shellProblems(block(""), failing.output, failing.failed, undefined)).toEqual([
        "a command failed",
      ]);
      const kept = await shell.run("Y=kept");
      expect(kept.failed).toBe(false);
      const errors = await shell.run(`echo '{"errors":[{"message":"x"}],"data":null}'; echo "$Y"`);
      expect(errors.output).toContain("kept");
      expect(shellProblems(block("echo"), errors.output, errors.failed, undefined)).toEqual([
        "an answer carries errors",
      ]);
      const text =
        'echo "audit chain intact: 12 records verified"  # → audit chain intact: … records verified';
      const ok = await shell.run(text);
      expect(shellProblems(block(text), ok.output, ok.failed, undefined)).toEqual([]);
      expect(shellProblems(block(text.replace("12 records", "")), "", false, undefined)).toEqual([
        'no "audit chain intact: … records verified" in its output',
      ]);
    } finally {
      await shell.stop();
    }
  });

  test("a json block holds when the answer has every key and value it shows", () => {
    const answer = { data: { board: { stage: "ANALYSIS", actions: [{ dueOn: "2026-12-13" }], n: 3 } } };
    expect(somewhereHolds(answer, { stage: "ANALYSIS", actions: [{ dueOn: "…" }] })).toBe(true);
    expect(somewhereHolds(answer, { stage: "ANALYSIS", restricted: [] })).toBe(false);
    expect(somewhereHolds(answer, { actions: [{ dueOn: "2026-11-30" }] })).toBe(false);
    expect(somewhereHolds(answer, { actions: [] })).toBe(false);
    expect(somewhereHolds(answer, { n: 4 })).toBe(false);
    expect(somewhereHolds(answer, { n: 4 }, true)).toBe(true);
  });
});

describe("every example of the README, in order, against npm start", () => {
  const blocks = readmeBlocks(readFileSync(README, "utf8"));
  let demo: ChildProcess | undefined;
  let demoOutput = "";
  let shell: Shell;
  let gatewayPort = 0;
  /** The demo's embedded PostgreSQL port (54329 in the README). */
  let databasePort = 0;
  /** The demo's state folder (.data/ of a newcomer's clone). */
  let data: string | undefined;
  const tokens = new Map<string, string>();
  /** The last answer of the last block run: what a json block after it shows. */
  let lastAnswers: unknown[] = [];

  const forPort = (text: string) =>
    text
      .replace(/(localhost|127\.0\.0\.1):4000\b/g, `$1:${gatewayPort}`)
      .replace(/127\.0\.0\.1:54329\b/g, `127.0.0.1:${databasePort}`);

  beforeAll(async () => {
    const ports: Record<string, string> = {};
    for (const name of [...SUBGRAPH_NAMES, "gateway"])
      ports[`${name.toUpperCase()}_PORT`] = String(await freePort());
    gatewayPort = Number(ports.GATEWAY_PORT);
    databasePort = await freePort();
    // The newcomer's .data/: npm start runs its embedded PostgreSQL here (on a free port), a server
    // of the demo's own, so the connections other test runs hold on the shared server cannot
    // starve it; its demo.json lies beside it. The folder goes with the test.
    data = mkdtempSync(join(tmpdir(), "readme-demo-"));
    // The postgres user must enter it too (the embedded server runs as it under root).
    chmodSync(data, 0o755);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...ports,
      EMBEDDED_PG_DIR: join(data, "postgres"),
      EMBEDDED_PG_PORT: String(databasePort),
    };
    // A newcomer's terminal: no database URL, no NODE_ENV (jest sets "test"), the default log level.
    for (const name of Object.keys(env))
      if (/DATABASE_URL$|^DATABASE_PREFIX$|^NODE_ENV$|^LOG_LEVEL$/.test(name)) delete env[name];
    demo = spawn("npm", ["start"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    demo.stdout!.on("data", (c: Buffer) => (demoOutput += c.toString()));
    demo.stderr!.on("data", (c: Buffer) => (demoOutput += c.toString()));
    const deadline = Date.now() + 240_000;
    while (!demoOutput.includes("partnership-graph is up.")) {
      if (demo.exitCode !== null) throw new Error(`npm start exited ${demo.exitCode}:\n${demoOutput}`);
      if (Date.now() > deadline) throw new Error(`npm start was not up in time:\n${demoOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    shell = new Shell(env);
  }, 300_000);

  afterAll(async () => {
    await shell?.stop();
    if (demo?.pid && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo!.once("exit", resolve));
      // Ctrl-C, as a newcomer stops it: to npm and the server it runs (its process group).
      process.kill(-demo.pid, "SIGINT");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
      clearTimeout(timer);
      if (demo.exitCode === null) process.kill(-demo.pid, "SIGKILL");
    }
    if (data) rmSync(data, { recursive: true, force: true });
  }, 60_000);

  test(`at most ${MAX_NOT_RUN} blocks are marked not run, each with its reason`, () => {
    const notRun = blocks.filter((b) => b.notRun);
    expect(notRun.length).toBeLessThanOrEqual(MAX_NOT_RUN);
    for (const b of notRun) expect(b.notRun!.length).toBeGreaterThan(10);
  });

  async function tokenFor(agency: string, role: string): Promise<string> {
    const key = `${agency} ${role}`;
    if (!tokens.has(key)) {
      const { output, failed } = await shell.run(
        `npm run --silent token -- --agency ${agency} --role ${role} --user readme.${agency}`,
      );
      if (failed) throw new Error(`npm run token failed:\n${output}`);
      tokens.set(key, output.trim());
    }
    return tokens.get(key)!;
  }

  blocks.forEach((block, i) => {
    const next = blocks[i + 1];
    if (block.notRun) {
      test.skip(`${describeBlock(block)} (not run: ${block.notRun})`, () => undefined);
      return;
    }
    test(
      describeBlock(block),
      async () => {
        const logged = demoOutput.length;
        try {
          await runBlock(block, next, i);
        } catch (error) {
          // What the demo logged meanwhile says why a request failed (the caller is not told).
          const log = demoOutput.slice(logged).trim();
          if (log && error instanceof Error) error.message += `\nnpm start logged meanwhile:\n${log}`;
          throw error;
        }
      },
      180_000,
    );
  });

  async function runBlock(block: Block, next: Block | undefined, i: number): Promise<void> {
    if (block.lang === "sh") {
      const { output, failed } = await shell.run(forPort(block.text));
      lastAnswers = answersIn(output);
      const problems = shellProblems(block, output, failed, next);
      if (problems.length) throw new Error(`${problems.join("; ")}:\n${output}`);
    } else if (block.lang === "graphql") {
      const as =
        /^# As (\w+) (PRACTITIONER|ANALYST|DATA_SHARING_OFFICER), x-purpose: (\w+)(?:; variables: (\{.*\}))?$/m.exec(
          block.text,
        );
      if (!as)
        throw new Error(
          'its first line must say whose token and purpose it runs with: "# As <agency> <ROLE>, x-purpose: <PURPOSE>; variables: {...}"',
        );
      const response = await fetch(`http://localhost:${gatewayPort}/graphql`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await tokenFor(as[1], as[2])}`,
          "x-purpose": as[3],
          "content-type": "application/json",
        },
        body: JSON.stringify({ query: block.text, variables: as[4] ? JSON.parse(as[4]) : {} }),
      });
      const answer = (await response.json()) as { errors?: unknown };
      lastAnswers = [answer];
      const errorsShown = next?.lang === "json" && next.text.includes('"errors"');
      if (response.status !== 200 || (answer.errors && !errorsShown))
        throw new Error(`HTTP ${response.status}: ${JSON.stringify(answer)}`);
    } else if (block.lang === "json") {
      const before = blocks[i - 1];
      if (!before || before.notRun || !["sh", "graphql"].includes(before.lang))
        throw new Error("a json block shows the answer of the example just before it, which must run");
      const expected = JSON.parse(block.text) as unknown;
      const answer = lastAnswers.at(-1);
      if (!somewhereHolds(answer, expected, Boolean(block.numbersVary)))
        throw new Error(
          `the answer of the block before does not hold what it shows.\nanswer: ${JSON.stringify(answer, null, 2)}`,
        );
    } else if (block.lang === "") {
      const said = demoOutput.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
      for (const line of forPort(block.text).split("\n")) {
        const wanted = line.replace(/\s+/g, " ").trim();
        if (wanted && !said.includes(wanted))
          throw new Error(`npm start does not print "${wanted}":\n${demoOutput}`);
      }
    } else {
      throw new Error(`a ${block.lang} block: run it here, or mark it <!-- not run: <reason> -->`);
    }
  }
});
