/** @type {import('jest').Config} */
const swc = JSON.parse(require("fs").readFileSync(__dirname + "/.swcrc", "utf8"));
module.exports = {
  testEnvironment: "node",
  // Console component tests sit beside the components (console/src/**/*.test.tsx) and run in
  // jsdom (their docblock says so); the console's own tsconfig typechecks them.
  roots: ["<rootDir>/test", "<rootDir>/console/src"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { ...swc, swcrc: false }],
    "^.+\\.tsx$": [
      "@swc/jest",
      {
        ...swc,
        swcrc: false,
        jsc: {
          ...swc.jsc,
          parser: { ...swc.jsc.parser, tsx: true },
          transform: { ...swc.jsc.transform, react: { runtime: "automatic" } },
        },
      },
    ],
  },
  setupFiles: ["reflect-metadata"],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  testTimeout: 60000,
};
