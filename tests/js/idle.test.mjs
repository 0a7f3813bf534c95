import assert from "node:assert/strict";
import { test } from "node:test";

import { INPUT_EVENTS, startIdleReset } from "../../share/jupyter/voila/templates/neuguong/static/session/idle.js";
import { page } from "./fakes.mjs";

function idlePage(cfg) {
  const p = page(cfg);
  p.signOuts = 0;
  p.reset = startIdleReset(p.session, () => {
    p.signOuts += 1;
  });
  return p;
}

test("off unless idleResetSeconds is set", async () => {
  const { win, reset, notices } = idlePage({});
  assert.equal(reset, null);
  assert.deepEqual(win.listeners, {});
  await win.run(3_600_000);
  assert.equal(notices.length, 0);
});

test("after the idle time: a warning for the last seconds, then sign-out", async () => {
  const p = idlePage({ idleResetSeconds: 60, idleWarningSeconds: 20 });
  const { win, doc, notices } = p;
  await win.run(39_999);
  assert.equal(notices.length, 0);
  await win.run(1);
  assert.equal(notices.length, 1);
  assert.deepEqual([notices[0].reason, notices[0].seconds, notices[0].buttonText], ["idle", 20, "Tiếp tục học"]);
  assert.equal(notices[0].countText, undefined, "the home countdown");
  await win.run(19_999);
  assert.equal(p.signOuts, 0);
  await win.run(1);
  assert.equal(p.signOuts, 1);
  assert.equal(doc.documentElement.getAttribute("data-nk-session"), "idle");
});

test("input anywhere starts the count again, listened to passively in the capture phase", async () => {
  const { win, notices } = idlePage({ idleResetSeconds: 60 });
  for (const name of INPUT_EVENTS) {
    assert.deepEqual(win.listeners[name][0].options, { passive: true, capture: true });
  }
  await win.run(39_000);
  win.dispatch("keydown");
  await win.run(39_000);
  assert.equal(notices.length, 0);
  await win.run(1_000);
  assert.equal(notices.length, 1);
});

test("the warning's button closes it and starts the count again", async () => {
  const p = idlePage({ idleResetSeconds: 60 });
  const { win, notices } = p;
  await win.run(40_000);
  notices[0].button.click();
  assert.equal(notices[0].closed, true);
  await win.run(39_000);
  assert.equal(p.signOuts, 0);
  assert.equal(notices.length, 1);
  await win.run(61_000);
  assert.equal(p.signOuts, 1);
});

test("the warning lasts at least 5 s; the idle time at least 1 s before it", async () => {
  const short = idlePage({ idleResetSeconds: 3, idleWarningSeconds: 1 });
  await short.win.run(1_000);
  assert.equal(short.notices[0].seconds, 5);
  await short.win.run(5_000);
  assert.equal(short.signOuts, 1);
});

test("the count starts again when the page is drawn", async () => {
  const { win, doc, notices } = idlePage({ idleResetSeconds: 60 });
  await win.run(30_000);
  doc.documentElement.setAttribute("data-nk-rendered", "true");
  await win.run(39_000);
  assert.equal(notices.length, 0);
  await win.run(1_000);
  assert.equal(notices.length, 1);
});

test("a page whose session is already over does not count", async () => {
  const { win, state, notices } = idlePage({ idleResetSeconds: 60 });
  await win.run(40_000);
  state.tripped = true;
  notices[0].button.click();
  assert.equal(notices[0].closed, false, "the reset does nothing once tripped");
});
