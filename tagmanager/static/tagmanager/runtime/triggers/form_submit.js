(()=>{var m={start(e,t){document.addEventListener("submit",r=>t.emit("form_submit",{element:r.target}),!0)},match:(e,t)=>t.element.matches(e.params.selector)};tmTypes.triggers.form_submit=m;})();
