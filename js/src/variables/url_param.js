// A query parameter of the page's URL.
export default (params, api) => api.queryParam(params.name);
