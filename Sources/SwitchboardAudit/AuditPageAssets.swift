/// The style sheet and the script that report.html carries inline.
enum AuditPageAssets {
    /// The page's look: a system font stack, tiles, panels, a zebra table and severity badges.
    static let styleSheet = #"""
        :root {
          --text: #1f2933; --muted: #616e7c; --line: #e4e7eb; --page: #f4f6f8; --panel: #fff;
          --accent: #2f6fdf; --error: #b42318; --error-bg: #fdeceb; --warning: #9a5b00; --warning-bg: #fff3dc;
          --pass: #16794a; --pass-bg: #e5f4ec;
        }
        * { box-sizing: border-box; }
        body {
          margin: 0; color: var(--text); background: var(--page);
          font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 15px; margin: 0 0 12px; }
        .page-header {
          display: flex; justify-content: space-between; align-items: center; gap: 24px;
          padding: 18px 32px; background: var(--panel); border-bottom: 1px solid var(--line);
        }
        .meta { margin: 0; color: var(--muted); overflow-wrap: anywhere; }
        .verdict { padding: 8px 18px; border-radius: 8px; text-align: right; font-size: 20px; font-weight: 700; letter-spacing: .06em; white-space: nowrap; }
        .verdict small { display: block; font-size: 12px; font-weight: 500; letter-spacing: 0; }
        .verdict.pass { color: var(--pass); background: var(--pass-bg); }
        .verdict.fail { color: var(--error); background: var(--error-bg); }
        main { max-width: 1280px; margin: 0 auto; padding: 20px 32px 32px; }
        .totals { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin-bottom: 16px; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; }
        .tile .label { display: block; color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .06em; }
        .tile .value { display: block; font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .tile .detail { display: block; color: var(--muted); font-size: 12px; }
        .tile.errors .value { color: var(--error); }
        .tile.warnings .value { color: var(--warning); }
        .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-bottom: 16px; align-items: start; }
        .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; min-width: 0; }
        .chart { display: block; width: 100%; height: auto; }
        .chart text { font-size: 12px; fill: var(--text); }
        .chart .axis-label { font-size: 11px; fill: var(--muted); }
        .chart .track { fill: #eef1f5; }
        .chart .bar { fill: var(--accent); }
        .chart .bar-count { font-variant-numeric: tabular-nums; }
        .chart .bar-link:hover .bar, .chart .bar-link:focus .bar { fill: #1f55b8; }
        .chart .bar-link:hover text { text-decoration: underline; }
        .chart .grid-line { stroke: var(--line); }
        .chart .series { fill: none; stroke-width: 2; }
        .chart .series.findings, .chart .dot.findings { stroke: var(--accent); }
        .chart .series.errors, .chart .dot.errors { stroke: var(--error); }
        .chart .dot { fill: #fff; stroke-width: 2; }
        .legend { display: flex; gap: 16px; margin: -6px 0 6px; color: var(--muted); font-size: 12px; }
        .swatch { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; border-radius: 2px; }
        .swatch.findings { background: var(--accent); }
        .swatch.errors { background: var(--error); }
        .empty { color: var(--muted); font-style: italic; margin: 4px 0 12px; }
        table { width: 100%; border-collapse: collapse; }
        caption { text-align: left; color: var(--muted); font-size: 12px; padding: 12px 0 4px; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; background: #f8f9fb; }
        tbody tr:nth-child(even) { background: #f9fafb; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .trend-table td, .trend-table th { padding: 4px 8px; }
        .trend-table .run, .trend-table .when { white-space: nowrap; }
        .trend-table small { color: var(--muted); }
        .this-audit td { font-weight: 600; }
        .controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; }
        .controls label { display: flex; flex-direction: column; gap: 4px; color: var(--muted); font-size: 12px; }
        input, select { font: inherit; color: var(--text); background: #fff; padding: 6px 8px; border: 1px solid #cbd2d9; border-radius: 6px; }
        input[type=search] { width: 300px; }
        input:focus, select:focus, th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
        .count { margin: 10px 0 8px; color: var(--muted); }
        .note { margin: 0 0 12px; padding: 8px 12px; background: #eef4ff; border: 1px solid #c9dafc; border-radius: 6px; }
        .table-wrap { overflow-x: auto; }
        #findings th { position: sticky; top: 0; }
        #findings th button { all: unset; cursor: pointer; }
        #findings .arrow::after { content: "\2195"; margin-left: 4px; opacity: .35; }
        #findings th[aria-sort=ascending] .arrow::after { content: "\25B2"; opacity: 1; }
        #findings th[aria-sort=descending] .arrow::after { content: "\25BC"; opacity: 1; }
        #findings td { font-size: 13px; overflow-wrap: anywhere; }
        #findings td.severity, #findings td.code, #findings td.extension, #findings td.field { white-space: nowrap; }
        #findings .no-match td { color: var(--muted); font-style: italic; text-align: center; padding: 16px; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 600; }
        .badge.error { color: var(--error); background: var(--error-bg); }
        .badge.warning { color: var(--warning); background: var(--warning-bg); }
        footer { color: var(--muted); font-size: 12px; text-align: center; padding: 0 32px 24px; }
        @media (max-width: 960px) {
          .totals { grid-template-columns: repeat(2, 1fr); }
          .charts { grid-template-columns: 1fr; }
          .page-header { flex-direction: column; align-items: flex-start; }
        }

        """#

    /// Builds the findings table from the embedded JSON, and sorts and filters it, following the URL fragment.
    static let script = #"""
        (function () {
          "use strict";
          var columns = ["severity", "code", "username", "site", "extension", "field", "message"];
          var severityRank = { error: 0, warning: 1 };
          var rows = JSON.parse(document.getElementById("findings-data").textContent).map(function (cells, order) {
            return { cells: cells, order: order, text: cells.join("\u0000").toLowerCase() };
          });
          var table = document.getElementById("findings");
          var body = table.tBodies[0];
          var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
          var textBox = document.getElementById("filter-text");
          var codeSelect = document.getElementById("filter-code");
          var severitySelect = document.getElementById("filter-severity");
          var countLine = document.getElementById("count");
          var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
          var view = { q: "", code: "", severity: "", sort: "", dir: "asc" };

          function choose(select, value) {
            if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
              select.add(new Option(value, value));
            }
            select.value = value;
          }

          function readFragment() {
            var params = new URLSearchParams(location.hash.replace(/^#/, ""));
            view.q = params.get("q") || "";
            view.code = params.get("code") || "";
            view.severity = params.get("severity") || "";
            view.sort = columns.indexOf(params.get("sort")) >= 0 ? params.get("sort") : "";
            view.dir = params.get("dir") === "desc" ? "desc" : "asc";
            textBox.value = view.q;
            choose(codeSelect, view.code);
            choose(severitySelect, view.severity);
          }

          function writeFragment() {
            var params = new URLSearchParams();
            ["code", "severity", "q", "sort"].forEach(function (key) { if (view[key]) params.set(key, view[key]); });
            if (view.sort && view.dir === "desc") params.set("dir", "desc");
            var fragment = params.toString();
            try {
              history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
            } catch (ignored) {
              // Some browsers refuse to change the address of a file:// page; the view still changes.
            }
          }

          function compare(a, b) {
            var column = columns.indexOf(view.sort);
            var result = column === 0
              ? severityRank[a.cells[0]] - severityRank[b.cells[0]]
              : collator.compare(a.cells[column], b.cells[column]);
            if (view.dir === "desc") result = -result;
            return result || a.order - b.order;
          }

          function cell(text, column) {
            var td = document.createElement("td");
            td.className = columns[column];
            if (column === 0) {
              var badge = document.createElement("span");
              badge.className = "badge " + text;
              badge.textContent = text;
              td.appendChild(badge);
            } else if (column === 1) {
              var code = document.createElement("code");
              code.textContent = text;
              td.appendChild(code);
            } else {
              td.textContent = text;
            }
            return td;
          }

          function render() {
            var needle = view.q.trim().toLowerCase();
            var shown = rows.filter(function (row) {
              return (!view.code || row.cells[1] === view.code)
                && (!view.severity || row.cells[0] === view.severity)
                && (!needle || row.text.indexOf(needle) >= 0);
            });
            if (view.sort) shown.sort(compare);
            var fragment = document.createDocumentFragment();
            shown.forEach(function (row) {
              var tr = document.createElement("tr");
              row.cells.forEach(function (text, column) { tr.appendChild(cell(text, column)); });
              fragment.appendChild(tr);
            });
            if (shown.length === 0) {
              var tr = document.createElement("tr");
              tr.className = "no-match";
              var td = document.createElement("td");
              td.colSpan = columns.length;
              td.textContent = rows.length === 0 ? "No findings: the directory meets the policy." : "No findings match.";
              tr.appendChild(td);
              fragment.appendChild(tr);
            }
            body.textContent = "";
            body.appendChild(fragment);
            countLine.textContent = "Showing " + shown.length + " of " + rows.length + " findings";
            headers.forEach(function (th) {
              var key = th.getAttribute("data-key");
              th.setAttribute("aria-sort", key !== view.sort ? "none" : view.dir === "desc" ? "descending" : "ascending");
            });
          }

          function change() {
            writeFragment();
            render();
          }

          var typing = 0;
          textBox.addEventListener("input", function () {
            clearTimeout(typing);
            typing = setTimeout(function () { view.q = textBox.value; change(); }, 120);
          });
          codeSelect.addEventListener("change", function () { view.code = codeSelect.value; change(); });
          severitySelect.addEventListener("change", function () { view.severity = severitySelect.value; change(); });
          headers.forEach(function (th) {
            th.querySelector("button").addEventListener("click", function () {
              var key = th.getAttribute("data-key");
              view.dir = view.sort === key && view.dir === "asc" ? "desc" : "asc";
              view.sort = key;
              change();
            });
          });
          window.addEventListener("hashchange", function () {
            readFragment();
            render();
          });

          readFragment();
          render();
        })();

        """#
}
