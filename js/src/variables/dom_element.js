// An element's attribute, or its text, trimmed.
export default (params) => {
  const element = document.querySelector(params.selector);
  return (
    element &&
    (params.attribute ? element.getAttribute(params.attribute) : element.textContent.trim())
  );
};
