(()=>{var t=(e,o)=>parseFloat(e)<o;tmTypes.operators.less_than=t;})();
