// The search page: a form over window.sitegen.search (pagefind/sitegen-search.js). Searches
// as one types (the answer to an older query is dropped), keeps the query and filters in the
// address (Back undoes a change), counts each filter's values under the other filters, and
// builds results as DOM nodes, never from HTML strings.
(function () {
  "use strict";
  const root = document.currentScript.dataset.root || "./";
  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const input = $("search-q");
  const sortSelect = $("search-sort");
  const yearSelect = $("search-year");
  const fromInput = $("search-from");
  const toInput = $("search-to");
  const facetsBox = $("search-facets");
  const filtersBox = $("search-filters");
  const activeLine = $("search-active");
  const statusLine = $("search-status");
  const clearButton = $("search-clear");
  const list = $("search-results");
  const moreButton = $("search-more");
  const PAGE = 10;
  const TYPING_DELAY = 200;
  const PAUSE = 1500; // typing after a longer pause is a new query (a new history entry)
  let lastTyped = 0;
  let facets = [];
  let found = null;
  let shown = 0;
  let state = null;
  let generation = 0;

  function element(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children);
    return node;
  }

  const compact = (date) => (date ? Number(date.replaceAll("-", "")) : 0);

  // -- state <-> address and form ------------------------------------------------------------
  function fromAddress() {
    const params = new URLSearchParams(location.search);
    const filters = {};
    for (const facet of facets) {
      const values = params.getAll(facet.key);
      if (values.length) filters[facet.key] = values;
    }
    return { q: params.get("q") || "", sort: params.get("sort") || "", field: params.get("field") || "",
             from: params.get("from") || "", to: params.get("to") || "", filters };
  }

  function toAddress(s) {
    const params = new URLSearchParams();
    for (const key of ["q", "field", "sort", "from", "to"]) if (s[key]) params.set(key, s[key]);
    for (const facet of facets) for (const v of s.filters[facet.key] || []) params.append(facet.key, v);
    const text = params.toString();
    return text ? `?${text}` : location.pathname;
  }

  function fromForm() {
    const filters = {};
    for (const box of facetsBox.querySelectorAll("input[type=checkbox]:checked")) {
      (filters[box.dataset.filter] ||= []).push(box.value);
    }
    return { q: input.value.trim(), sort: sortSelect.value, field: form.elements.field.value,
             from: fromInput.value, to: toInput.value, filters };
  }

  function toForm(s) {
    input.value = s.q;
    sortSelect.value = s.sort;
    form.elements.field.value = s.field;
    fromInput.value = s.from;
    toInput.value = s.to;
  }

  // -- filters -------------------------------------------------------------------------------
  function showFilters(s) {
    const focused = document.activeElement && document.activeElement.id;
    facetsBox.replaceChildren();
    for (const facet of facets) {
      const counts = found.facets[facet.key] || {};
      const selected = s.filters[facet.key] || [];
      // Values with no result under the other filters are hidden, unless ticked.
      const names = facet.values.filter((name) => counts[name] || selected.includes(name));
      names.sort((a, b) => (counts[b] || 0) - (counts[a] || 0) || a.localeCompare(b));
      if (!names.length) continue;
      const fieldset = element("fieldset", { className: "facet" }, element("legend", { textContent: facet.label }));
      fieldset.dataset.filter = facet.key;
      for (const name of names) {
        const id = `filter-${facet.key}-${facet.values.indexOf(name)}`;
        const box = element("input", { type: "checkbox", id, value: name, checked: selected.includes(name) });
        box.dataset.filter = facet.key;
        fieldset.append(element("label", { htmlFor: id }, box, ` ${name} (${counts[name] || 0})`));
      }
      facetsBox.append(fieldset);
    }
    const years = Object.keys(found.years).sort().reverse();
    const year = s.from && s.to && s.from.endsWith("-01-01") && s.to === `${s.from.slice(0, 4)}-12-31`
      ? s.from.slice(0, 4) : "";
    yearSelect.replaceChildren(element("option", { value: "", textContent: "全部年份" }),
      ...years.map((y) => element("option", { value: y, textContent: `${y} (${found.years[y]})` })));
    if (year && !years.includes(year)) yearSelect.append(element("option", { value: year, textContent: `${year} (0)` }));
    yearSelect.value = year;
    if (focused && $(focused)) $(focused).focus();
    const active = describeFilters(s);
    activeLine.textContent = active.length ? `（已选：${active.join("；")}）` : "";
    clearButton.hidden = !active.length;
  }

  function describeFilters(s) {
    const out = [];
    if (s.field === "title") out.push("仅标题");
    if (s.from || s.to) out.push(`发布日期 ${s.from || "…"} 至 ${s.to || "…"}`);
    for (const facet of facets) {
      const values = s.filters[facet.key] || [];
      if (values.length) out.push(`${facet.label}：${values.join("、")}`);
    }
    return out;
  }

  // -- results -------------------------------------------------------------------------------
  async function renderResult(record, query) {
    const item = element("li");
    item.append(element("h2", null, element("a", { href: record.url, textContent: record.title })));
    const meta = element("p", { className: "meta" });
    if (record.date) meta.append(element("time", { dateTime: record.date, textContent: record.date }));
    if (record.file_number) meta.append(element("span", { className: "file-number", textContent: record.file_number }));
    if (record.column) meta.append(element("span", { className: "column", textContent: record.column }));
    item.append(meta);
    if (query) {
      const pieces = await window.sitegen.excerpt(record, query);
      if (pieces.length) {
        const excerpt = element("p", { className: "excerpt" });
        pieces.forEach((piece, index) => excerpt.append(index % 2 ? element("mark", { textContent: piece }) : piece));
        item.append(excerpt);
      }
    }
    return item;
  }

  async function showMore(mine = generation) {
    const docs = found.docs.slice(shown, shown + PAGE);
    shown += docs.length;
    const records = await window.sitegen.records(docs);
    const items = await Promise.all(records.map((r) => renderResult(r, state.q)));
    if (mine !== generation) return;
    list.append(...items);
    moreButton.hidden = shown >= found.docs.length;
  }

  async function run(s, how) {
    const mine = ++generation;
    state = s;
    // One history entry per query typed (keystrokes less than a pause apart replace each
    // other) and per change of filters or order: Back undoes them one by one.
    const address = toAddress(s);
    const typing = how === "type";
    const now = Date.now();
    if (typing && now - lastTyped < PAUSE) history.replaceState(null, "", address);
    else if ((how === "push" || typing) && address !== location.search) history.pushState(null, "", address);
    lastTyped = typing ? now : 0;
    statusLine.textContent = "正在检索…";
    const result = await window.sitegen.search(s.q, {
      filters: s.filters, sort: s.sort || undefined, field: s.field, from: compact(s.from), to: compact(s.to),
    });
    if (mine !== generation) return; // a newer query is on its way
    found = result;
    shown = 0;
    showFilters(s);
    list.replaceChildren();
    const what = s.q ? `“${s.q}”` : "全部文件";
    const active = describeFilters(s);
    if (!s.q && !active.length) {
      // Nothing asked yet: the counts, and no list (the browse pages list everything).
      moreButton.hidden = true;
      statusLine.textContent = `${what}：共 ${found.total} 篇，输入检索词或选择筛选条件`;
      return;
    }
    await showMore(mine);
    if (mine !== generation) return;
    if (found.total) statusLine.textContent = `${what}：找到 ${found.total} 篇文件`;
    else if (active.length) statusLine.textContent = `${what}：在所选筛选条件（${active.join("；")}）下没有找到文件`;
    else statusLine.textContent = `${what}：没有找到相关文件`;
  }

  function report(error) {
    statusLine.textContent = `检索不可用：${error.message}`;
  }

  let typing = null;
  input.addEventListener("input", () => {
    clearTimeout(typing);
    // A query answered before needs no fetching: no reason to wait for the typing to pause.
    const s = fromForm();
    const known = window.sitegen && window.sitegen.answered && window.sitegen.answered(s.q, s.field);
    typing = setTimeout(() => run(s, "type").catch(report), known ? 0 : TYPING_DELAY);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    run(fromForm(), "push").catch(report);
  });
  form.addEventListener("change", (event) => {
    if (event.target === input) return;
    if (event.target === yearSelect) {
      const y = yearSelect.value;
      fromInput.value = y ? `${y}-01-01` : "";
      toInput.value = y ? `${y}-12-31` : "";
    }
    run(fromForm(), "push").catch(report);
  });
  clearButton.addEventListener("click", () => {
    const s = fromForm();
    run({ ...s, field: "", from: "", to: "", filters: {} }, "push").then(() => toForm(state)).catch(report);
  });
  moreButton.addEventListener("click", () => showMore().catch(report));
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((seen) => {
      if (seen.some((e) => e.isIntersecting) && !moreButton.hidden) moreButton.click();
    }).observe(moreButton);
  }
  window.addEventListener("popstate", () => {
    const s = fromAddress();
    toForm(s);
    run(s, "none").catch(report);
  });
  // Filters start open where there is room beside the results.
  if (window.matchMedia("(min-width: 60rem)").matches) filtersBox.open = true;

  // The engine comes with the index (a site built without search has neither).
  const engine = new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement("script"), { src: `${root}pagefind/sitegen-search.js` });
    tag.dataset.root = root;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error("这个网站没有检索索引"));
    document.head.append(tag);
  });
  // What a query needs beyond the catalog starts loading as soon as one may be typed.
  $("search-q").addEventListener("focus", () => engine.then(() => window.sitegen.prefetch()), { once: true });
  engine.then(() => window.sitegen.catalog()).then((cat) => {
    facets = cat.facets;
    const s = fromAddress();
    toForm(s);
    return run(s, "none");
  }).catch(report);
})();
