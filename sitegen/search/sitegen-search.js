// sitegen's search engine, shipped with the index it reads (sitegen/search/, copied into the
// site's pagefind/ folder). Pagefind's CLI builds the index; words.py lays its entries out by
// word (one file per bucket of words, holding every shard's entries); this script reads them
// itself, so that a term is found exactly where its characters stand (tokens.py explains the
// tokens), every occurrence counts for relevance, and the same code runs online and from disk
// (where the buckets come as scripts instead of files).
//
//   const found = await sitegen.search("个人信息 保护", {filters: {column: ["通知"]}, from: 20200101,
//                                      to: 20201231, field: "title", sort: "relevance"});
//   found.docs      -> matching notices in order (numbers; catalog order is newest first)
//   found.total, found.facets {key: {value: count}}, found.years {year: count}
//   await sitegen.records(found.docs.slice(0, 10)) -> [{url, title, file_number, date, ...}]
//   await sitegen.excerpt(record, query) -> ["before ", "hit", " after", ...] (odd pieces hit)
//
// A classic script (no import/export) so that it also runs from disk.
(function () {
  "use strict";
  const script = document.currentScript;
  const siteRoot = new URL((script && script.dataset.root) || "./", document.baseURI);
  const base = new URL("pagefind/", siteRoot);
  const QUOTES = /["“”「」『』]/g;
  const K1 = 1.2;
  const B = 0.75;
  // A hit in the title outranks any number of hits in the file number, which outranks any
  // number in the body (saturated term frequencies stay below K1 + 1).
  const FIELD_BOOST = [10, 3, 1];

  // -- loading ---------------------------------------------------------------------------
  const loading = {};
  function data(key, path) {
    return (loading[key] ||= new Promise((resolve, reject) => {
      const store = (window.SITEGEN_DATA ||= {});
      const take = () => { const value = store[key]; delete store[key]; return value; };
      if (key in store) { resolve(take()); return; }
      const tag = document.createElement("script");
      tag.src = new URL(path, base).href;
      tag.onload = () => {
        tag.remove();
        if (key in store) resolve(take());
        else reject(new Error(`${path} holds no ${key}`));
      };
      tag.onerror = () => { tag.remove(); delete loading[key]; reject(new Error(`cannot load ${path}`)); };
      document.head.append(tag);
    }));
  }

  let ready = null;
  let prepared = null;
  function catalog() {
    return (ready ||= data("catalog", "catalog.js").then((cat) => (prepared = prepare(cat))));
  }

  // What a query needs beyond the catalog (catalog.py): loaded once, when a query is first
  // typed (or the search box is focused).
  let looked = null;
  function lookup() {
    return (looked ||= catalog().then(async (cat) => {
      const found = await data("lookup", cat.lookup);
      cat.length = Int32Array.from(found.lengths);
      let sum = 0;
      for (const length of cat.length) sum += length;
      cat.averageLength = cat.count ? sum / cat.count : 1;
      found.shards.forEach((info, i) => Object.assign(cat.shards[i], info));
      cat.words = found.words;
      if (found.words.lengths) cat.words.spans = spans(found.words.lengths, found.words.count);
      return cat;
    }).catch((error) => { looked = null; throw error; }));
  }

  const DAY = 86400000;
  function valueNumber(code) {
    if (code === 0x21) return -1; // no value
    if (code === 0x20) return -2; // several: in the facet's `many`
    if (code <= 0x5b) return code - 0x23;
    if (code <= 0x7e) return code - 0x5d + 57;
    return (code > 0xdfff ? code - 0x800 : code) - 0xa0 + 91;
  }

  function prepare(cat) {
    const plain = new RegExp(`^[${cat.spec.plain}]$`, "u");
    cat.space = new RegExp(`[${cat.spec.space}]+`, "u");
    cat.brackets = cat.spec.brackets;
    cat.spell = (c) => (plain.test(c) ? c : `q${c.codePointAt(0).toString(16)}q`);
    // Dates as yyyymmdd numbers (0: unknown), from day numbers kept as differences.
    cat.date = new Int32Array(cat.count);
    let day = 0;
    cat.days.forEach((delta, i) => {
      day = i ? day - delta : delta;
      const d = new Date(day * DAY);
      cat.date[i] = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
    });
    cat.columns = {};
    cat.many = {};
    for (const facet of cat.facets) {
      const column = new Int32Array(cat.count);
      let i = 0;
      for (const c of facet.column) column[i++] = valueNumber(c.codePointAt(0));
      cat.columns[facet.key] = column;
      cat.many[facet.key] = facet.many;
    }
    const weights = {};
    cat.fields.forEach(([, weight], index) => { weights[Math.min(255, Math.round(weight * 24))] = index; });
    cat.fieldOf = (weight) => (weight in weights ? weights[weight] : cat.fields.length - 1);
    cat.offline = cat.offline || location.protocol === "file:";
    return cat;
  }

  // -- tokens (the rules of sitegen/search/tokens.py, from the catalog's spec) -------------
  function normalize(cat, text) {
    let out = "";
    for (const c of String(text).normalize("NFKC").toLowerCase()) out += cat.brackets[c] ?? c;
    return out;
  }

  function segments(cat, text) {
    return normalize(cat, text).split(cat.space).filter(Boolean);
  }

  function tokensOf(cat, text) {
    const out = [];
    for (const segment of segments(cat, text)) {
      if (out.length) out.push(cat.spec.gap);
      const spelt = [...segment].map(cat.spell);
      for (let i = 0; i + 1 < spelt.length; i++) out.push(spelt[i] + cat.spec.separator + spelt[i + 1]);
      out.push(spelt[spelt.length - 1] + cat.spec.separator);
    }
    return out;
  }

  function terms(cat, query) {
    const seen = new Set();
    return segments(cat, String(query || "").replace(QUOTES, " ")).filter((t) => !seen.has(t) && seen.add(t));
  }

  // What to look up for a term: one token per character, but only every other one is needed
  // (each covers two characters), and the last; a single character has a token of its own.
  function plan(cat, term) {
    const spelt = [...term].map(cat.spell);
    const sep = cat.spec.separator;
    if (spelt.length === 1) return { single: sep + spelt[0] };
    const offsets = [];
    for (let i = 0; i + 1 < spelt.length; i += 2) offsets.push(i);
    if (offsets[offsets.length - 1] !== spelt.length - 2) offsets.push(spelt.length - 2);
    return { words: offsets.map((i) => [i, spelt[i] + sep + spelt[i + 1]]) };
  }

  // -- the words: Pagefind's word entries, every shard's, in buckets by a hash of the word ----
  function bucketOf(word, count) {
    let hash = 0x811c9dc5;
    for (const c of word) hash = Math.imul(hash ^ c.codePointAt(0), 0x01000193) >>> 0;
    return hash % count;
  }

  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // A bucket is read lazily: for each shard (by folder) its words and where each one's pages
  // start, and a word's pages (positions and fields) decoded only when a query asks for it.
  function decodeBucket(bytes, weightField) {
    let at = 0;
    const decoder = new TextDecoder();
    function head() {
      const byte = bytes[at++];
      const info = byte & 31;
      let value = info;
      if (info === 24) value = bytes[at++];
      else if (info === 25) { value = (bytes[at] << 8) | bytes[at + 1]; at += 2; }
      else if (info === 26) { value = ((bytes[at] << 24) >>> 0) + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]); at += 4; }
      else if (info > 26) throw new Error("unsupported CBOR in the index");
      return [byte >> 5, value];
    }
    function int() {
      const [major, value] = head();
      return major === 1 ? -1 - value : value;
    }
    function string() {
      const [, length] = head();
      const text = decoder.decode(bytes.subarray(at, at + length));
      at += length;
      return text;
    }
    function pages() {
      const out = [];
      let page = 0;
      const [, count] = head();
      for (let p = 0; p < count; p++) {
        const [, parts] = head();
        page += int();
        const [, locations] = head();
        const positions = new Int32Array(locations);
        const fields = new Uint8Array(locations);
        let n = 0;
        let weight = 25;
        let last = 0;
        for (let l = 0; l < locations; l++) {
          const value = int();
          if (value < 0) { weight = -value - 1; last = 0; }
          else { last += value; positions[n] = last; fields[n] = weightField(weight); n++; }
        }
        for (let extra = 2; extra < parts; extra++) skip();
        out.push({ page, positions: positions.subarray(0, n), fields: fields.subarray(0, n) });
      }
      return out;
    }
    function skip() {
      const [major, value] = head();
      if (major === 2 || major === 3) at += value;
      else if (major === 4) for (let i = 0; i < value; i++) skip();
    }
    const shards = new Map(); // folder -> {words: word -> where its pages start, decoded}
    while (at < bytes.length) {
      const folder = string();
      const words = new Map();
      const [, count] = head();
      for (let w = 0; w < count; w++) {
        const [, parts] = head();
        const word = string();
        words.set(word, at);
        for (let extra = 1; extra < parts; extra++) skip();
      }
      shards.set(folder, { words, decoded: new Map() });
    }
    return {
      // A word's pages in one shard (none: an empty list).
      pagesOf(folder, word) {
        const shard = shards.get(folder);
        if (!shard || !shard.words.has(word)) return [];
        if (!shard.decoded.has(word)) { at = shard.words.get(word); shard.decoded.set(word, pages()); }
        return shard.decoded.get(word);
      },
      // In a bucket of counts: the notices of a shard holding a word, Map(notice within the
      // shard -> counts per field), from groups [first notice, field, n, n counts] (words.py).
      countsOf(folder, word, fields) {
        const found = new Map();
        const shard = shards.get(folder);
        if (!shard || !shard.words.has(word)) return found;
        at = shard.words.get(word);
        const [, length] = head();
        for (let read = 0; read < length;) {
          const first = int();
          const field = int();
          const n = int();
          read += 3 + n;
          for (let i = 0; i < n; i++) {
            const count = int();
            if (!count) continue;
            let counts = found.get(first + i);
            if (!counts) found.set(first + i, (counts = new Array(fields).fill(0)));
            counts[field] += count;
          }
        }
        return found;
      },
    };
  }

  // Where each bucket lies in its family's pack (words.py): its lengths, in order, as LEB128
  // numbers in base64; a family's buckets start again at 0.
  function spans(lengths, count) {
    const bytes = atob(lengths);
    const starts = new Float64Array(bytes.length + 1);
    const ends = new Float64Array(bytes.length + 1);
    let value = 0;
    let shift = 0;
    let n = 0;
    let at = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes.charCodeAt(i);
      value += (byte & 127) * 2 ** shift;
      shift += 7;
      if (byte < 128) {
        if (n % count === 0) at = 0;
        starts[n] = at;
        at += value;
        ends[n++] = at;
        value = 0;
        shift = 0;
      }
    }
    return { starts, ends };
  }

  // A bucket of a family ("" positions, "c" counts): from disk a script of its own, online a
  // range of the family's pack (a server that ignores ranges sends the whole pack: read only
  // while it is small).
  const PACKS = { "": "positions.pf", c: "counts.pf" };
  const WHOLE_PACK_LIMIT = 8 << 20;
  const buckets = {};
  function bucket(cat, family, n) {
    const key = `${cat.words.folder}/${family}${n}`;
    return (buckets[key] ||= (async () => {
      let bytes;
      if (cat.offline) {
        const text = atob(await data(key, `shards/${key}.js`));
        bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      } else {
        const index = (family ? cat.words.count : 0) + n;
        const start = cat.words.spans.starts[index];
        const end = cat.words.spans.ends[index];
        const response = await fetch(new URL(`shards/${cat.words.folder}/${PACKS[family]}`, base),
          { headers: { Range: `bytes=${start}-${end - 1}` } });
        if (response.status === 206) {
          bytes = new Uint8Array(await response.arrayBuffer());
        } else if (response.ok && Number(response.headers.get("Content-Length") ?? Infinity) <= WHOLE_PACK_LIMIT) {
          bytes = new Uint8Array(await response.arrayBuffer()).slice(start, end);
        } else {
          if (response.body) response.body.cancel();
          throw new Error(`cannot load ${key}: ${response.ok ? "the server ignores range requests" : response.status}`);
        }
        if (bytes.length !== end - start) throw new Error(`cannot load ${key}: ${bytes.length} bytes, not ${end - start}`);
      }
      return decodeBucket(await inflate(bytes), cat.fieldOf);
    })().catch((error) => { delete buckets[key]; throw error; }));
  }

  // A word's pages in one shard (its positions).
  async function pagesIn(cat, shard, word) {
    return (await bucket(cat, "", bucketOf(word, cat.words.count))).pagesOf(shard.folder, word);
  }

  // The notices of a shard holding a word, with its count in each field.
  async function countsIn(cat, shard, word) {
    return (await bucket(cat, "c", bucketOf(word, cat.words.count))).countsOf(shard.folder, word, cat.fields.length);
  }

  // Where each notice of a shard starts within its Pagefind page: a page holds `pack`
  // notices one after another, each taking as many positions as its length.
  function starts(cat, shard) {
    if (!shard.starts) {
      shard.starts = new Int32Array(shard.count);
      for (let i = 0, at = 0; i < shard.count; i++) {
        if (i % shard.pack === 0) at = 0;
        shard.starts[i] = at;
        at += cat.length[shard.offset + i];
      }
    }
    return shard.starts;
  }

  // The notice (numbered within its shard) at a position of a Pagefind page.
  function localDoc(cat, shard, page, position) {
    const pack = shard.pages ? shard.pages[page] : page;
    const first = starts(cat, shard);
    let lo = pack * shard.pack;
    let hi = Math.min(lo + shard.pack, shard.count) - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (first[mid] <= position) lo = mid; else hi = mid - 1; }
    return lo;
  }

  // Occurrences of a term in one shard: Map(notice within the shard -> [title, file number,
  // body] counts). A term of one token needs only its counts; of several, where they stand.
  async function occurrences(cat, shard, term) {
    const how = plan(cat, term);
    if (how.single || how.words.length === 1) return countsIn(cat, shard, how.single || how.words[0][1]);
    const found = new Map();
    const add = (page, position, field) => {
      const doc = localDoc(cat, shard, page, position);
      let counts = found.get(doc);
      if (!counts) found.set(doc, (counts = new Array(cat.fields.length).fill(0)));
      counts[field]++;
    };
    const lists = await Promise.all(how.words.map(async ([offset, word]) => {
      return [offset, new Map((await pagesIn(cat, shard, word)).map((p) => [p.page, p]))];
    }));
    lists.sort((a, b) => a[1].size - b[1].size);
    const anchor = lists.find(([offset]) => offset === 0);
    const others = lists.filter((list) => list !== anchor);
    for (const [page, first] of anchor[1]) {
      if (!others.every(([, pages]) => pages.has(page))) continue;
      const sorted = others.map(([offset, pages]) => [offset, sortedPositions(pages.get(page))]);
      first.positions.forEach((position, i) => {
        if (sorted.every(([offset, list]) => contains(list, position + offset))) add(page, position, first.fields[i]);
      });
    }
    return found;
  }

  // A page's positions in order (Pagefind lists them field by field), sorted once.
  function sortedPositions(entry) {
    return (entry.sorted ||= Int32Array.from(entry.positions).sort());
  }

  function contains(list, value) {
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] === value) return true;
      if (list[mid] < value) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  function shardOf(cat, doc) {
    let lo = 0;
    let hi = cat.shards.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (cat.shards[mid].offset <= doc) lo = mid; else hi = mid - 1; }
    return cat.shards[lo];
  }

  // -- search -------------------------------------------------------------------------------
  function saturated(count, norm) {
    return count ? (count * (K1 + 1)) / (count + K1 * norm) : 0;
  }

  const answers = new Map(); // the last queries' scores: asking again costs nothing
  function answerKey(cat, wanted, field) {
    return `${field === "title" ? "title" : "all"}\u0000${wanted.join("\u0000")}`;
  }

  // Whether a query is answered from memory (known at once, without waiting).
  function answered(query, field) {
    const cat = prepared;
    if (!cat) return false;
    const wanted = terms(cat, query);
    return !wanted.length || answers.has(answerKey(cat, wanted, field));
  }

  function matching(cat, query, field) {
    const wanted = terms(cat, query);
    if (!wanted.length) return null;
    const key = answerKey(cat, wanted, field);
    if (!answers.has(key)) {
      answers.set(key, score(cat, wanted, field).catch((error) => { answers.delete(key); throw error; }));
      if (answers.size > 20) answers.delete(answers.keys().next().value);
    }
    return answers.get(key);
  }

  async function score(cat, wanted, field) {
    const scores = new Map();
    const titleOnly = field === "title";
    let first = true;
    for (const term of wanted) {
      const perShard = await Promise.all(cat.shards.map((shard) => occurrences(cat, shard, term)));
      const counts = new Map();
      cat.shards.forEach((shard, s) => {
        for (const [local, fieldCounts] of perShard[s]) {
          if (titleOnly && !fieldCounts[0]) continue;
          const doc = shard.offset + local;
          counts.set(doc, titleOnly ? [fieldCounts[0], 0, 0] : fieldCounts);
        }
      });
      const idf = Math.log(1 + (cat.count - counts.size + 0.5) / (counts.size + 0.5));
      const next = new Map();
      for (const [doc, [title, number, body]] of counts) {
        if (!first && !scores.has(doc)) continue;
        const norm = 1 - B + (B * cat.length[doc]) / cat.averageLength;
        const score = idf * (FIELD_BOOST[0] * saturated(title, 1) + FIELD_BOOST[1] * saturated(number, 1)
          + FIELD_BOOST[2] * saturated(body, norm));
        next.set(doc, (first ? 0 : scores.get(doc)) + score);
      }
      scores.clear();
      for (const [doc, score] of next) scores.set(doc, score);
      first = false;
      if (!scores.size) break;
    }
    return scores;
  }

  function valuesOf(cat, key, doc) {
    const value = cat.columns[key][doc];
    return value >= 0 ? [value] : value === -1 ? [] : cat.many[key][doc];
  }

  const results = new Map(); // the last searches: the same question again is answered at once
  async function search(query, options = {}) {
    const cat = terms(await catalog(), query).length ? await lookup() : await catalog();
    const scores = await matching(cat, query, options.field);
    const key = JSON.stringify([query, options.field === "title", options.filters || {}, options.from || 0,
                                options.to || 0, options.sort || ""]);
    const known = results.get(key);
    if (known && known.scores === scores) return known.found;
    const found = filtered(cat, query, scores, options);
    results.set(key, { scores, found });
    if (results.size > 20) results.delete(results.keys().next().value);
    return found;
  }

  function filtered(cat, query, scores, options) {
    const candidates = scores ? [...scores.keys()] : Array.from({ length: cat.count }, (_, i) => i);
    // Filters by value name; each facet's counts are taken under every other active filter.
    const active = [];
    for (const facet of cat.facets) {
      const names = (options.filters || {})[facet.key] || [];
      if (!names.length) continue;
      const wanted = new Set(names.map((n) => facet.values.indexOf(n)));
      const column = cat.columns[facet.key];
      const many = cat.many[facet.key];
      active.push([facet.key, (doc) => {
        const v = column[doc];
        return v >= 0 ? wanted.has(v) : v === -2 && many[doc].some((m) => wanted.has(m));
      }]);
    }
    const from = Number(options.from) || 0;
    const to = Number(options.to) || 0;
    const dated = (doc) => {
      const date = cat.date[doc];
      return (!from || date >= from) && (!to || (date && date <= to));
    };
    if (from || to) active.push(["date", dated]);
    // Counts by value number while looping (names only at the end).
    const counts = cat.facets.map((f) => new Int32Array(f.values.length));
    const yearCounts = new Map();
    const docs = [];
    for (const doc of candidates) {
      let failed = null;
      let failures = 0;
      for (const [name, test] of active) {
        if (!test(doc)) { failed = name; if (++failures > 1) break; }
      }
      if (failures > 1) continue;
      if (!failures) docs.push(doc);
      cat.facets.forEach((facet, f) => {
        if (failures && failed !== facet.key) return;
        const v = cat.columns[facet.key][doc];
        if (v >= 0) counts[f][v]++;
        else if (v === -2) for (const m of cat.many[facet.key][doc]) counts[f][m]++;
      });
      const date = cat.date[doc];
      if ((!failures || failed === "date") && date) {
        const year = Math.floor(date / 10000);
        yearCounts.set(year, (yearCounts.get(year) || 0) + 1);
      }
    }
    const facets = {};
    cat.facets.forEach((facet, f) => {
      facets[facet.key] = {};
      counts[f].forEach((n, v) => { if (n) facets[facet.key][facet.values[v]] = n; });
    });
    const years = {};
    for (const [year, n] of yearCounts) years[String(year)] = n;
    const sort = options.sort || (scores ? "relevance" : "desc");
    if (sort === "asc") docs.sort((a, b) => cat.date[a] - cat.date[b] || b - a);
    else if (sort === "relevance" && scores) {
      const score = new Float64Array(cat.count);
      for (const doc of docs) score[doc] = scores.get(doc);
      docs.sort((a, b) => score[b] - score[a] || cat.date[b] - cat.date[a] || a - b);
    } else docs.sort((a, b) => a - b); // catalog order: newest first
    return { docs, total: docs.length, facets, years, scores: scores ? docs.map((d) => scores.get(d)) : null,
             sort, terms: terms(cat, query) };
  }

  async function docFile(doc) {
    const cat = await catalog();
    const shard = shardOf(cat, doc);
    const key = `${shard.folder}/docs/${doc - shard.offset}`;
    return data(key, `shards/${key}.js`);
  }

  async function records(docs) {
    const cat = await catalog();
    return Promise.all(docs.map(async (doc) => {
      const file = await docFile(doc);
      const record = { doc };
      for (const name of cat.record) record[name] = file[name];
      for (const facet of cat.facets) {
        const names = valuesOf(cat, facet.key, doc).map((v) => facet.values[v]);
        record[facet.key] = names.length > 1 ? names : names[0] || "";
      }
      record.year = record.date ? record.date.slice(0, 4) : "";
      record.url = new URL(record.url, siteRoot).href;
      return record;
    }));
  }

  // The normalised body, with where each of its characters came from (when normalising
  // keeps every character's length, as it mostly does, each stays where it was).
  const bodies = new Map();
  function normalized(cat, doc, body) {
    if (bodies.has(doc)) return bodies.get(doc);
    let normal = normalize(cat, body);
    let origin = null;
    if (normal.length === body.length) origin = { at: (i) => i };
    else {
      normal = "";
      const from = [];
      let index = 0;
      for (const c of body) {
        const n = normalize(cat, c);
        for (let i = 0; i < n.length; i++) from.push(index);
        normal += n;
        index += c.length;
      }
      from.push(body.length);
      origin = { at: (i) => from[i] };
    }
    const value = { normal, origin };
    bodies.set(doc, value);
    if (bodies.size > 50) bodies.delete(bodies.keys().next().value);
    return value;
  }

  // A piece of the body around the hits, every term marked: [text, hit, text, hit, ..., text].
  async function excerpt(record, query, width = 80) {
    const cat = await catalog();
    const wanted = terms(cat, query);
    const body = String((await docFile(record.doc)).text).replace(/\s+/g, " ").trim();
    if (!body) return [];
    const { normal, origin } = normalized(cat, record.doc, body);
    const hits = [];
    wanted.forEach((term, t) => {
      for (let at = normal.indexOf(term); at >= 0; at = normal.indexOf(term, at + term.length)) {
        hits.push([origin.at(at), origin.at(at + term.length), t]);
      }
    });
    hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    if (!hits.length) return [body.slice(0, width * 2) + (body.length > width * 2 ? "…" : "")];
    // The stretch of text with the most hits, then one more for each term it lacks.
    let best = 0;
    let bestCount = 0;
    for (let i = 0, j = 0; i < hits.length; i++) {
      while (j < hits.length && hits[j][1] - hits[i][0] <= width) j++;
      if (j - i > bestCount) { best = i; bestCount = j - i; }
    }
    const starts = [hits[best][0]];
    const covered = new Set(hits.slice(best, best + bestCount).map((h) => h[2]));
    for (const hit of hits) {
      if (!covered.has(hit[2])) { covered.add(hit[2]); starts.push(hit[0]); }
    }
    const span = Math.max(30, Math.floor((width * 2) / starts.length));
    const windows = [];
    for (const at of starts.sort((a, b) => a - b)) {
      const start = Math.max(0, at - Math.floor(span / 4));
      const last = windows[windows.length - 1];
      if (last && start <= last[1]) last[1] = Math.min(body.length, Math.max(last[1], start + span));
      else windows.push([start, Math.min(body.length, start + span)]);
    }
    const pieces = [""];
    for (const [start, end] of windows) {
      pieces[pieces.length - 1] += start > 0 ? "…" : "";
      let at = start;
      for (const [hitStart, hitEnd] of hits) {
        if (hitStart < at || hitEnd > end) continue;
        pieces[pieces.length - 1] += body.slice(at, hitStart);
        pieces.push(body.slice(hitStart, hitEnd), "");
        at = hitEnd;
      }
      pieces[pieces.length - 1] += body.slice(at, end);
    }
    if (windows[windows.length - 1][1] < body.length) pieces[pieces.length - 1] += "…";
    return pieces;
  }

  // Every match with its record, in order (for tests and benchmarks).
  async function find(query, options = {}) {
    const found = await search(query, options);
    return records(found.docs);
  }

  window.sitegen = Object.assign(window.sitegen || {}, {
    search, records, excerpt, find, catalog, answered, prefetch: () => lookup().catch(() => {}),
    isOffline: async () => (await catalog()).offline,
    tokens: async (t) => tokensOf(await catalog(), t),
    terms: async (q) => terms(await catalog(), q),
  });
})();
