// metasum serve's page. Every text of the review reaches the page as text
// (textContent), never as markup; figures are shown as images, in which no
// script runs. The one markup inserted is a worksheet's, which the server
// renders from Markdown with any HTML in it turned to text.
"use strict";

const PAGE_ROWS = 50;
const HISTORY_KEY = "metasum-history";
const HISTORY_MAX = 100;

const $ = (id) => document.getElementById(id);
let downloads = { rows: ["csv"], figure: ["svg"] };

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

async function api(path, body) {
  const init = body === undefined
    ? { credentials: "same-origin" }
    : { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  let json = null;
  try { json = await response.json(); } catch (_) { json = null; }
  return { status: response.status, json };
}

// ---- the overview ----

async function overview() {
  const { status, json } = await api("/api/overview");
  if (status !== 200 || !json) return;
  document.title = json.title ? `${json.title} · metasum` : "metasum";
  $("title").textContent = json.title || "metasum";
  $("citation").textContent = json.citation || "";
  $("origin").textContent = json.origin ? `From ${json.origin}` : "";
  downloads = json.downloads || downloads;
  const list = $("tables");
  list.replaceChildren();
  for (const table of json.tables) {
    const button = element("button", `${table.name} (${table.rows} ${table.rows === 1 ? "row" : "rows"})`);
    button.type = "button";
    button.addEventListener("click", () => { setQuery(table.name); run(); });
    const item = element("li");
    item.append(button);
    list.append(item);
  }
  const check = json.check || {};
  if (check.error) {
    $("check-summary").textContent = `check could not run: ${check.error}`;
  } else {
    const n = check.warnings;
    $("check-summary").textContent = n === 0
      ? "check: the review agrees with itself (no warning)."
      : `check: ${n} ${n === 1 ? "warning" : "warnings"} (below, and in the report).`;
    $("check-text").textContent = check.text || "";
  }
}

async function savedScripts() {
  const { status, json } = await api("/api/scripts");
  if (status !== 200 || !json) return;
  const list = $("scripts");
  list.replaceChildren();
  for (const script of json.scripts) {
    const button = element("button", script.name);
    button.type = "button";
    button.title = script.title;
    button.dataset.script = script.name;
    button.addEventListener("click", () => { setQuery(script.text); run(); });
    const item = element("li");
    item.append(button, element("span", script.title, "quiet"));
    list.append(item);
  }
  const notes = [];
  if (json.scripts.length === 0) notes.push("No saved scripts (.msq files in the review's queries folder, or serve --scripts DIR).");
  for (const problem of json.problems) notes.push(problem);
  $("scripts-note").textContent = notes.join(" ");
}

// ---- the query box ----

function setQuery(text) {
  const box = $("query");
  box.value = text;
  box.focus();
  box.setSelectionRange(text.length, text.length);
}

function history() {
  try { return JSON.parse(localStorage.getItem(HISTORY_KEY)) || []; } catch (_) { return []; }
}

function remember(text) {
  const kept = history().filter((t) => t !== text);
  kept.push(text);
  try { localStorage.setItem(HISTORY_KEY, JSON.stringify(kept.slice(-HISTORY_MAX))); } catch (_) { /* private mode */ }
}

let historyAt = null;
// Each run's number: an answer to an older run than the last is dropped.
let runs = 0;

function say(text) {
  $("status").textContent = text;
}

function browseHistory(step) {
  const kept = history();
  if (kept.length === 0) return;
  historyAt = historyAt === null ? kept.length : historyAt;
  historyAt = Math.max(0, Math.min(kept.length, historyAt + step));
  setQuery(historyAt === kept.length ? "" : kept[historyAt]);
}

async function run() {
  const text = $("query").value;
  if (text.trim() === "") return;
  remember(text);
  historyAt = null;
  hideCompletions();
  const mine = ++runs;
  say("Running…");
  try {
    const { status, json } = await api("/api/query", { query: text });
    if (mine !== runs) return;
    $("errors").replaceChildren();
    const results = $("results");
    results.replaceChildren();
    if (!json) {
      $("errors").append(element("p", `The server answered ${status}.`, "error"));
      return;
    }
    const shown = json.results || [];
    shown.forEach((result, i) => results.append(showResult(text, result, i)));
    const errors = json.errors || [];
    for (const error of errors) $("errors").append(showError(text, error));
    if (json.error) $("errors").append(element("p", json.error, "error"));
    say(errors.length || json.error
      ? `Stopped with an error${errors[0] && errors[0].line ? ` at line ${errors[0].line}` : ""}; ${shown.length} ${shown.length === 1 ? "result" : "results"} before it.`
      : `${shown.length} ${shown.length === 1 ? "result" : "results"}.`);
  } catch (e) {
    if (mine !== runs) return;
    say("");
    $("errors").replaceChildren(element("p", `The server could not be reached: ${e.message}`, "error"));
  }
}

// An error as the shell shows it: where, what, the line with a caret
// under the span, and hints.
function showError(text, error) {
  const box = element("div", null, "error");
  if (!error.line) {
    box.append(element("p", error.message));
    return box;
  }
  box.append(element("p", `line ${error.line}, column ${error.column}: ${error.message}`));
  const lines = text.split("\n");
  const line = lines[error.line - 1] || "";
  const lineChars = [...line].length;
  const width = Math.max(1, Math.min(error.end - error.start, lineChars - error.column + 1));
  const caret = " ".repeat(error.column - 1) + "^".repeat(width) + (error.label ? ` ${error.label}` : "");
  const pre = element("pre", `${line}\n${caret}`, "caret");
  box.append(pre);
  for (const hint of error.hints || []) box.append(element("p", `hint: ${hint}`, "hint"));
  return box;
}

// ---- results ----

function showResult(text, result, index) {
  const section = element("section", null, "result");
  section.append(element("h3", result.statement, "statement"));
  if (result.bound) {
    section.append(element("p", result.kept
      ? `Bound ${result.bound}: later queries can read it.`
      : `Bound ${result.bound} for this run only: a later statement failed, so it is not kept.`));
    return section;
  }
  for (const note of result.notes || []) section.append(element("p", note, "note"));
  if (result.svg !== undefined) {
    const image = element("img", null, "figure");
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(result.svg);
    image.alt = `Figure: ${result.statement}`;
    section.append(image);
  } else {
    section.append(resultTable(result));
  }
  section.append(downloadControls(text, result, index));
  return section;
}

function cellText(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(cellText).join(", ");
  return String(value);
}

function compare(a, b) {
  const empty = (v) => v === null || v === undefined || (Array.isArray(v) && v.length === 0);
  if (empty(a) || empty(b)) return empty(a) - empty(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length - b.length;
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

function resultTable(result) {
  const wrap = element("div", null, "table-wrap");
  const rows = result.rows || [];
  const cells = result.cells || [];
  const columns = result.columns || [];
  const state = { order: rows.map((_, i) => i), column: null, descending: false, page: 0 };
  const table = element("table");
  const head = element("thead");
  const headRow = element("tr");
  const body = element("tbody");
  const pager = element("p", null, "pager");
  const truncated = result.total > rows.length;
  const worksheetColumn = (result.table === "findings" || result.table === "profile") ? "id" : null;

  columns.forEach((name) => {
    const th = element("th");
    if (rows.length > 0 && typeof rows[0][name] === "number") th.className = "number";
    th.scope = "col";
    const button = element("button", name);
    button.type = "button";
    button.title = truncated ? "Only the rows shown can be sorted: sort by it in the query" : `Sort by ${name}`;
    button.disabled = truncated;
    button.addEventListener("click", () => {
      state.descending = state.column === name ? !state.descending : false;
      state.column = name;
      state.order = rows.map((_, i) => i).sort((x, y) => {
        const c = compare(rows[x][name], rows[y][name]);
        return (state.descending ? -c : c) || x - y;
      });
      state.page = 0;
      for (const other of headRow.children) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      draw();
    });
    th.append(button);
    headRow.append(th);
  });
  head.append(headRow);
  table.append(head, body);

  function draw(focus) {
    body.replaceChildren();
    const first = state.page * PAGE_ROWS;
    for (const i of state.order.slice(first, first + PAGE_ROWS)) {
      const tr = element("tr");
      columns.forEach((name, j) => {
        const value = rows[i][name];
        const text = cells[i] ? cells[i][j] : cellText(value);
        const td = element("td");
        if (typeof value === "number") td.className = "number";
        if (name === worksheetColumn && value !== null) {
          const link = element("button", text, "link");
          link.type = "button";
          link.title = "Show this finding's worksheet";
          link.addEventListener("click", () => worksheet(text));
          td.append(link);
        } else {
          td.textContent = text;
        }
        tr.append(td);
      });
      body.append(tr);
    }
    pager.replaceChildren();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    const last = Math.min(rows.length, first + PAGE_ROWS);
    const told = rows.length === 0 ? "No rows." : `Rows ${first + 1}–${last} of ${result.total}.`;
    pager.append(element("span", told));
    if (truncated) pager.append(element("span", ` The first ${rows.length} are shown; a download holds them all.`));
    if (pages > 1) {
      const previous = element("button", "Previous");
      previous.type = "button";
      previous.disabled = state.page === 0;
      previous.addEventListener("click", () => { state.page -= 1; draw("previous"); });
      const next = element("button", "Next");
      next.type = "button";
      next.disabled = state.page >= pages - 1;
      next.addEventListener("click", () => { state.page += 1; draw("next"); });
      pager.append(" ", previous, " ", next);
      // Keep the keyboard where it was: the buttons were made anew (on
      // the last page "Next" is off, so the focus goes to "Previous").
      if (focus) {
        const wanted = focus === "next" ? next : previous;
        (wanted.disabled ? (wanted === next ? previous : next) : wanted).focus();
      }
    }
  }
  draw();
  wrap.append(table, pager);
  return wrap;
}

// ---- downloads ----

function downloadControls(text, result, index) {
  const box = element("p", null, "download");
  const kinds = result.svg !== undefined ? downloads.figure : downloads.rows;
  const saved = result.save ? result.save.split(".").pop().toLowerCase() : null;
  const select = element("select");
  select.setAttribute("aria-label", "File format");
  for (const kind of kinds) {
    const option = element("option", kind);
    option.value = kind;
    if (kind === saved) option.selected = true;
    select.append(option);
  }
  const button = element("button", "Download");
  button.type = "button";
  button.setAttribute("aria-label", `Download the result of ${result.statement}`);
  const status = element("span", null, "quiet");
  button.addEventListener("click", async () => {
    status.textContent = "";
    const told = await download(text, index, select.value);
    if (told) status.textContent = ` ${told}`;
  });
  box.append(button, " as ", select, status);
  if (result.save) {
    box.append(element("span", ` (the script saves it as ${result.save}; serving writes nothing, so download it here)`, "quiet"));
  }
  return box;
}

async function download(text, index, format) {
  const response = await fetch("/api/download", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query: text, index, format }),
  });
  if (!response.ok) {
    try {
      const json = await response.json();
      return json.error || (json.errors || []).map((e) => e.message).join("; ");
    } catch (_) {
      return `the server answered ${response.status}`;
    }
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  save(await response.blob(), match ? match[1] : `result.${format}`);
  return null;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = element("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- worksheets ----

let worksheetMarkdown = null;

async function worksheet(finding) {
  $("finding").value = finding;
  $("worksheet-error").replaceChildren();
  const { status, json } = await api(`/api/worksheet?finding=${encodeURIComponent(finding)}`);
  if (status !== 200 || !json) {
    const message = json ? (json.error || (json.errors || []).map((e) => e.message).join("; ")) : `the server answered ${status}`;
    $("worksheet-error").append(element("p", message, "error"));
    $("worksheet").replaceChildren();
    $("download-worksheet").hidden = true;
    return;
  }
  worksheetMarkdown = { name: `worksheet-${finding}.md`, text: json.markdown };
  // Rendered by the server from Markdown whose HTML it turned to text.
  $("worksheet").innerHTML = json.html;
  $("download-worksheet").hidden = false;
  $("worksheet-section").scrollIntoView();
}

// ---- completion ----

function hideCompletions() {
  const list = $("completions");
  list.hidden = true;
  list.replaceChildren();
  $("query").setAttribute("aria-expanded", "false");
}

function insertWord(start, caret, word) {
  const box = $("query");
  const before = box.value.slice(0, start);
  box.value = before + word + box.value.slice(caret);
  const at = before.length + word.length;
  box.focus();
  box.setSelectionRange(at, at);
}

// Code points, not UTF-16 units: what the server counts.
const points = (text) => [...text];

async function complete() {
  const box = $("query");
  const caret = box.selectionStart;
  const text = box.value;
  const at = points(text.slice(0, caret)).length;
  const { status, json } = await api("/api/complete", { text, at });
  // Typed on meanwhile: this answer is for another text.
  if (status !== 200 || !json || box.value !== text || box.selectionStart !== caret) return;
  const start = points(text).slice(0, json.start).join("").length;
  const words = json.words || [];
  const typed = text.slice(start, caret);
  if (words.length === 1) {
    insertWord(start, caret, words[0]);
    hideCompletions();
    return;
  }
  let common = points(words[0] || "");
  for (const word of words) {
    const w = points(word);
    let n = 0;
    while (n < common.length && n < w.length && common[n] === w[n]) n += 1;
    common = common.slice(0, n);
  }
  const prefix = common.join("");
  if (prefix.length > typed.length) insertWord(start, caret, prefix);
  const list = $("completions");
  list.replaceChildren();
  for (const word of words) {
    const item = element("li", word);
    item.setAttribute("role", "option");
    item.tabIndex = -1;
    const choose = () => {
      insertWord(start, $("query").selectionStart, word);
      hideCompletions();
    };
    item.addEventListener("click", choose);
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); choose(); }
      else if (event.key === "ArrowDown" && item.nextSibling) { event.preventDefault(); item.nextSibling.focus(); }
      else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (item.previousSibling) item.previousSibling.focus(); else $("query").focus();
      } else if (event.key === "Escape") { hideCompletions(); $("query").focus(); }
    });
    list.append(item);
  }
  list.hidden = words.length === 0;
  box.setAttribute("aria-expanded", String(words.length > 0));
  if (words.length > 0) say(`${words.length} completions: Down arrow to choose one.`);
}

