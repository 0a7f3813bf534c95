import assert from "node:assert/strict";
import { test } from "node:test";

import {
  currentAnchor,
  readStored,
  restorePosition,
  RESUME_KEY,
  saveResume,
  storage,
  writeStored
} from "../../share/jupyter/voila/templates/neuguong/static/session/resume.js";
import { page } from "./fakes.mjs";

function boxes(doc, rects) {
  return rects.map(([top, bottom], i) => {
    const box = doc.add("div", { class: i % 2 ? "nk-scenario" : "nk-quiz" });
    box.rect = { top, bottom, height: bottom - top };
    return box;
  });
}

test("stored values round-trip as JSON; broken or missing storage gives null quietly", () => {
  const { win } = page();
  writeStored(win, "k", { a: 1 });
  assert.deepEqual(readStored(win, "k"), { a: 1 });
  assert.equal(readStored(win, "missing"), null);
  win.store.set("bad", "{");
  assert.equal(readStored(win, "bad"), null);

  const locked = {};
  Object.defineProperty(locked, "sessionStorage", {
    get() {
      throw new Error("SecurityError");
    }
  });
  assert.equal(storage(locked), null);
  assert.equal(readStored(locked, "k"), null);
  writeStored(locked, "k", 1); // no throw
  const full = { sessionStorage: { setItem() { throw new Error("QuotaExceededError"); } } };
  writeStored(full, "k", 1); // no throw
});

test("currentAnchor is the box across the middle of the screen, else the nearest visible one", () => {
  const { doc, win } = page(); // innerHeight 800: middle 400
  boxes(doc, [[-900, -100], [350, 700], [800, 1200]]);
  assert.equal(currentAnchor(win, doc), 1);

  const other = page();
  boxes(other.doc, [[-500, 100], [0, 0], [450, 900]]);
  assert.equal(currentAnchor(other.win, other.doc), 2, "50 px below beats 300 px above; a hidden box never counts");

  const far = page();
  boxes(far.doc, [[1300, 1500]]);
  assert.equal(currentAnchor(far.win, far.doc), -1, "a box a screen away is not 'at' it");
});

test("a reopened page scrolls back to its box once drawn, and forgets the position", async () => {
  const { doc, win } = page();
  const [, second] = boxes(doc, [[-900, -100], [350, 700]]);
  win.scrollY = 1234;
  saveResume(win, doc);
  assert.deepEqual(readStored(win, RESUME_KEY), { url: win.location.href, anchor: 1, scrollY: 1234 });

  restorePosition(win, doc, () => win.now());
  assert.equal(win.store.has(RESUME_KEY), false);
  await win.run(1000);
  assert.equal(second.scrolledInto, null, "not before the page is drawn");
  doc.documentElement.setAttribute("data-nk-rendered", "true");
  await win.run(250);
  assert.deepEqual(second.scrolledInto, { block: "start" });
  assert.equal(doc.documentElement.getAttribute("data-nk-resumed"), "anchor");
});

test("without a box the page goes back to its scroll position; another address is left alone", async () => {
  const { doc, win } = page();
  writeStored(win, RESUME_KEY, { url: win.location.href, anchor: -1, scrollY: 640 });
  doc.documentElement.setAttribute("data-nk-rendered", "true");
  restorePosition(win, doc, () => win.now());
  assert.deepEqual(win.scrolledTo, [0, 640]);
  assert.equal(doc.documentElement.getAttribute("data-nk-resumed"), "scroll");

  const other = page();
  writeStored(other.win, RESUME_KEY, { url: "http://kiosk.test/other", anchor: -1, scrollY: 640 });
  restorePosition(other.win, other.doc, () => other.win.now());
  assert.equal(other.win.scrolledTo, null);
  assert.equal(other.win.store.has(RESUME_KEY), true);
});

test("a page that never draws its box stops trying after a minute", async () => {
  const { doc, win } = page();
  writeStored(win, RESUME_KEY, { url: win.location.href, anchor: 3, scrollY: 0 });
  restorePosition(win, doc, () => win.now());
  await win.run(61000);
  assert.equal(win.timers.size, 0);
  assert.equal(doc.documentElement.getAttribute("data-nk-resumed"), null);
});
