(()=>{var e=(t,o)=>t===o;tmTypes.operators.equals=e;})();
