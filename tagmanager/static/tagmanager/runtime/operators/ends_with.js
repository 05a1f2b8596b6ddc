(()=>{var t=(e,o)=>e.endsWith(o);tmTypes.operators.ends_with=t;})();
