/*
 * Nêu gương session: leaving a learner's page, on a kiosk and on the learner site.
 *
 * Kiosk ("kiosk": true): the learner's session lives in a server-side token (its URLs carry
 * ?session=<token>, never the learner, as on every site). Links replace the history entry instead
 * of adding one, so Back and Forward have nothing of a previous learner to return to; "Kết thúc"
 * (a widget button) ends the token in the kernel, then the page goes to the start screen with
 * location.replace; input keeps the token alive through a hidden widget button; a page whose
 * token has ended (nk-signed-out, nk-session-ended) goes to the start screen.
 *
 * Learner site: after "Kết thúc" (nk-signed-out) the page shows the kernel's notice for 2 s, then
 * goes to the sign-in screen, so that no name or progress stays on a shared screen.
 */

import { INPUT_EVENTS } from "./idle.js";

const SIGN_OUT = "button.nk-sign-out";
const WATCH_CLASSES = { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] };

/**
 * The ways out of a page; `session` is {win, doc, cfg, kiosk, state, goHome}. `leave()` goes to
 * the start screen once; `endingStarted()` follows a press on "Kết thúc"; `signOut()` is the idle
 * reset's exit.
 */
export function createExit(session) {
  const { win, doc, cfg, state } = session;

  // Nothing of the learner stays on screen while the start screen loads.
  function hidePage() {
    ["rendered_cells", "main"].forEach((id) => {
      const el = doc.getElementById(id);
      if (el) {
        el.style.visibility = "hidden";
      }
    });
  }

  // To the start screen, once, replacing this history entry.
  function leave() {
    if (state.leaving) {
      return;
    }
    state.leaving = true;
    state.tripped = true;
    hidePage();
    session.goHome();
  }

  // The kernel ends the token when "Kết thúc" is pressed; wait (briefly) until it says so.
  function endingStarted() {
    if (state.ending) {
      return;
    }
    state.ending = true;
    state.tripped = true;
    win.setTimeout(hidePage, 0); // after the click has reached the widget
    win.setTimeout(leave, Math.max(1, Number(cfg.signOutWaitSeconds) || 5) * 1000);
  }

  // Idle reset: press "Kết thúc" like the learner would, else just go to the start screen.
  function signOut() {
    const button = session.kiosk ? doc.querySelector(SIGN_OUT) : null;
    if (button && !button.disabled && !state.ending) {
      button.click();
    } else {
      leave();
    }
  }

  return { hidePage, leave, endingStarted, signOut };
}

/** True for an http(s) address on this page's origin. */
export function sameSite(url, origin) {
  return url.origin === origin && /^https?:$/.test(url.protocol);
}

/** The kiosk's handlers: links, "Kết thúc", keep-alive, ended sessions (see the module docstring). */
export function startKiosk(session, exit) {
  const { win, doc, cfg, state, now } = session;
  doc.addEventListener(
    "click",
    (event) => {
      const target = event.target;
      if (!target || !target.closest) {
        return;
      }
      if (target.closest(SIGN_OUT)) {
        exit.endingStarted();
        return;
      }
      const link = target.closest("a[href]");
      if (!link || link.hasAttribute("download")) {
        return;
      }
      const url = new URL(link.getAttribute("href"), doc.baseURI);
      if (!sameSite(url, win.location.origin)) {
        return;
      }
      // No new entry, no new tab or window: the kiosk's history stays one page long.
      event.preventDefault();
      win.location.replace(url.href);
    },
    true
  );
  doc.addEventListener(
    "auxclick",
    (event) => {
      if (event.target && event.target.closest && event.target.closest("a[href]")) {
        event.preventDefault();
      }
    },
    true
  );

  // Input keeps the session token alive: the hidden button, at most every keepAliveSeconds (15).
  const pingMs = Math.max(1, Number(cfg.keepAliveSeconds) || 15) * 1000;
  let lastPing = now(); // opening the page slid the token
  let pingTimer = null;
  const ping = () => {
    pingTimer = null;
    const alive = doc.querySelector("button.nk-kiosk-alive");
    if (alive && !alive.disabled && !state.ending && !state.leaving) {
      lastPing = now();
      alive.click();
    }
  };
  const activity = () => {
    if (pingTimer === null) {
      pingTimer = win.setTimeout(ping, Math.max(0, lastPing + pingMs - now()));
    }
  };
  INPUT_EVENTS.forEach((name) => {
    win.addEventListener(name, activity, { passive: true, capture: true });
  });

  // The kernel says the session is over (signed out, expired, or opened with a dead token).
  const ended = () => doc.querySelector(".nk-signed-out, .nk-session-ended");
  const watch = () => {
    if (!state.leaving && ended()) {
      exit.leave();
    }
  };
  new win.MutationObserver(watch).observe(doc.documentElement, WATCH_CLASSES);
  watch(); // already drawn before this module ran
}

/** Learner site: once the kernel has ended the session (nk-signed-out), leave after 2 s. */
export function startLearnerSignOut(session, exit) {
  const { win, doc, state } = session;
  const signedOut = new win.MutationObserver(() => watch());
  const watch = () => {
    if (!state.leaving && doc.querySelector(".nk-signed-out")) {
      signedOut.disconnect();
      win.setTimeout(exit.leave, 2000);
      return true;
    }
    return false;
  };
  if (!watch()) {
    signedOut.observe(doc.documentElement, WATCH_CLASSES);
  }
}
