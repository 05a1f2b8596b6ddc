(()=>{var r={ready(e,a){for(let t of e){let i=0,m=setInterval(()=>{a.emit("timer",{trigger:t}),++i>=t.params.limit&&clearInterval(m)},t.params.interval_ms)}}};tmTypes.triggers.timer=r;})();
