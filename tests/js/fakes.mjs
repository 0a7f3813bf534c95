import { webcrypto } from "node:crypto";

// Small stand-ins for the browser objects the session modules use: a document tree with the
// selectors they ask for, a window with a controllable clock, storage, location, fetch and
// WebSocket. Not a browser: just enough for each module's behaviour to be checked under node.

/** Let every pending promise callback run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

// "tag#id.class[attr]" parts, comma-separated.
function parseSelector(selector) {
  return selector.split(",").map((part) => {
    const text = part.trim();
    const tag = /^[a-zA-Z]+/.exec(text);
    return {
      tag: tag ? tag[0].toUpperCase() : null,
      ids: [...text.matchAll(/#([\w-]+)/g)].map((m) => m[1]),
      classes: [...text.matchAll(/\.([\w-]+)/g)].map((m) => m[1]),
      attributes: [...text.matchAll(/\[([\w-]+)\]/g)].map((m) => m[1])
    };
  });
}

class Listeners {
  constructor() {
    this.listeners = {};
  }
  addEventListener(type, fn, options) {
    (this.listeners[type] = this.listeners[type] || []).push({ fn, options });
  }
  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter((l) => l.fn !== fn);
  }
  /** Call the `type` listeners with `event` (default: an object with preventDefault). */
  dispatch(type, event = {}) {
    const full = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...event };
    (this.listeners[type] || []).slice().forEach((l) => l.fn(full));
    return full;
  }
}

export class FakeElement extends Listeners {
  constructor(doc, tagName) {
    super();
    this.ownerDocument = doc;
    this.tagName = tagName.toUpperCase();
    this.attrs = new Map();
    this.children = [];
    this.parentNode = null;
    this.textContent = "";
    this.hidden = false;
    this.disabled = false;
    this.style = {};
    this.clicks = 0;
    this.rect = { top: 0, bottom: 0, height: 0 };
    this.scrolledInto = null;
  }
  get id() {
    return this.getAttribute("id") || "";
  }
  set id(value) {
    this.setAttribute("id", value);
  }
  get className() {
    return this.getAttribute("class") || "";
  }
  set className(value) {
    this.setAttribute("class", value);
  }
  setAttribute(name, value) {
    this.attrs.set(name, String(value));
    this.ownerDocument.mutated({ type: "attributes", target: this, attributeName: name });
  }
  getAttribute(name) {
    return this.attrs.has(name) ? this.attrs.get(name) : null;
  }
  hasAttribute(name) {
    return this.attrs.has(name);
  }
  removeAttribute(name) {
    this.attrs.delete(name);
    this.ownerDocument.mutated({ type: "attributes", target: this, attributeName: name });
  }
  appendChild(child) {
    child.parentNode = this;
    this.children.push(child);
    this.ownerDocument.mutated({ type: "childList", target: this });
    return child;
  }
  matches(selector) {
    return parseSelector(selector).some(
      (s) =>
        (!s.tag || s.tag === this.tagName) &&
        s.ids.every((id) => this.id === id) &&
        s.classes.every((c) => this.className.split(/\s+/).includes(c)) &&
        s.attributes.every((a) => this.hasAttribute(a))
    );
  }
  closest(selector) {
    for (let el = this; el instanceof FakeElement; el = el.parentNode) {
      if (el.matches(selector)) {
        return el;
      }
    }
    return null;
  }
  *descendants() {
    for (const child of this.children) {
      yield child;
      yield* child.descendants();
    }
  }
  querySelectorAll(selector) {
    return [...this.descendants()].filter((el) => el.matches(selector));
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  click() {
    this.clicks += 1;
    // The document's capturing listeners first, then the element's own (enough for these tests).
    const event = this.ownerDocument.dispatch("click", { target: this });
    this.dispatch("click", { target: this });
    return event;
  }
  scrollIntoView(options) {
    this.scrolledInto = options;
  }
  getBoundingClientRect() {
    return this.rect;
  }
}

export class FakeDocument extends Listeners {
  constructor() {
    super();
    this.observers = [];
    this.documentElement = new FakeElement(this, "html");
    this.body = this.documentElement.appendChild(new FakeElement(this, "body"));
    this.jar = [];
    this.hidden = false;
    this.baseURI = "http://kiosk.test/voila/render/home.ipynb";
    this.activeElement = null;
  }
  get cookie() {
    return this.jar.map((c) => c.split(";")[0]).join("; ");
  }
  set cookie(value) {
    this.jar.push(value);
  }
  createElement(tag) {
    return new FakeElement(this, tag);
  }
  /** Append a new `tag` element with these attributes to `parent` (default: body). */
  add(tag, attributes = {}, parent = this.body) {
    const el = this.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) =>
      name === "textContent" ? (el.textContent = value) : el.setAttribute(name, value)
    );
    return parent.appendChild(el);
  }
  getElementById(id) {
    return [this.documentElement, ...this.documentElement.descendants()].find((el) => el.id === id) || null;
  }
  querySelectorAll(selector) {
    return [this.documentElement, ...this.documentElement.querySelectorAll(selector)].filter((el) =>
      el.matches(selector)
    );
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
  mutated(record) {
    this.observers.forEach((o) => o.notify(record));
  }
}

