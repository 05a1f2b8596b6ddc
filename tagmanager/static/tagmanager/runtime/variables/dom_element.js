(()=>{var r=t=>{let e=document.querySelector(t.selector);return e&&(t.attribute?e.getAttribute(t.attribute):e.textContent.trim())};tmTypes.variables.dom_element=r;})();
