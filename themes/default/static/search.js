// Search page: runs the site's Pagefind bundle with the theme's own markup.
//
// A large site's bundle is in shards (s0/, s1/…, listed in bulletin-search.json), each
// indexed by its own Pagefind run to bound the indexer's memory; every search asks all of
// them and merges their results (see MergedResults).
//
// The page holds the form, an empty result list and the messages (so the build converts
// them with the rest of the page). Queries are converted to Simplified Chinese first
// (opencc-js, vendored): the bundle indexes Simplified text, because Pagefind segments
// Traditional text into single characters. Every language searches the same bundle: a
// Traditional variant's pagefind/ folder holds only its bulletin-search.json, naming the
// shared bundle and the variant. Each article's record carries the variant's text, title
// and filters under keys prefixed with "<variant>/", and its URL is the Simplified page's:
// results are shown with the variant's fields and URL, and the excerpt is mapped back onto
// the variant's text (see localResult and mirrorPieces).
// Pagefind silently drops query words it has never seen; here the query is split into
// the index's own words first, and the parts that match nothing are named above the results.

const PAGE_SIZE = 10;
const FILTERS = ["city", "county", "author"];
const FALLBACK_MESSAGES = {
  prompt: "输入关键词，按回车搜索。",
  searching: "正在搜索…",
  count: "找到 {count} 篇文章。",
  none: "没有找到与“{query}”相关的文章。",
  unmatched: "没有文章含有：{terms}。下面是其余词语的结果。",
  unavailable: "搜索索引不可用。",
};

const root = document.querySelector("[data-search]");
if (root) {
  start(root).catch((error) => {
    console.error(error);
    say(root, "unavailable");
  });
}

async function start(root) {
  const form = root.querySelector("form");
  const input = form.elements.namedItem("q");
  const results = root.querySelector("[data-search-results]");
  const bundle = new URL(root.dataset.bundle || "../pagefind/", document.baseURI);
  const lang = document.documentElement.lang || "zh-Hans";
  fillFromUrl(form);

  // Listen before the index loads, so an early Enter waits for it instead of reloading.
  const ready = openEngine(bundle, lang).then(async (engine) => {
    await fillFilters(root, form, engine, lang);
    return engine;
  });
  let generation = 0;
  const run = async () => {
    const mine = ++generation;
    let engine;
    try {
      engine = await ready;
    } catch (error) {
      console.error(error);
      say(root, "unavailable");
      return;
    }
    if (form.elements.namedItem("q").value.trim()) say(root, "searching");
    const outcome = await search(engine, form);
    if (mine === generation) await show(root, results, outcome, engine, lang);
    root.dataset.searched = String(mine);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.pushState(null, "", urlFor(form));
    run();
  });
  form.addEventListener("change", (event) => {
    if (event.target === input) return;
    history.replaceState(null, "", urlFor(form));
    run();
  });
  window.addEventListener("popstate", () => {
    fillFromUrl(form);
    run();
  });
  root.querySelector("[data-search-more]")?.addEventListener("click", async () => {
    showMore(root, results, await ready, lang);
  });
  addArrowKeys(input, results);
  await run();
  root.dataset.ready = "true";
}

// ------------------------------------------------------------------ engine

async function openEngine(bundle, lang) {
  let options = await fetchOptions(bundle);
  const variant = options.variant || "";
  const queryFrom = options.query_from || "t";
  if (options.bundle) {
    bundle = new URL(options.bundle, bundle);
    options = await fetchOptions(bundle);
  }
  const baseUrl = new URL("..", bundle).pathname;
  const instances = await Promise.all(
    (options.shards || ["./"]).map(async (shard) => {
      const pagefind = await import(new URL(`${shard}pagefind.js`, bundle).href);
      await pagefind.options({ baseUrl, excerptLength: 36 });
      return pagefind;
    }),
  );
  // Pagefind re-splits Chinese queries with Intl.Segmenter when the page's language is
  // Chinese, and those words often differ from the words its indexer made (复议 becomes
  // 复 + 议, and 议 alone is in no article about 复议). It reads the language once, when
  // it starts: starting it under a language tag it does not split lets queryTerms()
  // below choose the words, from the index's own vocabulary.
  const root = document.documentElement;
  root.lang = "zxx";
  const started = Promise.all(instances.map((pagefind) => pagefind.init()));
  root.lang = lang;
  await started;
  let converter = null;
  const toSimplified = async (text) => {
    if (!/[^\x00-\x7f]/.test(text)) return text;
    if (!converter) {
      const OpenCC = await import(new URL("vendor/opencc-js/t2cn.js", import.meta.url).href);
      converter = OpenCC.Converter({ from: queryFrom, to: "cn" });
    }
    return converter(text);
  };
  const view = { variant, baseUrl };
  return { instances, view, toSimplified, probes: new Map(), shown: 0, outcome: null };
}

