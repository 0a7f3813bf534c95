import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { test } from "node:test";

import {
  ensureXsrfCookie,
  getCookie,
  randomToken
} from "../../share/jupyter/voila/templates/neuguong/static/session/xsrf.js";
import { FakeDocument } from "./fakes.mjs";

test("getCookie finds a cookie by name among others, and gives '' when absent", () => {
  assert.equal(getCookie("a=1; _xsrf=abc; b=2", "_xsrf"), "abc");
  assert.equal(getCookie("a=1; b=2", "_xsrf"), "");
  assert.equal(getCookie("", "_xsrf"), "");
});

test("randomToken is 32 hexadecimal digits, different each time", () => {
  const one = randomToken(webcrypto);
  assert.match(one, /^[0-9a-f]{32}$/);
  assert.notEqual(one, randomToken(webcrypto));
});

test("ensureXsrfCookie sets a strict cookie on the base path when none exists", () => {
  const doc = new FakeDocument();
  assert.equal(ensureXsrfCookie(doc, webcrypto, "/hub/"), true);
  assert.equal(doc.jar.length, 1);
  assert.match(doc.jar[0], /^_xsrf=[0-9a-f]{32}; path=\/hub\/; SameSite=Strict$/);
  assert.match(getCookie(doc.cookie, "_xsrf"), /^[0-9a-f]{32}$/);
});

test("ensureXsrfCookie keeps a cookie the server issued", () => {
  const doc = new FakeDocument();
  doc.cookie = "_xsrf=2|server|token";
  assert.equal(ensureXsrfCookie(doc, webcrypto, "/"), false);
  assert.deepEqual(doc.jar, ["_xsrf=2|server|token"]);
});
