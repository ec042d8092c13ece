// The search page: a form over window.sitegen.search (sitegen-search.js), with filters for
// the browse axes and sorting by date. Results are built as DOM nodes, never from HTML strings.
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-q");
  const sortSelect = document.getElementById("search-sort");
  const statusLine = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const moreButton = document.getElementById("search-more");
  const PAGE = 20;
  let results = [];
  let shown = 0;
  let query = "";

  function selectedFilters() {
    const filters = {};
    for (const box of form.querySelectorAll("input[type=checkbox][data-filter]:checked")) {
      (filters[box.dataset.filter] ||= []).push(box.value);
    }
    return filters;
  }

  function showFacets(all, selected) {
    const counts = window.sitegen.facets(all);
    for (const fieldset of form.querySelectorAll("fieldset[data-filter]")) {
      const key = fieldset.dataset.filter;
      const values = counts[key] || {};
      for (const value of selected[key] || []) values[value] ||= 0;
      const names = Object.keys(values).sort((a, b) =>
        key === "year" ? b.localeCompare(a) : values[b] - values[a] || a.localeCompare(b));
      const holder = fieldset.querySelector(".filter-options");
      holder.replaceChildren();
      names.forEach((name, index) => {
        const id = `filter-${key}-${index}`;
        const box = Object.assign(document.createElement("input"), { type: "checkbox", id, value: name });
        box.dataset.filter = key;
        box.checked = (selected[key] || []).includes(name);
        const label = document.createElement("label");
        label.htmlFor = id;
        label.append(box, ` ${name} (${values[name]})`);
        holder.append(label);
      });
      fieldset.hidden = names.length === 0;
    }
  }

  function element(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children);
    return node;
  }

  async function renderResult(result) {
    const item = element("li");
    item.append(element("h2", null, element("a", { href: result.url, textContent: result.title })));
    const meta = element("p", { className: "meta" });
    if (result.date) meta.append(element("time", { dateTime: result.date, textContent: result.date }));
    if (result.file_number) meta.append(element("span", { className: "file-number", textContent: result.file_number }));
    if (result.column) meta.append(element("span", { className: "column", textContent: result.column }));
    item.append(meta);
    const pieces = await window.sitegen.excerpt(result, query);
    if (pieces.length) {
      const excerpt = element("p", { className: "excerpt" });
      pieces.forEach((piece, index) => excerpt.append(index % 2 ? element("mark", { textContent: piece }) : piece));
      item.append(excerpt);
    }
    return item;
  }

  async function showMore() {
    const batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    list.append(...(await Promise.all(batch.map(renderResult))));
    moreButton.hidden = shown >= results.length;
  }

  async function runSearch() {
    query = input.value.trim();
    const filters = selectedFilters();
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (sortSelect.value) params.set("sort", sortSelect.value);
    for (const [key, values] of Object.entries(filters)) values.forEach((v) => params.append(key, v));
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
    list.replaceChildren();
    shown = 0;
    statusLine.textContent = "正在检索…";
    const all = await window.sitegen.search(query, { sort: sortSelect.value });
    results = await window.sitegen.search(query, { filters, sort: sortSelect.value });
    showFacets(all, filters);
    await showMore();
    const what = query ? `“${query}”` : "全部文件";
    statusLine.textContent = results.length ? `${what}：找到 ${results.length} 篇文件` : `${what}：没有找到相关文件`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox], select")) runSearch();
  });
  moreButton.addEventListener("click", showMore);

  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  const initial = {};
  for (const key of window.sitegen.FILTERS) if (params.getAll(key).length) initial[key] = params.getAll(key);
  // Filters from the address are applied by checking their boxes once the facets exist.
  (async () => {
    const all = await window.sitegen.search(input.value, { sort: sortSelect.value });
    showFacets(all, initial);
    if (input.value || Object.keys(initial).length) await runSearch();
  })().catch((error) => {
    statusLine.textContent = `检索不可用：${error.message}`;
  });
})();
