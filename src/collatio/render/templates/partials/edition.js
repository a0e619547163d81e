/* collatio's edition page: the side-by-side columns scroll together, and a click on a
   passage brings its unit into view in every column. An enhancement only: without it each
   column scrolls on its own and a passage leads to its apparatus entry. The script is
   static: it reads the page (a passage's data-u, data-to for a lacuna covering several
   units, data-at for a piece inside its unit) and never writes text it did not find
   there. */
(function () {
  "use strict";

  function sideBySide(root, sbs) {
    const panes = Array.from(sbs.querySelectorAll(".sbs-text"));
    const units = Number(sbs.getAttribute("data-units")) || 0;
    const sync = root.querySelector("#sbs-sync");
    const status = root.querySelector("#sbs-status");
    const maps = new Map(); // pane -> {us, ys, first}: unit numbers and heights, in order
    const expected = new Map(); // pane -> the scrollTop this script set last
    let dirty = true;
    let leader = null;
    let current = [];
    if (sync) sync.closest("label").hidden = false;

    const shown = (pane) => pane.offsetParent !== null;
    // a passage's height in its column's content (the column is position: relative)
    const top = (el) => el.offsetTop;

    function measure() {
      for (const pane of panes) {
        const us = [0];
        const ys = [0];
        const first = new Map();
        if (shown(pane)) {
          for (const el of pane.querySelectorAll("a[data-u]")) {
            const u = Number(el.getAttribute("data-u"));
            const to = Number(el.getAttribute("data-to") || u);
            for (let v = u; v <= to; v++) if (!first.has(v)) first.set(v, el);
            if (el.classList.contains("moved")) continue; // a moved block breaks the order
            const y = top(el);
            // data-at: a piece inside its unit (a sub-unit), the same place in every column
            const at = Number(el.getAttribute("data-at") || u);
            if (at > us[us.length - 1] && y >= ys[ys.length - 1]) {
              us.push(at);
              ys.push(y);
              if (to > u) {
                us.push(to);
                ys.push(y);
              }
            }
          }
        }
        us.push(Math.max(units, us[us.length - 1]) + 1);
        ys.push(Math.max(pane.scrollHeight, ys[ys.length - 1]));
        maps.set(pane, { us, ys, first });
      }
      dirty = false;
    }

    function ready() {
      if (dirty) measure();
    }

    // the last index i with values[i] <= x (values never decrease)
    function below(values, x) {
      let lo = 0;
      let hi = values.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (values[mid] <= x) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }

    // a height in one column -> a place on the units' axis -> a height in another
    function unitAt(map, y) {
      const i = below(map.ys, y);
      if (i >= map.ys.length - 1 || map.ys[i + 1] === map.ys[i]) return map.us[i];
      const f = (y - map.ys[i]) / (map.ys[i + 1] - map.ys[i]);
      return map.us[i] + f * (map.us[i + 1] - map.us[i]);
    }

    function heightOf(map, t) {
      const i = below(map.us, t);
      if (i >= map.us.length - 1) return map.ys[map.ys.length - 1];
      const f = (t - map.us[i]) / (map.us[i + 1] - map.us[i]);
      return map.ys[i] + f * (map.ys[i + 1] - map.ys[i]);
    }

    function scrollTo(pane, y) {
      pane.scrollTop = Math.max(0, y);
      expected.set(pane, pane.scrollTop);
    }

    function follow() {
      const lead = leader;
      leader = null;
      if (!lead || (sync && !sync.checked)) return;
      ready();
      const anchor = lead.clientHeight / 3;
      const t = unitAt(maps.get(lead), lead.scrollTop + anchor);
      for (const pane of panes) {
        if (pane !== lead && shown(pane)) scrollTo(pane, heightOf(maps.get(pane), t) - anchor);
      }
    }

    for (const pane of panes) {
      pane.addEventListener("scroll", () => {
        const mine = expected.get(pane);
        if (mine !== undefined && Math.abs(pane.scrollTop - mine) < 2) return; // our own
        expected.delete(pane);
        if (leader === null) requestAnimationFrame(follow);
        leader = pane;
      }, { passive: true });
    }

    function show(u, clicked) {
      ready();
      const home = clicked.closest(".sbs-text");
      // where the clicked passage stands in its column; one cut by the column's edge is
      // brought wholly into view there first
      const line = clicked.offsetHeight || 20;
      let offset = top(clicked) - home.scrollTop;
      if (offset < 0 || offset > home.clientHeight - line) {
        offset = Math.min(Math.max(offset, 0), Math.max(home.clientHeight - line, 0));
        scrollTo(home, top(clicked) - offset);
        offset = top(clicked) - home.scrollTop;
      }
      for (const el of current) el.classList.remove("current");
      current = [];
      for (const pane of panes) {
        const target = maps.get(pane).first.get(u);
        if (!target) continue;
        const from = Number(target.getAttribute("data-u")); // a lacuna mark: its first unit
        for (const el of pane.querySelectorAll('a[data-u="' + from + '"]')) {
          el.classList.add("current");
          current.push(el);
        }
        if (pane !== home && shown(pane)) scrollTo(pane, top(target) - offset);
      }
      if (status) status.textContent = "Unit " + u + " is shown in every column.";
    }

    sbs.addEventListener("click", (event) => {
      const el = event.target.closest("a[data-u]");
      if (!el || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
          event.altKey) return;
      event.preventDefault();
      show(Number(el.getAttribute("data-u")), el);
    });

    const stale = () => { dirty = true; };
    window.addEventListener("resize", stale);
    if (window.ResizeObserver) new ResizeObserver(stale).observe(sbs);
    for (const box of root.querySelectorAll(".sbs-controls input")) {
      box.addEventListener("change", () => {
        dirty = true;
        const first = panes.find(shown);
        if (first && box === sync && sync.checked) {
          leader = first;
          follow();
        }
      });
    }
  }

  for (const root of document.querySelectorAll(".collatio:not([data-collatio-ready])")) {
    root.setAttribute("data-collatio-ready", "");
    const sbs = root.querySelector(".sbs");
    if (sbs) sideBySide(root, sbs);
  }
})();
