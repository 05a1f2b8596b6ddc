(()=>{var e=(t,m,p,a)=>a.addImage(t.url);tmTypes.tags.image=e;})();