/** A MutationObserver class for `doc` (records are delivered in a microtask, as in a browser). */
export function mutationObserverFor(doc) {
  return class FakeMutationObserver {
    constructor(callback) {
      this.callback = callback;
      this.options = null;
      this.pending = [];
    }
    observe(target, options) {
      this.options = options;
      doc.observers.push(this);
    }
    disconnect() {
      doc.observers = doc.observers.filter((o) => o !== this);
    }
    notify(record) {
      if (record.type === "attributes" && this.options.attributeFilter &&
          !this.options.attributeFilter.includes(record.attributeName)) {
        return;
      }
      if (record.type === "childList" && !this.options.childList) {
        return;
      }
      if (this.pending.push(record) === 1) {
        queueMicrotask(() => {
          const records = this.pending;
          this.pending = [];
          if (doc.observers.includes(this)) {
            this.callback(records, this);
          }
        });
      }
    }
  };
}

/** A WebSocket class that records its instances; `socket.emit(type, event)` plays an event. */
export class FakeWebSocket extends Listeners {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static made = [];
  constructor(url, protocols) {
    super();
    this.url = url;
    this.protocols = protocols;
    this.args = arguments.length;
    FakeWebSocket.made.push(this);
  }
  emit(type, event = {}) {
    return this.dispatch(type, event);
  }
}

/** A window with a fake clock; `await win.run(ms)` plays every timer due within `ms`. */
export class FakeWindow extends Listeners {
  constructor(doc, { href = "http://kiosk.test/voila/render/home.ipynb?session=t1", fetch } = {}) {
    super();
    this.document = doc;
    this.time = 1_000_000;
    this.timers = new Map();
    this.nextTimer = 1;
    this.innerHeight = 800;
    this.scrollY = 0;
    this.scrolledTo = null;
    this.store = new Map();
    this.sessionStorage = {
      getItem: (k) => (this.store.has(k) ? this.store.get(k) : null),
      setItem: (k, v) => this.store.set(k, String(v)),
      removeItem: (k) => this.store.delete(k)
    };
    const url = new URL(href);
    this.replaced = [];
    this.reloads = 0;
    this.location = {
      href: url.href,
      origin: url.origin,
      replace: (to) => this.replaced.push(to),
      reload: () => {
        this.reloads += 1;
      }
    };
    this.fetched = [];
    this.respond = fetch || (() => Promise.reject(new TypeError("no server")));
    this.fetch = (url, options) => {
      this.fetched.push(url);
      return this.respond(url, options);
    };
    this.crypto = webcrypto;
    this.TextDecoder = TextDecoder;
    this.WebSocket = FakeWebSocket;
    this.MutationObserver = mutationObserverFor(doc);
  }
  now() {
    return this.time;
  }
  setTimeout(fn, ms = 0) {
    const id = this.nextTimer++;
    this.timers.set(id, { fn, at: this.time + Math.max(0, ms), every: null });
    return id;
  }
  setInterval(fn, ms) {
    const id = this.nextTimer++;
    this.timers.set(id, { fn, at: this.time + ms, every: ms });
    return id;
  }
  clearTimeout(id) {
    this.timers.delete(id);
  }
  clearInterval(id) {
    this.timers.delete(id);
  }
  scrollTo(x, y) {
    this.scrolledTo = [x, y];
  }
  /** Advance the clock by `ms`, running each due timer in time order (and the promises it starts). */
  async run(ms) {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (next === null || t.at < next[1].at)) {
          next = [id, t];
        }
      }
      if (next === null) {
        break;
      }
      const [id, timer] = next;
      this.time = timer.at;
      if (timer.every === null) {
        this.timers.delete(id);
      } else {
        timer.at += timer.every;
      }
      timer.fn();
      await settle();
    }
    this.time = end;
  }
}

/** A fetch answer: `status` and an optional JSON body. */
export function reply(status, body = null) {
  return Promise.resolve({ status, ok: status >= 200 && status < 300, json: () => Promise.resolve(body) });
}

/** A page: document + window, with the session config, and the `session` object the modules take. */
export function page(cfg = {}, options = {}) {
  const doc = new FakeDocument();
  const win = new FakeWindow(doc, options);
  const state = { unloading: false, tripped: false, leaving: false, ending: false, openSockets: 0 };
  const notices = [];
  const session = {
    win,
    doc,
    cfg,
    base: cfg.baseUrl || "/",
    kiosk: cfg.kiosk === true,
    state,
    now: () => win.now(),
    goHome: () => notices.push("home"),
    showNotice: (reason, seconds, buttonText, countText) => {
      const button = doc.createElement("button");
      const notice = { reason, seconds, buttonText, countText, button, closed: false };
      notice.close = () => {
        notice.closed = true;
      };
      notices.push(notice);
      return notice;
    }
  };
  return { doc, win, state, session, notices };
}
