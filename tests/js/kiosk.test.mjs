import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createExit,
  sameSite,
  startKiosk,
  startLearnerSignOut
} from "../../share/jupyter/voila/templates/neuguong/static/session/kiosk.js";
import { page, settle } from "./fakes.mjs";

function kioskPage(cfg = { kiosk: true }, before = () => {}) {
  const p = page(cfg);
  p.cells = p.doc.add("div", { id: "rendered_cells" });
  p.main = p.doc.add("main", { id: "main" });
  before(p);
  p.exit = createExit(p.session);
  return p;
}

const homes = (notices) => notices.filter((n) => n === "home").length;

test("leave hides the page and goes home once", () => {
  const { exit, state, cells, main, notices } = kioskPage();
  exit.leave();
  exit.leave();
  assert.equal(cells.style.visibility, "hidden");
  assert.equal(main.style.visibility, "hidden");
  assert.equal(state.leaving, true);
  assert.equal(state.tripped, true);
  assert.equal(homes(notices), 1);
});

test("after 'Kết thúc' the page hides at once and leaves after signOutWaitSeconds (default 5)", async () => {
  const { win, exit, state, cells, notices } = kioskPage();
  exit.endingStarted();
  exit.endingStarted();
  assert.equal(state.ending, true);
  assert.equal(state.tripped, true);
  await win.run(0);
  assert.equal(cells.style.visibility, "hidden");
  await win.run(4999);
  assert.equal(homes(notices), 0);
  await win.run(1);
  assert.equal(homes(notices), 1);

  const quick = kioskPage({ kiosk: true, signOutWaitSeconds: 2 });
  quick.exit.endingStarted();
  await quick.win.run(2000);
  assert.equal(homes(quick.notices), 1);
});

test("the idle sign-out presses 'Kết thúc' on a kiosk, else leaves", () => {
  const pressed = kioskPage();
  const button = pressed.doc.add("button", { class: "nk-sign-out" });
  pressed.exit.signOut();
  assert.equal(button.clicks, 1);
  assert.equal(homes(pressed.notices), 0);

  const disabled = kioskPage();
  disabled.doc.add("button", { class: "nk-sign-out" }).disabled = true;
  disabled.exit.signOut();
  assert.equal(homes(disabled.notices), 1);

  const learner = kioskPage({});
  const theirs = learner.doc.add("button", { class: "nk-sign-out" });
  learner.exit.signOut();
  assert.equal(theirs.clicks, 0);
  assert.equal(homes(learner.notices), 1);
});

test("sameSite: http(s) on this origin only", () => {
  const origin = "http://kiosk.test";
  assert.equal(sameSite(new URL("http://kiosk.test/voila/render/x.ipynb"), origin), true);
  assert.equal(sameSite(new URL("http://other.test/"), origin), false);
  assert.equal(sameSite(new URL("javascript:void(0)"), origin), false);
});

test("kiosk links replace the history entry; foreign and download links are left alone", () => {
  const { doc, win, session, exit } = kioskPage();
  startKiosk(session, exit);
  const link = doc.add("a", { href: "../render/m1.ipynb?session=t1" });
  const inside = doc.add("span", {}, link);
  const foreign = doc.add("a", { href: "https://example.org/" });
  const download = doc.add("a", { href: "cert.pdf", download: "" });

  assert.equal(inside.click().defaultPrevented, true);
  assert.deepEqual(win.replaced, ["http://kiosk.test/voila/render/m1.ipynb?session=t1"]);
  assert.equal(foreign.click().defaultPrevented, false);
  assert.equal(download.click().defaultPrevented, false);
  assert.equal(win.replaced.length, 1);
  assert.equal(doc.dispatch("auxclick", { target: inside }).defaultPrevented, true, "no new tab");
  assert.equal(doc.dispatch("auxclick", { target: doc.body }).defaultPrevented, false);
});

test("pressing 'Kết thúc' on a kiosk starts the ending", async () => {
  const { doc, win, session, exit, state, notices } = kioskPage();
  startKiosk(session, exit);
  const button = doc.add("button", { class: "nk-sign-out" });
  doc.add("span", {}, button).click();
  assert.equal(state.ending, true);
  await win.run(5000);
  assert.equal(homes(notices), 1);
});

test("input keeps the token alive through the hidden button, at most every keepAliveSeconds", async () => {
  const { doc, win, session, exit, state } = kioskPage({ kiosk: true, keepAliveSeconds: 15 });
  startKiosk(session, exit);
  const alive = doc.add("button", { class: "nk-kiosk-alive" });
  await win.run(1000);
  win.dispatch("pointerdown");
  win.dispatch("keydown");
  await win.run(13_999);
  assert.equal(alive.clicks, 0, "the page's opening slid the token");
  await win.run(1);
  assert.equal(alive.clicks, 1);
  await win.run(60_000);
  assert.equal(alive.clicks, 1, "no input, no ping");
  win.dispatch("wheel");
  await win.run(0);
  assert.equal(alive.clicks, 2, "long after the last ping: at once");

  win.dispatch("touchstart");
  state.ending = true;
  await win.run(15_000);
  assert.equal(alive.clicks, 2, "not once the session is ending");
});

test("a kiosk page whose token ended goes to the start screen", async () => {
  const { doc, session, exit, notices } = kioskPage();
  startKiosk(session, exit);
  await settle();
  assert.equal(homes(notices), 0);
  doc.add("div", { class: "nk-session-ended" });
  await settle();
  assert.equal(homes(notices), 1);

  const signedOut = kioskPage();
  startKiosk(signedOut.session, signedOut.exit);
  const box = signedOut.doc.add("div");
  await settle();
  box.className = "widget nk-signed-out";
  await settle();
  assert.equal(homes(signedOut.notices), 1, "a class added later counts too");
});

test("a kiosk page opened with an ended token leaves at once", () => {
  const { session, exit, notices } = kioskPage({ kiosk: true }, (p) => p.doc.add("p", { class: "nk-session-ended" }));
  startKiosk(session, exit);
  assert.equal(homes(notices), 1);
});

test("learner site: after 'Kết thúc' the notice shows for 2 s, then the sign-in screen", async () => {
  const { doc, win, session, exit, notices } = kioskPage({});
  startLearnerSignOut(session, exit);
  doc.add("div", { class: "nk-session-ended" });
  await win.run(10_000);
  assert.equal(homes(notices), 0, "a dead token keeps its notice");
  doc.add("div", { class: "nk-signed-out" });
  await win.run(1999);
  assert.equal(homes(notices), 0);
  await win.run(1);
  assert.equal(homes(notices), 1);
  assert.equal(doc.observers.length, 0, "stops watching");
});

test("learner site: a page already signed out when the script starts leaves after 2 s", async () => {
  const { win, session, exit, notices } = kioskPage({}, (p) => p.doc.add("div", { class: "nk-signed-out" }));
  startLearnerSignOut(session, exit);
  await win.run(2000);
  assert.equal(homes(notices), 1);
});
