(()=>{var t=(e,r)=>parseFloat(e)>r;tmTypes.operators.greater_than=t;})();