async function fetchOptions(bundle) {
  const response = await fetch(new URL("bulletin-search.json", bundle));
  if (!response.ok) throw new Error(`no search options at ${bundle}`);
  return response.json();
}

// Every shard's results for one query.
async function searchShards(engine, query, options) {
  return Promise.all(engine.instances.map((pagefind) => pagefind.search(query, options)));
}

// The results of every shard in one order: by relevance (Pagefind's scores, comparable
// between shards of one site) or, sorted by date, newest first. Each shard lists its own
// results in that order already; reading on merges the lists, loading a result's data
// (which holds its date) only once it is at the head of its list, or next after it.
export class MergedResults {
  constructor(lists, byDate) {
    this.count = lists.reduce((sum, list) => sum + list.length, 0);
    this.byDate = byDate;
    this.lists = byDate ? lists : [lists.flat().sort((a, b) => b.score - a.score)];
    this.taken = this.lists.map(() => 0); // each list's results read so far
    this.loading = this.lists.map(() => new Map()); // position in the list → its data
    this.reading = Promise.resolve();
  }

  // The data of the next ``count`` results (fewer at the end), one read at a time.
  next(count) {
    const read = this.reading.then(() => this.take(count));
    this.reading = read.catch(() => {});
    return read;
  }

  async take(count) {
    if (!this.byDate) {
      const batch = this.lists[0].slice(this.taken[0], this.taken[0] + count);
      this.taken[0] += batch.length;
      return Promise.all(batch.map((result) => result.data()));
    }
    const taken = [];
    while (taken.length < count) {
      const heads = await Promise.all(this.lists.map((_, at) => this.head(at)));
      let best = -1;
      heads.forEach((data, at) => {
        if (data && (best < 0 || newer(data, heads[best]))) best = at;
      });
      if (best < 0) break;
      taken.push(heads[best]);
      this.taken[best] += 1;
    }
    return taken;
  }

  // A list's first result not read yet, with the one after it already loading, so a
  // shard that holds several of the next results in a row is not waited for each time.
  head(at) {
    const position = this.taken[at];
    if (position >= this.lists[at].length) return null;
    this.load(at, position + 1);
    return this.load(at, position);
  }

  load(at, position) {
    const loading = this.loading[at];
    if (position < this.lists[at].length && !loading.has(position)) {
      loading.set(position, this.lists[at][position].data());
    }
    return loading.get(position);
  }
}

function newer(data, than) {
  return (data.meta.date || "") > (than.meta.date || "");
}

const HAN = /\p{Script=Han}/u;
const LONGEST_WORD = 8;

// The reader's query as quoted phrases and loose runs of text, punctuation dropped.
export function queryChunks(query) {
  const chunks = [];
  const pattern = /"([^"]+)"|“([^”]+)”|「([^」]+)」|([^\s"“”「」]+)/gu;
  for (const match of query.matchAll(pattern)) {
    const phrase = match[1] ?? match[2] ?? match[3];
    const text = (phrase ?? match[4]).replace(/[^\p{L}\p{N}\s]+/gu, " ").trim();
    if (text) chunks.push({ text, phrase: phrase !== undefined });
  }
  return chunks;
}

// Runs of Han characters and runs of other letters or digits, in order.
export function textRuns(text) {
  return text.match(/\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu) || [];
}

