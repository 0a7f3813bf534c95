import assert from "node:assert/strict";
import { test } from "node:test";

import { COUNTS, MESSAGES, showNotice } from "../../share/jupyter/voila/templates/neuguong/static/session/notice.js";
import { page } from "./fakes.mjs";

test("showNotice draws an alertdialog with the reason's text, a countdown and a focused button", async () => {
  const { doc, win } = page();
  const notice = showNotice(win, doc, "kernel", 8, "Mở lại trang ngay", COUNTS.reload);

  const box = doc.getElementById("nk-session-notice");
  assert.equal(notice.box, box);
  assert.equal(box.parentNode, doc.body);
  assert.equal(box.className, "nk-session-notice");
  assert.equal(box.getAttribute("role"), "alertdialog");
  assert.equal(box.getAttribute("aria-modal"), "true");
  assert.equal(box.getAttribute("aria-labelledby"), "nk-session-notice-text");
  assert.equal(box.getAttribute("data-reason"), "kernel");
  assert.equal(box.hidden, false);
  assert.equal(doc.getElementById("nk-session-notice-text").textContent, MESSAGES.kernel);
  const count = box.querySelector(".nk-session-notice__count");
  assert.equal(count.textContent, "Tự động mở lại trang sau 8 giây.");
  assert.equal(notice.button.textContent, "Mở lại trang ngay");
  assert.equal(notice.button.getAttribute("type"), "button");
  assert.equal(doc.activeElement, notice.button);

  await win.run(3000);
  assert.equal(count.textContent, "Tự động mở lại trang sau 5 giây.");
  await win.run(10000);
  assert.equal(count.textContent, "Tự động mở lại trang sau 0 giây.", "never below 0");

  notice.close();
  assert.equal(box.hidden, true);
  assert.equal(win.timers.size, 0, "the countdown stops");
});

test("a second notice reuses the box, with the home countdown by default", () => {
  const { doc, win } = page();
  showNotice(win, doc, "kernel", 8, "Mở lại trang ngay", COUNTS.reload).close();
  const again = showNotice(win, doc, "idle", 20, "Tiếp tục học");

  assert.equal(doc.querySelectorAll("#nk-session-notice").length, 1);
  assert.equal(again.box.hidden, false);
  assert.equal(again.box.getAttribute("data-reason"), "idle");
  assert.equal(again.box.querySelector(".nk-session-notice__text").textContent, MESSAGES.idle);
  assert.equal(again.box.querySelector(".nk-session-notice__count").textContent, "Tự động về trang chủ sau 20 giây.");
  assert.equal(again.button.textContent, "Tiếp tục học");
});

test("the messages are Vietnamese, one per reason", () => {
  assert.deepEqual(Object.keys(MESSAGES).sort(), ["idle", "kernel", "network"]);
  assert.match(MESSAGES.network, /^Mất kết nối tới máy chủ bài học/);
  for (const text of [...Object.values(MESSAGES), ...Object.values(COUNTS)]) {
    assert.equal(text, text.normalize("NFC"));
  }
});
