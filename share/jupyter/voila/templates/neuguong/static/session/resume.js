/*
 * Nêu gương session: where the learner was, kept in sessionStorage across an automatic reopen,
 * so that the reopened page scrolls back to the quiz or scenario the learner was at.
 */

export const REOPENED_KEY = "nk-reopened"; // {url, at} of the last automatic reopen
export const RESUME_KEY = "nk-resume"; // {url, anchor, scrollY} to restore once shown
const BOXES = ".nk-quiz, .nk-scenario";

/** The tab's sessionStorage, or null where it cannot be used. */
export function storage(win) {
  try {
    return win.sessionStorage;
  } catch (err) {
    return null;
  }
}

/** The JSON value stored under `key`, or null. */
export function readStored(win, key) {
  const store = storage(win);
  try {
    return store ? JSON.parse(store.getItem(key) || "null") : null;
  } catch (err) {
    return null;
  }
}

/** Store `value` as JSON under `key`, quietly doing nothing when storage is unavailable. */
export function writeStored(win, key, value) {
  const store = storage(win);
  try {
    if (store) {
      store.setItem(key, JSON.stringify(value));
    }
  } catch (err) {
    // private mode or full: the page still reopens, only without its position
  }
}

/** Which quiz or scenario box the learner is looking at (index among them), or -1. */
export function currentAnchor(win, doc) {
  const boxes = doc.querySelectorAll(BOXES);
  const middle = win.innerHeight / 2;
  let best = -1;
  let distance = Infinity;
  Array.prototype.forEach.call(boxes, (box, index) => {
    const rect = box.getBoundingClientRect();
    if (rect.height === 0) {
      return;
    }
    const inside = rect.top <= middle && rect.bottom >= middle;
    const d = inside ? 0 : Math.min(Math.abs(rect.top - middle), Math.abs(rect.bottom - middle));
    if (d < distance && d < win.innerHeight) {
      best = index;
      distance = d;
    }
  });
  return best;
}

/** Remember this address and the learner's position before the page is opened again. */
export function saveResume(win, doc) {
  writeStored(win, RESUME_KEY, {
    url: win.location.href,
    anchor: currentAnchor(win, doc),
    scrollY: win.scrollY
  });
}

/**
 * A reopened page goes back to the quiz or scenario its learner was at, once drawn
 * (data-nk-rendered="true"), trying every 250 ms for a minute; marks data-nk-resumed.
 */
export function restorePosition(win, doc, now) {
  const saved = readStored(win, RESUME_KEY);
  if (!saved || saved.url !== win.location.href) {
    return;
  }
  const store = storage(win);
  if (store) {
    store.removeItem(RESUME_KEY);
  }
  const deadline = now() + 60000;
  const root = doc.documentElement;
  (function place() {
    const rendered = root.getAttribute("data-nk-rendered") === "true";
    const boxes = doc.querySelectorAll(BOXES);
    const box = saved.anchor >= 0 ? boxes[saved.anchor] : null;
    if (rendered && (box || saved.anchor < 0)) {
      if (box) {
        box.scrollIntoView({ block: "start" });
      } else {
        win.scrollTo(0, Number(saved.scrollY) || 0);
      }
      root.setAttribute("data-nk-resumed", saved.anchor >= 0 ? "anchor" : "scroll");
    } else if (now() < deadline) {
      win.setTimeout(place, 250);
    }
  })();
}
