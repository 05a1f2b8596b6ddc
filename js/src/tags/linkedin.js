// LinkedIn Insight Tag: the partner id, the script once, a conversion pixel when configured.
export default (params, _event, _name, api) => {
  const id = params.partner_id;
  const ids = (window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || []);
  window._linkedin_partner_id = id;
  if (!ids.includes(id)) ids.push(id);
  api.once("li", () => api.addScript("https://snap.licdn.com/li.lms-analytics/insight.min.js"));
  if (params.conversion_id)
    api.addImage(
      `https://px.ads.linkedin.com/collect/?pid=${api.encode(id)}&conversionId=${api.encode(
        params.conversion_id,
      )}&fmt=gif`,
    );
};
