// jsdom for the console's component tests, with Node's fetch API (Response, Headers) that the
// console's client uses and jsdom lacks. Tests replace fetch itself per test.
const { TestEnvironment } = require("jest-environment-jsdom");

class ConsoleEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      "fetch",
      "Response",
      "Request",
      "Headers",
      "ReadableStream",
      "TextEncoder",
      "TextDecoder",
    ])
      this.global[name] = globalThis[name];
  }
}

module.exports = ConsoleEnvironment;
