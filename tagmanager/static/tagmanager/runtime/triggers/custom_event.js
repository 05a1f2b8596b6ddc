(()=>{var e={match:(t,m)=>t.params.event_name===m.name};tmTypes.triggers.custom_event=e;})();
