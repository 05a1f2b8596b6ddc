(()=>{var e=(t,p)=>RegExp(p).test(t);tmTypes.operators.matches_regex=e;})();
