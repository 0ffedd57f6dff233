// webcare app: SLA countdowns, keyboard navigation and live queue updates (server-sent events).
// Post text is never touched here: the server renders it escaped; this file only sets
// textContent / classes on elements it finds (no innerHTML).
"use strict";
(function () {
  const body = document.body;
  const serverNow = Date.parse(body.dataset.clock || "");
  const offset = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function slaText(seconds) {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    const text = minutes >= 60 ? Math.floor(minutes / 60) + "h " + String(minutes % 60).padStart(2, "0") + "m" : minutes + "m";
    return seconds < 0 ? text + " over" : text + " left";
  }
  function tick() {
    const now = Date.now() + offset;
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      const left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      el.textContent = slaText(left);
      const row = el.closest("tr.row, section.item");
      if (row) row.classList.toggle("breached", left < 0);
    });
  }
  if (document.querySelector("[data-deadline]")) { tick(); setInterval(tick, 1000); }

  function typing() {
    const el = document.activeElement;
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  const rows = Array.from(document.querySelectorAll("tr.row"));
  let current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("selected", n === current); });
    rows[current].focus();
  }
  rows.forEach(function (row, n) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, form, input, label")) return;
      window.location.href = row.dataset.href;
    });
    row.addEventListener("focus", function () { current = n; });
  });
  document.addEventListener("keydown", function (event) {
    if (typing() || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "j") { select(current + 1); event.preventDefault(); }
    else if (key === "k") { select(current - 1); event.preventDefault(); }
    else if (key === "Enter" && current >= 0 && rows[current]) { window.location.href = rows[current].dataset.href; }
    else if (key === "c" && current >= 0 && rows[current]) {
      const form = rows[current].querySelector("form.claim");
      if (form) form.submit();
    }
    else if (key === "/") { const f = document.querySelector(".filters select"); if (f) { f.focus(); event.preventDefault(); } }
    else if (key === "r") { window.location.reload(); }
  });

  if (body.dataset.page === "queue" && window.EventSource) {
    const live = document.getElementById("live");
    let first = true;
    const source = new EventSource("/events");
    source.addEventListener("queue", function () {
      if (first) { first = false; return; }
      if (!typing() && current < 0) { window.location.reload(); return; }
      live.textContent = "The queue changed — press r to refresh.";
      live.hidden = false;
    });
  }
})();
