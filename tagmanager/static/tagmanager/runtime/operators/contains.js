(()=>{var t=(e,o)=>e.includes(o);tmTypes.operators.contains=t;})();