// Split a run into index words, longest first: at each place the longest text that is a
// word of the index (or, with a prefix test, that some indexed word starts with), else
// one character that matches nothing. Returns [{text, known}], unknown neighbours joined.
export async function splitRun(run, tests) {
  const chars = [...run];
  const pieces = [];
  const add = (text, known) => {
    const last = pieces[pieces.length - 1];
    if (!known && last && !last.known) last.text += text;
    else pieces.push({ text, known });
  };
  if (!HAN.test(run)) {
    const lower = run.toLowerCase();
    let known = false;
    for (const test of tests) known = known || (await test(lower));
    add(lower, known);
    return pieces;
  }
  let at = 0;
  while (at < chars.length) {
    let taken = 0;
    for (let size = Math.min(LONGEST_WORD, chars.length - at); size > 0 && !taken; size--) {
      const text = chars.slice(at, at + size).join("");
      for (const test of tests) {
        if (!taken && (await test(text))) taken = size;
      }
    }
    add(chars.slice(at, at + (taken || 1)).join(""), taken > 0);
    at += taken || 1;
  }
  return pieces;
}

// What to ask Pagefind: loose words (all must occur) and phrases (words side by side),
// plus the parts of the query that match nothing. Quoted text is a phrase; so is a run of
// Han characters that splits into some single characters, which alone match too much
// (亭湖 as 亭 + 湖 anywhere in an article).
async function queryTerms(engine, query) {
  const probe = (kind, text, check) => {
    const key = `${kind}:${text}`;
    if (!engine.probes.has(key)) engine.probes.set(key, check(text));
    return engine.probes.get(key);
  };
  const isWord = (text) =>
    probe("word", text, async () =>
      (await searchShards(engine, `"${text}"`)).some((found) => found.results.length > 0),
    );
  // Pagefind falls back to a shorter term when no word starts with the whole one, so a hit
  // only counts when a highlighted word really starts with the text.
  const isPrefix = (text) =>
    probe("prefix", text, async () => {
      const found = (await searchShards(engine, text)).flatMap((shard) => shard.results);
      if (!found.length) return false;
      const data = await found.reduce((a, b) => (b.score > a.score ? b : a)).data();
      return excerptPieces(data.excerpt).some(
        ([word, marked]) => marked && word.toLowerCase().startsWith(text.toLowerCase()),
      );
    });
  const loose = [];
  const phrases = [];
  const unknown = [];
  for (const chunk of queryChunks(query)) {
    const phrase = [];
    for (const run of textRuns(chunk.text)) {
      let pieces = await splitRun(run, chunk.phrase ? [isWord] : [isWord, isPrefix]);
      const single = (piece) => [...piece.text].length === 1 && HAN.test(piece.text);
      const asPhrase =
        !chunk.phrase && pieces.length > 1 && pieces.every((p) => p.known) && pieces.some(single);
      if (asPhrase) pieces = await splitRun(run, [isWord]);
      if (pieces.some((p) => !p.known)) {
        // An unspaced run is one term: part of it missing means all of it is missing.
        unknown.push(HAN.test(run) ? run : run.toLowerCase());
        continue;
      }
      const known = pieces.map((p) => p.text);
      if (chunk.phrase) phrase.push(...known);
      else if (asPhrase) phrases.push(known);
      else loose.push(...known);
    }
    if (phrase.length) phrases.push(phrase);
  }
  return { loose, phrases, unknown };
}

// Pagefind takes one phrase per search, so each phrase is its own search, and a page must
// be in every result list; the order (relevance or date) is the first list's.
async function runSearches(engine, loose, phrases, options) {
  const queries = [
    ...(loose.length ? [loose.join(" ")] : []),
    ...phrases.map((words) => `"${words.join(" ")}"`),
  ];
  const shards = await Promise.all(
    engine.instances.map(async (pagefind) => {
      const lists = await Promise.all(queries.map((q) => pagefind.search(q, options)));
      const [first, ...others] = lists.map((found) => found.results);
      const inAll = others.map((results) => new Set(results.map((result) => result.id)));
      return first.filter((result) => inAll.every((ids) => ids.has(result.id)));
    }),
  );
  return new MergedResults(shards, Boolean(options.sort));
}

