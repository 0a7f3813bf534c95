import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createWatchdog,
  findKernelId,
  LOOP_MS
} from "../../share/jupyter/voila/templates/neuguong/static/session/watchdog.js";
import { readStored, RESUME_KEY, REOPENED_KEY } from "../../share/jupyter/voila/templates/neuguong/static/session/resume.js";
import { page, reply } from "./fakes.mjs";

const CFG = { baseUrl: "/b/", home: "voila/render/home.ipynb", reloadDelaySeconds: 8, staticProbe: "/b/probe.css" };
const KERNEL = "/b/api/kernels/k%201";

/** A page with kernel "k 1" whose server answers with `server(url)` (a fetch answer, or a rejection). */
function watchedPage(server, cfg = CFG) {
  const p = page(cfg);
  p.win.respond = server;
  p.doc.add("script", { id: "jupyter-config-data", textContent: '{"kernelId": "k 1"}' });
  p.watchdog = createWatchdog(p.session);
  return p;
}

const down = () => Promise.reject(new TypeError("Failed to fetch"));
const up = (kernel) => (url) => (url === KERNEL ? kernel() : reply(200));

test("findKernelId reads Voilà's page config", () => {
  const { doc } = page();
  assert.equal(findKernelId(doc), null);
  const el = doc.add("script", { id: "jupyter-config-data", textContent: "{broken" });
  assert.equal(findKernelId(doc), null);
  el.textContent = '{"kernelId": "abc"}';
  assert.equal(findKernelId(doc), "abc");
});

test("no kernel on the page: nothing is asked", async () => {
  const p = page(CFG);
  await createWatchdog(p.session).check();
  assert.deepEqual(p.win.fetched, []);
});

test("a kernel the server no longer knows: notice, then the page opens its own address again", async () => {
  const { win, doc, state, notices, watchdog } = watchedPage(up(() => reply(404)));
  await watchdog.check();

  assert.equal(state.tripped, true);
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), "kernel");
  assert.equal(notices.length, 1);
  const [notice] = notices;
  assert.deepEqual([notice.reason, notice.seconds, notice.buttonText], ["kernel", 8, "Mở lại trang ngay"]);
  assert.equal(notice.countText, "Tự động mở lại trang sau {n} giây.");

  await win.run(7999);
  assert.equal(win.reloads, 0, "not before the countdown ends");
  await win.run(1);
  assert.equal(win.reloads, 1);
  assert.deepEqual(win.fetched, [KERNEL, "/b/probe.css"]);
  assert.deepEqual(readStored(win, REOPENED_KEY), { url: win.location.href, at: win.now() });
  assert.equal(readStored(win, RESUME_KEY).url, win.location.href);
  assert.deepEqual(win.replaced, []);
});

test("a dead kernel trips too; the button does not wait for the countdown", async () => {
  const { win, notices, watchdog } = watchedPage(up(() => reply(200, { execution_state: "dead" })));
  await watchdog.check();
  notices[0].button.click();
  await win.run(0);
  assert.equal(win.reloads, 1);
  await win.run(10000);
  assert.equal(win.reloads, 1, "started once");
});

test("a live kernel or a server error does not trip", async () => {
  for (const answer of [() => reply(200, { execution_state: "idle" }), () => reply(500)]) {
    const { state, notices, watchdog } = watchedPage(up(answer));
    await watchdog.check();
    assert.equal(state.tripped, false);
    assert.equal(notices.length, 0);
  }
});

test("a second loss within a minute of reopening goes home instead of reloading again", async () => {
  const { win, watchdog } = watchedPage(up(() => reply(404)));
  win.store.set(REOPENED_KEY, JSON.stringify({ url: win.location.href, at: win.now() - LOOP_MS + 9000 }));
  await watchdog.check();
  await win.run(8000); // reopened 59 s before the notice's countdown ends
  assert.equal(win.reloads, 0);
  assert.deepEqual(win.replaced, ["/b/voila/render/home.ipynb"]);

  const later = watchedPage(up(() => reply(404)));
  later.win.store.set(REOPENED_KEY, JSON.stringify({ url: later.win.location.href, at: later.win.now() - LOOP_MS + 7000 }));
  await later.watchdog.check();
  await later.win.run(8000); // reopened 61 s before: a new loss, not a loop
  assert.equal(later.win.reloads, 1);
  assert.deepEqual(later.win.replaced, []);
});

