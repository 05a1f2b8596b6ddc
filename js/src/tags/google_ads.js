// Google Ads: a conversion (id/label), with value, currency and transaction id.
import { googleTag } from "../vendor/google.js";

export default (params, _event, _name, api) => {
  googleTag(params.conversion_id, api);
  const conversion = api.withValue(
    { send_to: `${params.conversion_id}/${params.conversion_label}` },
    params.value,
    params.currency,
  );
  if (params.transaction_id) conversion.transaction_id = params.transaction_id;
  api.gtag("event", "conversion", conversion);
};
