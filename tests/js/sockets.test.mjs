import assert from "node:assert/strict";
import { test } from "node:test";

import {
  isKernelChannel,
  reportsDeadKernel,
  STATUS_BYTES,
  watchWebSockets
} from "../../share/jupyter/voila/templates/neuguong/static/session/sockets.js";
import { FakeWebSocket } from "./fakes.mjs";

const CHANNELS = "ws://site.test/api/kernels/4f1c/channels?session_id=1";
const STATUS = (state) => JSON.stringify({ header: { msg_type: "status" }, content: { execution_state: state } });

test("only a kernel's channels socket is watched", () => {
  assert.equal(isKernelChannel(CHANNELS), true);
  assert.equal(isKernelChannel(new URL(CHANNELS)), true);
  assert.equal(isKernelChannel("ws://site.test/api/kernels/4f1c"), false);
  assert.equal(isKernelChannel("ws://site.test/voila/execution/4f1c"), false);
});

test("a small status message saying restarting or dead reports a dead kernel, as text or bytes", () => {
  const decoder = new TextDecoder();
  assert.equal(reportsDeadKernel(STATUS("dead"), decoder), true);
  assert.equal(reportsDeadKernel(STATUS("restarting"), decoder), true);
  assert.equal(reportsDeadKernel(STATUS("idle"), decoder), false);
  assert.equal(reportsDeadKernel('{"execution_state": "dead"}', decoder), true, "spaces allowed");
  const bytes = new TextEncoder().encode(STATUS("dead"));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.equal(reportsDeadKernel(buffer, decoder), true);
  assert.equal(reportsDeadKernel(buffer, null), false, "no decoder: bytes are left alone");
  const big = STATUS("dead") + " ".repeat(STATUS_BYTES);
  assert.equal(reportsDeadKernel(big, decoder), false, "large widget updates are not read");
  assert.equal(reportsDeadKernel(new Blob([STATUS("dead")]), decoder), false);
});

function watched() {
  FakeWebSocket.made = [];
  const calls = [];
  const win = { WebSocket: FakeWebSocket, TextDecoder };
  const hooks = {
    opened: () => calls.push("opened"),
    closed: (wasOpen) => calls.push(`closed:${wasOpen}`),
    dead: () => calls.push("dead")
  };
  const Watched = watchWebSockets(win, hooks);
  return { win, calls, Watched };
}

test("window.WebSocket is replaced by a constructor that returns the browser's own socket", () => {
  const { win, Watched } = watched();
  assert.equal(win.WebSocket, Watched);
  const ws = new win.WebSocket(CHANNELS);
  assert.ok(ws instanceof FakeWebSocket);
  assert.ok(ws instanceof win.WebSocket, "instanceof still works");
  assert.equal(ws.args, 1, "no protocols argument when none was given");
  assert.equal(new win.WebSocket(CHANNELS, ["v1.kernel.websocket.jupyter.org"]).args, 2);
  assert.deepEqual(
    ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].map((n) => win.WebSocket[n]),
    [0, 1, 2, 3]
  );
});

test("a kernel socket reports open, close (whether it had opened) and a dead status", () => {
  const { win, calls } = watched();
  const ws = new win.WebSocket(CHANNELS);
  ws.emit("close");
  ws.emit("open");
  ws.emit("message", { data: STATUS("busy") });
  ws.emit("message", { data: STATUS("dead") });
  ws.emit("close");
  assert.deepEqual(calls, ["closed:false", "opened", "dead", "closed:true"]);
});

test("other sockets are not watched", () => {
  const { win, calls } = watched();
  const ws = new win.WebSocket("ws://site.test/voila/execution/4f1c");
  ws.emit("open");
  ws.emit("message", { data: STATUS("dead") });
  ws.emit("close");
  assert.deepEqual(calls, []);
});
