/*
 * Nêu gương: the page's session with its kernel.
 *
 * 1. Kernel shutdown on page close (voila-dashboards/voila#1458). Voilà's widget manager
 *    posts `_xsrf` (read from the `_xsrf` cookie) to /voila/api/shutdown/<kernel> on
 *    `beforeunload`, but a notebook page never sets that cookie, so the server answers
 *    403 and the kernel keeps running. When the cookie is missing we set a random token
 *    as the page starts, which tornado's double-submit check accepts (a cookie the server
 *    issued, e.g. on the directory page, is kept). XSRF checking stays on.
 * 2. Watchdog: when the kernel is gone (culled, shut down after the page vanished, crashed,
 *    server restarted) or the server cannot be reached, show a Vietnamese message and open
 *    the same address again once the server answers: the page resumes from the records
 *    store (answers are saved one by one) and scrolls back to the quiz or scenario the
 *    learner was at. A page whose connection came back with its kernel alive carries on.
 *    A hidden tab waits until it is shown; a page that loses its kernel again within a
 *    minute of being reopened goes to the home page instead (no reload loop).
 * 3. Optional idle reset (kiosk): after a configured time without input, sign out and go home.
 * 4. Kiosk ("kiosk": true): the learner's session lives in a server-side token (its URLs carry
 *    ?session=<token>, never the learner, as on every site). Links replace the history entry instead of adding
 *    one, so Back and Forward have nothing of a previous learner to return to; "Kết thúc"
 *    (a widget button) ends the token in the kernel, then the page goes to the start screen
 *    with location.replace; input keeps the token alive through a hidden widget button; a
 *    page whose token has ended (nk-session-ended, nk-signed-out) goes to the start screen.
 *
 * Settings come from <script id="neuguong-config" type="application/json">.
 */
