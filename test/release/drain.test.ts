import { createServer, type Server } from "node:http";
import { listen } from "../../subgraphs/shared/http";

/**
 * Resolves once the server has the request: a fixed wait raced the request's arrival on a busy
 * machine (stop then found nothing in flight and closed at once).
 */
const requestArrived = (server: Server) =>
  new Promise<void>((resolve) => server.once("request", () => resolve()));

/** Every service listens through shared/http's listen(); its stop is what SIGTERM calls. */
describe("stopping a service with a grace period (SIGTERM)", () => {
  test("lets a request in flight finish, refuses new connections, then stops", async () => {
    const server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("answered"), 600);
    });
    const running = await listen("slow", server, 0, "127.0.0.1");
    const base = `http://127.0.0.1:${running.port}`;
    const arrived = requestArrived(server);
    const inFlight = fetch(`${base}/graphql`).then(async (r) => ({ status: r.status, text: await r.text() }));
    await arrived;
    const started = Date.now();
    const stopped = running.stop({ graceMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    expect(await inFlight).toEqual({ status: 200, text: "answered" });
    await stopped;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.listening).toBe(false);
  });

  test("gives up on a request that outlasts the grace period", async () => {
    const server = createServer(() => undefined);
    const running = await listen("hung", server, 0, "127.0.0.1");
    const arrived = requestArrived(server);
    const hung = fetch(`http://127.0.0.1:${running.port}/graphql`).catch((error: Error) => error);
    await arrived;
    const started = Date.now();
    await running.stop({ graceMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(String(await hung)).toMatch(/fetch failed|terminated|other side closed/i);
  });
});
