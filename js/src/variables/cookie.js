// A first-party cookie's value, URL-decoded.
export default (params, api) => {
  const value = api.cookieJar()[params.name];
  return value && decodeURIComponent(value);
};
