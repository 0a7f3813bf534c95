import assert from "node:assert/strict";
import { test } from "node:test";

import { startSession } from "../../share/jupyter/voila/templates/neuguong/static/session/main.js";
import { FakeDocument, FakeWebSocket, FakeWindow, reply } from "./fakes.mjs";

const CHANNELS = "ws://kiosk.test/api/kernels/k1/channels";

function started(cfg, server = () => reply(404)) {
  const doc = new FakeDocument();
  doc.add("script", { id: "neuguong-config", textContent: JSON.stringify(cfg) });
  doc.add("script", { id: "jupyter-config-data", textContent: '{"kernelId": "k1"}' });
  const win = new FakeWindow(doc, { fetch: server });
  const session = startSession(win, doc);
  return { doc, win, session };
}

test("the page gets its XSRF cookie and a watched WebSocket at once", () => {
  const { doc, win, session } = started({ baseUrl: "/b/" });
  assert.match(doc.cookie, /^_xsrf=[0-9a-f]{32}$/);
  assert.match(doc.jar[0], /; path=\/b\/; SameSite=Strict$/);
  assert.notEqual(win.WebSocket, FakeWebSocket);
  assert.ok(new win.WebSocket(CHANNELS) instanceof FakeWebSocket);
  assert.equal(session.base, "/b/");
  assert.equal(session.kiosk, false);
});

test("a closed kernel socket leads to the notice and a reopen of the page", async () => {
  const { doc, win } = started({ reloadDelaySeconds: 8 }, (url) => reply(url.startsWith("/api/") ? 404 : 200));
  const ws = new win.WebSocket(CHANNELS);
  ws.emit("open");
  ws.emit("close");
  await win.run(500);
  assert.deepEqual(win.fetched, ["/api/kernels/k1"]);
  const box = doc.getElementById("nk-session-notice");
  assert.equal(box.getAttribute("data-reason"), "kernel");
  assert.equal(box.querySelector(".nk-session-notice__button").textContent, "Mở lại trang ngay");
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), "kernel");
  await win.run(8000);
  assert.deepEqual(win.fetched, ["/api/kernels/k1", "/voila/static/"]);
  assert.equal(win.reloads, 1);
});

test("a page being left checks nothing when its socket closes", async () => {
  const { win } = started({});
  const ws = new win.WebSocket(CHANNELS);
  ws.emit("open");
  win.dispatch("pagehide");
  ws.emit("close");
  await win.run(60_000);
  assert.deepEqual(win.fetched, []);
});

test("a page restored from the back/forward cache reloads", () => {
  const { win } = started({});
  win.dispatch("pageshow", { persisted: false });
  assert.equal(win.reloads, 0);
  win.dispatch("pageshow", { persisted: true });
  assert.equal(win.reloads, 1);
});

test("the kiosk's idle reset presses 'Kết thúc', and the page then leaves for the start screen", async () => {
  const server = (url) => (url.endsWith(".css") ? reply(200) : reply(200, { execution_state: "idle" }));
  const { doc, win } = started(
    { kiosk: true, idleResetSeconds: 60, idleWarningSeconds: 20, home: "voila/render/home.ipynb", staticProbe: "/p.css" },
    server
  );
  const button = doc.add("button", { class: "nk-sign-out" });
  await win.run(60_000);
  assert.equal(button.clicks, 1);
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), "idle");
  await win.run(5_000);
  assert.deepEqual(win.replaced, ["/voila/render/home.ipynb"]);
});

test("only a kiosk rewrites links", () => {
  for (const [kiosk, replaced] of [[true, 1], [false, 0]]) {
    const { doc, win } = started({ kiosk });
    doc.add("a", { href: "/voila/render/m1.ipynb" }).click();
    assert.equal(win.replaced.length, replaced);
  }
});