test("one failed request is retried after 3 s; two trip 'network'", async () => {
  const { win, doc, state, watchdog } = watchedPage(down);
  await watchdog.check();
  assert.equal(state.tripped, false);
  await win.run(3000);
  assert.equal(state.tripped, true);
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), "network");
});

test("after a network drop, a page whose kernel lived carries on once its socket reconnects", async () => {
  let online = false;
  const { win, doc, state, notices, watchdog } = watchedPage((url) => {
    if (!online) return down();
    return url === KERNEL ? reply(200, { execution_state: "idle" }) : reply(200);
  });
  await watchdog.check();
  await win.run(3000);
  assert.equal(notices[0].reason, "network");

  await win.run(8000); // countdown over, server still down: asks again every 3 s
  await win.run(6000);
  assert.equal(win.reloads, 0);
  online = true;
  await win.run(3000); // server answers, kernel alive: wait for the socket
  await win.run(2000);
  assert.equal(state.tripped, true);
  watchdog.sockets.opened();
  await win.run(1000);
  assert.equal(state.tripped, false);
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), null);
  assert.equal(notices[0].closed, true);
  assert.equal(win.reloads, 0);
});

test("after a network drop, a socket that does not come back within 15 s reopens the page", async () => {
  let online = false;
  const { win, watchdog } = watchedPage((url) => {
    if (!online) return down();
    return url === KERNEL ? reply(200, { execution_state: "idle" }) : reply(200);
  });
  await watchdog.check();
  await win.run(3000);
  online = true;
  await win.run(8000 + 14000);
  assert.equal(win.reloads, 0);
  await win.run(1000);
  assert.equal(win.reloads, 1);
});

test("a hidden tab shows nothing and opens nothing until it is shown", async () => {
  const { win, doc, notices, watchdog } = watchedPage(up(() => reply(404)));
  doc.hidden = true;
  await watchdog.check();
  await win.run(60000);
  assert.equal(notices.length, 0);
  assert.equal(win.reloads, 0);
  doc.dispatch("visibilitychange");
  assert.equal(notices.length, 0, "still hidden");
  doc.hidden = false;
  doc.dispatch("visibilitychange");
  assert.equal(notices.length, 1);
  await win.run(8000);
  assert.equal(win.reloads, 1);
});

test("a leaving page checks nothing and trips nothing", async () => {
  const { win, state, notices, watchdog } = watchedPage(up(() => reply(404)));
  state.unloading = true;
  await watchdog.check();
  watchdog.trip("kernel");
  watchdog.sockets.closed(true);
  await win.run(1000);
  assert.deepEqual(win.fetched, []);
  assert.equal(notices.length, 0);
});

test("socket hooks count open kernel sockets and check the kernel 500 ms after a close", async () => {
  const { win, state, watchdog } = watchedPage(up(() => reply(200, { execution_state: "idle" })));
  watchdog.sockets.opened();
  watchdog.sockets.opened();
  watchdog.sockets.closed(true);
  watchdog.sockets.closed(false);
  assert.equal(state.openSockets, 1);
  await win.run(499);
  assert.deepEqual(win.fetched, []);
  await win.run(1);
  assert.deepEqual(win.fetched, [KERNEL, KERNEL]);
  watchdog.sockets.dead();
  assert.equal(state.tripped, true);
});

test("goHome waits for the server to answer, asking every 3 s", async () => {
  let online = false;
  const { win, watchdog } = watchedPage(() => (online ? reply(200) : down()));
  watchdog.goHome();
  await win.run(6000);
  assert.deepEqual(win.replaced, []);
  online = true;
  await win.run(3000);
  assert.deepEqual(win.replaced, ["/b/voila/render/home.ipynb"]);
});

test("polling asks every pollSeconds; 0 never", async () => {
  const polled = watchedPage(up(() => reply(200, {})), { ...CFG, pollSeconds: 15 });
  polled.watchdog.startPolling();
  await polled.win.run(45000);
  assert.equal(polled.win.fetched.length, 3);

  const quiet = watchedPage(up(() => reply(200, {})), { ...CFG, pollSeconds: 0 });
  quiet.watchdog.startPolling();
  await quiet.win.run(45000);
  assert.equal(quiet.win.fetched.length, 0);
});
