// Search page: Pagefind's JS API with filters for the browse axes and sorting by date.
// Loaded as a file (no inline script) so the site's content security policy can forbid inline code.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");
const PAGE = 20;

const siteRoot = new URL(form.dataset.root || "./", document.baseURI);
let pagefind = null;
let results = [];
let shown = 0;

async function loadPagefind() {
  if (pagefind) return pagefind;
  pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
  // Result URLs are made relative to wherever the site is served, not "/".
  await pagefind.options({ baseUrl: siteRoot.pathname });
  await pagefind.init();
  return pagefind;
}

function selectedFilters() {
  const filters = {};
  for (const box of form.querySelectorAll("input[type=checkbox][data-filter]:checked")) {
    (filters[box.dataset.filter] ||= []).push(box.value);
  }
  return filters;
}

async function showFilters() {
  const engine = await loadPagefind();
  const available = await engine.filters();
  for (const fieldset of form.querySelectorAll("fieldset[data-filter]")) {
    const key = fieldset.dataset.filter;
    const values = available[key] || {};
    const names = Object.keys(values).sort((a, b) => key === "year" ? b.localeCompare(a) : values[b] - values[a] || a.localeCompare(b));
    const holder = fieldset.querySelector(".filter-options");
    holder.replaceChildren();
    names.forEach((name, index) => {
      const id = `filter-${key}-${index}`;
      const box = Object.assign(document.createElement("input"), { type: "checkbox", id, value: name });
      box.dataset.filter = key;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.append(box, ` ${name} (${values[name]})`);
      holder.append(label);
    });
    fieldset.hidden = names.length === 0;
  }
}

function renderResult(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const heading = document.createElement("h2");
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  if (data.meta.date) meta.append(Object.assign(document.createElement("time"), { textContent: data.meta.date, dateTime: data.meta.date }));
  if (data.meta.file_number) meta.append(Object.assign(document.createElement("span"), { className: "file-number", textContent: data.meta.file_number }));
  const excerpt = document.createElement("p");
  // Pagefind's excerpt is the page's own text, HTML-escaped, with <mark> around hits.
  excerpt.innerHTML = data.excerpt;
  item.append(heading, meta, excerpt);
  return item;
}

async function showMore() {
  const batch = results.slice(shown, shown + PAGE);
  shown += batch.length;
  const loaded = await Promise.all(batch.map((result) => result.data()));
  list.append(...loaded.map(renderResult));
  moreButton.hidden = shown >= results.length;
}

async function runSearch() {
  const query = input.value.trim();
  const filters = selectedFilters();
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (sortSelect.value) params.set("sort", sortSelect.value);
  for (const [key, values] of Object.entries(filters)) values.forEach((v) => params.append(key, v));
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  list.replaceChildren();
  shown = 0;
  if (!query && Object.keys(filters).length === 0) {
    statusLine.textContent = "";
    moreButton.hidden = true;
    return;
  }
  statusLine.textContent = "正在检索…";
  const engine = await loadPagefind();
  const options = { filters };
  if (sortSelect.value) options.sort = { date: sortSelect.value };
  const search = await engine.search(query || null, options);
  results = search.results;
  await showMore();
  statusLine.textContent = results.length ? `找到 ${results.length} 篇文件` : "没有找到相关文件";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch();
});
form.addEventListener("change", (event) => {
  if (event.target.matches("input[type=checkbox], select")) runSearch();
});
moreButton.addEventListener("click", showMore);

(async () => {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  await showFilters();
  for (const box of form.querySelectorAll("input[type=checkbox][data-filter]")) {
    box.checked = params.getAll(box.dataset.filter).includes(box.value);
  }
  if (input.value || [...params.keys()].some((k) => k !== "q" && k !== "sort")) await runSearch();
})().catch((error) => {
  statusLine.textContent = `检索不可用：${error.message}`;
});
