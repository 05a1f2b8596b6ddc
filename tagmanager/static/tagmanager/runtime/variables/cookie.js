(()=>{var o=(t,r)=>{let e=r.cookieJar()[t.name];return e&&decodeURIComponent(e)};tmTypes.variables.cookie=o;})();
