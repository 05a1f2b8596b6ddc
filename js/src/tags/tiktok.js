// TikTok Pixel: ttq's queue stub, which events.js reads when it arrives; one load per pixel;
// a page view as ttq.page(), any other event as ttq.track().
const EVENTS_JS = "https://analytics.tiktok.com/i18n/pixel/events.js";

export default (params, event, name, api) => {
  const id = params.pixel_id;
  let ttq = window.ttq;
  if (!ttq) {
    window.TiktokAnalyticsObject = "ttq";
    ttq = window.ttq = [];
    ttq._i = {};
    ttq._t = {};
    ttq._o = {};
    for (const method of ["page", "track"]) ttq[method] = (...args) => ttq.push([method, ...args]);
  }
  api.once(`tt${id}`, () => {
    ttq._i[id] = [];
    ttq._i[id]._u = EVENTS_JS;
    ttq._t[id] = Date.now();
    ttq._o[id] = {};
    api.addScript(`${EVENTS_JS}?sdkid=${api.encode(id)}&lib=ttq`);
  });
  if (event.name === "page_view") ttq.page();
  else ttq.track(name, api.withValue({}, params.value, params.currency));
};
