// Custom HTML: parsed inert in a <template>, added to the page; its scripts are made again so
// that they run, with the loader's nonce (external ones in document order).
export default (params, _event, _name, api) => {
  const template = document.createElement("template");
  template.innerHTML = params.html;
  const scripts = [...template.content.querySelectorAll("script")];
  api.pageRoot().appendChild(template.content);
  for (const old of scripts) {
    const script = document.createElement("script");
    for (const attribute of old.attributes) script.setAttribute(attribute.name, attribute.value);
    script.async = old.hasAttribute("async");
    script.text = old.text;
    script.nonce = api.nonce();
    old.replaceWith(script);
  }
};
