/*
 * Nêu gương session: the notice over the page (#nk-session-notice, an alertdialog) that says why
 * the page is about to reopen or go home, counts down the seconds, and offers one button.
 */

export const MESSAGES = {
  kernel:
    "Phiên học trên máy chủ đã kết thúc (do để lâu không dùng hoặc máy chủ vừa khởi động lại). " +
    "Trang sẽ mở lại đúng chỗ bạn đang học; các câu đã trả lời vẫn được giữ.",
  network: "Mất kết nối tới máy chủ bài học. Trang sẽ tự mở lại khi có kết nối.",
  idle: "Đã lâu không có thao tác. Phiên học sẽ kết thúc để bảo vệ thông tin của bạn."
};

export const COUNTS = {
  home: "Tự động về trang chủ sau {n} giây.",
  reload: "Tự động mở lại trang sau {n} giây."
};

function element(doc, tag, className, attributes) {
  const el = doc.createElement(tag);
  el.className = className;
  Object.keys(attributes || {}).forEach((name) => el.setAttribute(name, attributes[name]));
  return el;
}

/** The notice box, created (hidden) on first use and reused after. */
function noticeBox(doc) {
  let box = doc.getElementById("nk-session-notice");
  if (!box) {
    box = element(doc, "div", "nk-session-notice", {
      role: "alertdialog",
      "aria-modal": "true",
      "aria-labelledby": "nk-session-notice-text"
    });
    box.id = "nk-session-notice";
    const inner = element(doc, "div", "nk-session-notice__box");
    const text = element(doc, "p", "nk-session-notice__text");
    text.id = "nk-session-notice-text";
    inner.appendChild(text);
    inner.appendChild(element(doc, "p", "nk-session-notice__count"));
    inner.appendChild(element(doc, "button", "nk-session-notice__button", { type: "button" }));
    box.appendChild(inner);
    doc.body.appendChild(box);
  }
  return box;
}

/**
 * Show the notice for `reason` (a MESSAGES key) with a countdown from `seconds`
 * (`countText`, default COUNTS.home) and a focused button; returns {box, button, close}.
 */
export function showNotice(win, doc, reason, seconds, buttonText, countText) {
  const box = noticeBox(doc);
  box.setAttribute("data-reason", reason);
  box.querySelector(".nk-session-notice__text").textContent = MESSAGES[reason];
  const button = box.querySelector(".nk-session-notice__button");
  button.textContent = buttonText;
  box.hidden = false;
  const count = box.querySelector(".nk-session-notice__count");
  let left = seconds;
  const render = () => {
    count.textContent = (countText || COUNTS.home).replace("{n}", String(left));
  };
  render();
  const timer = win.setInterval(() => {
    left = Math.max(0, left - 1);
    render();
  }, 1000);
  button.focus();
  return {
    box: box,
    button: button,
    close: () => {
      win.clearInterval(timer);
      box.hidden = true;
    }
  };
}
