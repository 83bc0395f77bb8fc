/** @type {import('jest').Config} */
const swc = JSON.parse(require("fs").readFileSync(__dirname + "/.swcrc", "utf8"));
// The console's components (React, JSX) compile as TSX with React's automatic runtime.
const tsx = {
  ...swc,
  swcrc: false,
  jsc: {
    ...swc.jsc,
    parser: { ...swc.jsc.parser, tsx: true },
    transform: { ...swc.jsc.transform, react: { runtime: "automatic" } },
  },
};
module.exports = {
  testEnvironment: "node",
  // test/ for the services; console/ for the console's component tests (jsdom, per file).
  roots: ["<rootDir>/test", "<rootDir>/console/src"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { ...swc, swcrc: false }],
    "^.+\\.tsx$": ["@swc/jest", tsx],
  },
  setupFiles: ["reflect-metadata"],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  testTimeout: 60000,
};
