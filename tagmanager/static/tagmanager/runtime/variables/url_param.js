(()=>{var a=(r,e)=>e.queryParam(r.name);tmTypes.variables.url_param=a;})();
