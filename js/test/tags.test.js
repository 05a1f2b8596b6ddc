// Each tag type against a fake of the runtime's API: the vendor calls it makes.
import "./setup.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import customHtml from "../src/tags/custom_html.js";
import ga4 from "../src/tags/ga4.js";
import googleAds from "../src/tags/google_ads.js";
import image from "../src/tags/image.js";
import linkedin from "../src/tags/linkedin.js";
import metaPixel from "../src/tags/meta_pixel.js";
import script from "../src/tags/script.js";
import tiktok from "../src/tags/tiktok.js";
import { apiFake } from "./setup.js";

const pageView = { name: "page_view", data: {} };
const purchase = { name: "purchase", data: { value: "20", currency: "EUR" } };

test("image and script", () => {
  const api = apiFake();
  image({ url: "https://px.example/p.gif" }, pageView, "page_view", api);
  script({ src: "https://cdn.example/s.js", async: false }, pageView, "page_view", api);
  assert.deepEqual(api.calls, [
    ["addImage", "https://px.example/p.gif"],
    ["addScript", "https://cdn.example/s.js", false],
  ]);
});

test("custom HTML: its scripts are made again, with the nonce", () => {
  const api = apiFake();
  customHtml({ html: `<i id="x">hi</i><script async data-a="1">1</script>` }, pageView, "", api);
  assert.equal(document.getElementById("x").textContent, "hi");
  const made = document.querySelector("script[data-a]");
  assert.equal(made.nonce, "n0nce");
  assert.equal(made.async, true);
});

test("GA4 and Google Ads: gtag.js once per id, then the event or the conversion", () => {
  const api = apiFake();
  const params = { measurement_id: "G-1", event_parameters: { a: 1 } };
  ga4(params, purchase, "purchase", api);
  ga4(params, purchase, "purchase", api);
  googleAds(
    { conversion_id: "AW-2", conversion_label: "L", value: "5", transaction_id: "T1" },
    purchase,
    "purchase",
    api,
  );
  const scripts = api.calls.filter((c) => c[0] === "addScript").map((c) => c[1]);
  assert.deepEqual(scripts, [
    "https://www.googletagmanager.com/gtag/js?id=G-1",
    "https://www.googletagmanager.com/gtag/js?id=AW-2",
  ]);
  const events = api.calls.filter((c) => c[0] === "gtag" && c[1] === "event");
  assert.deepEqual(events[0], [
    "gtag",
    "event",
    "purchase",
    { a: 1, send_to: "G-1", value: 20, currency: "EUR" },
  ]);
  assert.deepEqual(events[2], [
    "gtag",
    "event",
    "conversion",
    { send_to: "AW-2/L", value: 5, transaction_id: "T1" },
  ]);
});

test("Meta Pixel: the queue stub, one init per pixel, the vendor's event name", () => {
  const api = apiFake();
  metaPixel({ pixel_id: "123" }, purchase, "Purchase", api);
  metaPixel({ pixel_id: "123", value: "3" }, purchase, "Purchase", api);
  assert.deepEqual(
    window.fbq.queue.map((args) => [...args]),
    [
      ["init", "123"],
      ["track", "Purchase", {}],
      ["track", "Purchase", { value: 3 }],
    ],
  );
  assert.deepEqual(api.calls, [["addScript", "https://connect.facebook.net/en_US/fbevents.js"]]);
});

test("TikTok: the queue stub, events.js once per pixel, page() for a page view", () => {
  const api = apiFake();
  tiktok({ pixel_id: "C1" }, pageView, "page_view", api);
  tiktok({ pixel_id: "C1", value: "7", currency: "USD" }, purchase, "CompletePayment", api);
  assert.deepEqual(
    [...window.ttq],
    [["page"], ["track", "CompletePayment", { value: 7, currency: "USD" }]],
  );
  assert.deepEqual(api.calls, [
    ["addScript", "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=C1&lib=ttq"],
  ]);
});

test("LinkedIn: the partner id, insight.min.js once, a conversion pixel", () => {
  const api = apiFake();
  linkedin({ partner_id: "99" }, pageView, "", api);
  linkedin({ partner_id: "99", conversion_id: "7" }, purchase, "", api);
  assert.deepEqual(window._linkedin_data_partner_ids, ["99"]);
  assert.deepEqual(api.calls, [
    ["addScript", "https://snap.licdn.com/li.lms-analytics/insight.min.js"],
    ["addImage", "https://px.ads.linkedin.com/collect/?pid=99&conversionId=7&fmt=gif"],
  ]);
});
