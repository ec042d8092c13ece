// sitegen's search engine: exact term search over Pagefind shards of bigram documents.
//
// window.sitegen.search(query, options) is the function the search page itself calls; it
// resolves to every matching notice: {url, title, date, file_number, column, theme, issuer,
// doc_type, year}. A term is found exactly where its bigrams stand next to each other, which a
// quoted Pagefind query checks; terms separated by spaces must all be found.
// A classic script (no import/export) so that it also runs from disk.
(function () {
  "use strict";
  const CJK = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\u{20000}-\\u{2ffff}";
  const RUNS = new RegExp(`([${CJK}]+)|((?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+)`, "gu");
  const FIELDS = ["url", "title", "date", "file_number", "column", "theme", "issuer", "doc_type"];

  const script = document.currentScript;
  // The browse axes, as the build defines them (sitegen/site/structure.py AXES).
  const FILTERS = (script.dataset.filters || "").split(" ").filter(Boolean);
  const siteRoot = new URL(script.dataset.root || "./", document.baseURI);

  // Must agree with sitegen/search/tokens.py (a browser test checks they do).
  function tokens(text) {
    const out = [];
    for (const match of String(text).normalize("NFKC").toLowerCase().matchAll(RUNS)) {
      const [, cjk, word] = match;
      if (word) out.push(word);
      else if ([...cjk].length === 1) out.push(cjk);
      else {
        const chars = [...cjk];
        for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      }
    }
    return out;
  }

  function terms(query) {
    return String(query || "").replace(/["“”「」『』]/g, " ").split(/\s+/).filter((t) => tokens(t).length);
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`cannot load ${src}`));
      document.head.append(tag);
    });
  }

  let shardsReady = null;
  function shards() {
    if (!shardsReady) {
      shardsReady = (async () => {
        if (!window.SITEGEN_SHARDS) await loadScript(new URL("pagefind/shards.js", siteRoot).href);
        await Promise.all(window.SITEGEN_SHARDS.map((s) =>
          loadScript(new URL(`pagefind/${s.name}/records.js`, siteRoot).href)));
        return window.SITEGEN_SHARDS.map((s) => s.name);
      })();
    }
    return shardsReady;
  }

  const engines = {};
  // Pagefind reads the page's lang when it starts, and for zh it re-segments queries with
  // Intl.Segmenter, which would split our bigrams. The shards are "und" (no segmentation),
  // so the page claims "und" while each engine starts and gets its own lang back at once.
  async function asUndetermined(start) {
    const html = document.documentElement;
    const lang = html.getAttribute("lang");
    html.setAttribute("lang", "und");
    try {
      return await start();
    } finally {
      html.setAttribute("lang", lang);
    }
  }

  // Online: Pagefind's own module. The offline bundle replaces this loader (see bundle.js).
  let loadEngine = async (shard) => {
    const base = new URL(`pagefind/${shard}/`, siteRoot);
    const engine = await import(new URL("pagefind.js", base).href);
    await asUndetermined(async () => {
      await engine.options({ basePath: base.pathname });
      await engine.init();
    });
    return engine;
  };
  function engine(shard) {
    return (engines[shard] ||= loadEngine(shard));
  }

  function record(shard, id, score) {
    const values = window.SITEGEN_RECORDS[shard][id];
    const result = { id: `${shard}/${id}`, shard, score };
    FIELDS.forEach((field, index) => { result[field] = values[index]; });
    result.url = new URL(result.url, siteRoot).href;
    result.year = result.date ? result.date.slice(0, 4) : "";
    return result;
  }

  const found = new Map(); // result id -> Pagefind result, for excerpts

  async function searchShard(shard, phrases) {
    let scores = null;
    for (const phrase of phrases) {
      const pagefind = await engine(shard);
      const response = await pagefind.search(`"${phrase.join(" ")}"`);
      const next = new Map();
      for (const hit of response.results) {
        if (!scores || scores.has(hit.id)) {
          next.set(hit.id, (scores ? scores.get(hit.id) : 0) + hit.score);
          found.set(`${shard}/${hit.id}`, hit);
        }
      }
      scores = next;
      if (!scores.size) break;
    }
    return [...scores].map(([id, score]) => record(shard, id, score));
  }

  // From disk there is no Pagefind (no fetch, no modules): texts.js holds each document's
  // tokens as " a b c ", and a phrase is found where " x y " stands in them, which is what
  // Pagefind's quoted search checks too.
  // Decided once shards.js has loaded: the offline bundle's copy sets SITEGEN_OFFLINE.
  const isOffline = () => location.protocol === "file:" || window.SITEGEN_OFFLINE === true;
  const textsReady = {};
  function texts(shard) {
    return (textsReady[shard] ||= loadScript(new URL(`pagefind/${shard}/texts.js`, siteRoot).href)
      .then(() => window.SITEGEN_TEXTS[shard]));
  }

  async function searchShardOffline(shard, phrases) {
    const documents = await texts(shard);
    const needles = phrases.map((phrase) => ` ${phrase.join(" ")} `);
    const results = [];
    for (const [id, [tokenText]] of Object.entries(documents)) {
      let score = 0;
      for (const needle of needles) {
        const count = tokenText.split(needle).length - 1;
        if (!count) { score = 0; break; }
        score += count / tokenText.length;
      }
      if (score) results.push(record(shard, id, score));
    }
    return results;
  }

  function matchesFilters(result, filters) {
    return Object.entries(filters || {}).every(([key, values]) =>
      !values || !values.length || values.includes(result[key]));
  }

  async function search(query, options = {}) {
    const names = await shards();
    const phrases = terms(query).map(tokens);
    let results;
    if (phrases.length) {
      const inShard = isOffline() ? searchShardOffline : searchShard;
      results = (await Promise.all(names.map((name) => inShard(name, phrases)))).flat();
    } else {
      results = names.flatMap((name) =>
        Object.keys(window.SITEGEN_RECORDS[name]).map((id) => record(name, id, 0)));
    }
    results = results.filter((r) => matchesFilters(r, options.filters));
    // Newest first unless asked otherwise, as the ministry's own site lists them; relevance
    // (Pagefind's score online, term frequency offline) is an option.
    const byDate = (a, b) => a.date.localeCompare(b.date) || a.url.localeCompare(b.url);
    if (options.sort === "asc") results.sort(byDate);
    else if (options.sort === "relevance" && phrases.length) results.sort((a, b) => b.score - a.score || byDate(b, a));
    else results.sort((a, b) => byDate(b, a));
    return results;
  }

  function facets(results) {
    const counts = Object.fromEntries(FILTERS.map((key) => [key, {}]));
    for (const result of results) {
      for (const key of FILTERS) {
        if (result[key]) counts[key][result[key]] = (counts[key][result[key]] || 0) + 1;
      }
    }
    return counts;
  }

  // A piece of the notice's text around the first term, as [before, match, after, ...] strings.
  async function plainText(result) {
    if (isOffline()) return (await texts(result.shard))[result.id.slice(result.shard.length + 1)][1];
    const hit = found.get(result.id);
    return hit ? (await hit.data()).meta.text || "" : "";
  }

  async function excerpt(result, query, width = 60) {
    if (!terms(query).length) return [];
    const text = await plainText(result);
    if (!text) return [];
    const flat = text.replace(/\s+/g, " ");
    const normal = flat.normalize("NFKC").toLowerCase();
    const words = terms(query).map((t) => t.normalize("NFKC").toLowerCase());
    let at = -1;
    let length = 0;
    for (const word of words) {
      const index = normal.indexOf(word);
      if (index >= 0 && (at < 0 || index < at)) { at = index; length = word.length; }
    }
    if (at < 0) return [flat.slice(0, width * 2)];
    const start = Math.max(0, at - width);
    const end = Math.min(flat.length, at + length + width);
    return [(start > 0 ? "…" : "") + flat.slice(start, at), flat.slice(at, at + length),
            flat.slice(at + length, end) + (end < flat.length ? "…" : "")];
  }

  window.sitegen = Object.assign(window.sitegen || {}, {
    search, tokens, terms, facets, excerpt, FILTERS, isOffline,
    setEngineLoader(loader) { loadEngine = loader; },
    asUndetermined,
  });
})();
