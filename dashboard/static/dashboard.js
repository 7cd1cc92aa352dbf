/* Draws the dashboard's charts as SVG from the numbers embedded in the page (#dashboard-data),
   and switches the scorecard and the charts between marketplaces and months.

   Every value reaches the page through textContent or setAttribute, never as markup, so a name
   that came from the data cannot turn into HTML. The page uses no URL of any kind: the SVG
   namespace is read from an <svg> the HTML parser created (#svg-namespace).
   Each drawn data point has the class "mark" and data-series / data-date / data-value
   attributes, and each chart counts them in data-marks: the browser test reads those. */
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("dashboard-data").textContent);
  const SVG_NS = document.getElementById("svg-namespace").namespaceURI;
  const CURRENCY = DATA.reporting_currency;
  const ALL = "all";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const DAY_MS = 86400000;

  // ---- formatting: the same rules as dashboard/labels.py ----

  function fixed(value, digits) {
    return value.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  }

  function formatValue(value, unit) {
    if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
    switch (unit) {
      case "currency":
        return fixed(value, 2) + " " + CURRENCY;
      case "percent":
        return fixed(value * 100, 2) + " %";
      case "hours":
        return fixed(value, 1) + " h";
      case "days":
        return fixed(value, Number.isInteger(value) ? 0 : 1) + (value === 1 ? " day" : " days");
      case "count":
        return fixed(value, Number.isInteger(value) ? 0 : 1);
      default:
        return fixed(value, 2) + (unit ? " " + unit : "");
    }
  }

  // as many decimals as the axis step has (2.5 -> 1), at most 2
  function stepDigits(step) {
    for (let digits = 0; digits < 2; digits += 1) {
      const scaled = step * Math.pow(10, digits);
      if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return digits;
    }
    return 2;
  }

  // axis labels: short, the unit is in the chart's title
  function formatTick(value, unit, step) {
    if (unit === "percent") return fixed(value * 100, stepDigits(step * 100)) + " %";
    if (Math.abs(value) >= 10000) {
      return value.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 1 });
    }
    return fixed(value, stepDigits(step)) + (unit === "hours" ? " h" : "");
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function dayNumber(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
  }

  function dayLabel(day, withYear) {
    const date = new Date(day * DAY_MS);
    const text = MONTHS[date.getUTCMonth()] + " " + date.getUTCDate();
    return withYear ? text + ", " + date.getUTCFullYear() : text;
  }

  // ---- DOM helpers ----

  function svg(name, attributes, parent) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes || {})) {
      node.setAttribute(key, String(value));
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgText(text, attributes, parent) {
    const node = svg("text", attributes, parent);
    node.textContent = text;
    return node;
  }

  function html(name, className, text, parent) {
    const node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // the hover text of a mark (SVG <title>)
  function tooltip(node, text) {
    const title = svg("title", {}, node);
    title.textContent = text;
  }

  // ---- scales ----

  // a round step (1, 2, 2.5, 5 x 10^n) so that about `count` steps cover the span
  function niceStep(span, count) {
    const raw = span / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const multiple = [1, 2, 2.5, 5, 10].find((m) => m * power >= raw);
    return multiple * power;
  }

  // whole numbers (days behind, headcounts) get whole steps
  function niceScale(values, count) {
    let low = Math.min(0, ...values);
    let high = Math.max(0, ...values);
    if (high === low) high = low + 1;
    let step = niceStep(high - low, count);
    if (values.every(Number.isInteger) && !Number.isInteger(step)) {
      step = step < 1 ? 1 : 5 * Math.ceil(step / 5);
    }
    low = Math.floor(low / step) * step;
    high = Math.ceil(high / step) * step;
    return { low, high, step };
  }

  // ---- daily trend charts ----

  const TREND = { width: 640, height: 250, left: 62, right: 14, top: 22, bottom: 30 };

  function drawTrend(figure, chart, key) {
    const chartSvg = figure.querySelector("svg.chart");
    clear(chartSvg);
    const box = TREND;
    chartSvg.setAttribute("viewBox", "0 0 " + box.width + " " + box.height);
    chartSvg.setAttribute("data-marketplace", key);
    const block = chart.by_marketplace[key];
    const values = block
      ? chart.series.flatMap((series) => block.values[series.key]).filter((v) => v !== null)
      : [];
    if (!values.length) {
      svgText("No data for this marketplace in this period", {
        x: box.width / 2,
        y: box.height / 2,
        "text-anchor": "middle",
        class: "empty-message",
      }, chartSvg);
      chartSvg.setAttribute("data-marks", "0");
      return;
    }
    const first = dayNumber(DATA.trend_window.start);
    const last = dayNumber(DATA.trend_window.end);
    const days = last - first + 1;
    const plotWidth = box.width - box.left - box.right;
    const plotHeight = box.height - box.top - box.bottom;
    const slot = plotWidth / days;
    const x = (day) => box.left + (day - first + 0.5) * slot;
    const scale = niceScale(values, 4);
    const y = (value) => box.top + (plotHeight * (scale.high - value)) / (scale.high - scale.low);
    const dayNumbers = block.dates.map(dayNumber);

    // provisional days: a shaded band behind the data, labelled
    let runStart = null;
    block.provisional.forEach((provisional, index) => {
      const isLast = index === block.provisional.length - 1;
      if (provisional && runStart === null) runStart = index;
      if (runStart !== null && (!provisional || isLast)) {
        const endIndex = provisional ? index : index - 1;
        const left = x(dayNumbers[runStart]) - slot / 2;
        const right = x(dayNumbers[endIndex]) + slot / 2;
        svg("rect", {
          class: "band",
          x: left,
          y: box.top,
          width: right - left,
          height: plotHeight,
        }, chartSvg);
        svgText("provisional", {
          class: "band-label",
          x: right - 2,
          y: box.top - 6,
          "text-anchor": "end",
        }, chartSvg);
        runStart = null;
      }
    });

    // horizontal grid and value axis
    for (let tick = scale.low; tick <= scale.high + scale.step / 2; tick += scale.step) {
      const at = y(tick);
      svg("line", {
        class: Math.abs(tick) < scale.step / 2 ? "zero" : "grid",
        x1: box.left,
        x2: box.width - box.right,
        y1: at,
        y2: at,
      }, chartSvg);
      svgText(formatTick(tick, chart.unit, scale.step), {
        x: box.left - 6,
        y: at + 4,
        "text-anchor": "end",
      }, chartSvg);
    }

    // day axis: the first of each month, or every few days in a short window
    const every = days <= 14 ? 1 : days <= 31 ? 7 : 0;
    for (let day = first; day <= last; day += 1) {
      const date = new Date(day * DAY_MS);
      const labelled = every ? (day - first) % every === 0 : date.getUTCDate() === 1;
      if (!labelled) continue;
      svg("line", {
        class: "grid",
        x1: x(day),
        x2: x(day),
        y1: box.height - box.bottom,
        y2: box.height - box.bottom + 4,
      }, chartSvg);
      svgText(dayLabel(day, false), {
        x: x(day),
        y: box.height - box.bottom + 16,
        "text-anchor": "middle",
      }, chartSvg);
    }

    let marks = 0;
    const bars = chart.series.filter((series) => series.kind === "bar");
    const barWidth = Math.max(1, (slot * 0.72) / Math.max(1, bars.length));
    chart.series.forEach((series, seriesIndex) => {
      const colour = "series-" + (seriesIndex + 1);
      const seriesValues = block.values[series.key];
      const barIndex = bars.indexOf(series);
      // lines first (points are drawn over them); a gap in days or a missing value breaks it
      if (series.kind === "line") {
        let segment = [];
        // one path per run of days of the same kind: a step into or out of a provisional day
        // is drawn dashed, like the provisional days themselves
        const flush = () => {
          const runs = [];
          for (let i = 1; i < segment.length; i += 1) {
            const provisional = segment[i - 1].provisional || segment[i].provisional;
            const run = runs[runs.length - 1];
            if (run && run.provisional === provisional) {
              run.points.push(segment[i]);
            } else {
              runs.push({ provisional, points: [segment[i - 1], segment[i]] });
            }
          }
          for (const run of runs) {
            const path = run.points.map((p, i) => (i ? "L" : "M") + p.x.toFixed(1) + " " + p.y.toFixed(1));
            svg("path", {
              class: "line " + colour + (run.provisional ? " provisional" : ""),
              d: path.join(" "),
            }, chartSvg);
          }
          segment = [];
        };
        seriesValues.forEach((value, index) => {
          const day = dayNumbers[index];
          if (value === null || (index && day - dayNumbers[index - 1] > 1)) flush();
          if (value !== null) {
            segment.push({ x: x(day), y: y(value), provisional: block.provisional[index] });
          }
        });
        flush();
      }
      seriesValues.forEach((value, index) => {
        if (value === null) return;
        const day = dayNumbers[index];
        const provisional = block.provisional[index];
        let mark;
        if (series.kind === "bar") {
          const left = x(day) - (barWidth * bars.length) / 2 + barWidth * barIndex;
          mark = svg("rect", {
            class: "mark bar " + colour + (provisional ? " provisional" : ""),
            x: left.toFixed(2),
            y: Math.min(y(value), y(0)).toFixed(2),
            width: barWidth.toFixed(2),
            height: Math.max(0.5, Math.abs(y(value) - y(0))).toFixed(2),
          }, chartSvg);
        } else {
          mark = svg("circle", {
            class: "mark point " + colour + (provisional ? " provisional" : ""),
            cx: x(day).toFixed(2),
            cy: y(value).toFixed(2),
            r: days > 60 ? 1.8 : 2.6,
          }, chartSvg);
        }
        mark.setAttribute("data-series", series.key);
        mark.setAttribute("data-date", block.dates[index]);
        mark.setAttribute("data-value", String(value));
        mark.setAttribute("data-provisional", String(provisional));
        tooltip(mark, dayLabel(day, true) + ": " + series.label + " " + formatValue(value, chart.unit) +
          (provisional ? " (provisional: may still change)" : ""));
        marks += 1;
      });
    });
    chartSvg.setAttribute("data-marks", String(marks));
  }

  function drawLegend(figure, chart) {
    const legend = figure.querySelector(".legend");
    clear(legend);
    chart.series.forEach((series, index) => {
      const item = html("li", "", null, legend);
      html("span", "swatch series-" + (index + 1), null, item);
      item.appendChild(document.createTextNode(series.label + (series.kind === "bar" ? " (bars)" : "")));
    });
    const item = html("li", "", null, legend);
    html("span", "swatch provisional", null, item);
    item.appendChild(document.createTextNode("provisional: may still change"));
  }

  function drawTrends(key) {
    for (const chart of DATA.trends) {
      const figure = document.getElementById("trend-" + chart.id);
      if (!figure) continue;
      drawLegend(figure, chart);
      drawTrend(figure, chart, key);
    }
  }

  // ---- scorecard: bullet bars and the month / marketplace switch ----

  // actual against the target it is judged on: the target to date in a month in progress
  function drawBullet(cell, row) {
    const target = row.is_partial_month && row.target_to_date !== null ? row.target_to_date : row.target;
    const values = [row.actual, target].filter(Number.isFinite);
    if (!values.length) return;
    const width = 150;
    const height = 18;
    const top = Math.max(...values.map(Math.abs)) * 1.15 || 1;
    const scaleX = (value) => (Math.max(0, value) / top) * width;
    const bullet = svg("svg", { class: "bullet", viewBox: "0 0 " + width + " " + height }, cell);
    svg("rect", { class: "track", x: 0, y: 3, width, height: 12, rx: 2 }, bullet);
    let marks = 0;
    if (Number.isFinite(row.actual)) {
      const bar = svg("rect", {
        class: "mark actual " + cell.getAttribute("data-status") + (row.is_provisional ? " provisional" : ""),
        x: 0,
        y: 5,
        width: Math.max(1, scaleX(row.actual)).toFixed(2),
        height: 8,
      }, bullet);
      bar.setAttribute("data-series", "actual");
      bar.setAttribute("data-value", String(row.actual));
      tooltip(bar, "Actual " + cell.getAttribute("data-actual-text"));
      marks += 1;
    }
    if (Number.isFinite(target)) {
      const at = Math.min(width - 1, Math.max(1, scaleX(target)));
      const tick = svg("line", { class: "mark target", x1: at, x2: at, y1: 1, y2: 17 }, bullet);
      tick.setAttribute("data-series", "target");
      tick.setAttribute("data-value", String(target));
      tooltip(tick, "Target " + cell.getAttribute("data-target-text"));
      marks += 1;
    }
    bullet.setAttribute("data-marks", String(marks));
  }

  function drawBullets() {
    const rows = DATA.scorecard || [];
    document.querySelectorAll("td.bullet-cell").forEach((cell) => {
      const row = rows[Number(cell.getAttribute("data-row"))];
      if (row) drawBullet(cell, row);
    });
  }

  // month- and marketplace-specific tables: show those of the month and marketplace picked
  function showSelected(month, key) {
    document.querySelectorAll("[data-month]").forEach((node) => {
      const marketplace = node.getAttribute("data-marketplace");
      node.hidden = node.getAttribute("data-month") !== month ||
        (marketplace !== null && marketplace !== key);
    });
    document.querySelectorAll("[data-scope]").forEach((node) => {
      const scope = node.getAttribute("data-scope");
      node.hidden = !(key === ALL || scope === key || scope === ALL);
    });
    const none = document.getElementById("scorecard-none");
    if (none) {
      none.hidden = Boolean(document.querySelector("#scorecard tbody[data-month]:not([hidden])"));
    }
  }

  // ---- panels drawn from small tables: one horizontal bar per row ----

  function drawHorizontalBars(figure, rows) {
    const chartSvg = figure.querySelector("svg.chart");
    clear(chartSvg);
    const unit = figure.getAttribute("data-unit");
    const rowHeight = 26;
    const box = { width: 680, left: 330, right: 90, top: 8, bottom: 24 };
    const height = box.top + box.bottom + rowHeight * Math.max(1, rows.length);
    chartSvg.setAttribute("viewBox", "0 0 " + box.width + " " + height);
    const values = rows.flatMap((row) => [row.value, row.limit]).filter(Number.isFinite);
    if (!values.length) {
      svgText("No data", { x: box.width / 2, y: height / 2, "text-anchor": "middle", class: "empty-message" }, chartSvg);
      chartSvg.setAttribute("data-marks", "0");
      return;
    }
    const scale = niceScale(values, 4);
    const plotWidth = box.width - box.left - box.right;
    const x = (value) => box.left + (plotWidth * (value - scale.low)) / (scale.high - scale.low);
    for (let tick = scale.low; tick <= scale.high + scale.step / 2; tick += scale.step) {
      svg("line", { class: Math.abs(tick) < scale.step / 2 ? "zero" : "grid", x1: x(tick), x2: x(tick), y1: box.top, y2: height - box.bottom }, chartSvg);
      svgText(formatTick(tick, unit, scale.step), { x: x(tick), y: height - box.bottom + 15, "text-anchor": "middle" }, chartSvg);
    }
    let marks = 0;
    rows.forEach((row, index) => {
      const top = box.top + index * rowHeight;
      const label = svgText(shorten(row.label, 50), {
        x: box.left - 8,
        y: top + rowHeight / 2 + 4,
        "text-anchor": "end",
        class: "bar-label",
      }, chartSvg);
      tooltip(label, row.label);
      if (Number.isFinite(row.value)) {
        const left = Math.min(x(0), x(row.value));
        const bar = svg("rect", {
          class: "mark hbar " + (row.status || "no-status"),
          x: left.toFixed(2),
          y: top + 5,
          width: Math.max(1, Math.abs(x(row.value) - x(0))).toFixed(2),
          height: rowHeight - 10,
          rx: 2,
        }, chartSvg);
        bar.setAttribute("data-series", row.series || "value");
        bar.setAttribute("data-value", String(row.value));
        tooltip(bar, row.label + ": " + formatValue(row.value, unit));
        svgText(formatValue(row.value, unit), { x: Math.max(x(0), x(row.value)) + 6, y: top + rowHeight / 2 + 4, class: "bar-label" }, chartSvg);
        marks += 1;
      }
      if (Number.isFinite(row.limit)) {
        svg("line", { class: "limit", x1: x(row.limit), x2: x(row.limit), y1: top + 2, y2: top + rowHeight - 2 }, chartSvg);
      }
    });
    chartSvg.setAttribute("data-marks", String(marks));
  }

  function drawPanels(key, month) {
    for (const panel of DATA.panels || []) {
      const figure = document.getElementById("panel-" + panel.id);
      if (!figure) continue;
      const group = panel.group_by === "month" ? month : key;
      drawHorizontalBars(figure, panel.groups[group] || []);
      figure.querySelector("svg.chart").setAttribute("data-group", group);
    }
  }

  // ---- wiring ----

  const marketplacePicker = document.getElementById("marketplace-picker");
  const monthPicker = document.getElementById("month-picker");

  // the view picked is kept in the page's fragment (#marketplace=...&month=...), so a view can
  // be bookmarked or sent, and opening the page with one shows it
  function pick(picker, value) {
    if (picker && value !== null && Array.from(picker.options).some((o) => o.value === value)) {
      picker.value = value;
    }
  }

  function readFragment() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    pick(marketplacePicker, params.get("marketplace"));
    pick(monthPicker, params.get("month"));
  }

  function update() {
    const key = marketplacePicker ? marketplacePicker.value : ALL;
    const month = monthPicker ? monthPicker.value : "";
    showSelected(month, key);
    drawTrends(key);
    drawPanels(key, month);
  }

  function changed() {
    const params = new URLSearchParams();
    if (marketplacePicker) params.set("marketplace", marketplacePicker.value);
    if (monthPicker) params.set("month", monthPicker.value);
    history.replaceState(null, "", "#" + params.toString());
    update();
  }

  drawBullets();
  if (marketplacePicker) marketplacePicker.addEventListener("change", changed);
  if (monthPicker) monthPicker.addEventListener("change", changed);
  window.addEventListener("hashchange", () => {
    readFragment();
    update();
  });
  readFragment();
  update();
  document.body.setAttribute("data-rendered", "true");
  document.body.setAttribute("data-page-height", String(document.documentElement.scrollHeight));
})();
