// Google Analytics 4: an event to the measurement id, with the event's value and currency.
import { googleTag } from "../vendor/google.js";

export default (params, event, name, api) => {
  googleTag(params.measurement_id, api);
  api.gtag(
    "event",
    name,
    api.withValue(
      { ...params.event_parameters, send_to: params.measurement_id },
      event.data.value,
      event.data.currency,
    ),
  );
};
