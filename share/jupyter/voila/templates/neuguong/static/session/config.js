/*
 * Nêu gương session: the page's settings, from <script id="neuguong-config" type="application/json">
 * (written by index.html.j2 from VoilaConfiguration.resources["neuguong"]).
 */

/** The settings object; {} when the element is missing or its JSON is broken. */
export function readConfig(doc) {
  const el = doc.getElementById("neuguong-config");
  try {
    return el ? JSON.parse(el.textContent) : {};
  } catch (err) {
    return {};
  }
}

/** The site's base URL, ending with "/". */
export function baseUrl(cfg) {
  return cfg.baseUrl || "/";
}

/** The mode's home page: an absolute or root-relative address as is, else under the base URL. */
export function homeUrl(cfg) {
  const home = cfg.home || "";
  if (/^(https?:)?\/\//.test(home) || home.charAt(0) === "/") {
    return home;
  }
  return baseUrl(cfg) + home;
}
