/*
 * Nêu gương session: optional idle reset (kiosk). After `idleResetSeconds` without input, warn
 * for `idleWarningSeconds` (at least 5, default 20), then sign out and go home; any input or the
 * notice's button starts the count again.
 */

export const INPUT_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"];

/**
 * Start the idle count of one page; `session` is {win, doc, cfg, state, showNotice}; `signOut()`
 * ends the session. Returns the reset function, or null when the idle reset is off.
 */
export function startIdleReset(session, signOut) {
  const { win, doc, cfg, state } = session;
  const idleSeconds = Number(cfg.idleResetSeconds) || 0;
  if (idleSeconds <= 0) {
    return null;
  }
  const warnSeconds = Math.max(5, Number(cfg.idleWarningSeconds) || 20);
  let idleTimer = null;
  let warnTimer = null;
  let warning = null;

  const resetIdle = () => {
    if (state.tripped) {
      return;
    }
    win.clearTimeout(idleTimer);
    win.clearTimeout(warnTimer);
    if (warning) {
      warning.close();
      warning = null;
    }
    idleTimer = win.setTimeout(() => {
      warning = session.showNotice("idle", warnSeconds, "Tiếp tục học");
      warning.button.addEventListener("click", resetIdle);
      warnTimer = win.setTimeout(() => {
        doc.documentElement.setAttribute("data-nk-session", "idle");
        signOut();
      }, warnSeconds * 1000);
    }, Math.max(1, idleSeconds - warnSeconds) * 1000);
  };

  INPUT_EVENTS.forEach((name) => {
    win.addEventListener(name, resetIdle, { passive: true, capture: true });
  });
  resetIdle();
  // Count again from when the page is shown: a slow load must not eat the learner's time.
  const shown = new win.MutationObserver(() => {
    if (doc.documentElement.getAttribute("data-nk-rendered") === "true") {
      shown.disconnect();
      resetIdle();
    }
  });
  shown.observe(doc.documentElement, { attributes: true, attributeFilter: ["data-nk-rendered"] });
  return resetIdle;
}