async function search(engine, form) {
  const raw = form.elements.namedItem("q").value.trim();
  const filters = chosenFilters(form, engine.view);
  const sort = form.elements.namedItem("sort")?.value === "date" ? { date: "desc" } : undefined;
  if (!raw) return { raw, empty: true };
  const query = await engine.toSimplified(raw);
  const { loose, phrases, unknown: missing } = await queryTerms(engine, query);
  // Name the missing parts as the reader typed them (conversion keeps lengths).
  const asTyped = (text) => {
    const at = query.toLowerCase().indexOf(text);
    return at >= 0 && query.length === raw.length ? raw.slice(at, at + text.length) : text;
  };
  const unknown = missing.map(asTyped);
  if (!loose.length && !phrases.length) {
    return { raw, unknown, results: new MergedResults([], false) };
  }
  const results = await runSearches(engine, loose, phrases, { filters, sort });
  return { raw, unknown, results };
}

function chosenFilters(form, view) {
  const filters = {};
  for (const name of FILTERS) {
    const value = form.elements.namedItem(name)?.value;
    if (value) filters[filterKey(name, view)] = value;
  }
  return filters;
}

// A filter's key in the index: a variant's own values are under "<variant>/<name>".
export function filterKey(name, view) {
  return view.variant ? `${view.variant}/${name}` : name;
}

// ------------------------------------------------------------------ rendering

function show(root, list, outcome, engine, lang) {
  engine.outcome = outcome;
  engine.shown = 0;
  list.replaceChildren();
  list.hidden = true;
  const note = root.querySelector("[data-search-unmatched]");
  const unknown = outcome.unknown || [];
  note.hidden = !(unknown.length && outcome.results.count);
  if (!note.hidden) note.textContent = message(root, "unmatched", { terms: unknown.join("、") });
  root.querySelector("[data-search-more]").hidden = true;
  root.classList.toggle("search-none", !outcome.empty && !outcome.results.count);
  if (outcome.empty) return say(root, "prompt");
  if (!outcome.results.count) return say(root, "none", { query: outcome.raw });
  say(root, "count", { count: outcome.results.count });
  return showMore(root, list, engine, lang);
}

async function showMore(root, list, engine, lang) {
  const outcome = engine.outcome;
  const data = await outcome.results.next(PAGE_SIZE);
  if (engine.outcome !== outcome) return;
  engine.shown += data.length;
  for (const item of data) list.append(resultItem(localResult(item, engine.view), lang));
  list.hidden = false;
  root.querySelector("[data-search-more]").hidden = engine.shown >= outcome.results.count;
}

function resultItem(result, lang) {
  const item = element("li", "search-result");
  const link = element("a", "search-result-link");
  link.href = result.url;
  link.append(element("span", "search-result-title", result.title || result.url));
  item.append(link);
  const facts = element("p", "search-result-meta");
  if (result.region) facts.append(element("span", "search-result-region", result.region));
  if (result.date) {
    const time = element("time", "search-result-date", displayDate(result.date, lang));
    time.dateTime = result.date;
    facts.append(time);
  }
  if (facts.childNodes.length) item.append(facts);
  const excerpt = element("p", "search-result-excerpt");
  let pieces = excerptPieces(result.excerpt);
  if (result.text !== null) pieces = mirrorPieces(pieces, result.content, result.text);
  excerpt.append(...piecesToNodes(pieces));
  item.append(excerpt);
  return item;
}

// What a result shows on this page: the record's own fields on the default language's
// page; on a variant's, the variant's (falling back to the record's own where it has
// none) and its URL under the variant's folder. text: the variant's text to map the
// excerpt onto (null: the excerpt is already in the page's script).
export function localResult(data, view) {
  const { variant, baseUrl } = view;
  const field = (name) => {
    const own = variant ? data.meta[`${variant}/${name}`] : undefined;
    return own ?? data.meta[name];
  };
  let url = data.url;
  if (variant && url.startsWith(baseUrl)) url = `${baseUrl}${variant}/${url.slice(baseUrl.length)}`;
  return {
    url,
    title: field("title"),
    region: field("region"),
    date: data.meta.date,
    excerpt: data.excerpt,
    content: data.content || "",
    text: variant ? (data.meta[`${variant}/text`] ?? null) : null,
  };
}

// Pagefind's excerpt as [text, highlighted] pieces; it escapes only < and >.
export function excerptPieces(excerpt) {
  const pieces = [];
  const pattern = /<mark>(.*?)<\/mark>/gs;
  let at = 0;
  for (const match of excerpt.matchAll(pattern)) {
    if (match.index > at) pieces.push([unescape(excerpt.slice(at, match.index)), false]);
    pieces.push([unescape(match[1]), true]);
    at = match.index + match[0].length;
  }
  if (at < excerpt.length) pieces.push([unescape(excerpt.slice(at)), false]);
  return pieces;
}

