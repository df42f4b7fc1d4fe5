/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function menu() {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("nav");
    if (!toggle || !nav) { return; }
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      var name = box.getAttribute("data-select-all");
      box.addEventListener("change", function () {
        document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  /* Live progress: poll a small JSON endpoint and update the bars and counts in place. */
  function progress() {
    var box = document.querySelector("[data-progress-url]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-progress-url");
    var stopped = false;

    function render(data) {
      (data.tasks || []).forEach(function (task) {
        var el = box.querySelector("[data-task='" + task.key + "']");
        if (!el) { return; }
        var fill = el.querySelector(".fill");
        var text = el.querySelector(".progress-text");
        var pct = typeof task.pct === "number" ? task.pct : 0;  /* as the page rendered it: nothing to do is 0 */
        if (fill) { fill.style.width = pct + "%"; }
        if (el.querySelector(".bar")) { el.querySelector(".bar").setAttribute("aria-valuenow", String(pct)); }
        if (text) { text.textContent = task.text; }
      });
      Object.keys(data.counts || {}).forEach(function (status) {
        document.querySelectorAll("[data-count='" + status + "']").forEach(function (el) {
          el.textContent = String(data.counts[status]);
        });
      });
      Object.keys(data.rows || {}).forEach(function (id) {
        var row = document.querySelector("[data-row='" + id + "']");
        if (!row) { return; }
        var row_data = data.rows[id];
        var badge = row.querySelector(".badge[data-status]");
        if (badge && badge.getAttribute("data-status") !== row_data.status) {
          badge.textContent = row_data.status;
          badge.setAttribute("data-status", row_data.status);
          badge.className = "badge tone-" + row_data.tone;
          var reason = row.querySelector(".reason-text");
          if (reason) { reason.textContent = row_data.reason || ""; }
          var fix = row.querySelector(".fix-text");
          if (fix) {
            fix.textContent = row_data.fix || "";
            fix.parentNode.hidden = !row_data.fix;
          }
          var tiktok = row.querySelector(".tiktok-id");
          if (tiktok && row_data.tiktok_product_id) { tiktok.textContent = row_data.tiktok_product_id; }
        }
      });
    }

    function poll() {
      if (stopped) { return; }
      var ids = Array.prototype.map.call(document.querySelectorAll("[data-row]"), function (row) {
        return row.getAttribute("data-row");
      });
      var query = ids.length ? (url.indexOf("?") < 0 ? "?" : "&") + "rows=" + encodeURIComponent(ids.join(",")) : "";
      fetch(url + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { render(data); } })
        .catch(function () { /* try again at the next tick */ })
        .then(function () { window.setTimeout(poll, 1500); });
    }
    document.addEventListener("visibilitychange", function () {
      var was = stopped;
      stopped = document.hidden;
      if (was && !stopped) { poll(); }
    });
    poll();
  }

  onReady(function () {
    menu();
    confirmations();
    selectAll();
    copyButtons();
    progress();
  });
}());
