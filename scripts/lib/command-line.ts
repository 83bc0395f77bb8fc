import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * A script's command line: `--help` (or `-h`) prints its usage and exits 0; an option or argument
 * it does not take is refused with the usage (exit 2) rather than ignored, so that a mistyped
 * option never runs the script as if it were not there.
 */
export function commandLine<T extends ParseArgsConfig>(
  usage: string,
  config: T = {} as T,
): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    // Strict (parseArgs' default) whatever the caller says, and on the arguments read above.
    return parseArgs({ ...config, args, strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