// ---- start ----

function start() {
  const box = $("query");
  // Tab completes; Escape then Tab leaves the box, as a keyboard user
  // expects of Tab.
  let leaving = false;
  box.addEventListener("keydown", (event) => {
    const list = $("completions");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab" && !event.shiftKey && !leaving
               && box.selectionStart === box.selectionEnd && box.value.trim() !== "") {
      event.preventDefault();
      complete();
    } else if (event.key === "Escape") {
      hideCompletions();
      leaving = true;
      say("Tab now leaves the box.");
      return;
    } else if (event.key === "ArrowDown" && !list.hidden && list.firstChild && !event.ctrlKey) {
      event.preventDefault();
      list.firstChild.focus();
    } else if ((event.key === "ArrowUp" || event.key === "ArrowDown") && event.ctrlKey) {
      event.preventDefault();
      browseHistory(event.key === "ArrowUp" ? -1 : 1);
    }
    leaving = false;
  });
  $("run").addEventListener("click", run);
  $("show-worksheet").addEventListener("click", () => {
    const finding = $("finding").value.trim();
    if (finding) worksheet(finding);
  });
  $("finding").addEventListener("keydown", (event) => {
    if (event.key === "Enter") $("show-worksheet").click();
  });
  $("download-worksheet").addEventListener("click", () => {
    if (worksheetMarkdown) {
      save(new Blob([worksheetMarkdown.text], { type: "text/markdown" }), worksheetMarkdown.name);
    }
  });
  overview();
  savedScripts();
}

document.addEventListener("DOMContentLoaded", start);
