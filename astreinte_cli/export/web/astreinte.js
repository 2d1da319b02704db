/*
 * The page of an astreinte publication: who is on call now, and the weeks as a picture.
 *
 * Everything is computed here, at the reader's present, from the compiled stretches that the
 * publication carries (data/*.js, written by astreinte_cli/export/page.py): the page reads
 * what the compiler made and never recomputes a rotation. Its answer at an instant is the one
 * `astreinte now --json` gives (SPEC §7): the state at the instant, since and until when it
 * holds (null past 400 days), what comes next, and the escalation chain.
 *
 * Data files are scripts calling astreinte.receive(kind, value): a browser refuses fetch() of a
 * file:// address, and the page must work opened from the folder. Instants are seconds since
 * the epoch; a level's stretches are [length, state] pairs end to end from the file's start.
 */
(function () {
  "use strict";

  const DAY = 86400;
  // SPEC §7 and query.py: since/until are null past 400 days; a change exactly 400 days away
  // still counts, so the bound is 400 days and a second, exclusive.
  const HORIZON = 400 * DAY + 1;
  const REFRESH_PUBLICATION = 30 * 60 * 1000; // look for a newer publication this often (ms)
  const PALETTE = [
    "#cfe3ff", "#ffe1b3", "#d4f0d0", "#f5d0f0", "#fff2a8",
    "#d0f0f0", "#e6d9ff", "#ffd6d6", "#e0e8c8", "#f0e0d0",
  ];

  const page = {
    pub: null, // data/publication.js
    locale: "en",
    teams: new Map(), // id → team view (see teamView)
    people: null, // data/people.js: [[id, name, [team positions]]]
    view: "week", // or "month"
    anchor: null, // seconds: an instant of the period shown, or null for the present's
    teamFilter: "",
    person: "",
    timer: 0,
    observer: null,
  };
  const pending = new Map(); // data file → {resolve, reject}

  // ------------------------------------------------------------------ loading

  function receive(kind, value) {
    const script = document.currentScript;
    const key = script ? script.getAttribute("data-key") : null;
    if (kind === "publication") {
      if (page.pub === null) {
        begin(value);
      } else if (value.published !== page.pub.published) {
        window.location.reload(); // a newer publication is out: read it
      }
      return;
    }
    const waiting = key ? pending.get(key) : undefined;
    if (waiting) {
      pending.delete(key);
      waiting.resolve(value);
    }
  }
  window.astreinte = { receive };

  /** The value a data file hands to receive(), as a promise. */
  function loadData(file, bust) {
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      const key = file + (bust ? "?v=" + Date.now() : "");
      script.src = key;
      script.setAttribute("data-key", key);
      pending.set(key, { resolve, reject });
      script.onload = function () {
        script.remove();
        if (pending.has(key)) {
          pending.delete(key);
          reject(new Error(file));
        }
      };
      script.onerror = function () {
        script.remove();
        pending.delete(key);
        reject(new Error(file));
      };
      document.head.appendChild(script);
    });
  }

  function checkPublication() {
    const script = document.createElement("script");
    script.src = "data/publication.js?v=" + Date.now();
    script.onload = script.onerror = function () { script.remove(); };
    document.head.appendChild(script);
  }

  // ------------------------------------------------------------------ text

  function msg(key, values) {
    let text = page.pub.messages[key] || key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
      });
    }
    return text;
  }

  /** The reader's conventions in the publication's language: the first of the browser's
   * languages that is that language (en-GB, fr-CA…), else the language itself. */
  function chooseLocale(lang) {
    const wanted = navigator.languages || [navigator.language || lang];
    for (const candidate of wanted) {
      if (candidate && candidate.toLowerCase().split("-")[0] === lang) {
        try {
          return new Intl.DateTimeFormat(candidate).resolvedOptions().locale;
        } catch (error) {
          return lang; // not a language tag this browser reads
        }
      }
    }
    return lang;
  }

  const formats = new Map();
  function formatter(zone, options) {
    const key = zone + JSON.stringify(options);
    if (!formats.has(key)) {
      formats.set(key, new Intl.DateTimeFormat(page.locale, Object.assign({ timeZone: zone }, options)));
    }
    return formats.get(key);
  }

  function when(seconds, zone) {
    const date = new Date(seconds * 1000);
    const thisYear = formatter(zone, { year: "numeric" }).format(new Date());
    const options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    if (formatter(zone, { year: "numeric" }).format(date) !== thisYear) {
      options.year = "numeric";
    }
    return formatter(zone, options).format(date);
  }

  function whenFull(seconds, zone) {
    return formatter(zone, {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    }).format(new Date(seconds * 1000));
  }

  /** A length of time as `now` writes it: days and hours, or hours and minutes. */
  function duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = days ? [msg("days", { days })] : [];
    if (hours) { parts.push(msg("hours", { hours })); }
    if (rest && !days) { parts.push(msg("minutes", { minutes: rest })); }
    return parts.join(" ") || msg("minutes", { minutes: 0 });
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) { continue; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) {
        node.append(child);
      }
    }
    return node;
  }

  // ------------------------------------------------------------------ time in a zone

  const numeric = new Map(); // zone → a formatter of numbers (making one takes a while)
  function numericParts(seconds, zone) {
    if (!numeric.has(zone)) {
      numeric.set(zone, new Intl.DateTimeFormat("en-US", {
        timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
        minute: "numeric", second: "numeric", hourCycle: "h23",
      }));
    }
    const parts = {};
    for (const part of numeric.get(zone).formatToParts(new Date(seconds * 1000))) {
      parts[part.type] = Number(part.value);
    }
    return parts;
  }

  function offset(seconds, zone) {
    const p = numericParts(seconds, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000 - Math.floor(seconds);
  }

  /** The instant of a local date's midnight in a zone (the first instant of that date). */
  function localMidnight(year, month, day, zone) {
    const wall = Date.UTC(year, month - 1, day) / 1000;
    let guess = wall - offset(wall, zone);
    guess = wall - offset(guess, zone);
    const p = numericParts(guess, zone);
    if (Date.UTC(p.year, p.month - 1, p.day) / 1000 < wall) {
      guess += 3600 - (p.minute * 60 + p.second); // midnight skipped by a change: the next hour
    }
    return guess;
  }

  function localDate(seconds, zone) {
    const p = numericParts(seconds, zone);
    return { year: p.year, month: p.month, day: p.day };
  }

  function addDays(date, days) {
    const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
    return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
  }

  function isoDate(date) {
    return [date.year, String(date.month).padStart(2, "0"), String(date.day).padStart(2, "0")].join("-");
  }

  /** The period shown for a team around an instant: its local week (Monday 00:00 to the next)
   * or calendar month, as instants, with the local dates it holds. */
  function period(seconds, zone, view) {
    const today = localDate(seconds, zone);
    let first;
    let count;
    if (view === "month") {
      first = { year: today.year, month: today.month, day: 1 };
      const next = new Date(Date.UTC(today.year, today.month, 1));
      count = Math.round((next - Date.UTC(today.year, today.month - 1, 1)) / (DAY * 1000));
    } else {
      const weekday = (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
      first = addDays(today, -weekday);
      count = 7;
    }
    const days = [];
    for (let index = 0; index < count; index += 1) {
      const date = addDays(first, index);
      days.push({ date, start: localMidnight(date.year, date.month, date.day, zone) });
    }
    const end = addDays(first, count);
    return { days, start: days[0].start, end: localMidnight(end.year, end.month, end.day, zone) };
  }

  // ------------------------------------------------------------------ a team's data

  /** A data file's levels as arrays of stretches: starts, ends, states. */
  function indexData(data) {
    for (const level of data.levels) {
      const count = level.runs.length / 2;
      level.starts = new Float64Array(count);
      level.ends = new Float64Array(count);
      level.states = new Int32Array(count);
      let at = data.from;
      for (let index = 0; index < count; index += 1) {
        level.starts[index] = at;
        at += level.runs[2 * index];
        level.ends[index] = at;
        level.states[index] = level.runs[2 * index + 1];
      }
    }
    // What a caller sees of a state: covered or not, and by whom (order and source aside).
    data.keys = data.states.map(function (state) {
      return state[0] + ":" + state[1].slice().sort(function (a, b) { return a - b; }).join(",");
    });
    return data;
  }

  function find(level, seconds) {
    let low = 0;
    let high = level.starts.length - 1;
    if (high < 0 || seconds < level.starts[0] || seconds >= level.ends[high]) { return -1; }
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (level.starts[middle] <= seconds) { low = middle; } else { high = middle - 1; }
    }
    return low;
  }

  function peopleOf(data, indices) {
    return indices.map(function (index) { return data.people[index]; });
  }

  /** `now` for one level: the state at the instant, since and until when, what comes next. */
  function levelNow(data, level, seconds) {
    const index = find(level, seconds);
    if (index < 0) { return null; }
    const key = data.keys[level.states[index]];
    let first = index;
    while (first > 0 && data.keys[level.states[first - 1]] === key) { first -= 1; }
    let last = index;
    const count = level.states.length;
    while (last + 1 < count && data.keys[level.states[last + 1]] === key) { last += 1; }
    let since = first > 0 ? level.starts[first] : level.before;
    let until;
    let next;
    if (last + 1 < count) {
      until = level.ends[last];
      next = level.states[last + 1];
    } else {
      until = level.after[0];
      next = level.after[1];
    }
    if (since !== null && since <= seconds - HORIZON) { since = null; }
    if (until !== null && until >= seconds + HORIZON) { until = null; }
    if (until === null) { next = null; }
    const state = data.states[level.states[index]];
    return {
      level,
      active: Boolean(state[0]),
      who: state[1],
      source: state[2],
      reason: state[3],
      since,
      until,
      next: next === null || next === undefined ? null : data.states[next],
    };
  }

  /** The escalation chain: the levels with someone on call, then the fallback, each with the
   * delay after the first call (query.escalation_chain: an off or empty level is skipped). */
  function chain(data, levels) {
    const steps = [];
    let elapsed = 0;
    for (const state of levels) {
      if (state.who.length) {
        steps.push({ level: state.level.level, who: state.who, after: elapsed });
        elapsed += state.level.escalate_after_minutes;
      }
    }
    if (data.fallback !== null) {
      steps.push({ level: null, who: [data.fallback], after: elapsed });
    }
    return steps;
  }

  /** The shifts and gaps of a level over [low, high), as `show` cuts them: maximal stretches
   * with the same people (as a set) and source, and maximal gaps; cut at the bounds. */
  function bars(data, level, low, high) {
    const found = [];
    let current = null;
    for (let index = 0; index < level.starts.length; index += 1) {
      const start = level.starts[index];
      const end = level.ends[index];
      if (end <= low || start >= high) { continue; }
      const state = data.states[level.states[index]];
      const gap = state[0] === 1 && state[1].length === 0;
      const key = gap ? "gap" : state[1].length ? data.keys[level.states[index]] + "|" + state[2] : null;
      if (current !== null && key !== null && key === current.key && current.end === start) {
        current.end = Math.min(end, high);
        continue;
      }
      if (current !== null) { found.push(current); current = null; }
      if (key !== null) {
        current = { key, gap, who: state[1], source: state[2], reason: state[3], start: Math.max(start, low), end: Math.min(end, high) };
      }
    }
    if (current !== null) { found.push(current); }
    return found;
  }

  // ------------------------------------------------------------------ a team on the page

  function teamView(entry, position) {
    const id = entry.id;
    const section = element("section", {
      class: "team", id: "team-" + id, "data-team": id, "aria-labelledby": "name-" + id,
    });
    const view = {
      entry, position, section, data: null, dataRange: null, loading: null,
      now: element("div", { class: "now", "data-now": "" }, [element("p", { class: "muted", text: msg("loading") })]),
      timeline: element("div", { class: "timeline" }),
      shownPeriod: null,
    };
    // The feeds' links are added when the team is first shown: a large organisation's page
    // makes hundreds of sections at once, and every element made then delays the first one.
    section.append(
      element("h2", { id: "name-" + id, text: entry.name }),
      element("p", { class: "zone muted", text: msg("timezone", { zone: entry.timezone }) }),
      view.now,
      view.timeline,
    );
    return view;
  }

  function feedsBlock(entry) {
    const list = element("ul");
    for (const [level, address] of entry.feeds) {
      const label = level === null ? msg("whole_team") : "N" + level;
      const item = element("li", {}, [label + " · ", element("a", { href: address, text: address })]);
      if (entry.webcal) {
        item.append(" · ", element("a", { href: "webcal://" + address.split("://")[1], text: "webcal://…" }));
      }
      list.append(item);
    }
    return element("details", { class: "feeds" }, [element("summary", { text: msg("subscribe") }), list]);
  }

  /** Loads the data the team's view needs from `low` to `high` (its near file when that
   * covers them, else its whole file), then renders. */
  function ensureData(view, low, high) {
    const entry = view.entry;
    const near = entry.near;
    let file = entry.data;
    let range = [page.pub.from, page.pub.to];
    if (near && low >= near[1] && high <= near[2]) {
      file = near[0];
      range = [near[1], near[2]];
    }
    if (view.data && view.dataRange[0] <= Math.max(low, page.pub.from) && view.dataRange[1] >= Math.min(high, page.pub.to)) {
      return Promise.resolve(view.data);
    }
    if (view.loading && view.loading.file === file) { return view.loading.promise; }
    const promise = loadData(file).then(function (data) {
      if (!view.data || (range[1] - range[0]) >= (view.dataRange[1] - view.dataRange[0])) {
        view.data = indexData(data);
        view.dataRange = range;
      }
      view.loading = null;
      return view.data;
    }, function (error) {
      view.loading = null;
      view.now.replaceChildren(element("p", { class: "warning", text: msg("load_failed", { file }) }));
      throw error;
    });
    view.loading = { file, promise };
    return promise;
  }

  function personLabel(data, index) {
    const person = data.people[index];
    const label = element("span", { class: "person" }, [element("strong", { text: person[1] })]);
    if (page.pub.phones) {
      if (person[2]) {
        label.append(" ", element("a", { href: "tel:" + person[2], text: person[3] }));
      } else {
        label.append(" ", element("span", { class: "muted", text: msg("no_phone") }));
      }
    }
    return label;
  }

  function instructionsBlock(text) {
    if (!text || !text.trim()) { return null; }
    const value = text.trim();
    if (/^https?:\/\/\S+$/.test(value)) {
      return element("p", { class: "instructions" }, [element("a", { href: value, text: value })]);
    }
    return element("p", { class: "instructions", text: value });
  }

  function describeState(data, state) {
    if (state[0] && !state[1].length) { return element("strong", { class: "gap-text", text: msg("gap_short") }); }
    if (!state[0]) { return element("span", { class: "muted", text: msg("off_short") }); }
    return document.createTextNode(peopleOf(data, state[1]).map(function (p) { return p[1]; }).join(", "));
  }

  function renderNow(view, seconds) {
    const data = view.data;
    const zone = data.timezone;
    const states = data.levels.map(function (level) { return levelNow(data, level, seconds); });
    const box = element("div", { class: "now-box", "data-at": String(seconds) });
    box.append(element("h3", {}, [msg("now") + " · ", element("time", { text: whenFull(seconds, zone) })]));
    if (states.some(function (state) { return state === null; })) {
      box.append(element("p", { class: "warning", text: msg("outside_range") }));
      view.now.replaceChildren(box);
      return;
    }
    for (const state of states) {
      box.append(levelBlock(data, state, seconds));
    }
    const steps = chain(data, states);
    box.setAttribute("data-chain", JSON.stringify(steps.map(function (step) {
      return [step.level, peopleOf(data, step.who).map(function (p) { return p[0]; }), step.after];
    })));
    const chainBlock = element("div", { class: "chain" }, [element("h4", { text: msg("escalation") })]);
    if (!steps.length) {
      chainBlock.append(element("p", { class: "gap-text", text: msg("nobody_to_call") }));
    } else {
      const list = element("ol");
      steps.forEach(function (step, position) {
        const delay = position === 0 ? msg("first") : msg("after", { duration: duration(step.after * 60) });
        const label = step.level === null ? msg("step_fallback") : msg("step_level", { number: step.level });
        const item = element("li", {}, [element("span", { class: "delay", text: delay }), " ", msg("step", { step: label }) + " "]);
        step.who.forEach(function (index, at) {
          if (at) { item.append(", "); }
          item.append(personLabel(data, index));
        });
        list.append(item);
      });
      chainBlock.append(list);
    }
    box.append(chainBlock);
    const team = instructionsBlock(data.instructions);
    if (team) { box.append(element("h4", { text: msg("instructions") }), team); }
    view.now.replaceChildren(box);
  }

  function levelBlock(data, state, seconds) {
    const zone = data.timezone;
    const level = state.level;
    const gap = state.active && !state.who.length;
    const block = element("div", {
      class: "level" + (gap ? " is-gap" : state.active ? "" : " is-off"),
      "data-level": String(level.level),
      "data-active": String(state.active),
      "data-on-call": peopleOf(data, state.who).map(function (p) { return p[0]; }).join(" "),
      "data-source": state.source === null ? "" : state.source,
      "data-since": state.since === null ? "" : String(state.since),
      "data-until": state.until === null ? "" : String(state.until),
      "data-next": state.next === null ? "" : JSON.stringify([Boolean(state.next[0]), peopleOf(data, state.next[1]).map(function (p) { return p[0]; })]),
    });
    block.append(element("h4", { text: msg("level", { number: level.level, name: level.name }) }));
    const since = state.since === null ? msg("since_long") : msg("since", { when: when(state.since, zone) });
    const until = state.until === null
      ? msg("until_none")
      : msg("until", { when: when(state.until, zone), duration: duration(state.until - seconds) });
    if (gap) {
      block.append(element("p", { class: "gap-alert", text: "⚠ " + msg("gap") }));
      block.append(element("p", { class: "times", text: since + " · " + until }));
    } else if (!state.active) {
      const resume = state.until === null ? msg("no_resume") : msg("resumes", { when: when(state.until, zone) });
      block.append(element("p", { class: "muted", text: msg("off", { resume }) }));
    } else {
      const list = element("ul", { class: "on-call" });
      for (const index of state.who) { list.append(element("li", {}, [personLabel(data, index)])); }
      block.append(list, element("p", { class: "times", text: since + " · " + until }));
      const source = element("p", { class: "muted", text: msg("source", { source: state.source }) });
      if (state.reason) { source.append(" · " + msg("reason", { reason: state.reason })); }
      block.append(source);
    }
    if (state.next !== null && state.until !== null) {
      block.append(element("p", { class: "next" }, [element("span", { class: "muted", text: msg("next") + " " }), describeState(data, state.next)]));
    }
    if (state.active) {
      const text = instructionsBlock(level.instructions);
      if (text) { block.append(text); }
    }
    return block;
  }

  // ------------------------------------------------------------------ the picture

  function colour(personId) {
    let hash = 0;
    for (const char of personId) { hash = (hash * 31 + char.codePointAt(0)) >>> 0; }
    return PALETTE[hash % PALETTE.length];
  }

  function renderTimeline(view, seconds) {
    const data = view.data;
    const zone = data.timezone;
    const shown = period(page.anchor === null ? seconds : page.anchor, zone, page.view);
    view.shownPeriod = shown;
    const low = shown.start;
    const high = shown.end;
    const span = high - low;
    const percent = function (instant) { return ((Math.min(Math.max(instant, low), high) - low) / span) * 100 + "%"; };
    const width = function (a, b) { return ((Math.min(b, high) - Math.max(a, low)) / span) * 100 + "%"; };
    const heading = page.view === "month"
      ? formatter(zone, { month: "long", year: "numeric" }).format(new Date((low + 1) * 1000))
      : formatter(zone, { day: "numeric", month: "short" }).format(new Date(low * 1000)) + " – " +
        formatter(zone, { day: "numeric", month: "short", year: "numeric" }).format(new Date((high - 1) * 1000));
    const box = element("div", { class: "picture view-" + page.view, "data-from": String(low), "data-to": String(high) });
    box.append(element("h3", { text: msg("timeline") + " · " + heading }));

    const holidays = new Map(data.holidays);
    const axis = element("div", { class: "axis", "aria-hidden": "true" });
    const backdrop = element("div", { class: "backdrop", "aria-hidden": "true" });
    shown.days.forEach(function (day, index) {
      const dayEnd = index + 1 < shown.days.length ? shown.days[index + 1].start : high;
      const holiday = holidays.get(isoDate(day.date));
      const label = page.view === "month"
        ? String(day.date.day)
        : formatter(zone, { weekday: "short", day: "numeric" }).format(new Date((day.start + 1) * 1000));
      const tick = element("span", {
        class: "tick" + (holiday ? " holiday" : ""), style: "left:" + percent(day.start) + ";width:" + width(day.start, dayEnd),
        title: holiday ? msg("holiday", { name: holiday }) : null,
      }, [label]);
      if (page.view === "month" && day.date.day % 2 === 0) {
        tick.classList.add("minor"); // left out on a narrow screen
      }
      axis.append(tick);
      if (holiday) {
        backdrop.append(element("span", { class: "shade holiday", style: "left:" + percent(day.start) + ";width:" + width(day.start, dayEnd) }));
      }
    });
    if (data.open !== null) {
      // Closed hours: everything outside business hours in the period.
      let cursor = low;
      const open = data.open;
      for (let index = 0; index <= open.length; index += 2) {
        const start = index < open.length ? open[index] : high;
        if (start > cursor && cursor < high) {
          backdrop.append(element("span", { class: "shade closed", style: "left:" + percent(cursor) + ";width:" + width(cursor, Math.min(start, high)) }));
        }
        if (index < open.length) { cursor = Math.max(cursor, open[index + 1]); }
      }
    }
    const lanes = element("div", { class: "lanes" }, [axis]);
    const rows = [];
    const stage = element("div", { class: "stage" }, [backdrop]);
    for (const level of data.levels) {
      const lane = element("div", { class: "lane", role: "group", "aria-label": msg("level", { number: level.level, name: level.name }), "data-level": String(level.level) });
      lane.append(element("span", { class: "lane-label", text: "N" + level.level + " · " + level.name }));
      for (const bar of bars(data, level, low, high)) {
        const ids = peopleOf(data, bar.who).map(function (p) { return p[0]; });
        const names = bar.gap ? msg("gap_short") : peopleOf(data, bar.who).map(function (p) { return p[1]; }).join(", ");
        const range = when(bar.start, zone) + " – " + when(bar.end, zone);
        const mine = page.person && ids.indexOf(page.person) >= 0;
        const button = element("button", {
          type: "button",
          class: "bar" + (bar.gap ? " gap" : "") + (page.person ? (mine ? " mine" : " dimmed") : ""),
          style: "left:" + percent(bar.start) + ";width:" + width(bar.start, bar.end) + (bar.gap ? "" : ";--c:" + colour(ids[0])),
          "data-who": ids.join(" "),
          "data-start": String(bar.start),
          "data-end": String(bar.end),
          "aria-label": "N" + level.level + " · " + names + " · " + range,
        }, [element("span", { text: names })]);
        button.addEventListener("click", function () { showDetails(view, level, bar, names, range); });
        lane.append(button);
        rows.push([level.level, names, bar, mine]);
      }
      stage.append(lane);
    }
    const present = element("div", { class: "present", "aria-hidden": "true", title: msg("present") });
    stage.append(present);
    lanes.append(stage);
    view.present = present;
    placePresent(view, seconds);
    box.append(lanes);
    if (data.open !== null || data.holidays.length) {
      box.append(element("p", { class: "legend muted" }, [element("span", { class: "swatch closed" }), " " + msg("closed") + " · ", element("span", { class: "swatch gap" }), " " + msg("legend_gap")]));
    }
    view.details = element("div", { class: "details", role: "region", "aria-live": "polite", "aria-label": msg("details") });
    box.append(view.details);
    box.append(tableBlock(rows, zone));
    view.timeline.replaceChildren(box);
  }

  function placePresent(view, seconds) {
    const shown = view.shownPeriod;
    if (!view.present || !shown) { return; }
    if (seconds < shown.start || seconds >= shown.end) {
      view.present.hidden = true;
      return;
    }
    view.present.hidden = false;
    view.present.style.left = ((seconds - shown.start) / (shown.end - shown.start)) * 100 + "%";
  }

  function tableBlock(rows, zone) {
    const body = element("tbody");
    for (const [level, names, bar, mine] of rows) {
      body.append(element("tr", { class: (bar.gap ? "gap-row" : "") + (mine ? " mine" : "") }, [
        element("td", { text: "N" + level }),
        element("td", { text: names }),
        element("td", {}, [element("time", { text: when(bar.start, zone) })]),
        element("td", {}, [element("time", { text: when(bar.end, zone) })]),
      ]));
    }
    const head = element("tr", {}, ["level_short", "who", "from", "to"].map(function (key) {
      return element("th", { scope: "col", text: key === "level_short" ? "N" : msg(key) });
    }));
    return element("details", { class: "as-table" }, [
      element("summary", { text: msg("table") }),
      element("table", {}, [element("thead", {}, [head]), body]),
    ]);
  }

  function showDetails(view, level, bar, names, range) {
    const data = view.data;
    const close = element("button", { type: "button", class: "close", text: msg("close") });
    const lines = [element("h4", { text: msg("level", { number: level.level, name: level.name }) })];
    if (bar.gap) {
      lines.push(element("p", { class: "gap-alert", text: "⚠ " + msg("gap") }));
    } else {
      const list = element("ul");
      for (const index of bar.who) { list.append(element("li", {}, [personLabel(data, index)])); }
      lines.push(list, element("p", { class: "muted", text: msg("source", { source: bar.source }) }));
      if (bar.reason) { lines.push(element("p", { text: msg("reason", { reason: bar.reason }) })); }
    }
    lines.push(element("p", { text: range + " (" + duration(bar.end - bar.start) + ")" }), close);
    view.details.replaceChildren(...lines);
    view.details.classList.add("open");
    close.addEventListener("click", function () {
      view.details.replaceChildren();
      view.details.classList.remove("open");
    });
    close.focus();
  }

  // ------------------------------------------------------------------ the whole page

  function presentSeconds() {
    return Date.now() / 1000;
  }

  /** Renders a team at the present: loads what it shows first. */
  function showTeam(view) {
    const seconds = presentSeconds();
    const shown = period(page.anchor === null ? seconds : page.anchor, view.entry.timezone, page.view);
    const low = Math.min(seconds, shown.start);
    const high = Math.max(seconds + 1, shown.end);
    return ensureData(view, low, high).then(function () {
      if (!view.rendered) { view.section.append(feedsBlock(view.entry)); }
      view.rendered = true;
      renderNow(view, seconds);
      renderTimeline(view, seconds);
      schedule();
    }, function () { /* shown in the team's box */ });
  }

  function refresh() {
    const seconds = presentSeconds();
    renderAge(seconds);
    for (const view of page.teams.values()) {
      if (!view.rendered || view.section.hidden) { continue; }
      const shown = view.shownPeriod;
      const expected = period(page.anchor === null ? seconds : page.anchor, view.entry.timezone, page.view);
      const covered = view.dataRange[0] <= Math.max(seconds, page.pub.from) && view.dataRange[1] > Math.min(seconds, page.pub.to - 1);
      if (!covered || !shown || shown.start !== expected.start || shown.end !== expected.end) {
        showTeam(view);
      } else {
        renderNow(view, seconds);
        placePresent(view, seconds);
      }
    }
    schedule();
  }

  /** The next refresh: at the next minute, or sooner at the next change of a team shown. */
  function schedule() {
    window.clearTimeout(page.timer);
    const now = presentSeconds();
    let next = (Math.floor(now / 60) + 1) * 60;
    for (const view of page.teams.values()) {
      const box = view.now.querySelector(".now-box");
      if (!box) { continue; }
      for (const level of box.querySelectorAll("[data-until]")) {
        const until = Number(level.getAttribute("data-until") || Infinity);
        if (until > now && until < next) { next = until; }
      }
    }
    page.timer = window.setTimeout(refresh, Math.max(0, (next - now) * 1000) + 5);
  }

  function renderAge(seconds) {
    const pub = page.pub;
    const box = document.getElementById("age");
    const zone = pub.teams.length ? pub.teams[0].timezone : "UTC";
    const published = whenFull(pub.published, zone);
    let text = null;
    let kind = "";
    if (seconds >= pub.to) {
      kind = "past";
      text = msg("past_range", { end: whenFull(pub.to, zone), when: published });
    } else if (seconds < pub.from) {
      kind = "before";
      text = msg("before_range", { start: whenFull(pub.from, zone), when: published });
    } else if (seconds - pub.published > pub.stale_after) {
      kind = "old";
      text = msg("stale", { when: published, age: duration(seconds - pub.published) });
    }
    box.setAttribute("data-stale", kind);
    const children = [];
    if (text !== null) {
      children.push(element("p", { class: "stale-banner", text: "⚠ " + text }));
    }
    children.push(element("p", { class: "muted", text: msg("published", { when: published }) }));
    if (pub.phones) { children.push(element("p", { class: "muted", text: msg("phones_note") })); }
    box.replaceChildren(...children);
  }

  function readHash() {
    const values = new URLSearchParams(window.location.hash.slice(1));
    page.teamFilter = values.get("team") || "";
    page.person = values.get("person") || "";
    page.view = values.get("view") === "month" ? "month" : "week";
    const at = values.get("at");
    page.anchor = at && /^\d+$/.test(at) ? Number(at) : null;
  }

  function writeHash() {
    const values = new URLSearchParams();
    if (page.teamFilter) { values.set("team", page.teamFilter); }
    if (page.person) { values.set("person", page.person); }
    if (page.view !== "week") { values.set("view", page.view); }
    if (page.anchor !== null) { values.set("at", String(Math.round(page.anchor))); }
    const text = values.toString();
    window.history.replaceState(null, "", text ? "#" + text : window.location.pathname + window.location.search);
  }

  function applyFilters() {
    let personTeams = null;
    const note = document.getElementById("person-note");
    note.textContent = "";
    if (page.person && page.people) {
      const found = page.people.find(function (entry) { return entry[0] === page.person; });
      if (found) {
        personTeams = new Set(found[2]);
        note.textContent = msg("person_teams", { name: found[1] });
      }
    }
    for (const view of page.teams.values()) {
      const hidden = (page.teamFilter && view.entry.id !== page.teamFilter) ||
        (personTeams !== null && !page.teamFilter && !personTeams.has(view.position));
      view.section.hidden = Boolean(hidden);
      if (!hidden && view.rendered) { showTeam(view); }
    }
  }

  function loadPeople() {
    if (page.people !== null || page.peopleLoading) { return page.peopleLoading; }
    page.peopleLoading = loadData("data/people.js").then(function (people) {
      page.people = people;
      const select = document.getElementById("person");
      const collator = new Intl.Collator(page.locale);
      const options = document.createDocumentFragment();
      for (const [id, name] of people.slice().sort(function (a, b) { return collator.compare(a[1], b[1]); })) {
        options.append(element("option", { value: id, text: name, selected: id === page.person }));
      }
      select.append(options);
      if (page.person) { applyFilters(); }
    }, function () { page.peopleLoading = null; });
    return page.peopleLoading;
  }

  function controls() {
    const teamSelect = element("select", { id: "team-filter" }, [element("option", { value: "", text: msg("all_teams") })]);
    for (const entry of page.pub.teams) {
      teamSelect.append(element("option", { value: entry.id, text: entry.name, selected: entry.id === page.teamFilter }));
    }
    teamSelect.addEventListener("change", function () { page.teamFilter = teamSelect.value; writeHash(); applyFilters(); });
    const personSelect = element("select", { id: "person" }, [element("option", { value: "", text: msg("everyone") })]);
    personSelect.addEventListener("focus", loadPeople);
    personSelect.addEventListener("change", function () { page.person = personSelect.value; writeHash(); applyFilters(); });
    const viewSelect = element("select", { id: "view" }, [
      element("option", { value: "week", text: msg("week"), selected: page.view === "week" }),
      element("option", { value: "month", text: msg("month"), selected: page.view === "month" }),
    ]);
    viewSelect.addEventListener("change", function () { page.view = viewSelect.value; writeHash(); refresh(); });
    const move = function (direction) {
      return function () {
        const base = page.anchor === null ? presentSeconds() : page.anchor;
        if (direction === 0) {
          page.anchor = null;
        } else if (page.view === "month") {
          const zone = page.pub.teams.length ? page.pub.teams[0].timezone : "UTC";
          const date = localDate(base, zone);
          const target = new Date(Date.UTC(date.year, date.month - 1 + direction, 15));
          page.anchor = localMidnight(target.getUTCFullYear(), target.getUTCMonth() + 1, 15, zone);
        } else {
          page.anchor = base + direction * 7 * DAY;
        }
        writeHash();
        refresh();
      };
    };
    const label = function (text, field) { return element("label", {}, [element("span", { text }), field]); };
    const previous = element("button", { type: "button", id: "previous", text: "‹ " + msg("previous") });
    const today = element("button", { type: "button", id: "today", text: msg("today") });
    const following = element("button", { type: "button", id: "next", text: msg("following") + " ›" });
    previous.addEventListener("click", move(-1));
    today.addEventListener("click", move(0));
    following.addEventListener("click", move(1));
    return element("nav", { class: "controls", "aria-label": msg("view") }, [
      label(msg("team_filter"), teamSelect),
      label(msg("person_filter"), personSelect),
      label(msg("view"), viewSelect),
      element("span", { class: "moves" }, [previous, today, following]),
      element("p", { id: "person-note", class: "muted", role: "status" }),
    ]);
  }

  function begin(pub) {
    page.pub = pub;
    page.locale = chooseLocale(pub.lang);
    document.documentElement.lang = pub.lang;
    readHash();
    const main = document.getElementById("main");
    const skip = element("a", { href: "#teams", class: "skip", text: msg("skip") });
    document.body.prepend(skip);
    const teams = element("div", { id: "teams", tabindex: "-1" });
    main.replaceChildren(controls(), teams);
    if (!pub.teams.length) { teams.append(element("p", { text: msg("no_team") })); }
    page.observer = "IntersectionObserver" in window
      ? new IntersectionObserver(function (entries) {
        for (const seen of entries) {
          if (!seen.isIntersecting) { continue; }
          page.observer.unobserve(seen.target);
          const view = page.teams.get(seen.target.getAttribute("data-team"));
          if (view && !view.rendered) { showTeam(view).then(firstShown); }
        }
      }, { rootMargin: "400px 0px" })
      : null;
    pub.teams.forEach(function (entry, position) {
      const view = teamView(entry, position);
      page.teams.set(entry.id, view);
      teams.append(view.section);
    });
    applyFilters();
    // The first team shown is on screen: its data is asked for at once, not after a layout.
    const first = [...page.teams.values()].find(function (view) { return !view.section.hidden; });
    if (first) { showTeam(first).then(firstShown); }
    for (const view of page.teams.values()) {
      if (view === first) { continue; }
      if (page.observer) { page.observer.observe(view.section); } else { showTeam(view).then(firstShown); }
    }
    main.append(element("details", { class: "note" }, [
      element("summary", { text: msg("subscribing_title") }), element("p", { text: msg("subscribing") }),
    ]));
    renderAge(presentSeconds());
    if (page.person) { loadPeople(); }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        refresh();
        checkPublication();
      }
    });
    window.setInterval(checkPublication, REFRESH_PUBLICATION);
    // A printed page shows each team's table, whether or not it was opened on screen.
    window.addEventListener("beforeprint", function () {
      for (const table of document.querySelectorAll("details.as-table:not([open])")) {
        table.open = true;
        table.setAttribute("data-opened-for-print", "");
      }
    });
    window.addEventListener("afterprint", function () {
      for (const table of document.querySelectorAll("details[data-opened-for-print]")) {
        table.open = false;
        table.removeAttribute("data-opened-for-print");
      }
    });
    window.addEventListener("hashchange", function () { readHash(); applyFilters(); refresh(); });
    schedule();
  }

  function firstShown() {
    if (!page.firstShown) {
      page.firstShown = true;
      // When the first "now" is painted (the next frame), for benchmarks/page.py.
      window.requestAnimationFrame(function () {
        document.documentElement.setAttribute("data-first-now", String(performance.now()));
      });
      // The names for "My shifts", once the page has nothing more urgent to do.
      if ("requestIdleCallback" in window) {
        window.requestIdleCallback(loadPeople, { timeout: 3000 });
      } else {
        window.setTimeout(loadPeople, 500);
      }
    }
  }
}());
