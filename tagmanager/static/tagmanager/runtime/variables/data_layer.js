(()=>{var e=(t,a)=>a.dig(a.pageData(),t.key);tmTypes.variables.data_layer=e;})();
