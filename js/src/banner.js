// The consent banner: a first layer (Accept all, Reject all, Preferences) and a preferences
// layer with a checkbox per category, then a floating button that opens it again. Built on
// first use; every text goes in as text, never as HTML.
import { consentDecide } from "./consent.js";
import { runtime } from "./state.js";
import { nonce, pageRoot } from "./util.js";

let banner; // the banner element
let preferencesBox; // the preferences layer (the checkboxes)
let openButton; // "Preferences"
let saveButton; // "Save"
let settingsButton; // the floating button that opens the banner again
let styleElement;
let preferencesShown = false;
let focusBefore; // what had the focus when the banner opened
const boxes = {}; // checkboxes by category slug

/** The banner's language and texts: the page's language (lang="de-CH"), its primary part,
 * else the container's default; each text falls back the same way. */
export function bannerLocale() {
  const { texts, defaultLocale } = runtime.consent;
  const lang = document.documentElement.lang;
  const primary = lang.split("-")[0];
  runtime.locale = [lang, primary].find((l) => texts[l]) || defaultLocale;
  runtime.texts = { ...texts[defaultLocale], ...texts[primary], ...texts[lang] };
  runtime.pick = (byLocale) =>
    (byLocale && (byLocale[lang] || byLocale[primary] || byLocale[defaultLocale])) || "";
}

/** An element; `children` strings become text nodes, never HTML. */
function element(name, children, attributes) {
  const e = document.createElement(name);
  for (const a in attributes) e.setAttribute(a, attributes[a]);
  for (const child of children || []) e.append(child || "");
  return e;
}

function styleAdd() {
  if (styleElement) return;
  styleElement = element("style", [runtime.css]);
  styleElement.nonce = nonce();
  pageRoot().appendChild(styleElement);
}

const ACTIONS = {
  "accept-all": [() => 1, "accept_all"],
  "reject-all": [() => 0, "reject_all"],
  save: [(category) => boxes[category.slug].checked, "custom"],
};

function bannerBuild() {
  const texts = runtime.texts;
  // All buttons share one class: Reject is exactly as prominent as Accept.
  // (No form owns these buttons, so they need no type="button".)
  const button = (action, text) =>
    element("button", [texts[text]], { "data-tm-action": action, class: "tm-b" });
  styleAdd();
  preferencesBox = element(
    "div",
    runtime.categories.map((category) =>
      element("label", [
        (boxes[category.slug] = element("input", 0, {
          type: "checkbox",
          "data-tm-category": category.slug,
        })),
        element("b", [runtime.pick(category.names) || category.slug]),
        element("small", [runtime.pick(category.descriptions)]),
      ]),
    ),
  );
  banner = element(
    "div",
    [
      element("h2", [texts.title], { id: "tm-t" }),
      element("p", [texts.description], { id: "tm-d" }),
      runtime.gpc && element("p", [texts.gpc_notice], { "data-tm-gpc": "" }),
      preferencesBox,
      button("accept-all", "accept_all"),
      button("reject-all", "reject_all"),
      (openButton = button("open-preferences", "preferences")),
      (saveButton = button("save", "save")),
    ],
    {
      "data-tm-banner": "",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "tm-t",
      "aria-describedby": "tm-d",
      lang: runtime.locale,
    },
  );
  banner.onclick = (e) => {
    const target = e.target.closest("[data-tm-action]");
    if (!target) return;
    const action = ACTIONS[target.dataset.tmAction];
    if (action) consentDecide(action[0], action[1], preferencesShown ? "preferences" : "banner");
    else bannerLayer(true);
  };
  banner.onkeydown = (e) => {
    if (e.key === "Escape" && preferencesShown) bannerLayer(false);
  };
  pageRoot().appendChild(banner);
}

/** Shows the first layer or the preferences, ticked as currently decided, and moves the focus
 * there: at once when the visitor asked for it, else (`unprompted`: shown on page load) once
 * the page has been drawn, unless the visitor has put the focus elsewhere by then. Focusing
 * at once would make the browser style and lay out the whole page on the spot, in the middle
 * of the loader's own work. */
function bannerLayer(preferences, unprompted) {
  preferencesShown = preferences;
  preferencesBox.hidden = saveButton.hidden = !preferences;
  openButton.hidden = preferences;
  for (const category of runtime.categories) {
    const box = boxes[category.slug];
    box.checked = runtime.granted[category.slug];
    box.disabled = !!(category.required || (runtime.gpc && category.saleSharing));
  }
  const focus = () =>
    (
      (preferences && preferencesBox.querySelector("input:enabled")) ||
      banner.querySelector("button")
    ).focus();
  if (!unprompted) return focus();
  const before = document.activeElement;
  requestAnimationFrame(() =>
    setTimeout(() => !banner.hidden && document.activeElement === before && focus()),
  );
}

export function bannerShow(preferences, unprompted) {
  if (!banner || banner.hidden) focusBefore = document.activeElement;
  if (!banner) bannerBuild();
  banner.hidden = false;
  if (settingsButton) settingsButton.hidden = true;
  bannerLayer(preferences, unprompted);
}

/** Hides the banner, shows the floating button that opens it again, puts focus back. */
export function bannerHide() {
  const focused = document.activeElement;
  if (banner) banner.hidden = true;
  if (!settingsButton) {
    styleAdd();
    const text = runtime.texts.settings_button;
    settingsButton = element("button", [text], { "data-tm-settings": "", "aria-label": text });
    settingsButton.onclick = () => bannerShow(true);
    pageRoot().appendChild(settingsButton);
  }
  settingsButton.hidden = false;
  if (banner?.contains(focused)) focused.blur();
  if (focusBefore?.isConnected) focusBefore.focus();
  focusBefore = 0;
}
