// Meta Pixel: fbq's queue stub until fbevents.js takes over, one init per pixel, the event.
export default (params, _event, name, api) => {
  let fbq = window.fbq;
  if (!fbq) {
    fbq = window.fbq = function () {
      // biome-ignore lint/complexity/noArguments: Meta's stub queues Arguments objects
      fbq.callMethod ? fbq.callMethod.apply(fbq, arguments) : fbq.queue.push(arguments);
    };
    window._fbq = window._fbq || fbq;
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = "2.0";
    fbq.queue = [];
    api.addScript("https://connect.facebook.net/en_US/fbevents.js");
  }
  api.once(`fb${params.pixel_id}`, () => fbq("init", params.pixel_id));
  fbq("track", name, api.withValue({}, params.value, params.currency));
};
