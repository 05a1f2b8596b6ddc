// A key (a.b.c) of what the page has pushed with tm.push.
export default (params, api) => api.dig(api.pageData(), params.key);
