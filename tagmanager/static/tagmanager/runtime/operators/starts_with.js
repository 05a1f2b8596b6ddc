(()=>{var t=(r,s)=>r.startsWith(s);tmTypes.operators.starts_with=t;})();