(function () {
  "use strict";

  var cfg = readConfig();
  var base = cfg.baseUrl || "/";
  var kiosk = cfg.kiosk === true;
  var unloading = false;
  var tripped = false;
  var failures = 0;
  var kernelId = null;
  var openSockets = 0; // kernel websockets open now
  var REOPENED_KEY = "nk-reopened"; // sessionStorage: {url, at} of the last automatic reopen
  var RESUME_KEY = "nk-resume"; // sessionStorage: {url, anchor, scrollY} to restore once shown
  var LOOP_MS = 60000;

  window.addEventListener("beforeunload", function () {
    unloading = true;
  });
  window.addEventListener("pagehide", function () {
    unloading = true;
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      // Restored from the back/forward cache: the kernel was shut down on leaving.
      window.location.reload();
    }
  });

  function readConfig() {
    var el = document.getElementById("neuguong-config");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (err) {
      return {};
    }
  }

  function homeUrl() {
    var home = cfg.home || "";
    if (/^(https?:)?\/\//.test(home) || home.charAt(0) === "/") {
      return home;
    }
    return base + home;
  }

  // ---- 1. XSRF cookie for the shutdown beacon ------------------------------------

  function getCookie(name) {
    var match = document.cookie.match("\\b" + name + "=([^;]*)\\b");
    return match ? match[1] : "";
  }

  function setClientXsrfToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
    document.cookie = "_xsrf=" + hex + "; path=" + base + "; SameSite=Strict";
  }

  // Set at once, not after a round trip: a learner who leaves the page within a moment
  // of opening it must not leave its kernel running (the beacon reads the cookie then).
  if (!getCookie("_xsrf")) {
    setClientXsrfToken();
  }

  // ---- 2. Watchdog -------------------------------------------------------------------

  function findKernelId() {
    var el = document.getElementById("jupyter-config-data");
    if (!el) {
      return null;
    }
    try {
      return JSON.parse(el.textContent).kernelId || null;
    } catch (err) {
      return null;
    }
  }

  function check() {
    if (tripped || unloading) {
      return Promise.resolve();
    }
    kernelId = kernelId || findKernelId();
    if (!kernelId) {
      return Promise.resolve();
    }
    var url = base + "api/kernels/" + encodeURIComponent(kernelId);
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        failures = 0;
        if (response.status === 404) {
          trip("kernel");
          return null;
        }
        if (!response.ok) {
          return null;
        }
        return response.json().then(function (model) {
          if (model && model.execution_state === "dead") {
            trip("kernel");
          }
        });
      },
      function () {
        failures += 1;
        if (failures >= 2) {
          trip("network");
        } else {
          window.setTimeout(check, 3000);
        }
      }
    );
  }

  var MESSAGES = {
    kernel:
      "Phiên học trên máy chủ đã kết thúc (do để lâu không dùng hoặc máy chủ vừa khởi động lại). " +
      "Trang sẽ mở lại đúng chỗ bạn đang học; các câu đã trả lời vẫn được giữ.",
    network: "Mất kết nối tới máy chủ bài học. Trang sẽ tự mở lại khi có kết nối.",
    idle: "Đã lâu không có thao tác. Phiên học sẽ kết thúc để bảo vệ thông tin của bạn."
  };

  var COUNTS = {
    home: "Tự động về trang chủ sau {n} giây.",
    reload: "Tự động mở lại trang sau {n} giây."
  };

  function showNotice(reason, seconds, buttonText, countText) {
    var box = document.getElementById("nk-session-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "nk-session-notice";
      box.className = "nk-session-notice";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-modal", "true");
      box.setAttribute("aria-labelledby", "nk-session-notice-text");
      box.innerHTML =
        '<div class="nk-session-notice__box">' +
        '<p id="nk-session-notice-text" class="nk-session-notice__text"></p>' +
        '<p class="nk-session-notice__count"></p>' +
        '<button type="button" class="nk-session-notice__button"></button>' +
        "</div>";
      document.body.appendChild(box);
    }
    box.setAttribute("data-reason", reason);
    box.querySelector(".nk-session-notice__text").textContent = MESSAGES[reason];
    box.querySelector(".nk-session-notice__button").textContent = buttonText;
    box.hidden = false;
    var count = box.querySelector(".nk-session-notice__count");
    var left = seconds;
    function render() {
      count.textContent = (countText || COUNTS.home).replace("{n}", String(left));
    }
    render();
    var timer = window.setInterval(function () {
      left = Math.max(0, left - 1);
      render();
    }, 1000);
    var button = box.querySelector(".nk-session-notice__button");
    button.focus();
    return {
      box: box,
      button: button,
      close: function () {
        window.clearInterval(timer);
        box.hidden = true;
      }
    };
  }

  function serverAnswers() {
    var probe = cfg.staticProbe || base + "voila/static/";
    return fetch(probe, { cache: "no-store", credentials: "same-origin" }).then(
      function (response) {
        return response.ok;
      },
      function () {
        return false;
      }
    );
  }

  function goHome() {
    serverAnswers().then(function (ok) {
      if (ok) {
        window.location.replace(homeUrl());
      } else {
        window.setTimeout(goHome, 3000);
      }
    });
  }

  function storage() {
    try {
      return window.sessionStorage;
    } catch (err) {
      return null;
    }
  }

  function readStored(key) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(key) || "null") : null;
    } catch (err) {
      return null;
    }
  }

  function writeStored(key, value) {
    var store = storage();
    try {
      if (store) {
        store.setItem(key, JSON.stringify(value));
      }
    } catch (err) {
      // private mode or full: the page still reopens, only without its position
    }
  }

  // Which quiz or scenario box the learner is looking at (index among them), if any.
  function currentAnchor() {
    var boxes = document.querySelectorAll(".nk-quiz, .nk-scenario");
    var middle = window.innerHeight / 2;
    var best = -1;
    var distance = Infinity;
    Array.prototype.forEach.call(boxes, function (box, index) {
      var rect = box.getBoundingClientRect();
      if (rect.height === 0) {
        return;
      }
      var inside = rect.top <= middle && rect.bottom >= middle;
      var d = inside ? 0 : Math.min(Math.abs(rect.top - middle), Math.abs(rect.bottom - middle));
      if (d < distance && d < window.innerHeight) {
        best = index;
        distance = d;
      }
    });
    return best;
  }

  // Open this address again (its learner or kiosk token included): the page resumes.
  function reopen() {
    var here = window.location.href;
    var last = readStored(REOPENED_KEY);
    if (last && last.url === here && Date.now() - last.at < LOOP_MS) {
      goHome(); // it just came back and lost its kernel again: not a loop of reloads
      return;
    }
    writeStored(REOPENED_KEY, { url: here, at: Date.now() });
    writeStored(RESUME_KEY, { url: here, anchor: currentAnchor(), scrollY: window.scrollY });
    window.location.reload(); // no new history entry; unlike replace(), also with a #fragment
  }

  function kernelAlive() {
    if (!kernelId) {
      return Promise.resolve(false);
    }
    var url = base + "api/kernels/" + encodeURIComponent(kernelId);
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        if (!response.ok) {
          return false;
        }
        return response.json().then(function (model) {
          return !!model && model.execution_state !== "dead";
        });
      },
      function () {
        return false;
      }
    );
  }

  // The connection is back and the kernel kept: carry on where the learner is.
  function recover() {
    tripped = false;
    failures = 0;
    document.documentElement.removeAttribute("data-nk-session");
    if (notice) {
      notice.close();
      notice = null;
    }
  }

  // Once the server answers: after a network drop, keep the page if its kernel lived and its
  // websocket reconnects (the browser retries it); otherwise open the address again.
  function restore(reason) {
    serverAnswers().then(function (ok) {
      if (!ok) {
        window.setTimeout(function () {
          restore(reason);
        }, 3000);
        return;
      }
      if (reason !== "network") {
        reopen();
        return;
      }
      kernelAlive().then(function (alive) {
        if (!alive) {
          reopen();
          return;
        }
        var waited = 0;
        (function waitForSocket() {
          if (openSockets > 0) {
            recover();
          } else if (waited >= 15) {
            reopen();
          } else {
            waited += 1;
            window.setTimeout(waitForSocket, 1000);
          }
        })();
      });
    });
  }

  function whenVisible(callback) {
    if (!document.hidden) {
      callback();
      return;
    }
    var shown = function () {
      if (!document.hidden) {
        document.removeEventListener("visibilitychange", shown);
        callback();
      }
    };
    document.addEventListener("visibilitychange", shown);
  }

  var notice = null;

  function trip(reason) {
    if (tripped || unloading) {
      return;
    }
    tripped = true;
    document.documentElement.setAttribute("data-nk-session", reason);
    // A hidden tab opens nothing (no kernel for a page nobody looks at) until it is shown.
    whenVisible(function () {
      var delay = Math.max(0, Number(cfg.reloadDelaySeconds) || 0);
      notice = showNotice(reason, delay, "Mở lại trang ngay", COUNTS.reload);
      var started = false;
      var start = function () {
        if (!started && tripped) {
          started = true;
          restore(reason);
        }
      };
      notice.button.addEventListener("click", start);
      window.setTimeout(start, delay * 1000);
    });
  }

  // A reopened page goes back to the quiz or scenario its learner was at, once drawn.
  function restorePosition() {
    var saved = readStored(RESUME_KEY);
    if (!saved || saved.url !== window.location.href) {
      return;
    }
    var store = storage();
    if (store) {
      store.removeItem(RESUME_KEY);
    }
    var deadline = Date.now() + 60000;
    (function place() {
      var rendered = document.documentElement.getAttribute("data-nk-rendered") === "true";
      var boxes = document.querySelectorAll(".nk-quiz, .nk-scenario");
      var box = saved.anchor >= 0 ? boxes[saved.anchor] : null;
      if (rendered && (box || saved.anchor < 0)) {
        if (box) {
          box.scrollIntoView({ block: "start" });
        } else {
          window.scrollTo(0, Number(saved.scrollY) || 0);
        }
        document.documentElement.setAttribute("data-nk-resumed", saved.anchor >= 0 ? "anchor" : "scroll");
      } else if (Date.now() < deadline) {
        window.setTimeout(place, 250);
      }
    })();
  }
  restorePosition();

  // Notice a dropped kernel websocket at once instead of at the next poll.
  var NativeWebSocket = window.WebSocket;
  var DEAD_STATUS = /"execution_state":\s*"(restarting|dead)"/;
  var STATUS_BYTES = 2048; // a status message is ~500 bytes; larger widget updates are left alone
  var decoder = window.TextDecoder ? new TextDecoder() : null;

  function inspect(data) {
    if (typeof data === "string") {
      return data.length < STATUS_BYTES && DEAD_STATUS.test(data);
    }
    if (decoder && data instanceof ArrayBuffer && data.byteLength < STATUS_BYTES) {
      return DEAD_STATUS.test(decoder.decode(data));
    }
    return false;
  }

  function WatchedWebSocket(url, protocols) {
    var ws =
      protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      var counted = false;
      ws.addEventListener("open", function () {
        counted = true;
        openSockets += 1;
      });
      ws.addEventListener("close", function () {
        if (counted) {
          counted = false;
          openSockets -= 1;
        }
        if (!unloading) {
          window.setTimeout(check, 500);
        }
      });
      ws.addEventListener("message", function (event) {
        if (inspect(event.data)) {
          trip("kernel");
        }
      });
    }
    return ws;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    WatchedWebSocket[name] = NativeWebSocket[name];
  });
  window.WebSocket = WatchedWebSocket;

  var pollSeconds = Number(cfg.pollSeconds) || 0;
  if (pollSeconds > 0) {
    window.setInterval(check, pollSeconds * 1000);
  }

  // ---- 3. Idle reset (kiosk) ---------------------------------------------------------

  var idleSeconds = Number(cfg.idleResetSeconds) || 0;
  if (idleSeconds > 0) {
    var warnSeconds = Math.max(5, Number(cfg.idleWarningSeconds) || 20);
    var idleTimer = null;
    var warnTimer = null;
    var warning = null;

    var resetIdle = function () {
      if (tripped) {
        return;
      }
      window.clearTimeout(idleTimer);
      window.clearTimeout(warnTimer);
      if (warning) {
        warning.close();
        warning = null;
      }
      idleTimer = window.setTimeout(function () {
        warning = showNotice("idle", warnSeconds, "Tiếp tục học");
        warning.button.addEventListener("click", resetIdle);
        warnTimer = window.setTimeout(function () {
          document.documentElement.setAttribute("data-nk-session", "idle");
          signOut();
        }, warnSeconds * 1000);
      }, Math.max(1, idleSeconds - warnSeconds) * 1000);
    };

    ["pointerdown", "keydown", "wheel", "touchstart"].forEach(function (name) {
      window.addEventListener(name, resetIdle, { passive: true, capture: true });
    });
    resetIdle();
    // Count again from when the page is shown: a slow load must not eat the learner's time.
    var shown = new MutationObserver(function () {
      if (document.documentElement.getAttribute("data-nk-rendered") === "true") {
        shown.disconnect();
        resetIdle();
      }
    });
    shown.observe(document.documentElement, { attributes: true, attributeFilter: ["data-nk-rendered"] });
  }

  // ---- 4. Kiosk session --------------------------------------------------------------

  var leaving = false;
  var ending = false;

  // Nothing of the learner stays on screen while the start screen loads.
  function hidePage() {
    ["rendered_cells", "main"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) {
        el.style.visibility = "hidden";
      }
    });
  }

  // To the start screen, once, replacing this history entry.
  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    tripped = true;
    hidePage();
    goHome();
  }

  // The kernel ends the token when "Kết thúc" is pressed; wait (briefly) until it says so.
  function endingStarted() {
    if (ending) {
      return;
    }
    ending = true;
    tripped = true;
    window.setTimeout(hidePage, 0); // after the click has reached the widget
    window.setTimeout(leave, Math.max(1, Number(cfg.signOutWaitSeconds) || 5) * 1000);
  }

  // Idle reset: press "Kết thúc" like the learner would, else just go to the start screen.
  function signOut() {
    var button = kiosk ? document.querySelector("button.nk-sign-out") : null;
    if (button && !button.disabled && !ending) {
      button.click();
    } else {
      leave();
    }
  }

  function sameSite(url) {
    return url.origin === window.location.origin && /^https?:$/.test(url.protocol);
  }

  if (kiosk) {
    document.addEventListener(
      "click",
      function (event) {
        var target = event.target;
        if (!target || !target.closest) {
          return;
        }
        if (target.closest("button.nk-sign-out")) {
          endingStarted();
          return;
        }
        var link = target.closest("a[href]");
        if (!link || link.hasAttribute("download")) {
          return;
        }
        var url = new URL(link.getAttribute("href"), document.baseURI);
        if (!sameSite(url)) {
          return;
        }
        // No new entry, no new tab or window: the kiosk's history stays one page long.
        event.preventDefault();
        window.location.replace(url.href);
      },
      true
    );
    document.addEventListener(
      "auxclick",
      function (event) {
        if (event.target && event.target.closest && event.target.closest("a[href]")) {
          event.preventDefault();
        }
      },
      true
    );

    // Input keeps the session token alive: the hidden button, at most every 15 s.
    var pingMs = Math.max(1, Number(cfg.keepAliveSeconds) || 15) * 1000;
    var lastPing = Date.now(); // opening the page slid the token
    var pingTimer = null;
    var ping = function () {
      pingTimer = null;
      var alive = document.querySelector("button.nk-kiosk-alive");
      if (alive && !alive.disabled && !ending && !leaving) {
        lastPing = Date.now();
        alive.click();
      }
    };
    var activity = function () {
      if (pingTimer === null) {
        pingTimer = window.setTimeout(ping, Math.max(0, lastPing + pingMs - Date.now()));
      }
    };
    ["pointerdown", "keydown", "wheel", "touchstart"].forEach(function (name) {
      window.addEventListener(name, activity, { passive: true, capture: true });
    });

    // The kernel says the session is over (signed out, expired, or opened with a dead token).
    var ended = function () {
      return document.querySelector(".nk-signed-out, .nk-session-ended");
    };
    new MutationObserver(function () {
      if (!leaving && ended()) {
        leave();
      }
    }).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class"]
    });
  } else {
    // Learner site: "Kết thúc" must not leave the learner's name and progress on a shared
    // screen either. Once the kernel has ended the session (nk-signed-out), show its notice
    // briefly, then go to the sign-in screen. A page opened with a dead token keeps its notice.
    var signedOut = new MutationObserver(function () {
      if (!leaving && document.querySelector(".nk-signed-out")) {
        signedOut.disconnect();
        window.setTimeout(leave, 2000);
      }
    });
    signedOut.observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class"]
    });
  }
})();
