/* tagmanager browser runtime: Consent Mode defaults, consent banner, triggers and tags.
 *
 * The server fills the two string arguments at the end with JSON string literals (the
 * configuration as JSON text, the banner CSS); see docs/loader.md. Nothing here is generated
 * from data: no eval, no new Function. The build only strips comments and whitespace (rjsmin)
 * and the loader is on every page (budget: 7,700 bytes gzip with a config), hence the terse
 * style.
 * Two builds come from this one source (tagmanager/loader/build.py): the live loader leaves out
 * the regions marked <debug> (the preview's instrumentation, which calls the debug panel P of
 * debug.js), the preview leaves out those marked <live> (the switch to a preview).
 * Legend:
 *   C config, K its consent part, A categories, G granted (slug -> bool), S the decision in
 *   force {id, src, k: its secret}, Q fires waiting for consent [tag, event, trigger id],
 *   I triggers by id,
 *   E an event {y: type, n: name, d: data, el: element, t: the one trigger it is for},
 *   M the loader's own script element when it runs again after a refused preview.
 */
(function R(w, d, cfg, css, M) {
  // A second copy of the snippet on the same page must not run everything twice.
  if (w.tm && w.tm.consent) return;

  var C = JSON.parse(cfg),
    K = C.consent,
    A = K.categories,
    TR = C.triggers,
    loc = location,
    nav = navigator,
    enc = encodeURIComponent,
    // Captured now: currentScript is only set while this script first runs.
    me = M || d.currentScript,
    nonce = me.nonce,
    base = me.src.replace(/[^/]*$/, ""),
    life = K.lifetimeDays * 86400,
    gpcSeen = nav.globalPrivacyControl === true,
    gpc = K.gpc && gpcSeen,
    early = w.tm,
    I = {},
    V = {}, // user variables by name
    G = {},
    S = {},
    Q = [],
    DL = {}, // merged state of tm.push objects
    F = {}, // fire limits reached on this page
    LD = {}, // things done once: scripts, vendor inits
    CQ = [], // collect events waiting for a flush
    BOX = {}, // banner checkboxes by slug
    ct, // collect flush timer
    OB = [], // unsent consent decisions, when localStorage is blocked
    busy, // a consent POST is on its way
    tries = 0, // failed consent POSTs in a row
    rt, // consent retry timer
    UI, PR, OP, SV, SB, ST, prefs, ret,
    dl = (w.dataLayer = w.dataLayer || []), // (the gtag stub pushes to the global one)
    gtag = (w.gtag =
      w.gtag ||
      function () {
        // gtag.js only takes Arguments objects as commands, as in Google's own snippet.
        dataLayer.push(arguments);
      }),
    deny = { wait_for_update: 500 },
    now = () => (Date.now() / 1e3) | 0,
    qs = n => new URLSearchParams(loc.search).get(n),
    root = () => d.body || d.documentElement,
    on = () => A.filter(c => G[c.slug]).map(c => c.slug),
    allow = (c, want) => !!(c.required || (want && !(gpc && c.saleSharing))),
    allowed = tag => tag.categories.every(s => G[s]),
    esc = s => s.replace(/[&<>"']/g, c => "&#" + c.charCodeAt(0) + ";"),
    dig = (o, path) => path.split(".").reduce((o, k) => o && o[k], o),
    store = (s, k, v) => {
      /*<debug>*/
      k = "tm_preview." + k; // a preview leaves the site's own fire limits and GPC record alone
      /*</debug>*/
      try {
        return v ? w[s].setItem(k, v) : w[s].getItem(k);
      } catch (e) {} // blocked storage counts as empty
    },
    // A random (v4) UUID from getRandomValues: crypto.randomUUID is missing on plain http.
    uuid = () =>
      "10000000-1000-4000-8000-100000000000".replace(/[018]/g, c =>
        (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)
      ),
    jar = () => Object.fromEntries(d.cookie.split("; ").map(p => p.split(/=(.*)/))),
    cookie = (n, v, age, dom) =>
      (d.cookie =
        n + "=" + v + ";Max-Age=" + age + ";path=/;SameSite=Lax" +
        (loc.protocol == "https:" ? ";Secure" : "") + (dom ? ";Domain=" + dom : "")),
    // text/plain and no custom headers: a "simple" request, no CORS preflight.
    post = (path, body) => {
      /*<debug>*/
      return P.sent(path, body); // a preview records nothing: the panel shows it instead
      /*</debug>*/
      body = JSON.stringify(body);
      try {
        (path == "collect" && nav.sendBeacon(base + path, new Blob([body], { type: "text/plain" }))) ||
          fetch(base + path, { method: "POST", body, keepalive: !0, credentials: "omit", mode: "no-cors" }).catch(
            () => 0
          );
      } catch (e) {}
    },
    // A decision's secret: its hash goes with the decision, the secret itself (kept in the
    // consent cookie) with the next one, proving both were made by this browser.
    secret = () => uuid().replace(/-/g, ""),
    // Hex SHA-256 of s, or null: Web Crypto exists on https and localhost only.
    sha = s =>
      Promise.resolve(s)
        .then(s => s && crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)))
        .then(b => (b ? [...new Uint8Array(b)].map(x => (x | 256).toString(16).slice(1)).join("") : null), () => null),
    // Consent decisions the server has not confirmed, oldest first, at most 20: kept in
    // localStorage across page loads (read again before each change, so that decisions another
    // tab added are kept). f maps the list to the new one.
    outbox = (f, q, n = "tm_consent_outbox." + C.key) => {
      try {
        q = JSON.parse(localStorage[n] || "[]").filter(i => i.b.consent_id);
      } catch (e) {
        q = OB;
      }
      OB = q = f(q).slice(-20);
      try {
        q[0] ? (localStorage[n] = JSON.stringify(q)) : localStorage.removeItem(n);
      } catch (e) {}
      return q;
    },
    // Posts the oldest waiting decision, the next one only after it: a decision reaches the
    // server after the one it replaced. The answer is read (CORS; still a simple request):
    // stored (2xx) or refused for good (4xx but 408 and 429) drops it; anything else (5xx,
    // network) keeps it, retried after about 1, 2, 4 ... s (at most 5 min, +-50% so that
    // browsers spread out) and on every page load. A resent decision is stored once.
    send = i => {
      if (busy || !(i = outbox(q => q)[0])) return;
      busy = 1;
      clearTimeout(rt);
      sha(i.s)
        .then(h =>
          fetch(base + "consent", { method: "POST", body: JSON.stringify({ ...i.b, secret_sha256: h }), keepalive: !0, credentials: "omit" })
        )
        .then(r => r.status, () => 0)
        .then(s => {
          busy = 0;
          (s > 199 && s < 300) || (s > 399 && s < 500 && s != 408 && s != 429)
            ? (outbox(q => q.filter(o => o.b.consent_id != i.b.consent_id)), (tries = 0), send())
            : (rt = setTimeout(send, Math.min(3e5, 1e3 * 2 ** tries++) * (0.5 + Math.random())));
        });
    },
    // Adds value (as a number) and currency when present.
    vc = (o, v, c) => ((v = parseFloat(v)) == v && (o.value = v), c && (o.currency = c), o),
    script = (u, async, s) => (
      (s = d.createElement("script")), (s.src = u), (s.async = async !== !1), (s.nonce = nonce), root().appendChild(s)
    ),
    once = (k, f) => LD[k] || ((LD[k] = 1), f()),
    img = u => (new Image().src = u);

  /*<live>*/
  // A preview link (?tm_preview=<token>, then the session cookie the preview sets) runs the
  // container's draft, from the server, in this browser only. A refused token (expired,
  // forged: the server answers an error status) clears the cookie and runs this version.
  if (!M && (M = qs("tm_preview") || jar().tm_preview))
    return (script(base + "preview/" + C.key + "/" + enc(M) + ".js").onerror = () => (cookie("tm_preview", "", 0), R(w, d, cfg, css, me)));
  /*</live>*/
  /*<debug>*/
  var P = tmDebug({ C, G, val, nonce, base, state: () => S });
  /*</debug>*/
  TR.forEach(t => (I[t.id] = t));
  C.variables.forEach(v => (V[v.name] = v));

  // --- Google Consent Mode v2 defaults, before anything else can run ----------------------------
  "ad_storage ad_user_data ad_personalization analytics_storage functionality_storage personalization_storage security_storage"
    .split(" ")
    .forEach(s => (deny[s] = "denied"));
  gtag("consent", "default", deny);
  K.regionDefaults.forEach(r => gtag("consent", "default", r));

  // --- stored decision: 1.<consent id>.<revision>.<slugs joined by ->.<unix seconds>.<source>
  // .<secret> (cookies written before the secret existed have 6 fields, and no proof) -------
  var ck = (jar()[K.cookie] || "").split("."),
    ok = ck.length >> 1 == 3 && ck[0] == 1 && ck[1] && ck[2] == K.revision && ck[4] > 0 && now() - ck[4] < life,
    lang = d.documentElement.lang,
    prim = lang.split("-")[0],
    def = K.defaultLocale,
    texts = K.texts,
    L = [lang, prim].find(l => texts[l]) || def,
    TX = { ...texts[def], ...texts[prim], ...texts[lang] },
    pick = m => (m && (m[lang] || m[prim] || m[def])) || "";
  A.forEach(c => (G[c.slug] = allow(c, ok && ck[3].split("-").includes(c.slug))));

  function consentMode(u) {
    u = {};
    A.forEach(c => c.signals.forEach(s => (u[s] = G[c.slug] || u[s] == "granted" ? "granted" : "denied")));
    gtag("consent", "update", u);
  }

  // Records decision S, which replaced prev ({} for none): queued, then sent (see send).
  function record(action, source, prev, b) {
    b = {
      key: C.key,
      version: C.version, // tells the server which texts the visitor saw
      consent_id: S.id,
      previous_consent_id: prev.id || null,
      previous_secret: prev.k || null, // the proof that this browser made prev
      revision: K.revision,
      locale: L,
      categories: { ...G },
      action,
      source,
      gpc: gpcSeen,
      url: loc.origin + loc.pathname
    };
    /*<debug>*/
    return P.sent("consent", b); // a preview records nothing: the panel shows it instead
    /*</debug>*/
    outbox(q => [...q, { b, s: S.k }]);
    send();
  }

  if (ok) (S = { id: ck[1], src: ck[5], k: ck[6] }), consentMode();
  else if (gpc) {
    // Record the GPC signal once per session; no cookie, so the banner still asks about the rest.
    ck = (store("sessionStorage", "tm_gpc") || "").split(".");
    S = { id: ck[0], src: "gpc", k: ck[1] };
    S.id || ((S = { id: uuid(), src: "gpc", k: secret() }), record("gpc", "gpc", {}), store("sessionStorage", "tm_gpc", S.id + "." + S.k));
  }
  /*<live>*/
  send(); // what earlier pages could not deliver
  /*</live>*/

  // One decision; want(category) says whether the visitor wants it.
  function decide(want, action, source) {
    var prev = S,
      q = Q;
    A.forEach(c => (G[c.slug] = allow(c, want(c))));
    S = { id: uuid(), src: source, k: secret() };
    cookie(K.cookie, [1, S.id, K.revision, on().join("-"), now(), source, S.k].join("."), life, K.cookieDomain);
    consentMode();
    record(action, source, prev);
    // Delete the cookies declared by the categories now denied ("_ga_*" = prefix), for every
    // domain they may have been set on: this host, cookieDomain, each parent domain.
    Object.keys(jar()).forEach(
      n =>
        n != K.cookie &&
        A.some(c => !G[c.slug] && c.cookies.some(p => n == p || (p.slice(-1) == "*" && !n.indexOf(p.slice(0, -1))))) &&
        ["", K.cookieDomain, ...loc.hostname.split(".").map((_, i, a) => a.slice(i).join("."))].forEach(m =>
          cookie(n, "", 0, m)
        )
    );
    Q = [];
    q.forEach(i => (allowed(i[0]) ? run(...i) : action != "withdraw" && Q.push(i)));
    hide();
  }

  // --- variables and {{name}} ------------------------------------------------------------------
  var VT = {
    constant: p => p.value,
    url_param: p => qs(p.name),
    cookie: (p, v) => (v = jar()[p.name]) && decodeURIComponent(v),
    data_layer: p => dig(DL, p.key),
    dom_element: (p, e) =>
      (e = d.querySelector(p.selector)) && (p.attribute ? e.getAttribute(p.attribute) : e.textContent.trim())
  };

  function val(n, E) {
    var v = V[n];
    try {
      // User variable names never collide with built-ins: the server refuses them.
      return v
        ? VT[v.type](v.params)
        : !n.indexOf("event.")
          ? dig(E.d, n.slice(6))
          : !n.indexOf("utm_")
            ? qs(n)
            : {
                page_url: loc.href,
                page_path: loc.pathname,
                page_hostname: loc.hostname,
                referrer: d.referrer,
                event: E.n,
                consent_id: S.id,
                random: (Math.random() * 2147483647) | 0,
                timestamp: Date.now()
              }[n];
    } catch (e) {} // bad selector, malformed cookie ...: empty
  }

  // A value that is exactly one reference keeps its type (numbers, lists); inside text, values
  // are encoded for where they land (URL, HTML).
  function sub(v, E, encode, m, o) {
    if (typeof v == "string")
      return !encode && (m = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(v))
        ? (m = val(m[1], E)) == null
          ? ""
          : m
        : v.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, n) => ((n = val(n, E)), (n = n == null ? "" : "" + n), encode ? encode(n) : n));
    if (v && typeof v == "object") {
      o = {};
      for (m in v) o[m] = sub(v[m], E, encode);
      return o;
    }
    return v;
  }

  // --- tag types: each gets (substituted params, event, vendor event name) -----------------------
  var gt = id =>
      once(id, () => {
        script("https://www.googletagmanager.com/gtag/js?id=" + enc(id));
        once("js", () => gtag("js", new Date()));
        gtag("config", id, { send_page_view: !1 });
      }),
    TYPES = {
      image: p => img(p.url),
      script: p => script(p.src, p.async),
      custom_html: (p, t, olds) => {
        // Parsed inert in a <template>; scripts are re-created so that they run, with the nonce.
        t = d.createElement("template");
        t.innerHTML = p.html;
        olds = [...t.content.querySelectorAll("script")];
        root().appendChild(t.content);
        olds.forEach(o => {
          var s = d.createElement("script");
          for (var a of o.attributes) s.setAttribute(a.name, a.value);
          s.async = o.hasAttribute("async"); // external ones run in document order
          s.text = o.text;
          s.nonce = nonce;
          o.replaceWith(s);
        });
      },
      ga4: (p, E, name) => {
        gt(p.measurement_id);
        gtag("event", name, vc({ ...p.event_parameters, send_to: p.measurement_id }, E.d.value, E.d.currency));
      },
      google_ads: (p, o) => {
        gt(p.conversion_id);
        o = vc({ send_to: p.conversion_id + "/" + p.conversion_label }, p.value, p.currency);
        p.transaction_id && (o.transaction_id = p.transaction_id);
        gtag("event", "conversion", o);
      },
      meta_pixel: (p, E, name) => {
        var f = w.fbq;
        if (!f) {
          // Meta's queue stub, until fbevents.js takes over.
          f = w.fbq = function () {
            f.callMethod ? f.callMethod.apply(f, arguments) : f.queue.push(arguments);
          };
          w._fbq = w._fbq || f;
          f.push = f;
          f.loaded = !0;
          f.version = "2.0";
          f.queue = [];
          script("https://connect.facebook.net/en_US/fbevents.js");
        }
        once("fb" + p.pixel_id, () => f("init", p.pixel_id));
        f("track", name, vc({}, p.value, p.currency));
      },
      tiktok: (p, E, name) => {
        var id = p.pixel_id,
          t = w.ttq,
          u = "https://analytics.tiktok.com/i18n/pixel/events.js";
        if (!t) {
          // TikTok's queue stub, which events.js reads when it arrives.
          w.TiktokAnalyticsObject = "ttq";
          t = w.ttq = [];
          t._i = {};
          t._t = {};
          t._o = {};
          ["page", "track"].forEach(m => (t[m] = (...a) => t.push([m, ...a])));
        }
        once("tt" + id, () => {
          t._i[id] = [];
          t._i[id]._u = u;
          t._t[id] = +new Date();
          t._o[id] = {};
          script(u + "?sdkid=" + enc(id) + "&lib=ttq");
        });
        E.n == "page_view" ? t.page() : t.track(name, vc({}, p.value, p.currency));
      },
      linkedin: p => {
        var id = p.partner_id,
          a = (w._linkedin_data_partner_ids = w._linkedin_data_partner_ids || []);
        w._linkedin_partner_id = id;
        a.includes(id) || a.push(id);
        once("li", () => script("https://snap.licdn.com/li.lms-analytics/insight.min.js"));
        p.conversion_id &&
          img("https://px.ads.linkedin.com/collect/?pid=" + enc(id) + "&conversionId=" + enc(p.conversion_id) + "&fmt=gif");
      }
    };

  // --- firing ----------------------------------------------------------------------------------
  function run(tag, E, tid) {
    var p = {},
      k = "tm." + C.key + "." + tag.id,
      // Fire limits: page (memory), session / visitor (web storage), by container and tag.
      s = { session: "sessionStorage", visitor: "localStorage" }[tag.limit],
      utm = {};
    if (tag.limit != "unlimited") {
      if (F[k] || (s && store(s, k))) return /*<debug>*/ P.tag(E, tag, ["limit"]) /*</debug>*/;
      F[k] = 1;
      s && store(s, k, 1);
    }
    try {
      // One broken tag (throws, bad params) never stops the others. Code is chosen on publish
      // (C.fixed, from tagmanager.registry): a vendor id (x: its pattern) is used as published
      // and must match; a URL (x == "") must keep the origin it was published with, whatever
      // its variables hold ("%" in place of each makes one in the host fail).
      for (k in tag.params) {
        var t = tag.params[k],
          x = (C.fixed[tag.type] || {})[k];
        p[k] = x ? t : sub(t, E, x == "" ? enc : k == "html" && esc);
        if (x ? !RegExp("^(?:" + x + ")$").test(t) : x == "" && new URL(p[k]).origin != new URL(t.replace(/\{\{.*?\}\}/g, "%")).origin)
          throw k + " refused";
      }
      TYPES[tag.type](p, E, p.event_name || (C.events[tag.type] || {})[E.n] || E.n);
      /*<debug>*/
      P.tag(E, tag, ["fired", I[tid], p]);
      /*</debug>*/
      new URLSearchParams(loc.search).forEach((v, k) => !k.indexOf("utm_") && (utm[k] = v));
      CQ.push(
        vc(
          {
            event_id: uuid(),
            tag: tag.id,
            trigger: tid,
            event: E.n,
            url: loc.origin + loc.pathname, // the server keeps no query string either
            consent_id: S.id || null,
            categories: on(),
            ts: Date.now(),
            utm
          },
          E.d.value,
          E.d.currency
        )
      );
      CQ[19] ? flush() : ct || (ct = setTimeout(flush, 1e3));
    } catch (e) {
      /*<debug>*/
      P.tag(E, tag, ["error", e]);
      /*</debug>*/
    }
  }

  // Batches of at most 20 events and about 60 KiB.
  function flush(n) {
    clearTimeout(ct);
    ct = 0;
    while ((n = Math.min(20, CQ.length))) {
      while (n > 1 && JSON.stringify(CQ.slice(0, n)).length > 6e4) n >>= 1;
      post("collect", { key: C.key, version: C.version, events: CQ.splice(0, n) });
    }
  }
  w.addEventListener("pagehide", flush);
  d.addEventListener("visibilitychange", () => d.hidden && flush());

  // --- triggers --------------------------------------------------------------------------------
  // Compared as text, but for the two numeric operators.
  var OPS = {
    equals: (a, b) => a == b,
    contains: (a, b) => a.includes(b),
    starts_with: (a, b) => a.startsWith(b),
    ends_with: (a, b) => a.endsWith(b),
    matches_regex: (a, b) => RegExp(b).test(a),
    less_than: (a, b) => parseFloat(a) < b,
    greater_than: (a, b) => parseFloat(a) > b
  };

  // Whether trigger t matches event E: its type, its parameters, all its conditions.
  function match(t, E, p) {
    try {
      p = t.params;
      return (
        t.type == E.y &&
        (!E.t || E.t == t) &&
        (E.y == "click"
          ? E.el.closest(p.selector)
          : E.y == "form_submit"
            ? E.el.matches(p.selector)
            : E.y != "custom_event" || p.event_name == E.n) &&
        t.conditions.every((c, o, not, a) => {
          o = c.operator;
          not = !o.indexOf("not_");
          a = val(c.variable, E);
          return not != OPS[not ? o.slice(4) : o](a == null ? "" : "" + a, "" + c.value);
        })
      );
    } catch (e) {} // missing trigger, unknown operator, invalid selector or regex: no match
  }

  function emit(y, E = {}) {
    E.y = y;
    E.n = E.n || y;
    E.d = E.d || {};
    /*<debug>*/
    P.event(E);
    /*</debug>*/
    C.tags.forEach((tag, hit) => {
      /*<debug>*/
      var no = 0; // the blocking trigger that matched (ids are never 0)
      /*</debug>*/
      hit = tag.triggers.map(id => I[id]).find(t => match(t, E));
      hit &&
        !tag.blocking.some(id => match(I[id], E) /*<debug>*/ && (no = id) /*</debug>*/) &&
        (allowed(tag) ? run(tag, E, hit.id) : Q.length < 100 && Q.push([tag, E, hit.id]));
      /*<debug>*/
      P.tag(E, tag, !hit ? ["nomatch"] : no ? ["blocked", I[no]] : !allowed(tag) && ["consent"]);
      /*</debug>*/
    });
  }

  function push(o) {
    if (o && typeof o == "object") Object.assign(DL, o), o.event && emit("custom_event", { n: "" + o.event, d: o });
  }

  // --- banner ----------------------------------------------------------------------------------
  function el(n, kids, a, e) {
    e = d.createElement(n);
    for (n in a) e.setAttribute(n, a[n]);
    (kids || []).forEach(k => e.append(k || "")); // strings become text nodes, never HTML
    return e;
  }

  function style() {
    ST || ((ST = el("style", [css])), (ST.nonce = nonce), root().appendChild(ST));
  }

  function build() {
    // All buttons share one class: Reject is exactly as prominent as Accept.
    // (No form owns these buttons, so they need no type="button".)
    var b = (a, k) => el("button", [TX[k]], { "data-tm-action": a, class: "tm-b" });
    style();
    PR = el(
      "div",
      A.map(c =>
        el("label", [
          (BOX[c.slug] = el("input", 0, { type: "checkbox", "data-tm-category": c.slug })),
          el("b", [pick(c.names) || c.slug]),
          el("small", [pick(c.descriptions)])
        ])
      )
    );
    UI = el(
      "div",
      [
        el("h2", [TX.title], { id: "tm-t" }),
        el("p", [TX.description], { id: "tm-d" }),
        gpc && el("p", [TX.gpc_notice], { "data-tm-gpc": "" }),
        PR,
        b("accept-all", "accept_all"),
        b("reject-all", "reject_all"),
        (OP = b("open-preferences", "preferences")),
        (SV = b("save", "save"))
      ],
      {
        "data-tm-banner": "",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "tm-t",
        "aria-describedby": "tm-d",
        lang: L
      }
    );
    // (Handlers with block bodies: an on* handler returning false cancels the event.)
    UI.onclick = (e, a) => {
      (a = e.target.closest("[data-tm-action]")) &&
        ((a = { "accept-all": [() => 1, "accept_all"], "reject-all": [() => 0, "reject_all"], save: [c => BOX[c.slug].checked, "custom"] }[
          a.dataset.tmAction
        ])
          ? decide(a[0], a[1], prefs ? "preferences" : "banner")
          : layer(1));
    };
    UI.onkeydown = e => {
      e.key == "Escape" && prefs && layer(0);
    };
    root().appendChild(UI);
  }

  // Shows the first layer (p falsy) or the preferences, ticked as currently decided.
  function layer(p) {
    prefs = p;
    PR.hidden = SV.hidden = !p;
    OP.hidden = !!p;
    A.forEach(c => {
      BOX[c.slug].checked = G[c.slug];
      BOX[c.slug].disabled = !!(c.required || (gpc && c.saleSharing));
    });
    ((p && PR.querySelector("input:enabled")) || UI.querySelector("button")).focus();
  }

  function show(p) {
    if (!UI || UI.hidden) ret = d.activeElement;
    UI || build();
    UI.hidden = !1;
    SB && (SB.hidden = !0);
    layer(p);
  }

  // Hides the banner, shows the floating control that reopens it, puts focus back.
  function hide(a) {
    a = d.activeElement;
    UI && (UI.hidden = !0);
    SB ||
      (style(),
      (SB = el("button", [TX.settings_button], { "data-tm-settings": "", "aria-label": TX.settings_button })),
      (SB.onclick = () => show(1)),
      root().appendChild(SB));
    SB.hidden = !1;
    UI && UI.contains(a) && a.blur();
    ret && ret.isConnected && ret.focus();
    ret = 0;
  }

  // --- public API, then the page's own events ---------------------------------------------------
  w.tm = {
    push,
    consent: {
      get: () => ({ consentId: S.id || null, revision: K.revision, categories: { ...G }, source: S.src || "default" }),
      set: o => decide(c => (c.slug in o ? o[c.slug] : G[c.slug]), "custom", "api"),
      acceptAll: () => decide(() => 1, "accept_all", "api"),
      rejectAll: () => decide(() => 0, "reject_all", "api"),
      open: () => show(1),
      withdraw: () => decide(() => 0, "withdraw", "api")
    }
  };

  emit("page_view");
  Array.isArray(early) && early.forEach(push);

  // Clicks in the banner are not the page's: they would replay as soon as consent is given.
  d.addEventListener(
    "click",
    e => e.target.closest("[data-tm-banner],[data-tm-settings]" /*<debug>*/ + ",[data-tm-debug]" /*</debug>*/) || emit("click", { el: e.target }),
    !0
  );
  d.addEventListener("submit", e => emit("form_submit", { el: e.target }), !0);

  var last = loc.href,
    seen = {},
    raf,
    has = y => TR.some(t => t.type == y),
    moved = () => last != loc.href && ((last = loc.href), emit("history_change")),
    scrolled = (h, pct) => {
      h = d.documentElement.scrollHeight - innerHeight;
      pct = h > 0 ? (100 * scrollY) / h : 100;
      raf = 0;
      TR.forEach(
        t =>
          t.type == "scroll_depth" &&
          t.params.percentages.forEach(
            x =>
              pct + 0.5 >= x &&
              !seen[[t.id, x]] &&
              ((seen[[t.id, x]] = 1), emit("scroll_depth", { t, d: { scroll_depth: x } }))
          )
      );
    },
    init = () => {
      /*<debug>*/
      P.show();
      /*</debug>*/
      ok ? hide() : show(0);
      emit("dom_ready");
      TR.forEach((t, n, h, io) => {
        var p = t.params,
          th = p.threshold / 100;
        n = 0;
        if (t.type == "timer")
          h = setInterval(() => {
            emit("timer", { t });
            ++n >= p.limit && clearInterval(h);
          }, p.interval_ms);
        if (t.type == "element_visible") {
          io = new IntersectionObserver(
            es =>
              es.forEach(
                e =>
                  // (a little under: the browser rounds the ratio)
                  e.intersectionRatio >= th * 0.99 && (io.unobserve(e.target), emit("element_visible", { t, el: e.target }))
              ),
            { threshold: th }
          );
          try {
            d.querySelectorAll(p.selector).forEach(e => io.observe(e));
          } catch (e) {}
        }
      });
      if (has("scroll_depth")) {
        w.addEventListener("scroll", () => raf || (raf = requestAnimationFrame(scrolled)), { passive: !0 });
        scrolled();
      }
    };

  if (has("history_change")) {
    ["pushState", "replaceState"].forEach((m, orig) => {
      orig = history[m];
      history[m] = function () {
        var r = orig.apply(this, arguments);
        moved();
        return r;
      };
    });
    w.addEventListener("popstate", moved);
  }

  d.readyState == "loading" ? d.addEventListener("DOMContentLoaded", init) : init();
  d.readyState == "complete" ? emit("window_loaded") : w.addEventListener("load", () => emit("window_loaded"));
})(window, document, "__TM_CONFIG__", "__TM_CSS__");
