import assert from "node:assert/strict";
import { test } from "node:test";

import { baseUrl, homeUrl, readConfig } from "../../share/jupyter/voila/templates/neuguong/static/session/config.js";
import { FakeDocument } from "./fakes.mjs";

test("readConfig parses the config element, and gives {} when it is missing or broken", () => {
  const doc = new FakeDocument();
  assert.deepEqual(readConfig(doc), {});
  const el = doc.add("script", { id: "neuguong-config" });
  el.textContent = '{"baseUrl": "/hub/", "kiosk": true}';
  assert.deepEqual(readConfig(doc), { baseUrl: "/hub/", kiosk: true });
  el.textContent = "{not json";
  assert.deepEqual(readConfig(doc), {});
});

test("baseUrl defaults to /", () => {
  assert.equal(baseUrl({}), "/");
  assert.equal(baseUrl({ baseUrl: "/user/a/" }), "/user/a/");
});

test("homeUrl keeps absolute and root-relative addresses, and puts others under the base", () => {
  assert.equal(homeUrl({ baseUrl: "/b/", home: "voila/render/home.ipynb" }), "/b/voila/render/home.ipynb");
  assert.equal(homeUrl({ baseUrl: "/b/", home: "/elsewhere" }), "/elsewhere");
  assert.equal(homeUrl({ home: "https://site.test/x" }), "https://site.test/x");
  assert.equal(homeUrl({ home: "//site.test/x" }), "//site.test/x");
  assert.equal(homeUrl({ baseUrl: "/b/" }), "/b/");
});
