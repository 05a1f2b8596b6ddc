(()=>{var e=(t,r,c,p)=>p.addScript(t.src,t.async);tmTypes.tags.script=e;})();
