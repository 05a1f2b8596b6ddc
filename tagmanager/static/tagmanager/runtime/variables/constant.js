(()=>{var t=e=>e.value;tmTypes.variables.constant=t;})();
