/*
 * Nêu gương session: the page's session with its kernel, wired from the parts of this folder.
 *
 * 1. xsrf.js: the cookie that lets Voilà's shutdown beacon through on page close.
 * 2. watchdog.js + sockets.js + resume.js + notice.js: a lost kernel or connection is noticed,
 *    and the page reopens where the learner was (or carries on if the kernel lived).
 * 3. idle.js: optional idle reset (kiosk): sign out and go home after a time without input.
 * 4. kiosk.js: the kiosk's token session and leaving a page after "Kết thúc".
 *
 * Settings come from <script id="neuguong-config" type="application/json"> (config.js).
 */

import { baseUrl, readConfig } from "./config.js";
import { startIdleReset } from "./idle.js";
import { createExit, startKiosk, startLearnerSignOut } from "./kiosk.js";
import { showNotice } from "./notice.js";
import { restorePosition } from "./resume.js";
import { watchWebSockets } from "./sockets.js";
import { createWatchdog } from "./watchdog.js";
import { ensureXsrfCookie } from "./xsrf.js";

/** Start the session script on a page (`win`, `doc`: the browser's window and document). */
export function startSession(win, doc) {
  const cfg = readConfig(doc);
  const base = baseUrl(cfg);
  const kiosk = cfg.kiosk === true;
  const state = { unloading: false, tripped: false, leaving: false, ending: false, openSockets: 0 };
  const session = {
    win,
    doc,
    cfg,
    base,
    kiosk,
    state,
    now: () => Date.now(),
    showNotice: (reason, seconds, buttonText, countText) =>
      showNotice(win, doc, reason, seconds, buttonText, countText)
  };

  win.addEventListener("beforeunload", () => {
    state.unloading = true;
  });
  win.addEventListener("pagehide", () => {
    state.unloading = true;
  });
  win.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      // Restored from the back/forward cache: the kernel was shut down on leaving.
      win.location.reload();
    }
  });

  ensureXsrfCookie(doc, win.crypto, base);

  const watchdog = createWatchdog(session);
  session.goHome = watchdog.goHome;
  restorePosition(win, doc, session.now);
  watchWebSockets(win, watchdog.sockets);
  watchdog.startPolling();

  const exit = createExit(session);
  startIdleReset(session, exit.signOut);
  if (kiosk) {
    startKiosk(session, exit);
  } else {
    startLearnerSignOut(session, exit);
  }
  return session;
}
