/*
 * Nêu gương: the page's session with its kernel (an ES module; its parts are in session/).
 * Loaded by index.html.j2 with <script type="module"> before Voilà's voila.js (deferred), so that
 * window.WebSocket is watched before Voilà opens the kernel's socket.
 */
import { startSession } from "./session/main.js";

startSession(window, document);
