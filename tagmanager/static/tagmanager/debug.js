/* tagmanager preview: the debug panel. Plain JS, no framework, no eval; text goes in as text.
 *
 * Only a preview carries this file. /tm/preview/<key>/<token>.js wraps it and the preview build
 * of the runtime (js/src, the loader built with runtime/core-preview.js) in one function whose
 * parameter `debugCss` holds debug.css. The runtime calls tmDebug(api) once, before anything
 * happens, and reports to the object it returns:
 *   event(E)            an event {type, name, data, element, trigger} starts: page view, a click ...
 *   tag(E, tag, what)   what became of one tag for that event: ["fired", trigger, params],
 *                       ["consent"], ["nomatch"], ["blocked", trigger], ["limit"], ["error", e]
 *                       (falsy: allowed, the firing reports next)
 *   sent(path, body)    what the live loader would have posted; in a preview nothing is
 *   show()              the DOM is ready: attach the panel
 * api: {C: the configuration (C.debug: names, problems, token ...), G: granted categories (the
 * runtime's own object), val(name, E): a variable's value, nonce, base, state(): the decision}.
 * The panel lives in a shadow root: the page's styles and the panel's never meet.
 */
function tmDebug(api) {
  var d = document,
    loc = location,
    C = api.C,
    X = C.debug,
    K = C.consent,
    t0 = Date.now(),
    EV = [], // events, oldest first: {n, y, ms, vars, consent, cid, tags: {id: {s, text, params}}}
    SENT = [], // [url, body]
    MAX = 200, // events kept: a timer or scrolling must not grow the page's memory for ever
    LIMITS = { page: "once per page", session: "once per session", visitor: "once per visitor" },
    base = api.base.replace(/preview\/[^/]*\/$/, ""),
    tab = "events",
    pick = -1, // the event shown; -1 follows the latest
    min = !1,
    host,
    shadow,
    box,
    timer,
    secure = loc.protocol == "https:" ? ";Secure" : "";

  // The preview follows the visitor to the site's other pages for this browser session.
  d.cookie = "tm_preview=" + X.token + ";path=/;SameSite=Lax" + secure;
  // Then the link's token leaves the address bar, before any tag runs: tags send the page's
  // address on (page_url, GA4's page_location ...) and must not carry the token with it. Only
  // once the cookie holds it: where cookies are blocked, the address is all the preview has.
  if (d.cookie.split("; ").indexOf("tm_preview=" + X.token) > -1) {
    var rest = loc.search
      .slice(1)
      .split("&")
      .filter(p => p && p.split("=")[0] != "tm_preview") // the other parameters as they were
      .join("&");
    try {
      rest != loc.search.slice(1) && history.replaceState(history.state, "", loc.pathname + (rest && "?" + rest) + loc.hash);
    } catch (e) {} // a page whose address cannot change keeps it
  }

  function el(name, kids, attrs) {
    var e = d.createElement(name);
    for (var a in attrs || {}) attrs[a] != null && attrs[a] !== !1 && e.setAttribute(a, attrs[a]);
    (kids || []).forEach(k => k != null && k !== !1 && e.append(k));
    return e;
  }

  function text(v) {
    if (v === undefined) return "undefined";
    try {
      return typeof v == "string" ? JSON.stringify(v) : JSON.stringify(v) || String(v);
    } catch (e) {
      return String(v);
    }
  }

  function name(kind, id) {
    return (X[kind] || {})[id] || "#" + id;
  }

  function later() {
    host && !timer && (timer = setTimeout(render, 30));
  }

  // --- what the runtime reports ----------------------------------------------------------------
  function event(E) {
    var names = X.builtins.concat(
      Object.keys(E.data)
        .filter(k => k != "event")
        .map(k => "event." + k),
      C.variables.map(v => v.name)
    );
    EV.push((E.dbg = {
      n: E.name,
      y: E.type,
      ms: Date.now() - t0,
      vars: names.map(n => [n, api.val(n, E)]),
      consent: K.categories.map(c => [c.slug, !!api.G[c.slug]]),
      cid: api.state().id || null,
      tags: {}
    }));
    if (EV.length > MAX) EV.shift(), pick > 0 && pick--;
    later();
  }

  function tag(E, t, what) {
    var ev = E.dbg,
      old,
      s;
    if (!what || !ev) return;
    old = ev.tags[t.id];
    s = what[0];
    ev.tags[t.id] = {
      s,
      params: s == "fired" ? what[2] : null,
      text:
        s == "fired"
          ? (old && old.s == "consent" ? "Fired after consent" : "Fired") +
            (what[1] ? ", trigger \u201c" + name("triggers", what[1].id) + "\u201d" : "")
          : s == "consent"
            ? "Blocked by consent: needs " + t.categories.filter(c => !api.G[c]).join(", ")
            : s == "nomatch"
              ? "Trigger not matched"
              : s == "blocked"
                ? "Blocked by trigger \u201c" + name("triggers", what[1].id) + "\u201d"
                : s == "limit"
                  ? "Fire limit reached (" + (LIMITS[t.limit] || t.limit) + ")"
                  : "Error: " + ((what[1] && what[1].message) || what[1])
    };
    later();
  }

  function sent(path, body) {
    SENT.push([base + path, body]);
    later();
  }

  // --- leaving the preview ---------------------------------------------------------------------
  function exit() {
    ["", K.cookieDomain].forEach(dom =>
      ["tm_preview", K.cookie].forEach(
        n => (d.cookie = n + "=;Max-Age=0;path=/;SameSite=Lax" + secure + (dom ? ";Domain=" + dom : ""))
      )
    );
    [w => w.sessionStorage, w => w.localStorage].forEach(get => {
      try {
        var s = get(window);
        Object.keys(s).forEach(k => !k.indexOf("tm_preview.") && s.removeItem(k));
      } catch (e) {} // blocked storage: nothing was kept there either
    });
    var u = new URL(loc.href);
    u.searchParams.delete("tm_preview");
    loc.replace(u.href);
  }

  // --- the panel -------------------------------------------------------------------------------
  function table(caption, head, rows, cls) {
    return el("table", [el("caption", [caption]), el("thead", [el("tr", head.map(h => el("th", [h], { scope: "col" })))]), el("tbody", rows)], {
      class: cls
    });
  }

  function eventsPane() {
    var i = pick < 0 || !EV[pick] ? EV.length - 1 : pick,
      ev = EV[i];
    if (!ev) return el("p", ["No event yet."]);
    return el("div", [
      el(
        "ol",
        EV.map((e, j) =>
          el("li", [
            el("button", [e.n, el("small", [" +" + e.ms + " ms"])], {
              type: "button",
              "data-k": "ev:" + j,
              "data-event": e.n,
              "aria-current": j == i ? "true" : null
            })
          ])
        ),
        { class: "events", "aria-label": "Events" }
      ),
      el("div", [
        el("h3", ["#" + (i + 1) + " " + ev.n + (ev.y != ev.n ? " (" + ev.y.replace(/_/g, " ") + ")" : "")]),
        table(
          "Tags",
          ["Tag", "Status"],
          C.tags.map(t => {
            var r = ev.tags[t.id] || { s: "pending", text: "Not evaluated" };
            return el("tr", [el("th", [name("tags", t.id)], { scope: "row" }), el("td", [r.text, r.params && el("details", [el("summary", ["parameters"]), el("pre", [JSON.stringify(r.params, null, 2)])])])], {
              "data-tag": t.id,
              "data-status": r.s,
              class: "st-" + r.s
            });
          }),
          "tags"
        ),
        table(
          "Variables at this event",
          ["Variable", "Value"],
          ev.vars.map(v => el("tr", [el("th", [v[0]], { scope: "row" }), el("td", [text(v[1])])], { "data-var": v[0] })),
          "vars"
        ),
        el("p", ["Consent at this event: " + ev.consent.map(c => c[0] + (c[1] ? " \u2713" : " \u2717")).join(", ") + (ev.cid ? " (consent id " + ev.cid + ")" : "")], {
          class: "consent-at"
        })
      ], { class: "detail" })
    ], { class: "cols" });
  }

  function consentPane() {
    var S = api.state();
    return el("div", [
      table(
        "Consent now",
        ["Category", "State"],
        K.categories.map(c =>
          el("tr", [el("th", [c.slug], { scope: "row" }), el("td", [api.G[c.slug] ? "granted" : "denied"])], {
            "data-category": c.slug
          })
        ),
        "vars"
      ),
      el("p", ["Consent id: " + (S.id || "none") + ", source: " + (S.source || "default") + "."]),
      el("p", [
        "Decisions made in this preview are kept in the cookie " + K.cookie + ", apart from the site's own, and are never recorded."
      ])
    ]);
  }

  function sentPane() {
    if (!SENT.length) return el("p", ["Nothing yet. Consent decisions and tag fires would be sent to " + base + "."]);
    return el(
      "ol",
      SENT.map((s, j) => el("li", [el("b", ["POST " + s[0]]), el("pre", [JSON.stringify(s[1], null, 2)])], { "data-sent": j })),
      { class: "sent" }
    );
  }

  function problemsPane() {
    return el("div", [
      X.problems.length
        ? el("ul", X.problems.map(p => el("li", [p])), { class: "problems" })
        : el("p", ["None: this draft can be published."]),
      el("p", [
        (X.live ? "Live version: " + X.live + ". " : "Not published yet. ") +
          (X.changed ? "The draft differs from it." : "The draft is the same as the live version.")
      ])
    ]);
  }

  var TABS = [
    ["events", "Events", () => EV.length, eventsPane],
    ["consent", "Consent", () => "", consentPane],
    ["sent", "Not sent", () => SENT.length, sentPane],
    ["problems", "Problems", () => X.problems.length, problemsPane]
  ];

  function render() {
    var focused = shadow.activeElement && shadow.activeElement.dataset.k,
      now = TABS.find(t => t[0] == tab),
      again;
    timer = 0;
    box.replaceChildren(
      el("header", [
        el("h2", ["Preview"]),
        el("span", [X.container + " \u00b7 draft \u00b7 link valid until " + new Date(X.expires).toLocaleTimeString()], { class: "sub" }),
        el("button", [min ? "Show" : "Hide"], { type: "button", "data-k": "min", "data-action": "toggle", "aria-expanded": min ? "false" : "true" }),
        el("button", ["Exit preview"], { type: "button", "data-k": "exit", "data-action": "exit" })
      ]),
      el(
        "div",
        [
          el(
            "div",
            TABS.map(t =>
              el("button", [t[1] + (t[2]() === "" ? "" : " (" + t[2]() + ")")], {
                type: "button",
                role: "tab",
                id: "tab-" + t[0],
                "data-k": "tab:" + t[0],
                "data-tab": t[0],
                "aria-selected": t == now ? "true" : "false",
                "aria-controls": "pane",
                tabindex: t == now ? "0" : "-1"
              })
            ),
            { role: "tablist", "aria-label": "Preview details" }
          ),
          el("div", [now[3]()], { role: "tabpanel", id: "pane", "aria-labelledby": "tab-" + tab, tabindex: "0" })
        ],
        { class: "body", hidden: min ? "" : null }
      )
    );
    again = focused && shadow.querySelector('[data-k="' + focused + '"]');
    again && again.focus();
  }

  function show() {
    if (host) return;
    host = el("tm-debug", 0, { "data-tm-debug": "" });
    shadow = host.attachShadow({ mode: "open" });
    var st = el("style", [debugCss]);
    st.nonce = api.nonce;
    box = el("section", 0, { class: "panel", role: "region", "aria-label": "Tag manager preview" });
    shadow.append(st, box);
    box.onclick = (e, b) => {
      b = e.target.closest("button");
      if (!b) return;
      b.dataset.action == "exit"
        ? exit()
        : b.dataset.action == "toggle"
          ? (min = !min)
          : b.dataset.tab
            ? (tab = b.dataset.tab)
            : b.dataset.k && !b.dataset.k.indexOf("ev:") && (pick = +b.dataset.k.slice(3));
      render();
    };
    box.onkeydown = (e, i) => {
      if (e.key == "Escape") return (min = !0), render(), shadow.querySelector('[data-k="min"]').focus();
      // Arrow keys move between the tabs, as in any tab list.
      if (e.target.getAttribute("role") == "tab" && (e.key == "ArrowRight" || e.key == "ArrowLeft")) {
        i = TABS.findIndex(t => t[0] == tab) + (e.key == "ArrowRight" ? 1 : -1);
        tab = TABS[(i + TABS.length) % TABS.length][0];
        render();
        shadow.querySelector('[data-k="tab:' + tab + '"]').focus();
      }
    };
    (d.body || d.documentElement).appendChild(host);
    render();
  }

  return { event, tag, sent, show };
}
