// A script element for a URL (async unless the tag says otherwise).
export default (params, _event, _name, api) => api.addScript(params.src, params.async);
