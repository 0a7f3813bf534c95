/*
 * Nêu gương session: notice a dropped kernel websocket at once instead of at the watchdog's next
 * poll. window.WebSocket is replaced by a constructor that returns the browser's own socket,
 * watching only kernel channels (/api/kernels/<id>/channels): open and close are counted, and a
 * status message saying the kernel is restarting or dead is reported.
 */

export const DEAD_STATUS = /"execution_state":\s*"(restarting|dead)"/;
export const STATUS_BYTES = 2048; // a status message is ~500 bytes; larger widget updates are left alone

/** True for a kernel's channels websocket address. */
export function isKernelChannel(url) {
  return /\/api\/kernels\/[^/]+\/channels/.test(String(url));
}

/** True if a websocket message (text or ArrayBuffer, decoded with `decoder`) says the kernel died. */
export function reportsDeadKernel(data, decoder) {
  if (typeof data === "string") {
    return data.length < STATUS_BYTES && DEAD_STATUS.test(data);
  }
  if (decoder && data instanceof ArrayBuffer && data.byteLength < STATUS_BYTES) {
    return DEAD_STATUS.test(decoder.decode(data));
  }
  return false;
}

/**
 * Replace `win.WebSocket`; on kernel channels, call `hooks.opened()` when one opens,
 * `hooks.closed(wasOpen)` when one closes, `hooks.dead()` on a dead-kernel status.
 * Returns the replacement constructor.
 */
export function watchWebSockets(win, hooks) {
  const NativeWebSocket = win.WebSocket;
  const decoder = win.TextDecoder ? new win.TextDecoder() : null;

  function WatchedWebSocket(url, protocols) {
    const ws = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (isKernelChannel(url)) {
      let counted = false;
      ws.addEventListener("open", () => {
        counted = true;
        hooks.opened();
      });
      ws.addEventListener("close", () => {
        const wasOpen = counted;
        counted = false;
        hooks.closed(wasOpen);
      });
      ws.addEventListener("message", (event) => {
        if (reportsDeadKernel(event.data, decoder)) {
          hooks.dead();
        }
      });
    }
    return ws;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name) => {
    WatchedWebSocket[name] = NativeWebSocket[name];
  });
  win.WebSocket = WatchedWebSocket;
  return WatchedWebSocket;
}
