// Google's tag (gtag.js) for an id, loaded once per id; shared by GA4 and Google Ads.
export const googleTag = (id, api) =>
  api.once(id, () => {
    api.addScript(`https://www.googletagmanager.com/gtag/js?id=${api.encode(id)}`);
    api.once("js", () => api.gtag("js", new Date()));
    api.gtag("config", id, { send_page_view: false });
  });
