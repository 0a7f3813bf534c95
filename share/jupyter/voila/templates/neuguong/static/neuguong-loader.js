/*
 * Nêu gương: the loading screen while Voilà executes the notebook.
 * Replaces Voilà's helper functions (voila_setup.macro.html.j2) so that the text stays
 * Vietnamese; the rendered cells are revealed once both the cells and the theme are ready,
 * exactly as Voilà does it (voila.js sets window.themeLoaded and calls voila_finish).
 */
(function () {
  "use strict";

  window.voila_heartbeat = function () {};

  window.update_loading_text = function (cellIndex, cellCount, text) {
    var progress = document.getElementById("nk-loading-progress");
    if (progress && cellCount > 0) {
      progress.max = cellCount;
      progress.value = Math.min(cellIndex, cellCount);
    }
    if (text) {
      var label = document.getElementById("loading_text");
      if (label) {
        label.textContent = text;
      }
    }
  };

  window.display_cells = function () {
    if (!window.themeLoaded) {
      window.cellLoaded = true;
      return;
    }
    var loading = document.getElementById("loading");
    if (loading) {
      loading.parentNode.removeChild(loading);
    }
    var cells = document.getElementById("rendered_cells");
    if (cells) {
      cells.style.display = "";
    }
    document.documentElement.setAttribute("data-nk-rendered", "true");
  };

  window.voila_process = window.update_loading_text;
  window.voila_finish = window.display_cells;
})();