// The same excerpt in the page's Traditional text. Both texts have the same characters
// at the same places, apart from spacing, so positions are counted without whitespace.
export function mirrorPieces(pieces, simplified, traditional) {
  const plain = pieces.map(([text]) => text).join("");
  const start = simplified.indexOf(plain);
  const ink = (text) => text.replace(/\s+/g, "");
  if (start < 0 || ink(simplified).length !== ink(traditional).length) return pieces;
  const positions = [];
  for (let i = 0; i < traditional.length; i++) if (!/\s/.test(traditional[i])) positions.push(i);
  let ordinal = ink(simplified.slice(0, start)).length;
  const mapped = [];
  for (const [text, marked] of pieces) {
    const count = ink(text).length;
    if (!count) {
      mapped.push([text, marked]);
      continue;
    }
    const from = positions[ordinal];
    const to = positions[ordinal + count - 1] + 1;
    const [, before, , after] = text.match(/^(\s*)([\s\S]*?)(\s*)$/);
    mapped.push([before + traditional.slice(from, to) + after, marked]);
    ordinal += count;
  }
  return mapped;
}

function piecesToNodes(pieces) {
  return pieces.map(([text, marked]) =>
    marked ? element("mark", "", text) : document.createTextNode(text),
  );
}

function unescape(text) {
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">");
}

function displayDate(iso, lang) {
  const date = new Date(`${iso}T00:00:00`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: "long" }).format(date);
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function say(root, key, values = {}) {
  const status = root.querySelector("[data-search-status]");
  status.textContent = message(root, key, values);
  status.dataset.state = key;
}

function message(root, key, values) {
  const template = root.querySelector(`[data-message="${key}"]`)?.textContent ?? FALLBACK_MESSAGES[key];
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// ------------------------------------------------------------------ filters and URL

async function fillFilters(root, form, engine, lang) {
  const available = {}; // name → value → pages, over every shard
  for (const filters of await Promise.all(engine.instances.map((p) => p.filters()))) {
    for (const [name, counts] of Object.entries(filters)) {
      const merged = (available[name] ||= {});
      for (const [value, count] of Object.entries(counts)) {
        merged[value] = (merged[value] || 0) + count;
      }
    }
  }
  const collator = new Intl.Collator(lang);
  for (const name of FILTERS) {
    const select = form.elements.namedItem(name);
    if (!select) continue;
    const wanted = select.dataset.wanted || "";
    const counts = available[filterKey(name, engine.view)] || {};
    const values = Object.keys(counts).sort(collator.compare);
    for (const value of values) {
      const option = new Option(`${value}（${counts[value]}）`, value);
      select.append(option);
    }
    select.value = values.includes(wanted) ? wanted : "";
    select.closest("[data-search-filter]")?.toggleAttribute("hidden", !values.length);
  }
  root.querySelector("[data-search-options]")?.removeAttribute("hidden");
}

function fillFromUrl(form) {
  const params = new URLSearchParams(location.search);
  form.elements.namedItem("q").value = params.get("q") || "";
  for (const name of [...FILTERS, "sort"]) {
    const field = form.elements.namedItem(name);
    if (!field) continue;
    field.dataset.wanted = params.get(name) || "";
    field.value = params.get(name) || "";
  }
}

function urlFor(form) {
  const params = new URLSearchParams();
  for (const name of ["q", ...FILTERS, "sort"]) {
    const value = form.elements.namedItem(name)?.value;
    if (value) params.set(name, name === "q" ? value.trim() : value);
  }
  const query = params.toString();
  return query ? `${location.pathname}?${query}` : location.pathname;
}

// Down from the search box into the results, up and down between them.
function addArrowKeys(input, list) {
  const links = () => [...list.querySelectorAll("a.search-result-link")];
  input.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" || list.hidden) return;
    const first = links()[0];
    if (first) {
      event.preventDefault();
      first.focus();
    }
  });
  list.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    const next = event.key === "ArrowDown" ? all[at + 1] : all[at - 1];
    (next || (event.key === "ArrowUp" ? input : all[at])).focus();
  });
}
