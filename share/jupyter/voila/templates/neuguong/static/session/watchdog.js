/*
 * Nêu gương session: the watchdog. When the kernel is gone (culled, shut down after the page
 * vanished, crashed, server restarted) or the server cannot be reached, show a Vietnamese notice
 * and open the same address again once the server answers: the page resumes from the records
 * store (answers are saved one by one) and scrolls back to the quiz or scenario the learner was
 * at. A page whose connection came back with its kernel alive carries on. A hidden tab waits
 * until it is shown; a page that loses its kernel again within a minute of being reopened goes
 * to the home page instead (no reload loop).
 */

import { homeUrl } from "./config.js";
import { COUNTS } from "./notice.js";
import { readStored, REOPENED_KEY, saveResume, writeStored } from "./resume.js";

export const LOOP_MS = 60000;
const RETRY_MS = 3000;
const SOCKET_WAIT_S = 15;

/** The page's kernel id from Voilà's #jupyter-config-data, or null. */
export function findKernelId(doc) {
  const el = doc.getElementById("jupyter-config-data");
  if (!el) {
    return null;
  }
  try {
    return JSON.parse(el.textContent).kernelId || null;
  } catch (err) {
    return null;
  }
}

/**
 * The watchdog of one page. `session` is {win, doc, cfg, base, state, now, showNotice}: `state`
 * is shared with the other parts ({unloading, tripped, openSockets}); `showNotice(reason,
 * seconds, buttonText, countText)` draws the notice.
 */
export function createWatchdog(session) {
  const { win, doc, cfg, base, state, now } = session;
  let failures = 0;
  let kernelId = null;
  let notice = null;

  function kernelUrl() {
    return base + "api/kernels/" + encodeURIComponent(kernelId);
  }

  // Ask the server about the kernel: 404 or "dead" trips; two failed requests in a row trip.
  function check() {
    if (state.tripped || state.unloading) {
      return Promise.resolve();
    }
    kernelId = kernelId || findKernelId(doc);
    if (!kernelId) {
      return Promise.resolve();
    }
    return win.fetch(kernelUrl(), { credentials: "same-origin", cache: "no-store" }).then(
      (response) => {
        failures = 0;
        if (response.status === 404) {
          trip("kernel");
          return null;
        }
        if (!response.ok) {
          return null;
        }
        return response.json().then((model) => {
          if (model && model.execution_state === "dead") {
            trip("kernel");
          }
        });
      },
      () => {
        failures += 1;
        if (failures >= 2) {
          trip("network");
        } else {
          win.setTimeout(check, RETRY_MS);
        }
      }
    );
  }

  function serverAnswers() {
    const probe = cfg.staticProbe || base + "voila/static/";
    return win.fetch(probe, { cache: "no-store", credentials: "same-origin" }).then(
      (response) => response.ok,
      () => false
    );
  }

  // To the home page, replacing this history entry, once the server answers.
  function goHome() {
    serverAnswers().then((ok) => {
      if (ok) {
        win.location.replace(homeUrl(cfg));
      } else {
        win.setTimeout(goHome, RETRY_MS);
      }
    });
  }

  // Open this address again (its learner or kiosk token included): the page resumes.
  function reopen() {
    const here = win.location.href;
    const last = readStored(win, REOPENED_KEY);
    if (last && last.url === here && now() - last.at < LOOP_MS) {
      goHome(); // it just came back and lost its kernel again: not a loop of reloads
      return;
    }
    writeStored(win, REOPENED_KEY, { url: here, at: now() });
    saveResume(win, doc);
    win.location.reload(); // no new history entry; unlike replace(), also with a #fragment
  }

  function kernelAlive() {
    if (!kernelId) {
      return Promise.resolve(false);
    }
    return win.fetch(kernelUrl(), { credentials: "same-origin", cache: "no-store" }).then(
      (response) => {
        if (!response.ok) {
          return false;
        }
        return response.json().then((model) => !!model && model.execution_state !== "dead");
      },
      () => false
    );
  }

  // The connection is back and the kernel kept: carry on where the learner is.
  function recover() {
    state.tripped = false;
    failures = 0;
    doc.documentElement.removeAttribute("data-nk-session");
    if (notice) {
      notice.close();
      notice = null;
    }
  }

  // Once the server answers: after a network drop, keep the page if its kernel lived and its
  // websocket reconnects (the browser retries it); otherwise open the address again.
  function restore(reason) {
    serverAnswers().then((ok) => {
      if (!ok) {
        win.setTimeout(() => restore(reason), RETRY_MS);
        return;
      }
      if (reason !== "network") {
        reopen();
        return;
      }
      kernelAlive().then((alive) => {
        if (!alive) {
          reopen();
          return;
        }
        let waited = 0;
        (function waitForSocket() {
          if (state.openSockets > 0) {
            recover();
          } else if (waited >= SOCKET_WAIT_S) {
            reopen();
          } else {
            waited += 1;
            win.setTimeout(waitForSocket, 1000);
          }
        })();
      });
    });
  }

  function whenVisible(callback) {
    if (!doc.hidden) {
      callback();
      return;
    }
    const shown = () => {
      if (!doc.hidden) {
        doc.removeEventListener("visibilitychange", shown);
        callback();
      }
    };
    doc.addEventListener("visibilitychange", shown);
  }

  // The kernel or the connection is lost ("kernel" or "network"): notice, then restore.
  function trip(reason) {
    if (state.tripped || state.unloading) {
      return;
    }
    state.tripped = true;
    doc.documentElement.setAttribute("data-nk-session", reason);
    // A hidden tab opens nothing (no kernel for a page nobody looks at) until it is shown.
    whenVisible(() => {
      const delay = Math.max(0, Number(cfg.reloadDelaySeconds) || 0);
      notice = session.showNotice(reason, delay, "Mở lại trang ngay", COUNTS.reload);
      let started = false;
      const start = () => {
        if (!started && state.tripped) {
          started = true;
          restore(reason);
        }
      };
      notice.button.addEventListener("click", start);
      win.setTimeout(start, delay * 1000);
    });
  }

  // Websocket hooks (see sockets.js): a closed kernel socket is checked half a second later.
  const sockets = {
    opened: () => {
      state.openSockets += 1;
    },
    closed: (wasOpen) => {
      if (wasOpen) {
        state.openSockets -= 1;
      }
      if (!state.unloading) {
        win.setTimeout(check, 500);
      }
    },
    dead: () => trip("kernel")
  };

  // Poll the kernel every `pollSeconds` (0: never).
  function startPolling() {
    const pollSeconds = Number(cfg.pollSeconds) || 0;
    if (pollSeconds > 0) {
      win.setInterval(check, pollSeconds * 1000);
    }
  }

  return { check, trip, goHome, sockets, startPolling };
}
