// tm.push({event: "name", ...}): a trigger matches its event name.
export default {
  match: (trigger, event) => trigger.params.event_name === event.name,
};
