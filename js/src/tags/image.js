// An image pixel: a GET of its URL.
export default (params, _event, _name, api) => api.addImage(params.url);
