/*
 * Nêu gương session: the XSRF cookie for the kernel shutdown on page close
 * (voila-dashboards/voila#1458). Voilà's widget manager posts `_xsrf` (read from the `_xsrf`
 * cookie) to /voila/api/shutdown/<kernel> on `beforeunload`, but a notebook page never sets that
 * cookie, so the server answers 403 and the kernel keeps running. When the cookie is missing a
 * random token is set as the page starts, which tornado's double-submit check accepts (a cookie
 * the server issued, e.g. on the directory page, is kept). XSRF checking stays on.
 */

/** The value of cookie `name` in a `document.cookie` string, or "". */
export function getCookie(cookies, name) {
  const match = cookies.match("\\b" + name + "=([^;]*)\\b");
  return match ? match[1] : "";
}

/** 16 random bytes from `crypto.getRandomValues`, as 32 hexadecimal digits. */
export function randomToken(crypto) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, (b) => ("0" + b.toString(16)).slice(-2)).join("");
}

/**
 * Set the `_xsrf` cookie (path `base`, SameSite=Strict) unless one exists; true if it was set.
 * Called at once, not after a round trip: a learner who leaves the page within a moment of
 * opening it must not leave its kernel running (the beacon reads the cookie then).
 */
export function ensureXsrfCookie(doc, crypto, base) {
  if (getCookie(doc.cookie, "_xsrf")) {
    return false;
  }
  doc.cookie = "_xsrf=" + randomToken(crypto) + "; path=" + base + "; SameSite=Strict";
  return true;
}
