import { Counter, Histogram, Registry } from "prom-client";
import { ConfigError, loadConfig } from "../../subgraphs/shared/config";
import { silenceMetrics } from "../../subgraphs/shared/metrics";

describe("BENCH_METRICS=off, the bench's switch for what prom-client costs", () => {
  test("is refused in production, named", () => {
    const load = () =>
      loadConfig({ NODE_ENV: "production", JWKS_URL: "https://idp.example/jwks", BENCH_METRICS: "off" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/BENCH_METRICS: "off" is for benchmarks only and is refused in production/);
    expect(loadConfig({ NODE_ENV: "development" }).BENCH_METRICS).toBe("on");
    expect(() => loadConfig({ BENCH_METRICS: "none" })).toThrow(/BENCH_METRICS/);
  });

  test("silenced, a registry's metrics record nothing; another registry's still do", async () => {
    const silenced = new Registry();
    const kept = new Registry();
    const make = (registry: Registry, name: string) => ({
      counter: new Counter({ name: `${name}_total`, help: "h", registers: [registry] }),
      histogram: new Histogram({ name: `${name}_seconds`, help: "h", registers: [registry] }),
    });
    const off = make(silenced, "off");
    const on = make(kept, "on");
    silenceMetrics(silenced);
    for (const m of [off, on]) {
      m.counter.inc(3);
      m.histogram.observe(0.2);
      m.histogram.startTimer()();
    }
    expect((await off.counter.get()).values[0]?.value ?? 0).toBe(0);
    expect(
      (await off.histogram.get()).values.find((v) => v.metricName === "off_seconds_count")?.value ?? 0,
    ).toBe(0);
    expect((await on.counter.get()).values[0].value).toBe(3);
    expect((await on.histogram.get()).values.find((v) => v.metricName === "on_seconds_count")?.value).toBe(2);
  });
});
